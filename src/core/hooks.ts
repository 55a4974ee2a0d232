/**
 * Observability hooks: plain event objects the transport hands to
 * `onRequest`, `onResponse` and `onRetry`, one per attempt. Events are built
 * only when at least one hook is set, so a client without hooks does no
 * extra work per call. No credential ever reaches a hook: the Authorization
 * header (and other credential headers) is replaced by "[redacted]", URLs
 * lose their user-info (`safeUrl`) and the values of query parameters with
 * sensitive names (the recorder's rule, core/sensitive-names.ts).
 */
import { environmentVariable } from "./environment.js";
import { safeUrl } from "./errors.js";
import { isSensitiveName } from "./sensitive-names.js";

/** Headers as a hook sees them: lower-case names, credential values replaced by `"[redacted]"`. */
export type RedactedHeaders = Readonly<Record<string, string>>;

/** An attempt is about to be sent. `attempt` counts from 0 (0 = the first try). */
export interface RequestEvent {
  readonly type: "request";
  readonly method: string;
  /** The request URL without user-info or signature-like query parameters. */
  readonly url: string;
  readonly headers: RedactedHeaders;
  readonly attempt: number;
}

/** An attempt got an answer (any status, including ones that are then retried). */
export interface ResponseEvent {
  readonly type: "response";
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** Response headers (lower-case names, credential-like values redacted). */
  readonly headers: RedactedHeaders;
  readonly attempt: number;
  /** Time from sending the attempt to its body read in full, in ms. */
  readonly durationMs: number;
  /** `Twilio-Request-Id` of the answer, when there is one. */
  readonly requestId: string | null;
}

/** An attempt failed and the call will be tried again after `delayMs`. */
export interface RetryEvent {
  readonly type: "retry";
  readonly method: string;
  readonly url: string;
  /** The attempt that failed (0 = the first). */
  readonly attempt: number;
  /** Its HTTP status, or null when it failed without an answer (network error, timeout). */
  readonly status: number | null;
  /** Why it failed when there was no answer: the error's message. */
  readonly error: string | null;
  readonly durationMs: number;
  /** The wait before the next attempt, in ms. */
  readonly delayMs: number;
  /** True when the wait comes from the server's `Retry-After` rather than the client's backoff. */
  readonly retryAfter: boolean;
}

/** Any of the events the hooks receive. */
export type ClientEvent = RequestEvent | ResponseEvent | RetryEvent;

/**
 * Hooks called by the transport on every attempt of an API call (media
 * downloads from signed URLs are not API calls and are not reported). A hook
 * that throws is reported through `onWarning` and otherwise ignored: an
 * observer never changes the outcome of a request.
 */
export interface ClientHooks {
  /** Called before every attempt is sent. */
  onRequest?: ((event: RequestEvent) => void) | undefined;
  /** Called when an attempt is answered, before any retry decision. */
  onResponse?: ((event: ResponseEvent) => void) | undefined;
  /** Called when an attempt failed and is about to be retried. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

const REDACTED = "[redacted]";
// Headers that carry credentials or session state, in either direction.
const SECRET_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-twilio-signature",
  "x-api-key",
]);

/** The URL a hook may see: no user-info, signature-like query values replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const safe = safeUrl(url);
  const query = safe.indexOf("?");
  if (query < 0) return safe;
  let parsed: URL;
  try {
    parsed = new URL(safe);
  } catch {
    return safe;
  }
  let changed = false;
  for (const name of new Set(parsed.searchParams.keys())) {
    if (isSensitiveName(name)) {
      parsed.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? parsed.toString() : safe;
}

/** A plain copy of `headers` with lower-case names and credential values redacted. */
export function redactHeaders(
  headers: Record<string, string> | { forEach(callback: (value: string, name: string) => void): void },
): RedactedHeaders {
  const out: Record<string, string> = {};
  const put = (value: string, name: string) => {
    const lower = name.toLowerCase();
    out[lower] = SECRET_HEADERS.has(lower) ? REDACTED : value;
  };
  if (typeof (headers as { forEach?: unknown }).forEach === "function")
    (headers as { forEach(callback: (value: string, name: string) => void): void }).forEach(put);
  else for (const name in headers) put((headers as Record<string, string>)[name]!, name);
  return out;
}

/** Hooks that print every event to `console.error` (`debug: true` or `TWILIO_VIDEO_DEBUG`). */
export function debugHooks(): Required<ClientHooks> {
  const print = (event: ClientEvent) => console.error("[twilio-video-ts]", JSON.stringify(event));
  return { onRequest: print, onResponse: print, onRetry: print };
}

/** Runs each hook in `a` and then `b`; either may be absent. */
export function combineHooks(a: ClientHooks | undefined, b: ClientHooks | undefined): ClientHooks | undefined {
  if (!a) return b;
  if (!b) return a;
  const both = <E>(x: ((event: E) => void) | undefined, y: ((event: E) => void) | undefined) =>
    x && y
      ? (event: E) => {
          // Each observer runs even when the other one throws.
          try {
            x(event);
          } finally {
            y(event);
          }
        }
      : (x ?? y);
  return {
    onRequest: both(a.onRequest, b.onRequest),
    onResponse: both(a.onResponse, b.onResponse),
    onRetry: both(a.onRetry, b.onRetry),
  };
}

/** True when `TWILIO_VIDEO_DEBUG` is set to something other than "", "0" or "false", where a `process.env` exists. */
export function debugFromEnvironment(): boolean {
  const value = environmentVariable("TWILIO_VIDEO_DEBUG");
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}
