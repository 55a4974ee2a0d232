// The transport (src/core/transport.ts) over a scripted exchange and a
// recorded sleep: no sockets and no real waiting, so every branch of a call
// (headers, credentials, hooks, retries, timeouts, the caller's signal) is
// pinned in milliseconds.
import { describe, expect, it } from "vitest";
import {
  TwilioArgumentError,
  TwilioNetworkError,
  TwilioResponseTooLargeError,
  TwilioTimeoutError,
} from "../../src/index.js";
import type { ClientEvent } from "../../src/core/hooks.js";
import {
  abortableSleep,
  checkPolicy,
  createTransport,
  onOrigin,
  type Attempt,
  type TransportOptions,
  type WireRequest,
  type WireResponse,
} from "../../src/core/transport.js";

const ORIGIN = "https://video.twilio.com";
const URL_ = `${ORIGIN}/v1/Rooms?Signature=s3cret&PageSize=2`;

type Step = number | Error | ((attempt: Attempt, request: WireRequest) => Promise<WireResponse>);

function answer(status: number, headers: Record<string, string> = {}): WireResponse {
  return { status, headers: new Headers(headers), body: "{}", url: URL_ };
}

/** A transport whose exchange plays `steps` (a status, a thrown error, or a function), recording requests and waits. */
function scripted(steps: Step[], overrides: Partial<TransportOptions> = {}) {
  const requests: WireRequest[] = [];
  const attempts: Attempt[] = [];
  const waits: number[] = [];
  const events: ClientEvent[] = [];
  const warnings: string[] = [];
  const send = createTransport({
    exchange: async (request, attempt) => {
      requests.push(request);
      attempts.push(attempt);
      const step = steps[Math.min(requests.length - 1, steps.length - 1)]!;
      if (typeof step === "number") return answer(step, step === 429 ? { "retry-after": "3" } : {});
      if (step instanceof Error) throw step;
      return step(attempt, request);
    },
    authorization: "Basic c2VjcmV0",
    origin: ORIGIN,
    userAgent: "ua/1",
    timeoutMs: 1000,
    maxResponseBytes: 100,
    random: () => 0.5,
    sleep: async (ms) => void waits.push(ms),
    hooks: {
      onRequest: (e) => void events.push(e),
      onResponse: (e) => void events.push(e),
      onRetry: (e) => void events.push(e),
    },
    onWarning: (m) => void warnings.push(m),
    ...overrides,
  });
  return { send, requests, attempts, waits, events, warnings };
}

const get: WireRequest = {
  method: "GET",
  url: URL_,
  headers: { Accept: "json", AUTHORIZATION: "Basic forged", "User-Agent": "x" },
};
const post: WireRequest = { method: "POST", url: `${ORIGIN}/v1/Rooms`, headers: {}, body: "Type=group" };
const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
const reset = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } });

describe("headers", () => {
  it("lower-cases the caller's headers, replaces Authorization and User-Agent with the client's", async () => {
    const s = scripted([200]);
    await s.send(get);
    expect(s.requests[0]!.headers).toEqual({ accept: "json", authorization: "Basic c2VjcmV0", "user-agent": "ua/1" });
  });

  it("sends Authorization only to the client's origin", async () => {
    const s = scripted([200]);
    await s.send({
      method: "GET",
      url: "https://video.twilio.com.evil.example/v1/Rooms",
      headers: { Authorization: "mine" },
    });
    expect(s.requests[0]!.headers).toEqual({ "user-agent": "ua/1" });
  });

  it("onOrigin is a prefix test that stops at the origin's end", () => {
    expect(onOrigin(ORIGIN, ORIGIN)).toBe(true);
    expect(onOrigin(`${ORIGIN}/v1`, ORIGIN)).toBe(true);
    expect(onOrigin(`${ORIGIN}?a=1`, ORIGIN)).toBe(true);
    expect(onOrigin(`${ORIGIN}:8443/v1`, ORIGIN)).toBe(false);
    expect(onOrigin(`${ORIGIN}.evil/v1`, ORIGIN)).toBe(false);
    expect(onOrigin("https://other.example/v1", ORIGIN)).toBe(false);
  });
});

describe("retries and events", () => {
  it("a 503 then a 200: request, response, retry, request, response, with the backoff wait and redacted URLs", async () => {
    const s = scripted([503, 200]);
    const response = await s.send(get);
    expect(response.status).toBe(200);
    expect(s.waits).toEqual([250]);
    expect(s.events.map((e) => [e.type, e.attempt])).toEqual([
      ["request", 0],
      ["response", 0],
      ["retry", 0],
      ["request", 1],
      ["response", 1],
    ]);
    for (const e of s.events) expect(e.url).not.toContain("s3cret");
    expect(s.events[0]).toMatchObject({ method: "GET", headers: { authorization: "[redacted]" } });
    expect(s.events[2]).toMatchObject({ status: 503, error: null, delayMs: 250, retryAfter: false });
    expect((s.events[2] as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
  });

  it("a 429 waits its Retry-After, and says so", async () => {
    const s = scripted([429, 200]);
    await s.send(post);
    expect(s.waits).toEqual([3000]);
    expect(s.events.find((e) => e.type === "retry")).toMatchObject({ status: 429, retryAfter: true, delayMs: 3000 });
  });

  it("retries are counted from the client's maxRetries, or the call's", async () => {
    const s = scripted([503], { maxRetries: 3 });
    expect((await s.send(get)).status).toBe(503);
    expect(s.requests).toHaveLength(4);
    const t = scripted([503], { maxRetries: 3 });
    expect((await t.send(get, undefined, { maxRetries: 1 })).status).toBe(503);
    expect(t.requests).toHaveLength(2);
  });

  it("defaults to two retries with a 500 ms base delay doubling per retry", async () => {
    const s = scripted([503]);
    await s.send(get);
    expect(s.requests).toHaveLength(3);
    expect(s.waits).toEqual([250, 500]);
  });

  it("a network error on GET is retried, with the error in the retry event; the last one is a TwilioNetworkError", async () => {
    const s = scripted([reset]);
    const error = await s.send(get).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioNetworkError);
    expect(s.requests).toHaveLength(3);
    const retry = s.events.find((e) => e.type === "retry")!;
    expect(retry).toMatchObject({ status: null, error: (error as Error).message, retryAfter: false });
  });

  it("a POST is retried after a refused connection, never after a reset", async () => {
    const s = scripted([refused, 201]);
    expect((await s.send(post)).status).toBe(201);
    const t = scripted([reset, 201]);
    await expect(t.send(post)).rejects.toBeInstanceOf(TwilioNetworkError);
    expect(t.requests).toHaveLength(1);
  });

  it("a body over the cap is thrown as it is and never retried", async () => {
    const tooLarge = new TwilioResponseTooLargeError("GET", URL_, 100);
    const s = scripted([tooLarge]);
    await expect(s.send(get)).rejects.toBe(tooLarge);
    expect(s.requests).toHaveLength(1);
  });

  it("hooks that throw are reported and change nothing; a throwing warning sink is swallowed", async () => {
    const boom = () => {
      throw new Error("hook bug");
    };
    const s = scripted([503, 200], { hooks: { onRequest: boom, onResponse: boom, onRetry: boom } });
    expect((await s.send(get)).status).toBe(200);
    expect(s.warnings).toEqual([
      "onRequest hook threw (ignored): hook bug",
      "onResponse hook threw (ignored): hook bug",
      "onRetry hook threw (ignored): hook bug",
      "onRequest hook threw (ignored): hook bug",
      "onResponse hook threw (ignored): hook bug",
    ]);
    const t = scripted([200], { hooks: { onRequest: boom }, onWarning: boom });
    expect((await t.send(get)).status).toBe(200);
  });

  it("only the hooks that are set are called: an absent one is not called (nothing to warn about)", async () => {
    const events: ClientEvent[] = [];
    const s = scripted([503, 200], { hooks: { onRetry: (e) => void events.push(e) } });
    await s.send(get);
    expect(events.map((e) => e.type)).toEqual(["retry"]);
    expect(s.warnings).toEqual([]);
    const t = scripted([503, 200], { hooks: { onResponse: (e) => void events.push(e) } });
    await t.send(get);
    expect(t.warnings).toEqual([]);
  });

  it("durations are the time since the attempt was sent: small and not negative", async () => {
    const s = scripted([503, 200]);
    await s.send(get);
    const durations = s.events.flatMap((e) => ("durationMs" in e ? [e.durationMs] : []));
    expect(durations).toHaveLength(3);
    for (const d of durations) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(60_000);
    }
  });

  it("without hooks no event is built and the URL is passed through untouched", async () => {
    const s = scripted([200], { hooks: undefined });
    await s.send(get);
    expect(s.events).toEqual([]);
    expect(s.requests[0]!.url).toBe(URL_);
  });
});

describe("timeouts and the caller's signal", () => {
  const hang: Step = (attempt) =>
    new Promise((_, reject) => {
      attempt.onabort = () => reject(attempt.reason);
    });

  it("a call's own timeout expires its attempt with a TwilioTimeoutError naming that timeout", async () => {
    const s = scripted([hang], { maxRetries: 0 });
    const error = await s.send(get, undefined, { timeout: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioTimeoutError);
    expect((error as TwilioTimeoutError).timeoutMs).toBe(20);
  });

  it("the client's timeout shares the deadline queue, and attempts without a caller signal may share an abort signal", async () => {
    const s = scripted([200]);
    await s.send(get);
    expect(s.attempts[0]!.shareDeadline).toBeGreaterThan(0);
    const t = scripted([200]);
    await t.send(get, new AbortController().signal);
    expect(t.attempts[0]!.shareDeadline).toBeUndefined();
    const u = scripted([200]);
    await u.send(get, undefined, { timeout: 5000 });
    expect(u.attempts[0]!.shareDeadline).toBeUndefined();
  });

  it("a POST that timed out is never sent twice", async () => {
    const s = scripted([hang, 201]);
    await expect(s.send(post, undefined, { timeout: 10 })).rejects.toBeInstanceOf(TwilioTimeoutError);
    expect(s.requests).toHaveLength(1);
  });

  it("the caller's abort stops the attempt with the caller's reason and is not retried", async () => {
    const controller = new AbortController();
    const s = scripted([hang]);
    const pending = s.send(get, controller.signal).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new Error("user cancelled"));
    expect(((await pending) as Error).message).toBe("user cancelled");
    expect(s.requests).toHaveLength(1);
  });

  it("an already aborted signal sends nothing", async () => {
    const s = scripted([200]);
    const controller = new AbortController();
    controller.abort(new Error("before"));
    await expect(s.send(get, controller.signal)).rejects.toThrow("before");
    expect(s.requests).toHaveLength(0);
  });

  it("the listener on the caller's signal is removed after each attempt", async () => {
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    }) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed++;
      remove(...args);
    }) as typeof remove;
    const s = scripted([503, 200]);
    await s.send(get, signal);
    expect(added).toBe(2);
    expect(removed).toBe(2);
  });
});

describe("checkPolicy and abortableSleep", () => {
  it("refuses a timeout or maxRetries out of range, or not whole", () => {
    for (const policy of [
      { timeout: 0 },
      { timeout: 1.5 },
      { timeout: 2 ** 31 },
      { maxRetries: -1 },
      { maxRetries: 101 },
      { maxRetries: 0.5 },
    ]) {
      expect(() => checkPolicy(policy)).toThrow(TwilioArgumentError);
    }
    expect(() => checkPolicy({ timeout: 1, maxRetries: 0 })).not.toThrow();
    expect(() => checkPolicy({ timeout: 2 ** 31 - 1, maxRetries: 100 })).not.toThrow();
    expect(() => checkPolicy({ timeout: "5" as never })).toThrow(
      'timeout must be a whole number of ms from 1 to 2147483647, got "5"',
    );
  });

  it("a bad call policy rejects before anything is sent", async () => {
    const s = scripted([200]);
    await expect(s.send(get, undefined, { maxRetries: -1 })).rejects.toBeInstanceOf(TwilioArgumentError);
    expect(s.requests).toHaveLength(0);
  });

  it("abortableSleep resolves after its time, or rejects with the signal's reason (at once when already aborted)", async () => {
    await expect(abortableSleep(1, undefined)).resolves.toBeUndefined();
    const controller = new AbortController();
    const sleeping = abortableSleep(10_000, controller.signal);
    controller.abort(new Error("wake"));
    await expect(sleeping).rejects.toThrow("wake");
    await expect(abortableSleep(1, controller.signal)).rejects.toThrow("wake");
  });
});
