/**
 * Regression tests for what an attacker or a careless caller could do to the
 * emulator (issue 10): each test is named after what broke. Raw node:http is
 * used where fetch would normalise the request away (bad targets, headers).
 */
import { request } from "node:http";
import { connect } from "node:net";
import { mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_TRAFFIC_LOG, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { encodeContentDisposition } from "../../src/emulator/disposition.js";
import { jsonDepth } from "../../src/emulator/form.js";
import { api, basic, clientFor, control, startReceiver } from "./helpers.js";

const MINUTE = 60_000;
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ clock: { mode: "manual", start: "2026-11-24T20:00:00Z" } });
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(() => emulator.reset());

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request exactly as given (no URL normalisation), answered or failed. */
function raw(
  origin: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  const { port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: init.method ?? "GET", headers: init.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

const auth = () => basic(emulator.credentials.apiKeySid, emulator.credentials.apiKeySecret);

async function alive(): Promise<void> {
  expect((await control(emulator, "/clock", "GET")).status).toBe(200);
}

describe("no request ends the process", () => {
  it("a request target like //[ is a 400 with a Twilio-shaped body on the API port (it made new URL throw outside any handler)", async () => {
    for (const target of ["//[", "//", "//evil.example/v1/Rooms"]) {
      const answer = await raw(emulator.url, target, { headers: { Authorization: auth() } });
      expect(answer.status, target).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({
        code: 20001,
        message: expect.stringMatching(/request target/),
        more_info: "https://www.twilio.com/docs/errors/20001",
        status: 400,
      });
    }
    await alive();
  });

  it("a request target like //[ is a 400 with a Twilio-shaped body on the media port", async () => {
    const answer = await raw(emulator.mediaUrl, "//[");
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 20001, status: 400 });
    expect((await raw(emulator.mediaUrl, "/media/recording/x")).status).toBe(403);
    await alive();
  });

  it("a malformed HTTP request is answered 400 and the server keeps serving", async () => {
    const { port } = new URL(emulator.url);
    const text = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1", () =>
        socket.write("GET /v1/Rooms HTTP/1.1\r\nHost: x\r\nBad\u0001Header: y\r\n\r\n"),
      );
      let out = "";
      socket.on("data", (d) => (out += d.toString()));
      socket.on("close", () => resolve(out));
      socket.on("error", () => resolve(out));
    });
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    await alive();
  });

  it("a non-Latin-1 ContentDisposition filename (réunion-日本.mka) is sent RFC 5987-encoded instead of crashing the media host", async () => {
    const video = clientFor(emulator);
    const room = await video.rooms.create({ RecordParticipantsOnConnect: true });
    emulator.connectParticipant(room.sid, "ann");
    emulator.publishTrack(room.sid, "ann", { kind: "audio" });
    emulator.advance(10_000);
    await video.rooms.complete(room.sid);
    emulator.advance(5_000);
    const [rec] = (await video.recordings.list({ GroupingSid: [room.sid] })).recordings;
    const disposition = "attachment; filename=réunion-日本.mka";
    const redirect = await api(
      emulator,
      `/v1/Recordings/${rec!.sid}/Media?ContentDisposition=${encodeURIComponent(disposition)}`,
    );
    expect(redirect.status).toBe(302);
    const file = await fetch(redirect.headers.get("location")!);
    expect(file.status).toBe(200);
    const header = file.headers.get("content-disposition")!;
    expect(header).toBe(`attachment; filename="r_union-__.mka"; filename*=UTF-8''r%C3%A9union-%E6%97%A5%E6%9C%AC.mka`);
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(header)![1]!)).toBe("réunion-日本.mka");
    await alive();
  });

  it("encodes any disposition into a valid header value: ASCII passes unchanged, control characters and lone surrogates never throw", () => {
    expect(encodeContentDisposition("attachment; filename=a.mka")).toBe("attachment; filename=a.mka");
    expect(encodeContentDisposition('inline; filename="x\u0001y.mp4"')).toBe(
      `inline; filename="x_y.mp4"; filename*=UTF-8''x%01y.mp4`,
    );
    expect(encodeContentDisposition("attachment; filename=\ud800.mka")).toBe(
      `attachment; filename="_.mka"; filename*=UTF-8''%EF%BF%BD.mka`,
    );
    expect(encodeContentDisposition("attachment; filename=it's (1).mka; x=é")).toBe(
      `attachment; filename="it's (1).mka"; x*=UTF-8''%C3%A9`,
    );
  });
});

describe("memory", () => {
  it("an over-limit body gets a 413 answer, not a connection reset", async () => {
    const response = await fetch(`${emulator.url}/v1/Rooms`, {
      method: "POST",
      headers: { Authorization: auth(), "Content-Type": "application/x-www-form-urlencoded" },
      body: `UniqueName=${"x".repeat(2 * 1024 * 1024)}`,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      code: 20001,
      status: 413,
      message: expect.stringMatching(/1048576 bytes/),
    });
    // Far past the drain limit, declared up front: answered at once, then the connection closes.
    const huge = await raw(emulator.url, "/v1/Rooms", {
      method: "POST",
      headers: { "Content-Length": String(1024 * 1024 * 1024) },
    }).catch((e: Error) => e);
    if (!(huge instanceof Error)) expect(huge.status).toBe(413);
    await alive();
  });

  it("requests that fail authentication are not kept in the traffic log (1 MB 401s filled the heap)", async () => {
    emulator.clearTraffic();
    const body = "x".repeat(1024 * 1024 - 100);
    for (let i = 0; i < 20; i++) {
      const response = await api(emulator, "/v1/Rooms", { form: { UniqueName: body }, auth: null });
      expect(response.status).toBe(401);
    }
    expect(emulator.traffic()).toEqual([]);
    expect((await api(emulator, "/v1/Rooms")).status).toBe(200);
    expect(emulator.traffic()).toHaveLength(1);
  });

  it("the traffic log is a ring buffer bounded by entries and by bytes, and counts what it dropped", async () => {
    const small = await startEmulator({ clock: "manual", trafficLog: { maxEntries: 3 } });
    try {
      const names: string[] = [];
      for (let i = 0; i < 5; i++) {
        names.push(`ring-${i}`);
        expect((await api(small, "/v1/Rooms", { form: { UniqueName: `ring-${i}` } })).status).toBe(201);
      }
      expect(small.traffic().map((r) => new URLSearchParams(String(r.request.body)).get("UniqueName"))).toEqual(
        names.slice(2),
      );
      expect((await (await control(small, "/state", "GET")).json()).traffic).toEqual({ kept: 3, dropped: 2 });
    } finally {
      await small.stop();
    }
    const bytes = await startEmulator({ clock: "manual", trafficLog: { maxBytes: 300_000 } });
    try {
      for (let i = 0; i < 10; i++)
        await api(bytes, "/v1/Rooms", {
          form: { UniqueName: `b-${i}`, StatusCallback: `https://example.com/${"p".repeat(100_000)}` },
        });
      const kept = bytes.traffic();
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(10);
      expect(JSON.stringify(kept).length).toBeLessThan(2 * 300_000);
    } finally {
      await bytes.stop();
    }
    await expect(startEmulator({ trafficLog: { maxEntries: -1 } })).rejects.toThrow(/maxEntries/);
  });
});

describe("documentation", () => {
  it("the emulator guide's limits (docs/emulator.md) are the code's defaults", async () => {
    const readme = await readFile(new URL("../../docs/emulator.md", import.meta.url), "utf8");
    const mib = (n: number) => `${n / 1024 / 1024} MiB`;
    expect(readme).toContain(`| \`maxBodyBytes\` | ${mib(DEFAULT_MAX_BODY_BYTES)} |`);
    expect(readme).toContain(
      `| \`trafficLog: { maxEntries, maxBytes }\` | ${DEFAULT_TRAFFIC_LOG.maxEntries.toLocaleString("en-US")} exchanges, ${mib(DEFAULT_TRAFFIC_LOG.maxBytes)} of recordings |`,
    );
  });
});

describe("the control API refuses what a web page could forge", () => {
  it("a text/plain body is refused with 415 and changes nothing (any page could reset state or inject faults)", async () => {
    await api(emulator, "/v1/Rooms", { form: { UniqueName: "keep-me" } });
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const answer = await raw(emulator.url, "/_emulator/reset", {
        method: "POST",
        headers: { "Content-Type": contentType },
        body: "{}",
      });
      expect(answer.status, contentType).toBe(415);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 415 });
    }
    const noType = await raw(emulator.url, "/_emulator/faults", {
      method: "POST",
      body: JSON.stringify({ kind: "drop" }),
    });
    expect(noType.status).toBe(415);
    expect((await api(emulator, "/v1/Rooms/keep-me")).status).toBe(200);
    expect((await (await control(emulator, "/faults", "GET")).json()).faults).toEqual([]);
  });

  it("a foreign Origin is refused with 403, the emulator's own origin is served", async () => {
    for (const origin of ["https://evil.example", "null", `http://127.0.0.1:1`, "http://localhost.evil.example"]) {
      const answer = await raw(emulator.url, "/_emulator/reset", { method: "POST", headers: { Origin: origin } });
      expect(answer.status, origin).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 20403 });
    }
    const own = await raw(emulator.url, "/_emulator/clock", { headers: { Origin: emulator.url } });
    expect(own.status).toBe(200);
    const localhost = await raw(emulator.url, "/_emulator/clock", {
      headers: { Origin: emulator.url.replace("127.0.0.1", "localhost") },
    });
    expect(localhost.status).toBe(200);
  });

  it("a Host that is not loopback is refused (DNS rebinding)", async () => {
    const answer = await raw(emulator.url, "/_emulator/traffic", { headers: { Host: "attacker.example:80" } });
    expect(answer.status).toBe(403);
  });

  it("a body that is JSON but not an object is a 400", async () => {
    const answer = await raw(emulator.url, "/_emulator/faults", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "[1]",
    });
    expect(answer.status).toBe(400);
  });

  it("traffic/write writes only under the folder chosen when the emulator starts (it wrote into any folder)", async () => {
    const refused = await control(emulator, "/traffic/write", "POST", { dir: join(tmpdir(), "anywhere") });
    expect(refused.status).toBe(403);
    expect((await refused.json()).message).toMatch(/recordingsDir/);

    const root = await mkdtemp(join(tmpdir(), "emulator-root-"));
    const outside = await mkdtemp(join(tmpdir(), "emulator-outside-"));
    const writer = await startEmulator({ clock: "manual", recordingsDir: root });
    try {
      await api(writer, "/v1/Rooms", { form: { UniqueName: "w" } });
      const ok = await control(writer, "/traffic/write", "POST", { dir: "run-1" });
      expect(ok.status).toBe(200);
      const { files } = await ok.json();
      expect(files).toHaveLength(1);
      expect(await readdir(join(root, "run-1"))).toEqual([expect.stringMatching(/^0001-CreateRoom\.json$/)]);
      expect((await control(writer, "/traffic/write", "POST", {})).status).toBe(200);

      await symlink(outside, join(root, "link"));
      for (const dir of ["../escape", outside, "a/../../escape", "link", "link/deeper"]) {
        const answer = await control(writer, "/traffic/write", "POST", { dir });
        expect(answer.status, dir).toBe(400);
        expect((await answer.json()).message).toMatch(/recordings folder/);
      }
      expect(await readdir(outside)).toEqual([]);
    } finally {
      await writer.stop();
      await rm(root, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe("requests the spec accepts never get a 500", () => {
  it("POST /v1/Rooms with RecordingRules in the object form {rules:[…]} creates the room (it answered 500: rules.map is not a function)", async () => {
    const response = await api(emulator, "/v1/Rooms", {
      form: { RecordingRules: JSON.stringify({ rules: [{ type: "include", kind: "audio" }] }) },
    });
    expect(response.status).toBe(201);
    const room = await response.json();
    const rules = await (await api(emulator, `/v1/Rooms/${room.sid}/RecordingRules`)).json();
    expect(rules.rules).toEqual([{ type: "include", kind: "audio" }]);
  });
});

describe("input that is too much is a 400 with a clear message", () => {
  it("a deeply nested JSON form field is a 400 naming the field (it overflowed the stack: 500)", async () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    const response = await api(emulator, "/v1/Rooms", { form: { RecordingRules: deep } });
    expect(response.status).toBe(400);
    expect((await response.json()).message).toBe("Invalid parameter RecordingRules: JSON nested deeper than 32 levels");
    const obj = `${'{"a":'.repeat(3000)}1${"}".repeat(3000)}`;
    const config = await api(emulator, "/v1/Rooms", { form: { TranscriptionsConfiguration: obj } });
    expect(config.status).toBe(400);
    expect(jsonDepth('{"a":"[[[[","b":[[1]]}')).toBe(3);
  });

  it("a bad % in a control path is a 400 (decodeURIComponent threw: 500)", async () => {
    const answer = await raw(emulator.url, "/_emulator/rooms/%E0%A4%A/participants", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"identity":"x"}',
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).message).toMatch(/percent-encoding/);
  });

  it("clock/advance with 1e308 is a 400 and the clock keeps working (it broke the clock: every later call 500)", async () => {
    const before = (await (await control(emulator, "/clock", "GET")).json()).now;
    for (const body of [{ ms: 1e308 }, { seconds: 1e306 }, { ms: -1 }, { ms: "5" }]) {
      const answer = await control(emulator, "/clock/advance", "POST", body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect((await answer.json()).message).toMatch(/finite|past the last date|0 or more/);
    }
    expect(() => emulator.advance(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    const clock = await control(emulator, "/clock", "GET");
    expect(clock.status).toBe(200);
    expect((await clock.json()).now).toBe(before);
    expect((await control(emulator, "/clock/advance", "POST", { seconds: 1 })).status).toBe(200);
  });
});

describe("timers", () => {
  it("reset() cancels recording and composition timers: a full lifecycle reset mid-way, then the clock advanced (they threw on missing records)", async () => {
    const receiver = await startReceiver();
    try {
      const video = clientFor(emulator);
      await video.compositionHooks.create({
        FriendlyName: "every-room",
        AudioSources: ["*"],
        StatusCallback: `${receiver.url}/hook`,
      });
      const room = await video.rooms.create({
        RecordParticipantsOnConnect: true,
        StatusCallback: `${receiver.url}/room`,
        UnusedRoomTimeout: 1,
      });
      emulator.connectParticipant(room.sid, "a");
      emulator.publishTrack(room.sid, "a", { kind: "audio" });
      emulator.advance(10_000);
      await video.rooms.complete(room.sid);
      const other = await video.rooms.create({ UnusedRoomTimeout: 3, StatusCallback: `${receiver.url}/room` });
      expect(other.status).toBe("in-progress");
      // Now pending: the recording's processing, the hook's composition, the second room's timeout.
      expect((await (await control(emulator, "/clock", "GET")).json()).pendingTimers).toBeGreaterThanOrEqual(3);
      await emulator.callbacksSettled();

      emulator.reset();
      expect((await (await control(emulator, "/clock", "GET")).json()).pendingTimers).toBe(0);
      receiver.received.length = 0;
      expect(() => emulator.advance(60 * MINUTE)).not.toThrow();
      await emulator.callbacksSettled();
      expect(receiver.received).toEqual([]);
      expect(emulator.callbacks()).toEqual([]);
      // The emulator goes on working after the reset.
      const again = await video.rooms.create({ UnusedRoomTimeout: 1 });
      emulator.advance(MINUTE);
      expect((await video.rooms.get(again.sid)).status).toBe("completed");
    } finally {
      await receiver.close();
    }
  });

  it("stop() closes both listeners (it left servers listening)", async () => {
    const short = await startEmulator({ clock: "real" });
    const video = clientFor(short);
    await video.rooms.create({ UnusedRoomTimeout: 1 });
    await short.stop();
    await expect(fetch(`${short.url}/v1/Rooms`)).rejects.toThrow();
    await expect(fetch(`${short.mediaUrl}/media/recording/x`)).rejects.toThrow();
    // Stopping twice is harmless.
    await short.stop();
  });
});

describe("room timeouts", () => {
  it("EmptyRoomTimeout and UnusedRoomTimeout are not swapped: each applies to its own case", async () => {
    const video = clientFor(emulator);
    const unused = await video.rooms.create({ UnusedRoomTimeout: 3, EmptyRoomTimeout: 7 });
    const empty = await video.rooms.create({ UnusedRoomTimeout: 3, EmptyRoomTimeout: 7 });
    expect(unused).toMatchObject({ unused_room_timeout: 3, empty_room_timeout: 7 });
    emulator.connectParticipant(empty.sid, "amy");
    emulator.advance(MINUTE);
    emulator.disconnectParticipant(empty.sid, "amy");

    // Nobody ever joined `unused`: it ends 3 minutes after creation.
    emulator.advance(2 * MINUTE - 1000);
    expect((await video.rooms.get(unused.sid)).status).toBe("in-progress");
    emulator.advance(1000);
    expect(await video.rooms.get(unused.sid)).toMatchObject({ status: "completed", duration: 180 });
    // `empty` ends 7 minutes after the last participant left, not 3.
    expect((await video.rooms.get(empty.sid)).status).toBe("in-progress");
    emulator.advance(5 * MINUTE - 1000);
    expect((await video.rooms.get(empty.sid)).status).toBe("in-progress");
    emulator.advance(1000);
    expect(await video.rooms.get(empty.sid)).toMatchObject({ status: "completed", duration: 8 * 60 });
  });
});
