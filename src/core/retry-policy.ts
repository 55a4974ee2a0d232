/**
 * The retry decision, as a named policy of its own (like `shouldRetry` in
 * stripe-node and openai-node): which failed attempts are tried again, and
 * how long to wait first. The transport (src/core/transport.ts) only asks.
 *
 * - Idempotent methods (GET, HEAD, DELETE, OPTIONS) retry on 429, 500, 502,
 *   503 and 504, on network errors and on timeouts.
 * - POST retries only what was certainly not processed: 429 (Twilio documents
 *   error 20429 as never processed) and a connection that was never made. A
 *   POST that timed out or lost its connection may have created a room: it is
 *   never sent twice.
 * - A response too large for `maxResponseBytes` is never retried: the next
 *   answer would be as large.
 * - The wait is full-jitter exponential backoff, or the server's
 *   `Retry-After` on 429 and 503, cut to `maxRetryAfterMs`.
 */
import { TwilioResponseTooLargeError } from "./errors.js";

const IDEMPOTENT = new Set(["GET", "HEAD", "DELETE", "OPTIONS"]);
const RETRY_STATUS_IDEMPOTENT = new Set([429, 500, 502, 503, 504]);
// Twilio documents 429 (code 20429) as never processed, so a POST may repeat it.
const RETRY_STATUS_POST = new Set([429]);
// The statuses whose Retry-After means "try again then" (RFC 9110 §10.2.3, RFC 6585 §4).
const RETRY_AFTER_STATUS = new Set([429, 503]);
// Failures that happen before a single byte of the request left the machine.
const CONNECT_FAILURES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
]);

/** How an attempt ended: an HTTP status, or an error (with whether it was the attempt's timeout). */
export type AttemptOutcome = { status: number } | { error: unknown; timedOut: boolean };

/** True when `error` (or one of its first causes) says the connection was never made. */
export function connectFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECT_FAILURES.has(code)) return true;
  }
  return false;
}

/**
 * Whether attempt number `attempt` (0 = the first) of a `method` request,
 * which ended in `outcome`, is tried again when `maxRetries` retries are
 * allowed.
 */
export function shouldRetry(method: string, attempt: number, maxRetries: number, outcome: AttemptOutcome): boolean {
  if (attempt >= maxRetries) return false;
  const idempotent = IDEMPOTENT.has(method);
  if ("status" in outcome) {
    return idempotent
      ? RETRY_STATUS_IDEMPOTENT.has(outcome.status)
      : method === "POST" && RETRY_STATUS_POST.has(outcome.status);
  }
  if (outcome.error instanceof TwilioResponseTooLargeError) return false;
  return idempotent || (!outcome.timedOut && connectFailure(outcome.error));
}

// Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a day
// name. Checked first because Date.parse is lenient: it reads "-1" or "1.5"
// as dates in 2001.
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i;

/**
 * Milliseconds from a `Retry-After` value: delta-seconds (digits only) or an
 * HTTP date (a date in the past is 0). Undefined when absent or unreadable:
 * negative, fractional, garbage. Not capped here; huge values are the
 * caller's to cut.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!HTTP_DATE.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The client's backoff settings, defaults applied. */
export interface Backoff {
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  random: () => number;
}

/**
 * The wait before retrying attempt `attempt`: the server's `Retry-After`
 * (only on 429 and 503, where it means "come back then"; a bogus value is
 * ignored, a huge one cut to `maxRetryAfterMs`), else full jitter below
 * `min(maxDelayMs, baseDelayMs × 2^attempt)`. `retryAfter` tells which.
 */
export function retryDelay(
  backoff: Backoff,
  attempt: number,
  response: { status: number; headers: { get(name: string): string | null } } | undefined,
  now: () => number,
): { delayMs: number; retryAfter: boolean } {
  const header =
    response && RETRY_AFTER_STATUS.has(response.status)
      ? parseRetryAfter(response.headers.get("retry-after"), now())
      : undefined;
  if (header !== undefined) return { delayMs: Math.min(header, backoff.maxRetryAfterMs), retryAfter: true };
  return {
    delayMs: backoff.random() * Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** attempt),
    retryAfter: false,
  };
}
