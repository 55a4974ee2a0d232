/**
 * Retries, timeouts, credentials and the response size cap, over an
 * {@link Exchange}: one HTTP request/response on some HTTP stack. The default
 * exchange is `fetch` (src/core/fetch-exchange.ts); the Node entry point
 * (`twilio-video-ts/node`) plugs in node:http with keep-alive. Both get the
 * same semantics from here.
 *
 * Per attempt: a place in the client's deadline queue (one timer for all
 * attempts, src/core/deadlines.ts) and a plain abort state (cheaper than
 * composing `AbortSignal.timeout` with `AbortSignal.any` on every call; the
 * fetch exchange shares signals between attempts); the caller's signal, when
 * there is one, is forwarded by a listener removed afterwards. The exchange
 * reads the body inside the attempt, through a byte counter that stops at
 * `maxResponseBytes`, so the timeout covers it and a slow body becomes a
 * TwilioTimeoutError, not a stray AbortError later. Redirects are never
 * followed (the media calls read the 302 themselves); Authorization goes only
 * to the client's own origin. Whether and when an attempt is retried is the
 * retry policy's (src/core/retry-policy.ts): exponential backoff with full
 * jitter, or `Retry-After` when the server sends it, capped.
 *
 * Worst-case total time: (maxRetries + 1) × timeoutMs + maxRetries × max(maxDelayMs, maxRetryAfterMs),
 * with a call's own `timeout` and `maxRetries` when it gives them.
 * Worst-case memory per call: maxResponseBytes (plus the parsed JSON).
 */
import { Deadlines, type Deadline } from "./deadlines.js";
import { TwilioArgumentError, TwilioNetworkError, TwilioResponseTooLargeError, TwilioTimeoutError } from "./errors.js";
import {
  redactHeaders,
  redactUrl,
  type ClientHooks,
  type RequestEvent,
  type ResponseEvent,
  type RetryEvent,
} from "./hooks.js";
import { checkNumber, MAX_TIMER_MS, type NumberRule } from "./options.js";
import { retryDelay, shouldRetry, type Backoff } from "./retry-policy.js";

export { parseRetryAfter } from "./retry-policy.js";

/** `maxRetries`, of the client and of one call. */
export const MAX_RETRIES_RULE: NumberRule = { min: 0, max: 100, integer: true };

/**
 * Retry policy: how many retries and how long to wait between them (exponential backoff with full jitter, or
 * `Retry-After`).
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 2; 0 turns retrying off). */
  maxRetries?: number | undefined;
  /** First backoff ceiling in ms (default 500); doubles each retry. */
  baseDelayMs?: number | undefined;
  /** Backoff ceiling in ms (default 8000). */
  maxDelayMs?: number | undefined;
  /**
   * Longest `Retry-After` honoured, in ms (default 60000). A 429 or 503 whose
   * `Retry-After` asks for longer waits this long instead; an unreadable or
   * negative value is ignored and the usual backoff applies.
   */
  maxRetryAfterMs?: number | undefined;
}

/** One request as the transport sends it: absolute URL, final headers, a UTF-8 body. */
export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

/** What the client reads of response headers; a fetch `Headers` is one. */
export interface ResponseHeaders {
  get(name: string): string | null;
  forEach(callback: (value: string, name: string) => void): void;
}

/** One answer, body read in full (and decoded as UTF-8). */
export interface WireResponse {
  status: number;
  headers: ResponseHeaders;
  body: string;
  /** Where the answer came from. */
  url: string;
}

/**
 * One attempt's abort state. A plain object rather than an AbortSignal: the
 * Node exchange needs no EventTarget at all, and the fetch exchange makes the
 * one AbortController fetch needs.
 */
export interface Attempt {
  readonly aborted: boolean;
  /** Why it was aborted: the caller's signal reason, or a TwilioTimeoutError. */
  readonly reason: unknown;
  /** Set by the exchange; called once when the attempt is aborted. */
  onabort: (() => void) | null;
  /**
   * The attempt's deadline (performance.now() ms) when it may share an abort
   * signal with attempts whose deadlines are close (src/core/fetch-exchange.ts):
   * no caller signal, the client's own timeout, process-wide timers.
   */
  readonly shareDeadline?: number | undefined;
}

/**
 * Sends one request without following redirects, reads the whole body (at
 * most `maxBytes`, else throws TwilioResponseTooLargeError) and stops, with
 * any error, when the attempt is aborted.
 */
export type Exchange = (request: WireRequest, attempt: Attempt, maxBytes: number) => Promise<WireResponse>;

class AttemptState implements Attempt, Deadline {
  aborted = false;
  reason: unknown = undefined;
  onabort: (() => void) | null = null;
  timedOut = false;
  // Its place in the client's deadline queue.
  deadline = 0;
  previous: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  queued = false;
  // Declared so own-timer mode (Workers) keeps one object shape.
  timer: unknown = undefined;
  shareDeadline: number | undefined = undefined;
  constructor(
    private readonly method: string,
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.onabort?.();
  }
  expire(): void {
    this.timedOut = true;
    this.abort(new TwilioTimeoutError(this.method, this.url, this.timeoutMs));
  }
}

/** One call's overrides of the client's policy (a {@link CallOptions} object is one). */
export interface CallPolicy {
  /** Time limit of each attempt of this call, in ms. */
  timeout?: number | undefined;
  /** Retries of this call after its first attempt. */
  maxRetries?: number | undefined;
}

export interface TransportOptions extends RetryOptions {
  exchange: Exchange;
  authorization: string;
  /** Origin that may receive the Authorization header. */
  origin: string;
  userAgent: string;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Test seams: randomness for jitter and the sleep between attempts. */
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** Test seam: the wall clock `Retry-After` dates are measured against (default Date.now). */
  now?: () => number;
  /** Observability hooks; when none is set the transport builds no event at all. */
  hooks?: ClientHooks | undefined;
  /** Where a hook that threw is reported (default: nowhere). */
  onWarning?: ((message: string) => void) | undefined;
}

/** Sends one request with retries; `policy` overrides the client's timeout and retry count for this call only. */
export type Send = (request: WireRequest, signal?: AbortSignal, policy?: CallPolicy) => Promise<WireResponse>;

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

/**
 * True when `url` is on `origin` (`scheme://host[:port]`, no trailing slash): a prefix test, no URL parsing per call.
 */
export function onOrigin(url: string, origin: string): boolean {
  return (
    url.startsWith(origin) && (url.length === origin.length || url[origin.length] === "/" || url[origin.length] === "?")
  );
}

/**
 * Refuses a per-call `timeout` or `maxRetries` that is not a sensible number (the client's own options are
 * checked at construction).
 */
export function checkPolicy(policy: CallPolicy): void {
  checkNumber("timeout", policy.timeout, { min: 1, max: MAX_TIMER_MS, integer: true, unit: "ms" }, TwilioArgumentError);
  checkNumber("maxRetries", policy.maxRetries, MAX_RETRIES_RULE, TwilioArgumentError);
}

/** The headers sent: the caller's (lower-cased), Authorization only to the client's origin, the client's User-Agent. */
function wireHeaders(input: WireRequest, options: TransportOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in input.headers) {
    const lower = name.toLowerCase();
    if (lower !== "authorization" && lower !== "user-agent") headers[lower] = input.headers[name]!;
  }
  if (onOrigin(input.url, options.origin)) headers.authorization = options.authorization;
  headers["user-agent"] = options.userAgent;
  return headers;
}

/**
 * Calls a hook; one that throws must not fail or change the request: it is reported to `onWarning` and the call
 * goes on.
 */
function notify<E>(
  onWarning: ((message: string) => void) | undefined,
  name: string,
  hook: (event: E) => void,
  event: E,
): void {
  try {
    hook(event);
  } catch (error) {
    try {
      onWarning?.(`${name} hook threw (ignored): ${(error as Error)?.message ?? String(error)}`);
    } catch {
      // The warning sink failed too; nowhere left to report.
    }
  }
}

/**
 * The hooks of one transport. Built only when a hook is set, so a client
 * without hooks makes no event, redacted copy or clock reading: the
 * transport's every check is one falsy test of this object.
 */
class Observer {
  constructor(
    private readonly hooks: ClientHooks,
    private readonly onWarning: ((message: string) => void) | undefined,
  ) {}

  request(method: string, url: string, headers: Record<string, string>, attempt: number): void {
    const hook = this.hooks.onRequest;
    if (!hook) return;
    const event: RequestEvent = { type: "request", method, url, headers: redactHeaders(headers), attempt };
    notify(this.onWarning, "onRequest", hook, event);
  }

  /** `started`: when the attempt was sent (performance.now()), read again only when the hook is set. */
  response(method: string, url: string, response: WireResponse, attempt: number, started: number): void {
    const hook = this.hooks.onResponse;
    if (!hook) return;
    const durationMs = performance.now() - started;
    const { status, headers } = response;
    const requestId = headers.get("twilio-request-id");
    const shown = redactHeaders(headers);
    const event: ResponseEvent = {
      type: "response",
      method,
      url,
      status,
      headers: shown,
      attempt,
      durationMs,
      requestId,
    };
    notify(this.onWarning, "onResponse", hook, event);
  }

  /** `answered`: the status of the attempt, or the message of the error it failed with. */
  retry(method: string, url: string, attempt: number, answered: number | string, started: number, wait: Wait): void {
    const hook = this.hooks.onRetry;
    if (!hook) return;
    const durationMs = performance.now() - started;
    const [status, error] = typeof answered === "number" ? [answered, null] : [null, answered];
    const event: RetryEvent = { type: "retry", method, url, attempt, status, error, durationMs, ...wait };
    notify(this.onWarning, "onRetry", hook, event);
  }
}

type Wait = { delayMs: number; retryAfter: boolean };

export function createTransport(options: TransportOptions): Send {
  const { exchange, timeoutMs, maxResponseBytes } = options;
  const clientMaxRetries = options.maxRetries ?? 2;
  const backoff: Backoff = {
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 8000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    random: options.random ?? Math.random,
  };
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const deadlines = new Deadlines(timeoutMs);
  const { hooks } = options;
  const observed = hooks?.onRequest || hooks?.onResponse || hooks?.onRetry;
  const observer = observed ? new Observer(hooks!, options.onWarning) : undefined;

  return async function sendWithRetries(
    input: WireRequest,
    signal?: AbortSignal,
    policy?: CallPolicy,
  ): Promise<WireResponse> {
    const { method, url } = input;
    let timeout = timeoutMs;
    let maxRetries = clientMaxRetries;
    if (policy !== undefined && (policy.timeout !== undefined || policy.maxRetries !== undefined)) {
      checkPolicy(policy);
      timeout = policy.timeout ?? timeoutMs;
      maxRetries = policy.maxRetries ?? clientMaxRetries;
    }
    const headers = wireHeaders(input, options);
    const request: WireRequest = { method, url, headers, body: input.body };
    const shownUrl = observer ? redactUrl(url) : url;

    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw signal.reason;
      const state = new AttemptState(method, url, timeout);
      // The shared deadline queue assumes one timeout for every attempt; a
      // call with its own timeout gets a timer of its own instead.
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (timeout === timeoutMs) {
        deadlines.add(state);
        if (signal === undefined && deadlines.wheel) state.shareDeadline = state.deadline;
      } else timer = setTimeout(() => state.expire(), timeout);
      const forward = signal ? () => state.abort(signal.reason) : undefined;
      if (forward) signal!.addEventListener("abort", forward, { once: true });
      observer?.request(method, shownUrl, headers, attempt);
      const started = observer ? performance.now() : 0;
      let response: WireResponse | undefined;
      let error: unknown;
      try {
        response = await exchange(request, state, maxResponseBytes);
      } catch (caught) {
        error = caught;
      } finally {
        if (timer === undefined) deadlines.remove(state);
        else clearTimeout(timer);
        if (forward) signal!.removeEventListener("abort", forward);
      }
      // What the attempt came to: its status, or the message of the error it failed with.
      let answered: number | string;
      if (response === undefined) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof TwilioResponseTooLargeError) throw error;
        const { timedOut } = state;
        const failure = timedOut
          ? new TwilioTimeoutError(method, url, timeout)
          : new TwilioNetworkError(method, url, error);
        if (!shouldRetry(method, attempt, maxRetries, { error, timedOut })) throw failure;
        answered = failure.message;
      } else {
        observer?.response(method, shownUrl, response, attempt, started);
        if (!shouldRetry(method, attempt, maxRetries, { status: response.status })) return response;
        answered = response.status;
      }
      const wait = retryDelay(backoff, attempt, response, now);
      observer?.retry(method, shownUrl, attempt, answered, started, wait);
      await sleep(wait.delayMs, signal);
    }
  };
}
