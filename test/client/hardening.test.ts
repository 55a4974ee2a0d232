// Regressions from the hardening issue: each test is named after what broke.
import { afterEach, describe, expect, it } from "vitest";
import {
  TwilioArgumentError,
  TwilioConfigError,
  TwilioProtocolError,
  TwilioResponseTooLargeError,
  TwilioTimeoutError,
  TwilioApiError,
} from "../../src/index.js";
import { API_KEY_SECRET, API_KEY_SID, client, json, scriptedFetch, ROOM_SID, type Call } from "./helpers.js";
import { TRANSPORTS, scripted, type Scripted } from "./transports.js";
import { createVideoClient } from "../../src/index.js";
import { nodeExchange } from "../../src/node/exchange.js";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const room = { sid: ROOM_SID, unique_name: "standup" };

describe("ids that change the path", () => {
  it.each([".", ".."])(
    "regression: rooms.participants(%j) sent GET /v1/Rooms/Participants; now refused before any request",
    async (id) => {
      const { fetch, calls } = scriptedFetch(json(200, room));
      const video = client(fetch);
      expect(() => video.rooms.participants(id)).toThrow(TwilioArgumentError);
      await expect(video.rooms.get(id)).rejects.toBeInstanceOf(TwilioArgumentError);
      expect(calls).toHaveLength(0);
      // Dots inside a name are fine.
      await video.rooms.get("v1.2-standup.");
      expect(calls[0]!.url.pathname).toBe("/v1/Rooms/v1.2-standup.");
    },
  );
});

describe("numeric options are checked at construction", () => {
  const bad: Array<[string, unknown]> = [
    ["timeoutMs", Infinity],
    ["timeoutMs", 1.5],
    ["timeoutMs", 2 ** 33],
    ["timeoutMs", 0],
    ["timeoutMs", -1],
    ["timeoutMs", Number.NaN],
    ["timeoutMs", "100"],
    ["maxRetries", -1],
    ["maxRetries", 1.5],
    ["maxRetries", Infinity],
    ["baseDelayMs", -1],
    ["baseDelayMs", Infinity],
    ["maxDelayMs", 2 ** 33],
    ["maxRetryAfterMs", Number.NaN],
    ["maxResponseBytes", 0],
    ["maxResponseBytes", 1.5],
    ["maxResponseBytes", Infinity],
  ];
  it.each(bad)(
    "regression: %s = %s passed the constructor and failed every call; now a TwilioConfigError",
    (name, value) => {
      const { fetch } = scriptedFetch(json(200, room));
      expect(() => client(fetch, { [name]: value })).toThrow(TwilioConfigError);
      expect(() => client(fetch, { [name]: value })).toThrow(new RegExp(`^${name} must be`));
    },
  );

  it("accepts the documented ranges", () => {
    const { fetch } = scriptedFetch(json(200, room));
    expect(() =>
      client(fetch, {
        timeoutMs: 2 ** 31 - 1,
        maxRetries: 0,
        baseDelayMs: 0,
        maxDelayMs: 0.5,
        maxRetryAfterMs: 0,
        maxResponseBytes: 1,
      }),
    ).not.toThrow();
  });
});

describe("error names survive minification", () => {
  it("regression: names came from constructor.name, so minified bundles printed `i: …`", () => {
    const original = Object.getOwnPropertyDescriptor(TwilioTimeoutError, "name")!;
    // What a minifier does to a class.
    Object.defineProperty(TwilioTimeoutError, "name", { value: "i" });
    try {
      const error = new TwilioTimeoutError("GET", "https://video.twilio.com/v1/Rooms", 5);
      expect(error.name).toBe("TwilioTimeoutError");
      expect(String(error)).toMatch(/^TwilioTimeoutError: /);
      expect(error.stack).toMatch(/^TwilioTimeoutError: /);
      expect(error.toJSON().name).toBe("TwilioTimeoutError");
    } finally {
      Object.defineProperty(TwilioTimeoutError, "name", original);
    }
    expect(new TwilioResponseTooLargeError("GET", "https://x.test/", 1).name).toBe("TwilioResponseTooLargeError");
    expect(new TwilioConfigError("x").name).toBe("TwilioConfigError");
  });
});

describe.each(TRANSPORTS)("responses the client must not trust, over %s", (kind) => {
  let s: Scripted | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it("regression: an endless body was buffered until memory ran out; now it stops at maxResponseBytes", async () => {
    s = await scripted(
      kind,
      () =>
        new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(64 * 1024).fill(0x20)) }), {
          status: 200,
        }),
    );
    if (kind === "node") {
      // The loopback server buffers a reply before sending it; an endless one is tested at the exchange below.
      await s.close();
      s = await scripted(
        kind,
        new Response(" ".repeat(300_000), { status: 200, headers: { "content-type": "application/json" } }),
      );
    }
    const error = await s
      .client({ maxResponseBytes: 100_000, maxRetries: 3 })
      .rooms.get(ROOM_SID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioResponseTooLargeError);
    expect(error).toBeInstanceOf(TwilioProtocolError);
    expect((error as TwilioResponseTooLargeError).maxBytes).toBe(100_000);
    // Too large is not retried: the next answer would be as large.
    expect(s.calls).toHaveLength(1);
  });

  it("a body just under the cap is read", async () => {
    const body = JSON.stringify({ ...room, pad: "x".repeat(5000) });
    s = await scripted(kind, new Response(body, { status: 200 }));
    await expect(s.client({ maxResponseBytes: Buffer.byteLength(body) }).rooms.get(ROOM_SID)).resolves.toMatchObject(
      room,
    );
  });

  it.each([
    ["an HTML page from a proxy", "<html><body>Bad gateway</body></html>"],
    ["truncated JSON", '{"sid": "RM5a1f9e3c7d2b4a6e8f0c1d2'],
  ])("regression: a 2xx with %s threw a raw SyntaxError; now a TwilioProtocolError", async (_what, body) => {
    s = await scripted(kind, new Response(body, { status: 200, headers: { "content-type": "text/html" } }));
    const error = await s
      .client()
      .rooms.get(ROOM_SID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioProtocolError);
    expect((error as Error).message).toContain("not JSON");
  });

  it("regression: a redirect to a foreign host was followed and its answer returned as Twilio's", async () => {
    s = await scripted(kind, (call: Call) =>
      call.url.pathname.startsWith("/v1/")
        ? new Response("", { status: 307, headers: { location: "https://evil.example/v1/Rooms/x" } })
        : json(200, { sid: "RMevil" }),
    );
    const error = await s
      .client()
      .rooms.get(ROOM_SID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioProtocolError);
    expect((error as Error).message).toContain("never follow redirects");
    expect(s.calls).toHaveLength(1);
  });

  it("a large UTF-8 body arrives intact, whatever the chunk boundaries", async () => {
    const name = "réunion-日本-😀-".repeat(20_000);
    s = await scripted(kind, json(200, { ...room, unique_name: name }));
    await expect(s.client().rooms.get(ROOM_SID)).resolves.toMatchObject({ unique_name: name });
  });

  it("error bodies are still typed API errors", async () => {
    s = await scripted(kind, json(404, { code: 20404, message: "not found", status: 404 }));
    const error = (await s
      .client()
      .rooms.get(ROOM_SID)
      .catch((e: unknown) => e)) as TwilioApiError;
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error.code).toBe(20404);
  });
});

describe("the node:http exchange", () => {
  it("regression: an endless chunked body (no Content-Length) stops at maxResponseBytes and the socket is released", async () => {
    let written = 0;
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const pump = () => {
        while (res.write(Buffer.alloc(16 * 1024, 0x20))) written += 16 * 1024;
      };
      res.on("drain", pump);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/Rooms`;
      const error = await nodeExchange()(
        { method: "GET", url, headers: {} },
        { aborted: false, reason: undefined, onabort: null },
        200_000,
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TwilioResponseTooLargeError);
      expect(written).toBeLessThan(50_000_000);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
  it('reads headers from the raw list: any case, repeats joined with ", " as fetch does, Content-Length declared in any case', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(
        200,
        [
          ["Content-Type", "application/json"],
          ["X-Twilio-Thing", "a"],
          ["x-twilio-thing", "b"],
          ["Twilio-Request-Id", "RQ1"],
          ["CONTENT-LENGTH", "2"],
        ].flat(),
      );
      res.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/Rooms`;
      const attempt = () => ({ aborted: false, reason: undefined, onabort: null });
      const response = await nodeExchange()({ method: "GET", url, headers: {} }, attempt(), 100);
      expect(response.body).toBe("{}");
      expect(response.headers.get("TWILIO-request-id")).toBe("RQ1");
      expect(response.headers.get("x-twilio-thing")).toBe("a, b");
      expect(response.headers.get("absent")).toBeNull();
      const seen: string[] = [];
      response.headers.forEach((value, name) => seen.push(`${name}=${value}`));
      expect(seen.slice(0, 4)).toEqual([
        "content-type=application/json",
        "x-twilio-thing=a, b",
        "twilio-request-id=RQ1",
        "content-length=2",
      ]);
      // The declared length alone refuses a body over the cap, before any byte of it is read.
      await expect(nodeExchange()({ method: "GET", url, headers: {} }, attempt(), 1)).rejects.toBeInstanceOf(
        TwilioResponseTooLargeError,
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("pagination hardening", () => {
  const page = (base: string, n: number, next: number | null) =>
    json(200, {
      rooms: [{ ...room, sid: `RM${n.toString(16).padStart(32, "0")}` }],
      meta: {
        key: "rooms",
        page: n,
        page_size: 1,
        url: `${base}/v1/Rooms?PageSize=1&Page=${n}`,
        next_page_url: next === null ? null : `${base}/v1/Rooms?PageSize=1&Page=${next}&PageToken=PT${next}`,
      },
    });

  it("regression: a next_page_url pointing at a page already seen paged forever; now a TwilioProtocolError", async () => {
    const base = "https://video.twilio.com";
    // Page 0 → 1 → 2 → 1 …
    const { fetch, calls } = scriptedFetch((call) => {
      const n = Number(call.url.searchParams.get("Page") ?? 0);
      return page(base, n, n === 2 ? 1 : n + 1);
    });
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const item of client(fetch).rooms.iterate({}, { pageSize: 1 })) seen.push(item);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioProtocolError);
    expect((error as Error).message).toContain("loop");
    expect(seen).toHaveLength(3);
    expect(calls).toHaveLength(3);
  });

  it("regression: pagination failed with TwilioProtocolError when baseUrl has a path (a proxy)", async () => {
    const base = "https://proxy.example/twilio";
    const { fetch, calls } = scriptedFetch((call) => {
      const n = Number(call.url.searchParams.get("Page") ?? 0);
      return page(base, n, n < 2 ? n + 1 : null);
    });
    const video = createVideoClient({
      apiKeySid: API_KEY_SID,
      apiKeySecret: API_KEY_SECRET,
      fetch,
      baseUrl: `${base}/`,
    });
    expect(await video.rooms.all({}, { pageSize: 1 })).toHaveLength(3);
    expect(calls.map((c) => c.url.pathname)).toEqual(["/twilio/v1/Rooms", "/twilio/v1/Rooms", "/twilio/v1/Rooms"]);
    expect(calls.every((c) => c.headers.get("authorization")?.startsWith("Basic "))).toBe(true);
  });

  it("a next page outside the base path is refused, even on the same host", async () => {
    const { fetch, calls } = scriptedFetch(page("https://proxy.example/other", 0, 1));
    const video = createVideoClient({
      apiKeySid: API_KEY_SID,
      apiKeySecret: API_KEY_SECRET,
      fetch,
      baseUrl: "https://proxy.example/twilio",
    });
    await expect(video.rooms.all({}, { pageSize: 1 })).rejects.toBeInstanceOf(TwilioProtocolError);
    expect(calls).toHaveLength(1);
  });
});
