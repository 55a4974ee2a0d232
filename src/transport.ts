/**
 * The `fetch` handed to openapi-fetch. Retries and timeouts live here rather
 * than in middleware because middleware cannot send a request twice.
 *
 * Per attempt: a fresh copy of the request, the Authorization header (only
 * for the client's own origin), User-Agent, and a timeout. Between attempts:
 * exponential backoff with full jitter, or `Retry-After` when the server sends
 * it, capped. The body is read inside the attempt so the timeout covers it and
 * a slow body becomes a TwilioTimeoutError, not a stray AbortError later.
 *
 * Worst-case total time: (maxRetries + 1) × timeoutMs + maxRetries × max(maxDelayMs, maxRetryAfterMs).
 */
import { TwilioNetworkError, TwilioTimeoutError } from "./errors.js";

/** Retry policy: how many retries and how long to wait between them (exponential backoff with full jitter, or `Retry-After`). */
export interface RetryOptions {
  /** Retries after the first attempt (default 2; 0 turns retrying off). */
  maxRetries?: number | undefined;
  /** First backoff ceiling in ms (default 500); doubles each retry. */
  baseDelayMs?: number | undefined;
  /** Backoff ceiling in ms (default 8000). */
  maxDelayMs?: number | undefined;
  /** Longest `Retry-After` honoured, in ms (default 30000); longer values are cut to this. */
  maxRetryAfterMs?: number | undefined;
}

export interface TransportOptions extends RetryOptions {
  fetch: typeof globalThis.fetch;
  authorization: string;
  /** Origin that may receive the Authorization header. */
  origin: string;
  userAgent: string;
  timeoutMs: number;
  /** Test seams: randomness for jitter and the sleep between attempts. */
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "DELETE", "OPTIONS"]);
const RETRY_STATUS_IDEMPOTENT = new Set([429, 500, 502, 503, 504]);
// Twilio documents 429 (code 20429) as never processed, so a POST may repeat it.
const RETRY_STATUS_POST = new Set([429]);
// Failures that happen before a single byte of the request left the machine.
const CONNECT_FAILURES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT", "ENETUNREACH", "EHOSTUNREACH"]);

/** AbortSignal.any where the runtime has it (Node 20.3+, Workers, Deno); a small polyfill elsewhere. */
export function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === "function") return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Milliseconds from a `Retry-After` value (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function connectFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECT_FAILURES.has(code)) return true;
  }
  return false;
}

export function createTransport(options: TransportOptions): (input: Request) => Promise<Response> {
  const maxRetries = options.maxRetries ?? 2;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 8000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  const backoff = (retry: number) => random() * Math.min(maxDelayMs, baseDelayMs * 2 ** retry);

  return async function send(request: Request): Promise<Response> {
    const method = request.method;
    const callerSignal = request.signal;
    const idempotent = IDEMPOTENT.has(method);
    const headers = new Headers(request.headers);
    if (new URL(request.url).origin === options.origin) headers.set("Authorization", options.authorization);
    else headers.delete("Authorization");
    headers.set("User-Agent", options.userAgent);
    // Read once so every attempt can send the same bytes; API bodies are small forms.
    const body = request.body === null ? undefined : await request.arrayBuffer();

    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = anySignal([callerSignal, timeout]);
      let response: Response;
      try {
        const received = await options.fetch(request.url, { method, headers, body, signal, redirect: request.redirect });
        // Buffer inside the attempt: API bodies are small JSON, and the
        // timeout then covers the whole exchange.
        const payload = received.status === 204 || received.status === 304 ? null : await received.arrayBuffer();
        response = new Response(payload, { status: received.status, statusText: received.statusText, headers: received.headers });
        // A constructed Response has no URL; errors report where the call went.
        Object.defineProperty(response, "url", { value: received.url || request.url });
      } catch (error) {
        if (callerSignal.aborted) throw callerSignal.reason;
        const failure = timeout.aborted
          ? new TwilioTimeoutError(method, request.url, options.timeoutMs)
          : new TwilioNetworkError(method, request.url, error);
        const retryable = idempotent || (!timeout.aborted && connectFailure(error));
        if (attempt >= maxRetries || !retryable) throw failure;
        await sleep(backoff(attempt), callerSignal);
        continue;
      }
      const retryStatuses = idempotent ? RETRY_STATUS_IDEMPOTENT : method === "POST" ? RETRY_STATUS_POST : undefined;
      if (attempt < maxRetries && retryStatuses?.has(response.status)) {
        const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
        await sleep(retryAfter === undefined ? backoff(attempt) : Math.min(retryAfter, maxRetryAfterMs), callerSignal);
        continue;
      }
      return response;
    }
  };
}
