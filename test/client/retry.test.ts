import { afterEach, describe, expect, it, vi } from "vitest";
import { TwilioNetworkError, TwilioTimeoutError } from "../../src/index.js";
import { createTransport, parseRetryAfter } from "../../src/transport.js";
import { client, json, scriptedFetch, twilioError, ROOM_SID } from "./helpers.js";

const ROOM = { sid: ROOM_SID };

function transport(fetch: typeof globalThis.fetch, overrides: Partial<Parameters<typeof createTransport>[0]> = {}) {
  const waits: number[] = [];
  const send = createTransport({
    fetch,
    authorization: "Basic x",
    origin: "https://video.twilio.com",
    userAgent: "test",
    timeoutMs: 1000,
    random: () => 1, // the upper edge of the jitter window, so waits are exact
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...overrides,
  });
  return { send, waits };
}

const req = (method: string) =>
  new Request("https://video.twilio.com/v1/Rooms", method === "POST" ? { method, body: new URLSearchParams("Type=group") } : { method });

describe("retry matrix", () => {
  const cases: Array<[string, number, boolean]> = [
    ["GET", 429, true], ["GET", 500, true], ["GET", 502, true], ["GET", 503, true], ["GET", 504, true],
    ["GET", 400, false], ["GET", 401, false], ["GET", 404, false], ["GET", 501, false],
    ["DELETE", 429, true], ["DELETE", 503, true], ["DELETE", 404, false],
    ["POST", 429, true], ["POST", 500, false], ["POST", 502, false], ["POST", 503, false], ["POST", 504, false], ["POST", 400, false],
  ];
  it.each(cases)("%s answered %i is retried: %s", async (method, status, retried) => {
    const { fetch, calls } = scriptedFetch(twilioError(status, 20000 + status), json(200, ROOM));
    const { send } = transport(fetch);
    const response = await send(req(method));
    expect(calls).toHaveLength(retried ? 2 : 1);
    expect(response.status).toBe(retried ? 200 : status);
  });

  it("re-sends the same POST body on every attempt", async () => {
    const { fetch, calls } = scriptedFetch(twilioError(429, 20429), twilioError(429, 20429), json(201, ROOM));
    await transport(fetch).send(req("POST"));
    expect(calls.map((c) => c.body)).toEqual(["Type=group", "Type=group", "Type=group"]);
  });

  it("stops after maxRetries and returns the last answer", async () => {
    const { fetch, calls } = scriptedFetch(twilioError(503, 20503));
    const response = await transport(fetch, { maxRetries: 3 }).send(req("GET"));
    expect(calls).toHaveLength(4);
    expect(response.status).toBe(503);
  });

  it("maxRetries 0 turns retrying off", async () => {
    const { fetch, calls } = scriptedFetch(twilioError(429, 20429), json(200, ROOM));
    await transport(fetch, { maxRetries: 0 }).send(req("GET"));
    expect(calls).toHaveLength(1);
  });

  it("backs off exponentially with full jitter under a ceiling", async () => {
    const { fetch } = scriptedFetch(twilioError(503, 20503));
    const { send, waits } = transport(fetch, { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 });
    await send(req("GET"));
    expect(waits).toEqual([100, 200, 400, 800, 1000]);
    const jittered = transport(fetch, { maxRetries: 2, baseDelayMs: 100, random: () => 0.25 });
    await jittered.send(req("GET"));
    expect(jittered.waits).toEqual([25, 50]);
  });

  it("honours Retry-After in seconds and as an HTTP date, capped", async () => {
    const { fetch } = scriptedFetch(twilioError(429, 20429, "slow down", { "retry-after": "3" }), twilioError(429, 20429, "x", { "retry-after": "999" }), json(200, ROOM));
    const { send, waits } = transport(fetch, { maxRetries: 2, maxRetryAfterMs: 10_000 });
    await send(req("POST"));
    expect(waits).toEqual([3000, 10_000]);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter("soon")).toBeUndefined();
  });

  it("retries GET on network errors, and POST only when the connection was never made", async () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    const reset = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
    const failing = (error: Error) => scriptedFetch(() => Promise.reject(error), json(201, ROOM));

    const getReset = failing(reset);
    expect((await transport(getReset.fetch).send(req("GET"))).status).toBe(201);
    expect(getReset.calls).toHaveLength(2);

    const postRefused = failing(refused);
    expect((await transport(postRefused.fetch).send(req("POST"))).status).toBe(201);
    expect(postRefused.calls).toHaveLength(2);

    const postReset = failing(reset);
    const error = await transport(postReset.fetch).send(req("POST")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioNetworkError);
    expect((error as TwilioNetworkError).message).toContain("ECONNRESET");
    expect(postReset.calls).toHaveLength(1);
  });

  it("times out a hanging attempt with TwilioTimeoutError and retries a GET", async () => {
    let attempts = 0;
    const hanging = (_input: RequestInfo | URL, init?: RequestInit) => {
      attempts++;
      const signal = init!.signal!;
      return new Promise<Response>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    };
    const { send } = transport(hanging as typeof fetch, { timeoutMs: 30, maxRetries: 1 });
    const error = await send(req("GET")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioTimeoutError);
    expect((error as TwilioTimeoutError).timeoutMs).toBe(30);
    expect(attempts).toBe(2);
  });

  it("times out a response whose body never finishes", async () => {
    const slowBody = (_input: RequestInfo | URL, init?: RequestInit) => {
      const signal = init!.signal!;
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"sid":'));
          signal.addEventListener("abort", () => controller.error(signal.reason));
        },
      });
      return Promise.resolve(new Response(body, { status: 200 }));
    };
    const { send } = transport(slowBody as typeof fetch, { timeoutMs: 30, maxRetries: 0 });
    await expect(send(req("GET"))).rejects.toBeInstanceOf(TwilioTimeoutError);
  });
});

describe("retries through the client (real sleep, fake timers)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits out Retry-After before the second attempt", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { fetch, calls } = scriptedFetch(twilioError(429, 20429, "Too Many Requests", { "retry-after": "2" }), json(200, ROOM));
    const video = client(fetch);
    const pending = video.rooms.get(ROOM_SID);
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toEqual(ROOM);
    expect(calls).toHaveLength(2);
  });

  it("a caller's signal aborts a pending backoff sleep at once", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { fetch, calls } = scriptedFetch(twilioError(503, 20503));
    const controller = new AbortController();
    const pending = client(fetch, { maxRetries: 5 }).rooms.get(ROOM_SID, { signal: controller.signal });
    const outcome = pending.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error("user gave up"));
    expect(((await outcome) as Error).message).toBe("user gave up");
    expect(calls).toHaveLength(1);
  });
});
