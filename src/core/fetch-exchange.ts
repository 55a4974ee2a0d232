/**
 * The default exchange: any WHATWG `fetch` (Node, Deno, Bun, Workers, or one
 * the caller injects), with attempts sharing abort signals.
 *
 * Why share: fetch can only be stopped before the response headers arrive
 * through the `signal` it was started with, and a signal per request is the
 * largest cost a client adds to a fetch call. On Node, undici makes each
 * request follow the caller's signal (a listener, a weak reference, a
 * finalizer), so an AbortController per request costs a visible share of the
 * throughput of many GETs in flight, and one shared by a group of requests
 * costs a fraction of that (measured in bench/). So
 * attempts the transport marks `shareDeadline` (no caller signal, the
 * client's own timeout, process-wide timers) join a group of at most
 * {@link GROUP_SIZE} attempts whose deadlines lie within
 * {@link GROUP_SPREAD_MS}; the others get a group of their own, which
 * behaves exactly like a signal per request.
 *
 * Sharing never stops an attempt that has not timed out. An attempt that is
 * aborted stops waiting at once (its promise rejects with the reason); its
 * response, when headers already came, is cancelled on its own; a request
 * still waiting for headers is left running until no attempt of its group is
 * active, then the group's signal aborts them all. Worst case: an abandoned
 * request keeps its connection {@link GROUP_SPREAD_MS} longer than a signal
 * per request would (its siblings time out by then at the latest).
 *
 * The body is read through a byte counter that stops at `maxBytes`; worst
 * case memory: `maxBytes` plus the decoded string.
 */
import { TwilioResponseTooLargeError } from "./errors.js";
import { readText } from "./read-text.js";
import type { Attempt, Exchange, WireRequest } from "./transport.js";

/** Most attempts sharing one signal: undici walks a signal's listeners on every request that follows it. */
export const GROUP_SIZE = 32;
/** Widest spread of deadlines within a group, in ms: how long an abandoned request may outlive its attempt. */
export const GROUP_SPREAD_MS = 100;

interface Group {
  readonly controller: AbortController;
  /** Deadline of the first attempt that joined. */
  readonly first: number;
  joined: number;
  /** Joined attempts not yet finished. */
  active: number;
  /** Attempts aborted while their request may still be running: the group's signal must abort once none is active. */
  abandoned: number;
}

export function fetchExchange(fetch: typeof globalThis.fetch): Exchange {
  let open: Group | undefined;

  const join = (attempt: Attempt): Group => {
    const deadline = attempt.shareDeadline;
    if (
      deadline !== undefined &&
      open !== undefined &&
      open.joined < GROUP_SIZE &&
      open.abandoned === 0 &&
      deadline - open.first <= GROUP_SPREAD_MS
    ) {
      open.joined++;
      open.active++;
      return open;
    }
    const group: Group = {
      controller: new AbortController(),
      first: deadline ?? 0,
      joined: 1,
      active: 1,
      abandoned: 0,
    };
    if (deadline !== undefined) open = group;
    return group;
  };

  const leave = (group: Group, abandoned: boolean): void => {
    if (abandoned) group.abandoned++;
    if (--group.active === 0 && group.abandoned > 0) {
      if (open === group) open = undefined;
      group.controller.abort();
    }
  };

  return async (request, attempt, maxBytes) => {
    if (attempt.aborted) throw attempt.reason;
    const group = join(attempt);
    let abandoned = false;
    try {
      const pending = fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: group.controller.signal,
        redirect: "manual",
      });
      const response = await new Promise<Response>((resolve, reject) => {
        attempt.onabort = () => {
          abandoned = true;
          // Headers that come after all the same are not read: free the connection.
          pending.then(
            (late) => late.body?.cancel().catch(() => {}),
            () => {},
          );
          reject(attempt.reason);
        };
        pending.then(resolve, reject);
      });
      const reader = response.body?.getReader();
      attempt.onabort = () => {
        abandoned = true;
        reader?.cancel(attempt.reason).catch(() => {});
      };
      const body =
        reader === undefined ? "" : await readBody(reader, response.headers.get("content-length"), maxBytes, request);
      // A cancelled read ends like a finished one: only the attempt knows the body is cut short.
      if (attempt.aborted) throw attempt.reason;
      // Redirects are not followed, so the answer came from the request's URL (and reading `response.url` costs a
      // getter).
      return { status: response.status, headers: response.headers, body, url: request.url };
    } catch (error) {
      throw attempt.aborted ? attempt.reason : error;
    } finally {
      attempt.onabort = null;
      leave(group, abandoned);
    }
  };
}

/**
 * The body as UTF-8 text, refused at once when its declared length is over `maxBytes` and cut off as soon as it passes
 * it.
 */
function readBody(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  declared: string | null,
  maxBytes: number,
  request: WireRequest,
): Promise<string> {
  const tooLarge = () => new TwilioResponseTooLargeError(request.method, request.url, maxBytes);
  if (declared !== null && Number(declared) > maxBytes) {
    reader.cancel().catch(() => {});
    return Promise.reject(tooLarge());
  }
  return readText(reader, maxBytes, tooLarge);
}
