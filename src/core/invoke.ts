/**
 * One call of one spec operation, with errors turned into exceptions.
 * Resource methods, pagination and media all go through it: straight to the
 * transport, or, when the caller gave middleware, through openapi-fetch
 * (src/core/openapi-bridge.ts). Both answer a WireResponse, mapped to a
 * result or an error here.
 */
import {
  TwilioApiError,
  TwilioArgumentError,
  TwilioConfigError,
  TwilioProtocolError,
  TwilioResponseValidationError,
  safeUrl,
} from "./errors.js";
import type { Endpoint } from "./endpoint.js";
import type { MiddlewareSend } from "./openapi-bridge.js";
import { optionBag, optionNames, refuseUnknownOptions } from "./options.js";
import { serializeForm, serializeQuery } from "./serialize.js";
import type { Send, WireResponse } from "./transport.js";
import type { CallOptions } from "./types.js";

/**
 * `validateResponses`: `"off"`, `"warn"` (report drift through `onWarning`) or `"throw"`
 * ({@link TwilioResponseValidationError}).
 */
export type ValidationMode = "off" | "warn" | "throw";

export interface Context {
  /** The transport: retries, timeouts, credentials, size cap. */
  send: Send;
  /**
   * Set when the caller gave middleware: resource calls then go through
   * openapi-fetch so the middleware sees them. Otherwise they go to the
   * transport directly, without building Request/Response objects.
   */
  viaMiddleware: MiddlewareSend | undefined;
  baseUrl: string;
  /** The fetch for media hosts: the caller's, without Twilio credentials. */
  mediaFetch: typeof globalThis.fetch;
  validation: ValidationMode;
  /** Validator given in the options; otherwise the contract module is loaded on first use. */
  validator?: ResponseValidator;
  onWarning: (message: string) => void;
}

export interface CallInit {
  path?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
}

const FORM = "application/x-www-form-urlencoded";

// Path templates split once into [literal, name, literal, …, literal]; the
// keys are the spec's paths, a fixed set.
const templates = new Map<string, string[]>();

/**
 * The request URL: base, the path with its parameters percent-encoded (as openapi-fetch does), the Twilio-style query.
 */
export function requestUrl(baseUrl: string, endpoint: Endpoint, init: CallInit): string {
  const params = init.path ?? {};
  let parts = templates.get(endpoint.path);
  if (parts === undefined) {
    parts = endpoint.path.split(/\{(\w+)\}/);
    templates.set(endpoint.path, parts);
  }
  let path = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) path += encodeURIComponent(params[parts[i]!] ?? "") + parts[i + 1]!;
  const search = init.query ? serializeQuery(init.query) : "";
  return search ? `${baseUrl}${path}?${search}` : `${baseUrl}${path}`;
}

/** The names {@link CallOptions} may have. */
export const CALL_OPTION_NAMES = optionNames<CallOptions>({
  timeout: true,
  maxRetries: true,
  signal: true,
  headers: true,
});

// A header name is an RFC 9110 token; a value holds no CR, LF or NUL (they would split or end the header).
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/;

/** Refuses per-call options with unknown names, or headers that could not be sent as they are. */
export function checkCallOptions(options: CallOptions, known: ReadonlySet<string> = CALL_OPTION_NAMES): void {
  refuseUnknownOptions("call options", options, known);
  const { headers } = options;
  if (headers === undefined) return;
  if (typeof headers !== "object" || headers === null)
    throw new TwilioArgumentError("headers must be an object of header names to strings");
  for (const name in headers) {
    const value: unknown = headers[name];
    if (!HEADER_NAME.test(name))
      throw new TwilioArgumentError(`headers: ${JSON.stringify(name.slice(0, 40))} is not a valid header name`);
    if (typeof value !== "string" || HEADER_VALUE_FORBIDDEN.test(value)) {
      throw new TwilioArgumentError(`headers: the value of ${name} must be a string without CR, LF or NUL`);
    }
  }
}

const EMPTY: CallOptions = Object.freeze({});

/** Sends the request and answers with the whole response (any status). */
export function sendEndpoint(
  ctx: Context,
  endpoint: Endpoint,
  init: CallInit,
  given?: CallOptions | null,
): Promise<WireResponse> {
  const options = optionBag("call options", given) ?? EMPTY;
  if (options !== EMPTY) checkCallOptions(options);
  if (ctx.viaMiddleware) return ctx.viaMiddleware(endpoint, init, options);
  const method = endpoint.method.toUpperCase();
  const headers: Record<string, string> = options.headers ? { ...options.headers } : {};
  let body: string | undefined;
  if (init.body !== undefined) {
    body = serializeForm(init.body).toString();
    headers["content-type"] = FORM;
  }
  // `options` doubles as the transport's per-call policy (timeout, maxRetries): no copy.
  return ctx.send({ method, url: requestUrl(ctx.baseUrl, endpoint, init), headers, body }, options.signal, options);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function apiError(endpoint: Endpoint, response: WireResponse): TwilioApiError {
  return new TwilioApiError({
    status: response.status,
    method: endpoint.method.toUpperCase(),
    url: response.url,
    body: parseJson(response.body),
    requestId: response.headers.get("twilio-request-id"),
  });
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 80)}…` : flat);
}

/**
 * The success body as JSON; anything else (a proxy's HTML page, truncated JSON) is a protocol error, never a raw
 * SyntaxError.
 */
export function successBody(endpoint: Endpoint, response: WireResponse): unknown {
  if (response.body === "") return undefined;
  try {
    return JSON.parse(response.body);
  } catch {
    throw new TwilioProtocolError(
      `${endpoint.operationId} answered ${response.status} with a body that is not JSON: ${excerpt(response.body)}`,
    );
  }
}

/** A redirect (or a status no HTTP client should surface) where the API answers with data. */
export function unexpectedStatus(endpoint: Endpoint, response: WireResponse): TwilioProtocolError {
  const location = response.headers.get("location");
  // A Location that does not parse is shown as "(invalid URL)" rather than thrown as a TypeError.
  const target = location && URL.canParse(location, response.url) ? new URL(location, response.url).href : location;
  const redirect = target ? ` (redirect to ${safeUrl(target)})` : "";
  return new TwilioProtocolError(
    `${endpoint.method.toUpperCase()} ${safeUrl(response.url)} answered ${response.status}${redirect}; API calls ` +
      "never follow redirects",
  );
}

/** Receives the answer a call's data came from, for `.withResponse()`. */
export interface ResponseSink {
  response: WireResponse | undefined;
}

/** Sends the request and returns the success body, or throws a typed error. */
export async function call(
  ctx: Context,
  endpoint: Endpoint,
  init: CallInit,
  options?: CallOptions,
  sink?: ResponseSink,
): Promise<unknown> {
  const response = await sendEndpoint(ctx, endpoint, init, options);
  if (sink !== undefined) sink.response = response;
  const { status } = response;
  if (status >= 200 && status < 300) {
    const data = successBody(endpoint, response);
    if (ctx.validation !== "off")
      checkResponse(
        ctx,
        ctx.validator ?? loadedValidator ?? (await loadValidator()),
        endpoint.operationId,
        status,
        data ?? null,
      );
    return data;
  }
  if (status < 400) throw unexpectedStatus(endpoint, response);
  throw apiError(endpoint, response);
}

/** What response validation needs; `defaultContractValidator()` from `twilio-video-ts/contract` is one. */
export interface ResponseValidator {
  validateResponse(
    operationId: string,
    status: number,
    body: unknown,
    contentType?: string,
  ): { problems: ReadonlyArray<{ where: string; message: string }> };
}

// A non-literal specifier, so bundlers do not pull the validator (ajv and the
// whole spec) into apps that never turn validation on. Bundled apps that do
// want it pass `validator` instead.
const CONTRACT_MODULE = "../contract/index.js";
let lazyValidator: Promise<ResponseValidator> | undefined;
// Once loaded, used without awaiting a promise on every call.
let loadedValidator: ResponseValidator | undefined;

function loadValidator(): Promise<ResponseValidator> {
  lazyValidator ??= (
    import(/* @vite-ignore */ CONTRACT_MODULE) as Promise<{ defaultContractValidator(): ResponseValidator }>
  ).then(
    (module) => (loadedValidator = module.defaultContractValidator()),
    (cause: unknown) => {
      lazyValidator = undefined;
      throw new TwilioConfigError(
        "validateResponses could not load the contract validator (install ajv and ajv-formats; in bundled apps pass " +
          "`validator: defaultContractValidator()` from twilio-video-ts/contract)",
        { cause },
      );
    },
  );
  return lazyValidator;
}

/**
 * Checks a success body against the spec before the caller gets it, so the
 * verdict is about what the API sent and needs no copy of it. (An earlier
 * version checked "warn" later, from a backlog of wire texts; parsing each
 * text again cost more than the check it moved off the call.) "throw" throws
 * the verdict; "warn" hands it to `onWarning` and never fails the call, not
 * even when the validator or the sink itself throws.
 */
function checkResponse(
  ctx: Context,
  validator: ResponseValidator,
  operationId: string,
  status: number,
  body: unknown,
): void {
  if (ctx.validation === "throw") {
    const error = verdict(validator, operationId, status, body);
    if (error) throw error;
    return;
  }
  let message: string | undefined;
  try {
    message = verdict(validator, operationId, status, body)?.message;
  } catch (error) {
    message = `validateResponses: a response check failed: ${(error as Error)?.message ?? String(error)}`;
  }
  if (message === undefined) return;
  try {
    ctx.onWarning(message);
  } catch {
    // The caller's sink failed; there is nowhere left to report to.
  }
}

function verdict(
  validator: ResponseValidator,
  operationId: string,
  status: number,
  body: unknown,
): TwilioResponseValidationError | undefined {
  const { problems } = validator.validateResponse(
    operationId,
    status,
    body,
    body === null ? undefined : "application/json",
  );
  return problems.length === 0 ? undefined : new TwilioResponseValidationError(operationId, problems);
}

// SIDs are two letters and 32 hex digits; anything else is a unique name or
// identity, which Twilio caps at 128 characters.
const SID = /^[A-Z]{2}[0-9a-fA-F]{32}$/;
// `.` alone is in the list too: percent-encoding leaves it as is, and URL
// normalisation then drops the segment (`/Rooms/./Participants`).
const UNSAFE = /[/?#\\\u0000-\u001f\u007f]|\.\.|^\.$/;

/** Refuses an id before it reaches a URL: wrong SID type, empty, too long, or able to change the path. */
export function checkId(name: string, value: unknown, sidPrefix?: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TwilioArgumentError(`${name} must be a non-empty string`);
  }
  if (sidPrefix) {
    if (!SID.test(value) || !value.startsWith(sidPrefix)) {
      throw new TwilioArgumentError(
        `${name} must be a ${sidPrefix} SID (${sidPrefix} followed by 32 hex digits), got ` +
          `${JSON.stringify(value.slice(0, 40))}`,
      );
    }
    return value;
  }
  if (value.length > 128) throw new TwilioArgumentError(`${name} is longer than 128 characters`);
  if (UNSAFE.test(value)) {
    throw new TwilioArgumentError(
      `${name} must be a SID, unique name or identity other than '.' and without '/', '?', '#', '\\', '..' or ` +
        "control characters",
    );
  }
  return value;
}
