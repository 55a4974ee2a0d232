/**
 * Issue 32, emulator side: nothing a stranger sends slows, hangs, crashes or
 * leaks. Slow clients are cut off by the listeners' time limits; crafted
 * patterns and names cost linear time; what requests can store is bounded
 * (documented name lengths, faults, callbacks kept, the state as a whole);
 * log lines cannot carry control characters; status callbacks go to
 * loopback only unless allowed. Each test bounds time or memory.
 */
import { connect, type Socket } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  CallbackDispatcher,
  callbackRefusal,
  isLoopbackHost,
  MAX_KEPT_DELIVERIES,
} from "../../src/emulator/callbacks.js";
import { guarded, serverTimeoutOptions } from "../../src/emulator/guard.js";
import {
  DEFAULT_SERVER_TIMEOUTS,
  DEFAULT_STATE_LIMITS,
  startEmulator,
  type Emulator,
} from "../../src/emulator/index.js";
import { escapeControls, logLine } from "../../src/emulator/log.js";
import { twilioLength } from "../../src/emulator/limits.js";
import { api, control, startReceiver } from "./helpers.js";

const MiB = 1024 * 1024;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
/** Heap in use (JS heap and buffers) after a full collection. */
function heapAfterGc(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Opens a raw connection to `url`'s port and resolves once connected. */
function rawSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on("error", reject);
  });
}

/**
 * Writes `first`, then one byte of `drip` every 50 ms for as long as the
 * server keeps the connection open; resolves with how long that was and
 * what the server answered.
 */
function dribble(socket: Socket, first: string, drip: string): Promise<{ ms: number; answer: string }> {
  const started = performance.now();
  let answer = "";
  socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
  if (first) socket.write(first);
  const timer = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write(drip);
  }, 50);
  return new Promise((resolve) => {
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ ms: performance.now() - started, answer });
    });
  });
}

describe("slow clients (slow loris) are cut off by the listeners' time limits", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ clock: "manual", timeouts: { headersMs: 400, requestMs: 800, keepAliveMs: 300 } });
  });
  afterAll(() => emulator?.stop());

  const line = "GET /v1/Rooms HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  const post =
    "POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{";

  it.each([
    ["API: headers dribbled a header line at a time", () => emulator.url, line, "X-A: b\r\n", 400],
    ["API: a body dribbled a byte at a time", () => emulator.url, post, " ", 800],
    [
      "media host: headers dribbled",
      () => emulator.mediaUrl,
      "GET /media/x HTTP/1.1\r\nHost: 127.0.0.1\r\n",
      "X-A: b\r\n",
      400,
    ],
  ])("%s: 408 and closed within the limit (plus Node's check interval)", async (_, url, first, drip, limit) => {
    const socket = await rawSocket(url());
    const { ms, answer } = await dribble(socket, first, drip);
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toMatchObject({ status: 408, code: 20001 });
    // Cut off at the limit, checked every limit/4: never before, and well within 5× on a loaded machine.
    expect(ms).toBeGreaterThanOrEqual(limit * 0.9);
    expect(ms).toBeLessThan(limit * 5 + 1_000);
  });

  it("a connection that sends nothing is closed within the headers limit", async () => {
    const socket = await rawSocket(emulator.url);
    const { ms } = await dribble(socket, "", "");
    expect(ms).toBeLessThan(400 * 5 + 1_000);
  });

  it("an idle keep-alive connection is closed after keepAliveMs; the emulator keeps answering others", async () => {
    const socket = await rawSocket(emulator.url);
    const closed = dribble(socket, "GET /_emulator/state HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "");
    const { ms, answer } = await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(ms).toBeGreaterThanOrEqual(300 * 0.9);
    expect(ms).toBeLessThan(300 * 5 + 1_000);
    expect((await control(emulator, "/state", "GET")).status).toBe(200);
  });

  it("defaults: headers 10 s, request 30 s, keep-alive 5 s, checked at least every second", () => {
    expect(DEFAULT_SERVER_TIMEOUTS).toEqual({ headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 });
    expect(serverTimeoutOptions()).toEqual({
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: 1_000,
    });
    expect(serverTimeoutOptions({ headersMs: 200, requestMs: 0 }).connectionsCheckingInterval).toBe(50);
    expect(serverTimeoutOptions({ headersMs: 0, requestMs: 0 }).connectionsCheckingInterval).toBe(1_000);
    expect(serverTimeoutOptions({ headersMs: 40, requestMs: 40 }).connectionsCheckingInterval).toBe(25);
  });

  it.each([
    [{ headersMs: -1 }, /headersMs must be a whole number/],
    [{ requestMs: 1.5 }, /requestMs must be a whole number/],
    [{ keepAliveMs: Number.NaN }, /keepAliveMs must be a whole number/],
    [{ headersMs: 2_000, requestMs: 1_000 }, /headersMs must not exceed/],
  ])("refuses bad timeouts %j with a TypeError", async (timeouts, message) => {
    expect(() => serverTimeoutOptions(timeouts)).toThrow(message);
    await expect(startEmulator({ timeouts })).rejects.toThrow(TypeError);
  });
});

/** Milliseconds `run` takes, best of `rounds` (noise on a shared machine only ever adds time). */
async function timed(run: () => Promise<unknown>, rounds = 2): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe("crafted patterns and names cost linear time", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ clock: "manual", statusCallbacks: false });
  });
  afterAll(() => emulator?.stop());

  /** An ended room whose one recording has a track name of `n` characters, then a composition whose AudioSources is crafted. */
  async function compose(n: number): Promise<string> {
    const room = (await (
      await api(emulator, "/v1/Rooms", { form: { RecordParticipantsOnConnect: "true" } })
    ).json()) as { sid: string };
    emulator.connectParticipant(room.sid, "alice");
    // In code, where names are not capped: the matcher must hold up on its own.
    emulator.publishTrack(room.sid, "alice", { kind: "audio", name: "a".repeat(n) });
    emulator.advance(1_000);
    await api(emulator, `/v1/Rooms/${room.sid}`, { form: { Status: "completed" } });
    // Backtracking bait: many stars, then a piece that is never found.
    const response = await api(emulator, "/v1/Compositions", {
      form: { RoomSid: room.sid, AudioSources: `${"*a".repeat(n / 2)}*b*` },
    });
    expect(response.status).toBe(201);
    const { sid } = (await response.json()) as { sid: string };
    await emulator.settle();
    return sid;
  }

  it("a composition matching a 900 KiB star pattern against a 900 KiB track name costs about 56× the 16 KiB case, not 3,000×", async () => {
    const small = await timed(() => compose(16 * 1024));
    let sid = "";
    const large = await timed(async () => (sid = await compose(900 * 1024)));
    const composition = (await (await api(emulator, `/v1/Compositions/${sid}`)).json()) as { status: string };
    // Nothing matches "…*b*": the composition fails, quickly.
    expect(composition.status).toBe("failed");
    expect(large).toBeLessThan(Math.max(small, 20) * 56 * 5);
    expect(large).toBeLessThan(10_000);
  });

  it("an S3 URL ending in 300 KiB of slashes is stored and trimmed in linear time", async () => {
    const settle = (n: number) => () =>
      api(emulator, "/v1/CompositionSettings/Default", {
        form: { FriendlyName: "s", AwsS3Url: `https://b.s3.amazonaws.com${"/".repeat(n)}`, AwsStorageEnabled: "true" },
      });
    const small = await timed(settle(16 * 1024));
    const large = await timed(settle(300 * 1024));
    expect(large).toBeLessThan(Math.max(small, 20) * 19 * 5);
    // Used when a composition completes: the location has the trimmed URL.
    const room = (await (
      await api(emulator, "/v1/Rooms", { form: { RecordParticipantsOnConnect: "true" } })
    ).json()) as { sid: string };
    emulator.connectParticipant(room.sid, "bob");
    emulator.publishTrack(room.sid, "bob", { kind: "audio" });
    await api(emulator, `/v1/Rooms/${room.sid}`, { form: { Status: "completed" } });
    const created = (await (
      await api(emulator, "/v1/Compositions", { form: { RoomSid: room.sid, AudioSources: "bob" } })
    ).json()) as { sid: string };
    await emulator.settle();
    const done = (await (await api(emulator, `/v1/Compositions/${created.sid}`)).json()) as {
      status: string;
      media_external_location: string;
    };
    expect(done.status).toBe("completed");
    expect(done.media_external_location).toBe(`https://b.s3.amazonaws.com/${created.sid}.webm`);
  });
});

describe("what requests can store is bounded", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({
      clock: "manual",
      statusCallbacks: false,
      stateLimits: { maxRecords: 40, maxBytes: 8 * MiB },
      trafficLog: { maxBytes: 2 * MiB },
    });
  });
  afterAll(() => emulator?.stop());

  const json = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  });

  it("defaults: 250,000 records and 256 MiB of accepted bodies until reset", () => {
    expect(DEFAULT_STATE_LIMITS).toEqual({ maxRecords: 250_000, maxBytes: 256 * MiB });
  });

  it("identities, room names and track names over Twilio's 128 characters are 400s with Twilio's codes", async () => {
    emulator.reset();
    await api(emulator, "/v1/Rooms", { form: { UniqueName: "names" } });
    const join = (identity: string) => control(emulator, "/rooms/names/participants", "POST", { identity }).then(json);
    expect((await join("i".repeat(129))).body).toMatchObject({
      status: 400,
      code: 53201,
      message: expect.stringContaining("at most 128"),
    });
    // A double-byte character counts as 2 (https://www.twilio.com/docs/api/errors/53200).
    expect((await join("日".repeat(65))).body).toMatchObject({ code: 53201 });
    expect((await join("日".repeat(64))).status).toBe(201);
    expect((await join("i".repeat(128))).status).toBe(201);
    const publish = (name: string) =>
      control(emulator, `/rooms/names/participants/${"i".repeat(128)}/tracks`, "POST", { kind: "audio", name }).then(
        json,
      );
    expect((await publish("t".repeat(129))).body).toMatchObject({ status: 400, code: 53302 });
    expect((await publish("t".repeat(128))).status).toBe(201);
    const connect = (room: string) => control(emulator, "/connect", "POST", { token: "x", room }).then(json);
    expect((await connect("r".repeat(129))).body).toMatchObject({ status: 400, code: 53101 });
    expect((await control(emulator, "/tokens", "POST", { identity: "i".repeat(129) }).then(json)).body).toMatchObject({
      code: 53201,
    });
    expect(twilioLength("aé日")).toBe(5);
  });

  it("a token whose identity or room grant is over 128 characters is refused", async () => {
    emulator.reset();
    const long = (await (await control(emulator, "/tokens", "POST", { identity: "ok" })).json()) as { token: string };
    expect(long.token).toMatch(/^ey/);
    const { createAccessToken } = await import("../../src/index.js");
    const mint = (identity: string, room?: string) =>
      createAccessToken({
        accountSid: emulator.accountSid,
        apiKeySid: emulator.credentials.apiKeySid,
        apiKeySecret: emulator.credentials.apiKeySecret,
        identity,
        ...(room ? { room } : {}),
        now: emulator.now(),
      });
    expect(() => emulator.connectParticipant("x")).toThrow();
    await expect(mint("i".repeat(129), "r")).resolves.toBeTypeOf("string");
    expect(() => emulator.connectParticipant(0 as unknown as string)).toThrow(expect.objectContaining({ code: 20101 }));
    const tooLongIdentity = await mint("i".repeat(129), "r");
    expect(() => emulator.connectParticipant(tooLongIdentity)).toThrow(
      expect.objectContaining({ code: 53201, status: 400 }),
    );
    const tooLongRoom = await mint("alice", "r".repeat(129));
    expect(() => emulator.connectParticipant(tooLongRoom)).toThrow(expect.objectContaining({ code: 53101 }));
    expect(emulator.connectParticipant(await mint("alice", "r".repeat(128))).identity).toBe("alice");
  });

  it("faults: at most 1,000 armed, a path of at most 16 KiB, a method of at most 32 characters, a delay of at most 10 minutes", async () => {
    emulator.reset();
    const inject = (spec: object) => control(emulator, "/faults", "POST", spec).then(json);
    expect((await inject({ kind: "drop", path: `/${"p".repeat(16 * 1024)}` })).body).toMatchObject({
      status: 400,
      message: expect.stringContaining("path must be"),
    });
    expect((await inject({ kind: "drop", method: "M".repeat(33) })).body).toMatchObject({
      status: 400,
      message: expect.stringContaining("method must be"),
    });
    expect((await inject({ kind: "slow", delayMs: 600_001 })).body).toMatchObject({
      status: 400,
      message: expect.stringContaining("delayMs must be 0 to 600000"),
    });
    expect((await inject({ kind: "drop", path: `/${"p".repeat(16 * 1024 - 1)}`, method: "M".repeat(32) })).status).toBe(
      201,
    );
    for (let i = 1; i < 1_000; i++) emulator.injectFault({ kind: "drop", path: `/never-${i}` });
    expect((await inject({ kind: "drop", path: "/one-too-many" })).body).toMatchObject({
      status: 400,
      code: 20001,
      message: expect.stringContaining("1000 faults are armed"),
    });
    expect(() => emulator.injectFault({ kind: "drop" })).toThrow(/1000 faults are armed/);
    emulator.clearFaults();
    expect((await inject({ kind: "drop", path: "/again" })).status).toBe(201);
    emulator.clearFaults();
  });

  it("past maxRecords, creating anything is a 507 in Twilio's error shape, until reset", async () => {
    emulator.reset();
    let status = 201;
    let created = 0;
    let last: Record<string, unknown> = {};
    while (status === 201 && created < 100) {
      const answer = await api(emulator, "/v1/Rooms", { form: {} }).then(json);
      status = answer.status;
      last = answer.body;
      if (status === 201) created++;
    }
    expect(created).toBe(40);
    expect(status).toBe(507);
    expect(last).toEqual({
      code: 20500,
      status: 507,
      message: expect.stringContaining("Emulator state limit reached (40 records)"),
      more_info: "https://www.twilio.com/docs/errors/20500",
    });
    // Reading still works, and a reset frees the room for more.
    expect((await api(emulator, "/v1/Rooms?PageSize=50")).status).toBe(200);
    emulator.reset();
    expect((await api(emulator, "/v1/Rooms", { form: {} })).status).toBe(201);
  });

  it("many 1 MiB-class requests leave the heap bounded: stored bodies stop at maxBytes, refused ones are not kept", async () => {
    emulator.reset();
    const room = (await (
      await api(emulator, "/v1/Rooms", { form: { RecordParticipantsOnConnect: "true" } })
    ).json()) as { sid: string };
    emulator.connectParticipant(room.sid, "alice");
    emulator.publishTrack(room.sid, "alice", { kind: "audio" });
    await api(emulator, `/v1/Rooms/${room.sid}`, { form: { Status: "completed" } });
    // A composition keeps its AudioSources: 8 sources of 110 KiB each, stored if accepted.
    const sources = Array.from({ length: 8 }, (_, i) => `${i}${"s".repeat(110 * 1024)}`);
    const body = new URLSearchParams([
      ["RoomSid", room.sid],
      ...sources.map((s) => ["AudioSources", s] as [string, string]),
    ]).toString();
    expect(body.length).toBeGreaterThan(0.85 * MiB);
    const headers = {
      Authorization: `Basic ${Buffer.from(`${emulator.credentials.apiKeySid}:${emulator.credentials.apiKeySecret}`).toString("base64")}`,
      "Content-Type": "application/x-www-form-urlencoded",
    };
    const before = heapAfterGc();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 40; i++) {
      const create = await fetch(`${emulator.url}/v1/Compositions`, { method: "POST", headers, body });
      statuses.set(create.status, (statuses.get(create.status) ?? 0) + 1);
      await create.arrayBuffer();
      // Refused at once, whatever its size: never stored.
      await control(emulator, "/rooms/x/participants", "POST", { identity: "i".repeat(MiB - 100) }).then((r) =>
        r.arrayBuffer(),
      );
    }
    const grown = heapAfterGc() - before;
    // Accepted while less than 8 MiB was charged, then 507s; 75 MiB sent in all, 35 MiB of it storable.
    // What is kept: at most 8 MiB of state plus one body, and the traffic log's 2 MiB.
    const accepted = Math.ceil((8 * MiB) / body.length);
    expect(statuses.get(201)).toBe(accepted);
    expect(statuses.get(507)).toBe(40 - accepted);
    expect(grown).toBeLessThan(20 * MiB);
    emulator.reset();
    // Once forgotten, the stored sources are freed too.
    expect(heapAfterGc() - before).toBeLessThan(8 * MiB);
  }, 60_000);
});

describe("status callbacks go to loopback only unless allowed", () => {
  it("a callback to another host is kept as refused and logged once, never sent; callbackHosts allows it", async () => {
    const receiver = await startReceiver();
    const port = new URL(receiver.url).port;
    // 0.0.0.0 reaches this machine's listeners, but is not a loopback name: a sent callback would arrive.
    const elsewhere = `http://0.0.0.0:${port}/events`;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const strict = await startEmulator({ clock: "manual" });
    try {
      await api(strict, "/v1/Rooms", { form: { UniqueName: "a", StatusCallback: elsewhere } });
      await api(strict, "/v1/Rooms", { form: { UniqueName: "b", StatusCallback: elsewhere } });
      await api(strict, "/v1/Rooms", { form: { UniqueName: "c", StatusCallback: `${receiver.url}/events` } });
      await strict.callbacksSettled();
      const deliveries = strict.callbacks();
      expect(deliveries.map((d) => [d.url, d.status, d.error])).toEqual([
        [elsewhere, undefined, "refused: 0.0.0.0 is not loopback and not in callbackHosts"],
        [elsewhere, undefined, "refused: 0.0.0.0 is not loopback and not in callbackHosts"],
        [`${receiver.url}/events`, 204, undefined],
      ]);
      expect(receiver.received.map((r) => r.params.RoomName)).toEqual(["c"]);
      // Visible over the control API too.
      const listed = (await (await control(strict, "/callbacks", "GET")).json()) as {
        deliveries: Array<{ error?: string }>;
      };
      expect(listed.deliveries[0]!.error).toMatch(/^refused: /);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(
        /^\[twilio-video-ts emulator\] status callback to 0\.0\.0\.0:\d+ not sent/,
      );
    } finally {
      warn.mockRestore();
      await strict.stop();
    }
    const open = await startEmulator({ clock: "manual", callbackHosts: ["0.0.0.0"] });
    try {
      receiver.received.length = 0;
      await api(open, "/v1/Rooms", { form: { UniqueName: "d", StatusCallback: elsewhere } });
      await open.callbacksSettled();
      expect(open.callbacks().map((d) => [d.status, d.error])).toEqual([[204, undefined]]);
      expect(receiver.received.map((r) => r.params.RoomName)).toEqual(["d"]);
    } finally {
      await open.stop();
      await receiver.close();
    }
  });

  it("a loopback receiver's redirect is recorded as its answer, not followed off loopback", async () => {
    const { createServer } = await import("node:http");
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(req.url ?? "");
      req.resume();
      const { port } = server.address() as { port: number };
      res.writeHead(307, { Location: `http://0.0.0.0:${port}/followed` }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const emulator = await startEmulator({ clock: "manual" });
    try {
      await api(emulator, "/v1/Rooms", {
        form: { UniqueName: "r", StatusCallback: `http://127.0.0.1:${port}/events` },
      });
      await emulator.callbacksSettled();
      expect(emulator.callbacks().map((d) => d.status)).toEqual([307]);
      expect(hits).toEqual(["/events"]);
    } finally {
      await emulator.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("a receiver that answers with an endless body is not buffered: the delivery completes", async () => {
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "Content-Type": "text/plain" });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const emulator = await startEmulator({ clock: "manual" });
    try {
      const before = heapAfterGc();
      await api(emulator, "/v1/Rooms", { form: { UniqueName: "e", StatusCallback: `http://127.0.0.1:${port}/e` } });
      await emulator.callbacksSettled();
      expect(emulator.callbacks().map((d) => [d.status, d.error])).toEqual([[200, undefined]]);
      expect(heapAfterGc() - before).toBeLessThan(16 * MiB);
    } finally {
      await emulator.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it.each([
    ["http://127.0.0.1:9/x", undefined],
    ["http://127.200.3.4/x", undefined],
    ["http://localhost:9/x", undefined],
    ["http://api.localhost/x", "refused: api.localhost is not loopback and not in callbackHosts"],
    ["http://[::1]:9/x", undefined],
    ["https://hooks.example.com/x", "refused: hooks.example.com is not loopback and not in callbackHosts"],
    ["http://127.0.0.1.evil.com/x", "refused: 127.0.0.1.evil.com is not loopback and not in callbackHosts"],
    ["http://127.1/x", undefined],
    ["http://2130706433/x", undefined],
    ["http://[::ffff:7f00:1]/x", "refused: [::ffff:7f00:1] is not loopback and not in callbackHosts"],
    ["ftp://127.0.0.1/x", "refused: ftp: is not http or https"],
    ["data:text/plain,hi", "refused: data: is not http or https"],
    ["not a url", "refused: not a valid URL"],
  ])("callbackRefusal(%j) is %j", (url, refusal) => {
    expect(callbackRefusal(url)).toBe(refusal);
  });

  it("callbackHosts entries match a hostname or host:port, case-insensitively; * allows any", () => {
    expect(callbackRefusal("https://Hooks.Example.com/x", ["hooks.example.COM"])).toBeUndefined();
    expect(callbackRefusal("https://hooks.example.com:8443/x", ["hooks.example.com:8443"])).toBeUndefined();
    expect(callbackRefusal("https://hooks.example.com:8443/x", ["hooks.example.com:9999"])).toMatch(/^refused/);
    expect(callbackRefusal("https://evil.example.com/x", ["hooks.example.com"])).toMatch(/^refused/);
    expect(callbackRefusal("https://anything.test/x", ["*"])).toBeUndefined();
    expect(isLoopbackHost("LOCALHOST")).toBe(true);
    expect(isLoopbackHost("128.0.0.1")).toBe(false);
    expect(isLoopbackHost("127.0.0")).toBe(false);
  });

  it("kept deliveries are a bounded ring: the oldest go, and are counted", async () => {
    const dispatcher = new CallbackDispatcher({ enabled: true, authToken: "t", maxKept: 3, warn: () => undefined });
    for (let i = 0; i < 5; i++)
      dispatcher.send({ url: `https://elsewhere.test/${i}`, method: "POST" }, { StatusCallbackEvent: `e${i}` });
    await dispatcher.settled();
    expect(dispatcher.deliveries.map((d) => d.event)).toEqual(["e2", "e3", "e4"]);
    expect(dispatcher.dropped).toBe(2);
    dispatcher.clear();
    expect([dispatcher.deliveries.length, dispatcher.dropped]).toEqual([0, 0]);
    expect(MAX_KEPT_DELIVERIES).toBe(10_000);
  });
});

describe("log lines cannot carry control characters", () => {
  const evil = "boom\r\n::error::forged\u001b]0;title\u0007\u001b[2J\u202eevil\u2028x\\x41\u0085";

  it("escapeControls writes every control, bidi and separator character as an escape", () => {
    const escaped = escapeControls(evil);
    expect(escaped).toBe("boom\\x0d\\x0a::error::forged\\x1b]0;title\\x07\\x1b[2J\\u202eevil\\u2028x\\\\x41\\x85");
    expect(escaped).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f]/);
    expect(escapeControls("\u007f\u200e\u2066\u2069\u2029")).toBe("\\x7f\\u200e\\u2066\\u2069\\u2029");
    expect(escapeControls("plain é 日")).toBe("plain é 日");
  });

  it("lines are cut at 2,000 characters, in time linear in the input", () => {
    const line = logLine("\n".repeat(MiB));
    expect(line.length).toBeLessThanOrEqual(2_100);
    expect(line.endsWith("…")).toBe(true);
    expect(logLine("short")).toBe("[twilio-video-ts emulator] short");
    expect(escapeControls("x".repeat(1_999))).toBe("x".repeat(1_999));
    expect(escapeControls("x".repeat(2_000))).toBe(`${"x".repeat(2_000)}…`);
  });

  it("a request handler failure is logged on one line, its message escaped", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const handler = guarded("API request", () => {
        throw new Error(evil);
      });
      const { createServer } = await import("node:http");
      const server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as { port: number };
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(500);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      expect(error).toHaveBeenCalledTimes(1);
      const logged = String(error.mock.calls[0]![0]);
      expect(logged).toMatch(/^\[twilio-video-ts emulator\] API request failed: Error: boom\\x0d\\x0a::error::forged/);
      expect(logged).not.toMatch(/[\r\n\u001b\u0007]/);
    } finally {
      error.mockRestore();
    }
  });
});

describe("command line: time limits and callback hosts", () => {
  it("--*-timeout flags become timeouts; --callback-hosts a list", async () => {
    const { parseEmulatorArgs } = await import("../../src/emulator/cli.js");
    const parsed = parseEmulatorArgs([
      "--headers-timeout",
      "2000",
      "--request-timeout",
      "0",
      "--keep-alive-timeout",
      "100",
      "--callback-hosts",
      " hooks.example.com, ,127.0.0.2:9 ",
    ]);
    expect(parsed).toMatchObject({
      kind: "run",
      options: {
        timeouts: { headersMs: 2000, requestMs: 0, keepAliveMs: 100 },
        callbackHosts: ["hooks.example.com", "127.0.0.2:9"],
      },
    });
    const plain = parseEmulatorArgs([]);
    expect(plain.kind === "run" && ("timeouts" in plain.options || "callbackHosts" in plain.options)).toBe(false);
    expect(parseEmulatorArgs(["--headers-timeout=-1"])).toEqual({
      kind: "error",
      message: '--headers-timeout must be a whole number of milliseconds, not "-1"',
    });
    expect(parseEmulatorArgs(["--request-timeout", "1e3"])).toMatchObject({ kind: "error" });
    expect(parseEmulatorArgs(["--keep-alive-timeout", "9999999999"])).toMatchObject({ kind: "error" });
    expect(parseEmulatorArgs(["--headers-timeout", "5000", "--request-timeout", "1000"])).toEqual({
      kind: "error",
      message: "--headers-timeout must not exceed --request-timeout",
    });
    expect(parseEmulatorArgs(["--headers-timeout", "5000", "--request-timeout", "0"])).toMatchObject({ kind: "run" });
  });
});

describe("traffic/write baseUrl", () => {
  it("a baseUrl with a million slashes before its end is trimmed once, in linear time (/\\/+$/ took hours)", async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "emusec-write-"));
    const emulator = await startEmulator({ clock: "manual", statusCallbacks: false, recordingsDir: dir });
    try {
      for (let i = 0; i < 20; i++) await api(emulator, "/v1/Rooms", { form: { UniqueName: `w-${i}` } });
      const started = performance.now();
      const written = await control(emulator, "/traffic/write", "POST", {
        dir: "out",
        baseUrl: `https://x${"/".repeat(MiB - 200)}y//`,
      });
      expect(written.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(5_000);
      const { files } = (await written.json()) as { files: string[] };
      expect(files).toHaveLength(20);
      expect(readFileSync(files[0]!, "utf8")).toContain('y/v1/Rooms"');
    } finally {
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
