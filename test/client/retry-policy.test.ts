// The retry policy (src/core/retry-policy.ts) as a function: which outcomes
// are retried for which method, how long the wait is, and Retry-After.
import { describe, expect, it } from "vitest";
import { TwilioResponseTooLargeError } from "../../src/index.js";
import { connectFailure, parseRetryAfter, retryDelay, shouldRetry, type Backoff } from "../../src/core/retry-policy.js";

const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
const reset = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } });

describe("shouldRetry", () => {
  it.each(["GET", "HEAD", "DELETE", "OPTIONS"])("%s retries 429, 500, 502, 503 and 504, nothing else", (method) => {
    for (const status of [429, 500, 502, 503, 504]) expect(shouldRetry(method, 0, 2, { status })).toBe(true);
    for (const status of [200, 302, 400, 401, 404, 409, 501, 505])
      expect(shouldRetry(method, 0, 2, { status })).toBe(false);
  });

  it("POST retries 429 only: any other status may have been processed", () => {
    expect(shouldRetry("POST", 0, 2, { status: 429 })).toBe(true);
    for (const status of [500, 502, 503, 504]) expect(shouldRetry("POST", 0, 2, { status })).toBe(false);
  });

  it("other methods retry no status", () => {
    expect(shouldRetry("PATCH", 0, 2, { status: 429 })).toBe(false);
    expect(shouldRetry("PUT", 0, 2, { status: 503 })).toBe(false);
  });

  it("stops once the retries are used up: attempt n is retried only while n < maxRetries", () => {
    expect(shouldRetry("GET", 1, 2, { status: 503 })).toBe(true);
    expect(shouldRetry("GET", 2, 2, { status: 503 })).toBe(false);
    expect(shouldRetry("GET", 0, 0, { status: 503 })).toBe(false);
    expect(shouldRetry("GET", 1, 2, { error: reset, timedOut: false })).toBe(true);
    expect(shouldRetry("GET", 2, 2, { error: reset, timedOut: false })).toBe(false);
  });

  it("idempotent methods retry network errors and timeouts", () => {
    expect(shouldRetry("GET", 0, 1, { error: reset, timedOut: false })).toBe(true);
    expect(shouldRetry("DELETE", 0, 1, { error: new Error("x"), timedOut: true })).toBe(true);
  });

  it("POST retries a connection never made, never a reset or a timeout", () => {
    expect(shouldRetry("POST", 0, 1, { error: refused, timedOut: false })).toBe(true);
    expect(shouldRetry("POST", 0, 1, { error: reset, timedOut: false })).toBe(false);
    expect(shouldRetry("POST", 0, 1, { error: refused, timedOut: true })).toBe(false);
  });

  it("a response over the size cap is never retried, whatever the method", () => {
    const tooLarge = new TwilioResponseTooLargeError("GET", "https://video.twilio.com/v1/Rooms", 10);
    expect(shouldRetry("GET", 0, 5, { error: tooLarge, timedOut: false })).toBe(false);
  });
});

describe("connectFailure", () => {
  it.each(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT", "ENETUNREACH", "EHOSTUNREACH"])(
    "%s is a connection never made",
    (code) => {
      expect(connectFailure({ code })).toBe(true);
    },
  );

  it("looks through up to four levels of causes, no deeper", () => {
    const nest = (depth: number): unknown => (depth === 0 ? { code: "ECONNREFUSED" } : { cause: nest(depth - 1) });
    expect(connectFailure(nest(3))).toBe(true);
    expect(connectFailure(nest(4))).toBe(false);
  });

  it("a reset, a code that is not a string, or no error at all is not one", () => {
    expect(connectFailure(reset)).toBe(false);
    expect(connectFailure({ code: 111 })).toBe(false);
    expect(connectFailure(undefined)).toBe(false);
  });
});

describe("retryDelay", () => {
  const backoff: Backoff = { baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000, random: () => 0.5 };
  const answer = (status: number, retryAfter?: string) => ({
    status,
    headers: new Headers(retryAfter === undefined ? {} : { "retry-after": retryAfter }),
  });
  const now = () => Date.parse("2026-01-01T12:00:00Z");

  it("full jitter under base × 2^attempt, capped at maxDelayMs", () => {
    expect(retryDelay(backoff, 0, undefined, now)).toEqual({ delayMs: 50, retryAfter: false });
    expect(retryDelay(backoff, 2, undefined, now)).toEqual({ delayMs: 200, retryAfter: false });
    expect(retryDelay(backoff, 10, undefined, now)).toEqual({ delayMs: 500, retryAfter: false });
    expect(retryDelay({ ...backoff, random: () => 0.999 }, 3, undefined, now).delayMs).toBeCloseTo(799.2);
  });

  it("Retry-After on 429 and 503 (seconds or a date), cut to maxRetryAfterMs", () => {
    expect(retryDelay(backoff, 0, answer(429, "2"), now)).toEqual({ delayMs: 2000, retryAfter: true });
    expect(retryDelay(backoff, 0, answer(503, "Thu, 01 Jan 2026 12:00:03 GMT"), now)).toEqual({
      delayMs: 3000,
      retryAfter: true,
    });
    expect(retryDelay(backoff, 0, answer(503, "3600"), now)).toEqual({ delayMs: 5000, retryAfter: true });
  });

  it("Retry-After on other statuses, or unreadable, falls back to backoff", () => {
    expect(retryDelay(backoff, 0, answer(500, "2"), now)).toEqual({ delayMs: 50, retryAfter: false });
    expect(retryDelay(backoff, 0, answer(429, "soon"), now)).toEqual({ delayMs: 50, retryAfter: false });
    expect(retryDelay(backoff, 0, answer(429), now)).toEqual({ delayMs: 50, retryAfter: false });
  });

  it("reads the clock only for a Retry-After it uses", () => {
    let reads = 0;
    const counting = () => {
      reads++;
      return 0;
    };
    retryDelay(backoff, 0, undefined, counting);
    retryDelay(backoff, 0, answer(500, "2"), counting);
    expect(reads).toBe(0);
    retryDelay(backoff, 0, answer(429, "2"), counting);
    expect(reads).toBe(1);
  });
});

describe("parseRetryAfter", () => {
  it("reads digits as seconds and HTTP dates against now; a past date is 0", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(parseRetryAfter(" 7 ", now)).toBe(7000);
    expect(parseRetryAfter("Thursday, 01-Jan-26 12:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("refuses what Date.parse would wrongly accept, and garbage", () => {
    for (const value of ["-1", "1.5", "", "Thu, nonsense", "tomorrow"]) expect(parseRetryAfter(value)).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it("a crafted long header is read in linear time", () => {
    const value = `Mon${"day".repeat(100_000)}!`;
    const started = performance.now();
    expect(parseRetryAfter(value)).toBeUndefined();
    expect(parseRetryAfter(`${"9".repeat(100_000)}x`)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
