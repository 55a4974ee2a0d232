// Issue #21, items 1–4: per-call options, Retry-After, .withResponse() and
// observability hooks. Every wait goes through an injected sleep or is 0 ms;
// no test depends on how fast the machine is.
import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  TwilioApiError,
  TwilioArgumentError,
  TwilioTimeoutError,
  type ClientEvent,
  type Room,
  type WithResponse,
} from "../../src/index.js";
import { redactHeaders, redactUrl } from "../../src/core/hooks.js";
import {
  createTransport,
  parseRetryAfter,
  type Exchange,
  type TransportOptions,
  type WireRequest,
  type WireResponse,
} from "../../src/core/transport.js";
import { API_KEY_SECRET, API_KEY_SID, ROOM_SID, client, json, scriptedFetch, twilioError } from "./helpers.js";
import { HANG, TRANSPORTS, scripted, type Scripted } from "./transports.js";

const ROOM = { sid: ROOM_SID, unique_name: "standup" };
const ORIGIN = "https://video.twilio.com";
const BASIC = `Basic ${btoa(`${API_KEY_SID}:${API_KEY_SECRET}`)}`;
// No backoff: retries happen on the next timer tick.
const FAST = { baseDelayMs: 0, maxDelayMs: 0 };

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** An exchange answering from a list of WireResponses (last repeats), with injected clock and sleep in the transport. */
function wireTransport(
  answers: Array<Partial<WireResponse> & { status: number }>,
  overrides: Partial<TransportOptions> = {},
) {
  const waits: number[] = [];
  let calls = 0;
  const exchange: Exchange = async (request) => {
    const answer = answers[Math.min(calls++, answers.length - 1)]!;
    return { headers: new Headers(), body: "{}", url: request.url, ...answer };
  };
  const send = createTransport({
    exchange,
    authorization: BASIC,
    origin: ORIGIN,
    userAgent: "test",
    timeoutMs: 1000,
    maxResponseBytes: 1 << 20,
    random: () => 1, // the top of the jitter window: backoff(n) = min(maxDelayMs, baseDelayMs × 2^n) exactly
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...overrides,
  });
  return { send, waits, calls: () => calls };
}

const GET: WireRequest = { method: "GET", url: `${ORIGIN}/v1/Rooms`, headers: {} };
const POST: WireRequest = {
  method: "POST",
  url: `${ORIGIN}/v1/Rooms`,
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: "Type=go",
};
const retryAfter = (status: number, value: string) => ({ status, headers: new Headers({ "retry-after": value }) });

describe("per-call options: timeout, maxRetries, signal, headers", () => {
  it("maxRetries overrides the client's for one call only", async () => {
    const { fetch, calls } = scriptedFetch(twilioError(503, 20503));
    const video = client(fetch, { maxRetries: 2, ...FAST });
    await expect(video.rooms.get(ROOM_SID, { maxRetries: 0 })).rejects.toBeInstanceOf(TwilioApiError);
    expect(calls).toHaveLength(1);
    await expect(video.rooms.get(ROOM_SID)).rejects.toBeInstanceOf(TwilioApiError);
    expect(calls).toHaveLength(1 + 3);
    await expect(video.rooms.get(ROOM_SID, { maxRetries: 4 })).rejects.toBeInstanceOf(TwilioApiError);
    expect(calls).toHaveLength(4 + 5);
  });

  it("timeout overrides the client's per attempt, for one call only", async () => {
    let slow = false;
    const { fetch } = scriptedFetch(async () => {
      // The second call answers after 60 ms: over the first call's override, far under the client's limit.
      if (slow) await new Promise((resolve) => setTimeout(resolve, 60));
      return json(200, ROOM);
    });
    const hanging: typeof globalThis.fetch = (input, init) => {
      if (!slow) {
        return new Promise((_, reject) =>
          init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason), { once: true }),
        );
      }
      return fetch(input, init);
    };
    const video = client(hanging, { timeoutMs: 20_000, maxRetries: 0 });
    const error = await video.rooms.get(ROOM_SID, { timeout: 15 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioTimeoutError);
    expect((error as TwilioTimeoutError).timeoutMs).toBe(15);
    slow = true;
    await expect(video.rooms.get(ROOM_SID)).resolves.toEqual(ROOM);
  });

  it("the call's timeout applies to every retry of a GET", async () => {
    const s = await scripted("fetch", HANG);
    try {
      const error = await s
        .client({ timeoutMs: 20_000, maxRetries: 3, ...FAST })
        .rooms.get(ROOM_SID, { timeout: 10, maxRetries: 1 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TwilioTimeoutError);
      expect(s.calls).toHaveLength(2);
    } finally {
      await s.close();
    }
  });

  it.each([
    ["timeout", -1],
    ["timeout", 0],
    ["timeout", Number.NaN],
    ["timeout", 1.5],
    ["timeout", Infinity],
    ["timeout", 2 ** 31],
    ["timeout", "100"],
    ["maxRetries", -1],
    ["maxRetries", Number.NaN],
    ["maxRetries", 0.5],
    ["maxRetries", 101],
    ["maxRetries", "2"],
  ])("%s = %s rejects with TwilioArgumentError before anything is sent", async (name, value) => {
    const { fetch, calls } = scriptedFetch(json(200, ROOM));
    const video = client(fetch);
    const error = await video.rooms.get(ROOM_SID, { [name]: value } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioArgumentError);
    expect((error as Error).message).toContain(name);
    expect(calls).toHaveLength(0);
    // The client is unaffected.
    await expect(video.rooms.get(ROOM_SID)).resolves.toEqual(ROOM);
  });

  it("headers are the call's own; the next call does not get them", async () => {
    const { fetch, calls } = scriptedFetch(json(200, ROOM));
    const video = client(fetch);
    await video.rooms.get(ROOM_SID, { headers: { "X-Trace": "one", Authorization: "Basic forged" } });
    await video.rooms.get(ROOM_SID);
    expect(calls[0]!.headers.get("x-trace")).toBe("one");
    expect(calls[0]!.headers.get("authorization")).toBe(BASIC);
    expect(calls[1]!.headers.get("x-trace")).toBeNull();
  });

  it("signal aborts the one call", async () => {
    const s = await scripted("fetch", HANG);
    try {
      const video = s.client({ maxRetries: 0 });
      const controller = new AbortController();
      const pending = video.rooms.get(ROOM_SID, { signal: controller.signal });
      controller.abort(new Error("caller gave up"));
      await expect(pending).rejects.toThrow("caller gave up");
    } finally {
      await s.close();
    }
  });

  it("work through openapi-fetch middleware too", async () => {
    const { fetch, calls } = scriptedFetch(twilioError(503, 20503));
    const seen: string[] = [];
    const video = client(fetch, {
      maxRetries: 2,
      ...FAST,
      middleware: [{ onRequest: ({ request }) => void seen.push(request.method) }],
    });
    await expect(video.rooms.get(ROOM_SID, { maxRetries: 0 })).rejects.toBeInstanceOf(TwilioApiError);
    expect(calls).toHaveLength(1);
    await expect(video.rooms.get(ROOM_SID)).rejects.toBeInstanceOf(TwilioApiError);
    expect(calls).toHaveLength(4);
    expect(seen).toEqual(["GET", "GET"]);
  });

  it("iterate() and all() pass them to every page", async () => {
    const { fetch, calls } = scriptedFetch(twilioError(503, 20503));
    const video = client(fetch, { maxRetries: 3, ...FAST });
    await expect(video.rooms.all({}, { maxRetries: 0 })).rejects.toBeInstanceOf(TwilioApiError);
    expect(calls).toHaveLength(1);
  });

  it("are typed", () => {
    const video = client(scriptedFetch(json(200, ROOM)).fetch);
    expectTypeOf(video.rooms.get).parameter(1).toEqualTypeOf<import("../../src/index.js").CallOptions | undefined>();
    // @ts-expect-error timeout is a number of ms
    void video.rooms.get(ROOM_SID, { timeout: "5s" }).catch(() => {});
  });
});

describe("Retry-After", () => {
  it("parses delta-seconds and HTTP dates against the given clock; refuses what is neither", () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Thu, 01 Jan 2026 12:00:12 GMT", now)).toBe(12_000);
    expect(parseRetryAfter("Thursday, 01-Jan-26 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Thu Jan  1 12:00:05 2026", now)).toBe(5000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 12:00:00 GMT", now)).toBe(0); // already past
    // Date.parse alone would read "-1" and "1.5" as dates in 2001.
    for (const bogus of ["-1", "1.5", "soon", "", "1e3", "0x10", "Thu, 99 Foo 2026"])
      expect(parseRetryAfter(bogus, now), bogus).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("waits the delta-seconds of a 429 instead of the backoff", async () => {
    const t = wireTransport([retryAfter(429, "7"), { status: 200 }], { maxRetries: 2 });
    expect((await t.send(POST)).status).toBe(200);
    expect(t.waits).toEqual([7000]);
  });

  it("waits until the HTTP date of a 503, measured on the injected clock", async () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const t = wireTransport([retryAfter(503, "Thu, 01 Jan 2026 12:00:12 GMT"), { status: 200 }], { now: () => now });
    expect((await t.send(GET)).status).toBe(200);
    expect(t.waits).toEqual([12_000]);
  });

  it("caps a huge value at maxRetryAfterMs (default 60 s)", async () => {
    const t = wireTransport([retryAfter(503, "86400"), retryAfter(503, "99999999999999999999999"), { status: 200 }]);
    await t.send(GET);
    expect(t.waits).toEqual([60_000, 60_000]);
    const capped = wireTransport([retryAfter(429, "45"), { status: 200 }], { maxRetryAfterMs: 2500 });
    await capped.send(GET);
    expect(capped.waits).toEqual([2500]);
  });

  it("falls back to the backoff on a bogus value", async () => {
    const t = wireTransport(
      [retryAfter(503, "-5"), retryAfter(503, "later"), retryAfter(503, "2.5"), { status: 200 }],
      { maxRetries: 3, baseDelayMs: 100 },
    );
    await t.send(GET);
    expect(t.waits).toEqual([100, 200, 400]);
  });

  it("is ignored on statuses where it does not mean 'come back then' (500, 502, 504)", async () => {
    const t = wireTransport([retryAfter(500, "30"), retryAfter(502, "30"), retryAfter(504, "30"), { status: 200 }], {
      maxRetries: 3,
      baseDelayMs: 100,
    });
    await t.send(GET);
    expect(t.waits).toEqual([100, 200, 400]);
  });

  it("maxRetryAfterMs is a client option, and onRetry says the wait came from the server", async () => {
    const events: ClientEvent[] = [];
    const { fetch, calls } = scriptedFetch(
      twilioError(429, 20429, "slow down", { "retry-after": "0" }),
      json(201, ROOM),
    );
    const video = client(fetch, { maxRetryAfterMs: 0, onRetry: (event) => void events.push(event) });
    await expect(video.rooms.create({ UniqueName: "x" })).resolves.toEqual(ROOM);
    expect(calls).toHaveLength(2);
    expect(events).toEqual([
      expect.objectContaining({ type: "retry", status: 429, attempt: 0, delayMs: 0, retryAfter: true }),
    ]);
  });
});

describe.each(TRANSPORTS)(".withResponse() over %s", (kind) => {
  let open: Scripted | undefined;
  afterEach(async () => {
    await open?.close();
    open = undefined;
  });

  it("gives the parsed result with status, headers and request id from the one request", async () => {
    open = await scripted(
      kind,
      json(201, ROOM, { "twilio-request-id": "RQ0123456789abcdef0123456789abcdef", "x-extra": "yes" }),
    );
    const video = open.client();
    const { data, response } = await video.rooms.create({ UniqueName: "standup" }).withResponse();
    expect(open.calls).toHaveLength(1);
    expect(data).toEqual(ROOM);
    expect(response.status).toBe(201);
    expect(response.requestId).toBe("RQ0123456789abcdef0123456789abcdef");
    expect(response.headers.get("x-extra")).toBe("yes");
    expect(response.url).toBe(`${open.origin}/v1/Rooms`);
  });

  it("after retries, describes the answer the data came from", async () => {
    open = await scripted(
      kind,
      twilioError(503, 20503, "busy", { "twilio-request-id": "RQ-first" }),
      json(200, ROOM, { "twilio-request-id": "RQ-second" }),
    );
    const { response } = await open.client(FAST).rooms.get(ROOM_SID).withResponse();
    expect(open.calls).toHaveLength(2);
    expect(response.requestId).toBe("RQ-second");
  });
});

describe(".withResponse()", () => {
  it("a plain await still gives the result, and one request is made either way", async () => {
    const { fetch, calls } = scriptedFetch(json(200, ROOM, { "twilio-request-id": "RQ1" }));
    const video = client(fetch);
    const pending = video.rooms.get(ROOM_SID);
    const [plain, withResponse] = await Promise.all([pending, pending.withResponse()]);
    expect(plain).toEqual(ROOM);
    expect(withResponse.data).toBe(plain);
    expect(calls).toHaveLength(1);
  });

  it("works on list, delete and singleton methods", async () => {
    const page = { rooms: [ROOM], meta: { key: "rooms", next_page_url: null } };
    const { fetch, calls } = scriptedFetch(
      json(200, page, { "twilio-request-id": "RQ-list" }),
      new Response(null, { status: 204, headers: { "twilio-request-id": "RQ-delete" } }),
      json(200, { room_sid: ROOM_SID, rules: [] }, { "twilio-request-id": "RQ-rules" }),
    );
    const video = client(fetch);
    const listed = await video.rooms.list({ Status: "in-progress" }).withResponse();
    expect(listed.data.rooms).toHaveLength(1);
    expect(listed.response.requestId).toBe("RQ-list");
    const deleted = await video.compositions.delete("CJ0123456789abcdef0123456789abcdef").withResponse();
    expect(deleted).toEqual({
      data: undefined,
      response: expect.objectContaining({ status: 204, requestId: "RQ-delete" }),
    });
    const rules = await video.rooms.recordingRules(ROOM_SID).get().withResponse();
    expect(rules.response.requestId).toBe("RQ-rules");
    expect(calls).toHaveLength(3);
  });

  it("rejects with the same typed error (request id included), without a second request", async () => {
    const { fetch, calls } = scriptedFetch(twilioError(404, 20404, "not found", { "twilio-request-id": "RQ-missing" }));
    const error = await client(fetch)
      .rooms.get(ROOM_SID)
      .withResponse()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioApiError);
    expect((error as TwilioApiError).requestId).toBe("RQ-missing");
    expect(calls).toHaveLength(1);
  });

  it("a bad argument still rejects (never throws synchronously)", async () => {
    const { fetch, calls } = scriptedFetch(json(200, ROOM));
    const pending = client(fetch).compositions.get("not-a-sid");
    await expect(pending.withResponse()).rejects.toBeInstanceOf(TwilioArgumentError);
    await expect(pending).rejects.toBeInstanceOf(TwilioArgumentError);
    expect(calls).toHaveLength(0);
  });

  it("is typed: data is the method's result", () => {
    const video = client(scriptedFetch(json(200, ROOM)).fetch);
    expectTypeOf(video.rooms.get(ROOM_SID).withResponse()).resolves.toEqualTypeOf<WithResponse<Room>>();
    expectTypeOf(video.compositions.delete("CJ0123456789abcdef0123456789abcdef").withResponse()).resolves.toEqualTypeOf<
      WithResponse<void>
    >();
    expectTypeOf(video.rooms.get(ROOM_SID).withResponse())
      .resolves.toHaveProperty("response")
      .toHaveProperty("requestId")
      .toEqualTypeOf<string | null>();
  });
});

describe("hooks: onRequest, onResponse, onRetry", () => {
  function recording(fetch: typeof globalThis.fetch, options: Parameters<typeof client>[1] = {}) {
    const events: ClientEvent[] = [];
    const push = (event: ClientEvent) => void events.push(event);
    return { events, video: client(fetch, { onRequest: push, onResponse: push, onRetry: push, ...options }) };
  }

  it("report every attempt in order, with method, URL, status, attempt and duration", async () => {
    const { fetch } = scriptedFetch(twilioError(503, 20503), json(200, ROOM, { "twilio-request-id": "RQ2" }));
    const { events, video } = recording(fetch, FAST);
    await video.rooms.get(ROOM_SID);
    expect(events.map((e) => `${e.type}:${e.attempt}`)).toEqual([
      "request:0",
      "response:0",
      "retry:0",
      "request:1",
      "response:1",
    ]);
    const url = `${ORIGIN}/v1/Rooms/${ROOM_SID}`;
    expect(events[0]).toEqual({
      type: "request",
      method: "GET",
      url,
      headers: expect.objectContaining({ authorization: "[redacted]" }),
      attempt: 0,
    });
    expect(events[1]).toMatchObject({ type: "response", status: 503, attempt: 0 });
    expect(events[2]).toMatchObject({ type: "retry", status: 503, error: null, retryAfter: false, delayMs: 0 });
    expect(events[4]).toMatchObject({ type: "response", method: "GET", url, status: 200, requestId: "RQ2" });
    for (const event of events) if ("durationMs" in event) expect(event.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("report a network failure that is retried, with the error and no status", async () => {
    let n = 0;
    const fetch: typeof globalThis.fetch = async () => {
      if (n++ === 0) throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
      return json(200, ROOM);
    };
    const { events, video } = recording(fetch, FAST);
    await video.rooms.create({ UniqueName: "x" });
    expect(events.map((e) => e.type)).toEqual(["request", "retry", "request", "response"]);
    expect(events[1]).toMatchObject({ status: null, error: expect.stringContaining("ECONNREFUSED") });
  });

  it("never see a credential: Authorization redacted, the secret nowhere", async () => {
    const { fetch } = scriptedFetch(
      twilioError(429, 20429, "slow", { "retry-after": "0", "set-cookie": "session=abc" }),
      json(200, ROOM),
    );
    const { events, video } = recording(fetch);
    await video.rooms.get(ROOM_SID, { headers: { Cookie: "mine=1", "X-Trace": "t1" } });
    const text = JSON.stringify(events);
    expect(text).not.toContain(API_KEY_SECRET);
    expect(text).not.toContain(BASIC.slice("Basic ".length));
    expect(text).not.toContain("session=abc");
    expect(text).not.toContain("mine=1");
    expect(text).toContain("t1");
  });

  it("redact user-info and signature-like query parameters of URLs, and credential headers", () => {
    expect(
      redactUrl("https://user:pw@media.example.com/f.mp4?X-Amz-Signature=abc&X-Amz-Credential=AKIA&Expires=9&keep=1"),
    ).toBe(
      "https://media.example.com/f.mp4?X-Amz-Signature=%5Bredacted%5D&X-Amz-Credential=%5Bredacted%5D&Expires=9&keep=1",
    );
    expect(redactUrl("https://cdn.example.com/a?Signature=s&Key-Pair-Id=k&Policy=p&token=t")).not.toMatch(
      /=s\b|=k\b|=p\b|=t\b/,
    );
    expect(redactUrl(`${ORIGIN}/v1/Rooms?Status=completed&PageSize=5`)).toBe(
      `${ORIGIN}/v1/Rooms?Status=completed&PageSize=5`,
    );
    expect(
      redactHeaders({ Authorization: "Basic x", "Proxy-Authorization": "y", "X-Twilio-Signature": "z", Accept: "a" }),
    ).toEqual({
      authorization: "[redacted]",
      "proxy-authorization": "[redacted]",
      "x-twilio-signature": "[redacted]",
      accept: "a",
    });
  });

  it("a hook that throws does not break the request; it is reported through onWarning", async () => {
    const { fetch, calls } = scriptedFetch(twilioError(503, 20503), json(200, ROOM));
    const warnings: string[] = [];
    const video = client(fetch, {
      ...FAST,
      onWarning: (message) => void warnings.push(message),
      onRequest: () => {
        throw new Error("observer bug");
      },
      onResponse: () => {
        throw "not even an Error";
      },
      onRetry: () => {
        throw new Error("retry observer bug");
      },
    });
    await expect(video.rooms.get(ROOM_SID)).resolves.toEqual(ROOM);
    expect(calls).toHaveLength(2);
    expect(warnings).toEqual([
      "onRequest hook threw (ignored): observer bug",
      "onResponse hook threw (ignored): not even an Error",
      "onRetry hook threw (ignored): retry observer bug",
      "onRequest hook threw (ignored): observer bug",
      "onResponse hook threw (ignored): not even an Error",
    ]);
  });

  it("with no hook set, the transport builds nothing: response headers are never copied", async () => {
    let copies = 0;
    const headers = new Headers({ "twilio-request-id": "RQ3" });
    const counted = {
      get: (name: string) => headers.get(name),
      forEach: (cb: (value: string, name: string) => void) => {
        copies++;
        headers.forEach(cb);
      },
    };
    const exchange: Exchange = async (request) => ({ status: 200, headers: counted, body: "{}", url: request.url });
    const base = {
      exchange,
      authorization: BASIC,
      origin: ORIGIN,
      userAgent: "t",
      timeoutMs: 1000,
      maxResponseBytes: 1 << 20,
    };
    await createTransport(base)(GET);
    await createTransport({ ...base, hooks: {} })(GET);
    expect(copies).toBe(0);
    const seen: ClientEvent[] = [];
    await createTransport({ ...base, hooks: { onResponse: (e) => void seen.push(e) } })(GET);
    expect(copies).toBe(1);
    expect(seen[0]).toMatchObject({ headers: { "twilio-request-id": "RQ3" }, requestId: "RQ3" });
  });

  it("debug: true prints every event, redacted, to console.error", async () => {
    const printed: unknown[][] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void printed.push(args));
    const { fetch } = scriptedFetch(json(200, ROOM));
    await client(fetch, { debug: true }).rooms.get(ROOM_SID);
    expect(printed.map((args) => JSON.parse(args[1] as string).type)).toEqual(["request", "response"]);
    expect(printed.every((args) => args[0] === "[twilio-video-ts]")).toBe(true);
    expect(JSON.stringify(printed)).not.toContain(BASIC.slice("Basic ".length));
  });

  it("TWILIO_VIDEO_DEBUG turns debug on; debug: false and '0' keep it off; hooks and debug both run", async () => {
    const printed: unknown[][] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void printed.push(args));
    const { fetch } = scriptedFetch(json(200, ROOM));
    vi.stubEnv("TWILIO_VIDEO_DEBUG", "1");
    const mine: string[] = [];
    await client(fetch, { onResponse: (e) => void mine.push(e.type) }).rooms.get(ROOM_SID);
    expect(printed).toHaveLength(2);
    expect(mine).toEqual(["response"]);
    await client(fetch, { debug: false }).rooms.get(ROOM_SID);
    vi.stubEnv("TWILIO_VIDEO_DEBUG", "0");
    await client(fetch).rooms.get(ROOM_SID);
    expect(printed).toHaveLength(2);
  });
});
