import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TwilioNetworkError, TwilioTimeoutError } from "../../src/index.js";
import { nodeExchange } from "../../src/node/exchange.js";
import { fetchExchange } from "../../src/core/fetch-exchange.js";
import {
  createTransport,
  parseRetryAfter,
  type Exchange,
  type TransportOptions,
  type WireRequest,
} from "../../src/core/transport.js";
import { json, scriptedFetch, twilioError, ROOM_SID } from "./helpers.js";
import { CUT_BODY, HANG, RESET, SLOW_BODY, TRANSPORTS, scripted, type Reply, type Scripted } from "./transports.js";

const ROOM = { sid: ROOM_SID };

function transport(exchange: Exchange, origin: string, overrides: Partial<TransportOptions> = {}) {
  const waits: number[] = [];
  const send = createTransport({
    exchange,
    authorization: "Basic x",
    origin,
    userAgent: "test",
    timeoutMs: 1000,
    maxResponseBytes: 1 << 20,
    random: () => 1, // the upper edge of the jitter window, so waits are exact
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...overrides,
  });
  return { send, waits };
}

const req = (origin: string, method: string): WireRequest =>
  method === "POST"
    ? {
        method,
        url: `${origin}/v1/Rooms`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "Type=group",
      }
    : { method, url: `${origin}/v1/Rooms`, headers: {} };

describe.each(TRANSPORTS)("transport over %s", (kind) => {
  let open: Scripted | undefined;
  afterEach(async () => {
    await open?.close();
    open = undefined;
  });
  async function script(...replies: Reply[]) {
    open = await scripted(kind, ...replies);
    return open;
  }

  describe("retry matrix", () => {
    const cases: Array<[string, number, boolean]> = [
      ["GET", 429, true],
      ["GET", 500, true],
      ["GET", 502, true],
      ["GET", 503, true],
      ["GET", 504, true],
      ["GET", 400, false],
      ["GET", 401, false],
      ["GET", 404, false],
      ["GET", 501, false],
      ["DELETE", 429, true],
      ["DELETE", 503, true],
      ["DELETE", 404, false],
      ["POST", 429, true],
      ["POST", 500, false],
      ["POST", 502, false],
      ["POST", 503, false],
      ["POST", 504, false],
      ["POST", 400, false],
    ];
    it.each(cases)("%s answered %i is retried: %s", async (method, status, retried) => {
      const s = await script(twilioError(status, 20000 + status), json(200, ROOM));
      const response = await transport(s.exchange, s.origin).send(req(s.origin, method));
      expect(s.calls).toHaveLength(retried ? 2 : 1);
      expect(response.status).toBe(retried ? 200 : status);
    });
  });

  it("re-sends the same POST body on every attempt", async () => {
    const s = await script(twilioError(429, 20429), twilioError(429, 20429), json(201, ROOM));
    await transport(s.exchange, s.origin).send(req(s.origin, "POST"));
    expect(s.calls.map((c) => c.body)).toEqual(["Type=group", "Type=group", "Type=group"]);
  });

  it("stops after maxRetries and returns the last answer", async () => {
    const s = await script(twilioError(503, 20503));
    const response = await transport(s.exchange, s.origin, { maxRetries: 3 }).send(req(s.origin, "GET"));
    expect(s.calls).toHaveLength(4);
    expect(response.status).toBe(503);
  });

  it("maxRetries 0 turns retrying off", async () => {
    const s = await script(twilioError(429, 20429), json(200, ROOM));
    await transport(s.exchange, s.origin, { maxRetries: 0 }).send(req(s.origin, "GET"));
    expect(s.calls).toHaveLength(1);
  });

  it("backs off exponentially with full jitter under a ceiling", async () => {
    const s = await script(twilioError(503, 20503));
    const { send, waits } = transport(s.exchange, s.origin, { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 });
    await send(req(s.origin, "GET"));
    expect(waits).toEqual([100, 200, 400, 800, 1000]);
    const jittered = transport(s.exchange, s.origin, { maxRetries: 2, baseDelayMs: 100, random: () => 0.25 });
    await jittered.send(req(s.origin, "GET"));
    expect(jittered.waits).toEqual([25, 50]);
  });

  it("honours Retry-After in seconds and as an HTTP date, capped", async () => {
    const s = await script(
      twilioError(429, 20429, "slow down", { "retry-after": "3" }),
      twilioError(429, 20429, "x", { "retry-after": "999" }),
      json(200, ROOM),
    );
    const { send, waits } = transport(s.exchange, s.origin, { maxRetries: 2, maxRetryAfterMs: 10_000 });
    await send(req(s.origin, "POST"));
    expect(waits).toEqual([3000, 10_000]);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter("soon")).toBeUndefined();
  });

  it("retries a GET whose connection was reset", async () => {
    const s = await script(RESET, json(200, ROOM));
    expect((await transport(s.exchange, s.origin).send(req(s.origin, "GET"))).status).toBe(200);
    expect(s.calls).toHaveLength(2);
  });

  it("never retries a POST whose connection was reset after it was sent (it may have been processed)", async () => {
    const s = await script(RESET, json(201, ROOM));
    const error = await transport(s.exchange, s.origin)
      .send(req(s.origin, "POST"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioNetworkError);
    expect((error as TwilioNetworkError).message).toMatch(/ECONNRESET|socket hang up/);
    expect(s.calls).toHaveLength(1);
  });

  it("times out a hanging attempt with TwilioTimeoutError and retries a GET", async () => {
    const s = await script(HANG);
    const error = await transport(s.exchange, s.origin, { timeoutMs: 30, maxRetries: 1 })
      .send(req(s.origin, "GET"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioTimeoutError);
    expect((error as TwilioTimeoutError).timeoutMs).toBe(30);
    expect(s.calls).toHaveLength(2);
  });

  it("regression: a POST that timed out is never sent again (duplicate rooms)", async () => {
    const s = await script(HANG, json(201, ROOM));
    const error = await transport(s.exchange, s.origin, { timeoutMs: 30, maxRetries: 2 })
      .send(req(s.origin, "POST"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioTimeoutError);
    expect(s.calls).toHaveLength(1);
  });

  it("times out a response whose body never finishes", async () => {
    const s = await script(SLOW_BODY);
    await expect(
      transport(s.exchange, s.origin, { timeoutMs: 30, maxRetries: 0 }).send(req(s.origin, "GET")),
    ).rejects.toBeInstanceOf(TwilioTimeoutError);
  });

  it("regression: a body cut short by a closed connection is a network error, never a truncated success", async () => {
    const s = await script(CUT_BODY);
    const error = await transport(s.exchange, s.origin, { maxRetries: 0 })
      .send(req(s.origin, "GET"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioNetworkError);
  });

  it.each(["GET", "POST"])(
    "regression: a caller's abort during a %s in flight is rethrown as is, and not retried",
    async (method) => {
      const s = await script(HANG, json(200, ROOM));
      const controller = new AbortController();
      const reason = new Error("user gave up");
      const pending = transport(s.exchange, s.origin, { maxRetries: 3 })
        .send(req(s.origin, method), controller.signal)
        .catch((e: unknown) => e);
      await vi.waitFor(() => expect(s.calls).toHaveLength(1));
      controller.abort(reason);
      expect(await pending).toBe(reason);
      expect(s.calls).toHaveLength(1);
    },
  );

  it("regression: Authorization goes to the client's own origin only", async () => {
    const s = await script(json(200, ROOM));
    // The same server, named differently, is another origin.
    const foreign = s.origin
      .replace("127.0.0.1", "localhost")
      .replace("video.twilio.com", "video.twilio.com.evil.test");
    const { send } = transport(s.exchange, foreign);
    await send({ method: "GET", url: `${s.origin}/v1/Rooms`, headers: { Authorization: "Basic caller-supplied" } });
    expect(s.calls[0]!.headers.get("authorization")).toBeNull();
    await transport(s.exchange, s.origin).send(req(s.origin, "GET"));
    expect(s.calls[1]!.headers.get("authorization")).toBe("Basic x");
  });
});

describe("POST is retried when the connection was never made", () => {
  it("over fetch (ECONNREFUSED in the cause chain)", async () => {
    const refused = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    const { fetch, calls } = scriptedFetch(() => Promise.reject(refused), json(201, ROOM));
    const { send } = transport(fetchExchange(fetch), "https://video.twilio.com");
    expect((await send(req("https://video.twilio.com", "POST"))).status).toBe(201);
    expect(calls).toHaveLength(2);
  });

  it("over node:http (the port opens during the backoff)", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const bodies: string[] = [];
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        bodies.push(body);
        response.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(ROOM));
      });
    });
    const origin = `http://127.0.0.1:${port}`;
    const { send } = transport(nodeExchange(), origin, {
      sleep: () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve)),
    });
    try {
      expect((await send(req(origin, "POST"))).status).toBe(201);
      expect(bodies).toEqual(["Type=group"]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe.each(TRANSPORTS)("retries through the client over %s (real sleep)", (kind) => {
  let open: Scripted | undefined;
  afterEach(async () => {
    await open?.close();
    open = undefined;
  });

  it("waits out Retry-After before the second attempt", async () => {
    const seenAt: number[] = [];
    open = await scripted(
      kind,
      () => {
        seenAt.push(performance.now());
        return twilioError(429, 20429, "Too Many Requests", { "retry-after": "1" });
      },
      () => {
        seenAt.push(performance.now());
        return json(200, ROOM);
      },
    );
    await expect(open.client().rooms.get(ROOM_SID)).resolves.toEqual(ROOM);
    expect(open.calls).toHaveLength(2);
    expect(seenAt[1]! - seenAt[0]!).toBeGreaterThanOrEqual(990);
  });

  it("a caller's signal aborts a pending backoff sleep at once", async () => {
    open = await scripted(kind, twilioError(503, 20503));
    const video = open.client({ maxRetries: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 });
    const controller = new AbortController();
    const outcome = video.rooms.get(ROOM_SID, { signal: controller.signal }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(open!.calls).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new Error("user gave up"));
    expect(((await outcome) as Error).message).toBe("user gave up");
    expect(open.calls).toHaveLength(1);
  });
});
