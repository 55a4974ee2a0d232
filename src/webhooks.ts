/**
 * Status callbacks: verifying `X-Twilio-Signature` and reading the events.
 *
 * The signature is base64(HMAC-SHA1(authToken, url + sorted name/value
 * pairs)). WebCrypto only, so this runs on every fetch runtime.
 */
import type { webhooks } from "../generated/openapi.js";
import { base64, hex, timingSafeEqual, utf8 } from "./encoding.js";

/** Form parameters of a callback: a record (repeated keys as arrays) or URLSearchParams. */
export type CallbackParams = Record<string, string | readonly string[]> | URLSearchParams;

type FormBody<W> = W extends { post: { requestBody?: { content: { "application/x-www-form-urlencoded": infer B } } } } ? B : never;
/** A room status callback event (room, participant, track and recording events). */
export type RoomStatusCallbackEvent = FormBody<webhooks["roomStatusCallback"]>;
/** A composition status callback event (composition and composition hook events). */
export type CompositionStatusCallbackEvent = FormBody<webhooks["compositionStatusCallback"]>;
/** Any status callback Twilio sends: a room event or a composition event, typed from the spec's webhooks. */
export type StatusCallbackEvent = RoomStatusCallbackEvent | CompositionStatusCallbackEvent;

function pairs(params: CallbackParams): Array<[string, string]> {
  if (params instanceof URLSearchParams) return [...params];
  return Object.entries(params).flatMap(([name, value]) =>
    typeof value === "string" ? [[name, value] as [string, string]] : value.map((v) => [name, v] as [string, string]),
  );
}

async function hmacSha1(key: string, data: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", utf8(key), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, utf8(data)));
}

/**
 * Computes the `X-Twilio-Signature` Twilio would send for a callback to `url`
 * with these form parameters (none for GET callbacks and JSON bodies).
 */
export async function computeSignature(authToken: string, url: string, params: CallbackParams = {}): Promise<string> {
  // Sorted by name, then by value for repeated names, as Twilio signs them.
  const sorted = pairs(params).sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
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
  const withPort = `${parsed.protocol}//${parsed.username ? `${parsed.username}:${parsed.password}@` : ""}${parsed.hostname}:${parsed.port || defaultPort}${parsed.pathname}${parsed.search}`;
  return [...new Set([url, withoutPort.toString(), withPort])];
}

/**
 * Checks a callback's `X-Twilio-Signature`. Accepts the URL with and without
 * the default port. For JSON bodies pass `{ body }` instead of params: the URL
 * then carries `bodySHA256`, which must match the body.
 */
export async function validateSignature(
  authToken: string,
  signature: string | null | undefined,
  url: string,
  params: CallbackParams | { body: string } = {},
): Promise<boolean> {
  if (!authToken || !signature) return false;
  let formParams: CallbackParams = {};
  if ("body" in params && typeof params.body === "string" && !(params instanceof URLSearchParams)) {
    const claimed = new URL(url).searchParams.get("bodySHA256");
    const actual = hex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(params.body))));
    if (!claimed || !timingSafeEqual(claimed.toLowerCase(), actual)) return false;
  } else {
    formParams = params as CallbackParams;
  }
  for (const candidate of urlVariants(url)) {
    if (timingSafeEqual(await computeSignature(authToken, candidate, formParams), signature)) return true;
  }
  return false;
}

/** Thrown by {@link verifyStatusCallback} when a request is not a genuine Twilio callback. */
export class InvalidSignatureError extends Error {
  override readonly name = "InvalidSignatureError";
  readonly kind = "signature" as const;
}

/**
 * Verifies and parses a status callback delivered as a fetch `Request` (the
 * shape Workers, Deno, Bun and most Node frameworks hand you). POST callbacks
 * carry the event in the form body, GET callbacks in the query string.
 *
 * @param options.url the public URL Twilio called, when it differs from
 *   `request.url` (behind a proxy or tunnel).
 */
export async function verifyStatusCallback(
  request: Request,
  options: { authToken: string; url?: string },
): Promise<StatusCallbackEvent> {
  const url = options.url ?? request.url;
  const form = request.method === "GET" ? new URLSearchParams() : new URLSearchParams(await request.text());
  const valid = await validateSignature(options.authToken, request.headers.get("x-twilio-signature"), url, form);
  if (!valid) throw new InvalidSignatureError("X-Twilio-Signature does not match this request");
  const fields = request.method === "GET" ? new URL(url).searchParams : form;
  return Object.fromEntries(fields) as unknown as StatusCallbackEvent;
}
