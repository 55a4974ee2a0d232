/**
 * Status callbacks: verifying `X-Twilio-Signature` and reading the events.
 *
 * The signature is base64(HMAC-SHA1(authToken, url + sorted name/value
 * pairs)). WebCrypto only, so this runs on every fetch runtime.
 */
import type { webhooks } from "../../generated/openapi.js";
import { base64, hex, timingSafeEqual, utf8 } from "../core/encoding.js";
import { named, TwilioArgumentError, TwilioConfigError, TwilioVideoError } from "../core/errors.js";
import { optionBag, optionNames, refuseUnknownOptions } from "../core/options.js";
import {
  InvalidStatusCallbackError,
  parseStatusCallback,
  type CallbackParams,
  type ParsedStatusCallback,
} from "./status-callbacks.js";

type FormBody<W> = W extends { post: { requestBody?: { content: { "application/x-www-form-urlencoded": infer B } } } }
  ? B
  : never;
/** A room status callback event (room, participant, track and recording events). */
export type RoomStatusCallbackEvent = FormBody<webhooks["roomStatusCallback"]>;
/** A composition status callback event (composition and composition hook events). */
export type CompositionStatusCallbackEvent = FormBody<webhooks["compositionStatusCallback"]>;
/** Any status callback Twilio sends: a room event or a composition event, typed from the spec's webhooks. */
export type StatusCallbackEvent = RoomStatusCallbackEvent | CompositionStatusCallbackEvent;

function pairs(params: CallbackParams): Array<[string, string]> {
  if (params instanceof URLSearchParams) return [...params];
  if (typeof params !== "object" || params === null)
    throw new TwilioArgumentError("params must be URLSearchParams or an object of strings");
  return Object.entries(params).flatMap(([name, value]) => {
    if (typeof value === "string") return [[name, value] as [string, string]];
    if (Array.isArray(value) && value.every((v) => typeof v === "string"))
      return value.map((v) => [name, v] as [string, string]);
    throw new TwilioArgumentError(
      `params: the value of ${JSON.stringify(name.slice(0, 40))} must be a string or an array of strings`,
    );
  });
}

/** Web Crypto, or a TwilioConfigError on a runtime without it (rather than a TypeError from `undefined.subtle`). */
function subtleCrypto(): SubtleCrypto {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (!subtle)
    throw new TwilioConfigError(
      "checking callback signatures needs Web Crypto (globalThis.crypto.subtle), which this runtime lacks",
    );
  return subtle;
}

async function hmacSha1(key: string, data: string): Promise<Uint8Array> {
  const subtle = subtleCrypto();
  const cryptoKey = await subtle.importKey("raw", utf8(key), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", cryptoKey, utf8(data)));
}

/**
 * Computes the `X-Twilio-Signature` Twilio would send for a callback to `url`
 * with these form parameters (none for GET callbacks and JSON bodies).
 */
export async function computeSignature(authToken: string, url: string, params: CallbackParams = {}): Promise<string> {
  // A missing token would otherwise be signed with as the text "undefined".
  if (typeof authToken !== "string" || typeof url !== "string")
    throw new TwilioArgumentError("computeSignature needs the auth token and the URL as strings");
  // Sorted by name, then by value for repeated names, as Twilio signs them.
  const sorted = pairs(params).sort(([an, av], [bn, bv]) =>
    an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0,
  );
  let data = url;
  for (const [name, value] of sorted) data += name + value;
  return base64(await hmacSha1(authToken, data));
}

/** The URL with its scheme's default port spelled out, and without it: proxies change one into the other. */
function urlVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = parsed.protocol === "https:" ? "443" : parsed.protocol === "http:" ? "80" : "";
  if (!defaultPort) return [url];
  const withoutPort = new URL(url);
  withoutPort.port = "";
  // URL normalises the default port away, so the "with" form is built by hand.
  const withPort =
    `${parsed.protocol}//${parsed.username ? `${parsed.username}:${parsed.password}@` : ""}` +
    `${parsed.hostname}:${parsed.port || defaultPort}${parsed.pathname}${parsed.search}`;
  return [...new Set([url, withoutPort.toString(), withPort])];
}

/** A non-empty string: what a token or signature must be before it is compared (anything else answers false). */
function isText(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

async function signatureMatches(
  authToken: string,
  signature: string,
  url: string,
  params: CallbackParams,
): Promise<boolean> {
  for (const candidate of urlVariants(url)) {
    if (timingSafeEqual(await computeSignature(authToken, candidate, params), signature)) return true;
  }
  return false;
}

/**
 * Checks a form-encoded (or GET) callback's `X-Twilio-Signature`. Accepts the
 * URL with and without the default port. Answers false, never throws, for a
 * missing signature or token and for a URL that does not parse. JSON-body
 * callbacks are checked with {@link validateJsonSignature}.
 */
export async function validateSignature(
  authToken: string,
  signature: string | null | undefined,
  url: string,
  params: CallbackParams = {},
): Promise<boolean> {
  if (!isText(authToken) || !isText(signature) || !parseUrl(url)) return false;
  return signatureMatches(authToken, signature, url, params);
}

/**
 * Checks a JSON-body callback: Twilio signs the URL alone, which carries
 * `bodySHA256`, the hex SHA-256 of the body; both must match. Answers false,
 * never throws.
 */
export async function validateJsonSignature(
  authToken: string,
  signature: string | null | undefined,
  url: string,
  body: string,
): Promise<boolean> {
  const parsed = parseUrl(url);
  if (!isText(authToken) || !isText(signature) || !parsed) return false;
  const claimed = parsed.searchParams.get("bodySHA256");
  if (!claimed) return false;
  if (typeof body !== "string") return false;
  const actual = hex(new Uint8Array(await subtleCrypto().digest("SHA-256", utf8(body))));
  if (!timingSafeEqual(claimed.toLowerCase(), actual)) return false;
  return signatureMatches(authToken, signature, url, {});
}

/** Thrown by {@link verifyStatusCallback} when a request is not a genuine Twilio callback. */
export class InvalidSignatureError extends TwilioVideoError {
  readonly kind = "signature" as const;
  static {
    named(this, "InvalidSignatureError");
  }
}

/** What {@link verifyStatusCallback} takes besides the request. */
export interface VerifyStatusCallbackOptions {
  authToken: string;
  url?: string;
  body?: string;
}

const VERIFY_OPTION_NAMES = optionNames<VerifyStatusCallbackOptions>({ authToken: true, url: true, body: true });

/**
 * Verifies a status callback delivered as a fetch `Request` (the shape
 * Workers, Deno, Bun and most Node frameworks hand you) and answers the typed
 * event ({@link parseStatusCallback}). POST callbacks carry the event in the
 * form body, GET callbacks in the query string; a URL with `bodySHA256` marks
 * a JSON body (checked against that digest), whose top-level fields are read
 * as strings.
 *
 * Rejects with {@link InvalidSignatureError} whenever the request is not
 * provably Twilio's (including a URL that does not parse), and with
 * `InvalidStatusCallbackError` when a genuine one lacks what the spec requires.
 *
 * @param options.url the public URL Twilio called, when it differs from
 *   `request.url` (behind a proxy or tunnel).
 * @param options.body the raw body when it was already read from the request.
 */
export async function verifyStatusCallback(
  request: Request,
  options: VerifyStatusCallbackOptions,
): Promise<ParsedStatusCallback> {
  const checked: Partial<VerifyStatusCallbackOptions> = optionBag("verifyStatusCallback", options) ?? {};
  refuseUnknownOptions("verifyStatusCallback", checked, VERIFY_OPTION_NAMES);
  const { authToken = "" } = checked;
  const url = checked.url ?? request.url;
  const parsed = parseUrl(url);
  if (!parsed) throw new InvalidSignatureError("The callback URL does not parse, so its signature cannot be checked");
  const signature = request.headers.get("x-twilio-signature");
  const get = request.method === "GET" || request.method === "HEAD";
  const body = get ? "" : (checked.body ?? (await requestText(request)));
  if (parsed.searchParams.has("bodySHA256")) {
    if (!(await validateJsonSignature(authToken, signature, url, body)))
      throw new InvalidSignatureError("X-Twilio-Signature or bodySHA256 does not match this request");
    return parseStatusCallback(jsonFields(body));
  }
  const form = new URLSearchParams(body);
  if (!(await validateSignature(authToken, signature, url, form)))
    throw new InvalidSignatureError("X-Twilio-Signature does not match this request");
  return parseStatusCallback(get ? parsed.searchParams : form);
}

/**
 * The request's body; one already read (by a framework, say) is a TwilioArgumentError naming the fix, not a
 * TypeError.
 */
async function requestText(request: Request): Promise<string> {
  if (request.bodyUsed)
    throw new TwilioArgumentError("verifyStatusCallback: the request body was already read; pass it as options.body");
  return request.text();
}

/** A JSON body's top-level fields as strings (objects re-serialised), like the form fields of other callbacks. */
function jsonFields(body: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidStatusCallbackError("body", "is signed but is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidStatusCallbackError("body", "is signed but is not a JSON object");
  return Object.fromEntries(
    Object.entries(value).map(([name, v]) => [name, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}
