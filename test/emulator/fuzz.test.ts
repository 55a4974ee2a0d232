/**
 * Property-based fuzzing of the emulator's HTTP surface (issue 10):
 *
 * 1. Arbitrary requests (methods, targets, headers, bodies) on the API,
 *    control and media ports, plus raw malformed bytes: every request gets an
 *    HTTP answer, none is a 5xx, errors are Twilio-shaped, the server lives.
 * 2. Spec-valid requests generated from the spec's request schemas for every
 *    operation, against a populated emulator: the contract validator confirms
 *    each is valid, none is answered 5xx, every answer conforms to the spec.
 * 3. Bounded memory: large bodies, authenticated or not, leave the traffic log
 *    within its bounds.
 *
 * Fault injection is left out of phase 1 (a POST to /_emulator/faults is sent
 * as GET): faults exist to make requests fail or hang. Status callbacks are
 * off, so generated callback URLs are never called. The counts are printed.
 */
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specOperations as generatedOperations } from "../../generated/endpoints.js";
import { createContractValidator } from "../../src/contract/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { basic, clientFor } from "./helpers.js";
import { fuzzedOperations, requestsFor, type GeneratedRequest } from "./fuzz/spec-arbitraries.js";

// Fixed seed: the same cases every run (no flaky fuzzing); change it to explore.
const SEED = 20261129;
const ARBITRARY_RUNS = 1500;
const RAW_SOCKET_RUNS = 150;
const RUNS_PER_OPERATION = 40;

let emulator: Emulator;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
const counts = {
  arbitrarySent: 0,
  arbitraryUnsendable: 0,
  rawSocket: 0,
  specValid: 0,
  specGeneratedInvalid: 0,
  operations: 0,
  statuses: new Map<number, number>(),
};

beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual", statusCallbacks: false });
});
afterAll(async () => {
  agent.destroy();
  await emulator?.stop();
  const statuses = [...counts.statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(" ");
  console.log(
    `emulator fuzz: ${counts.arbitrarySent} arbitrary requests (+${counts.arbitraryUnsendable} node:http refused to send), ${counts.rawSocket} raw-socket requests, ` +
      `${counts.specValid} spec-valid requests over ${counts.operations} operations (${counts.specGeneratedInvalid} generated but refused by the validator, not sent); statuses ${statuses}; 0 crashes, 0 5xx`,
  );
});

interface Answer {
  status: number;
  contentType: string | undefined;
  location: string | undefined;
  body: string;
}

function send(
  port: string,
  method: string,
  target: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path: target, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers["content-type"],
          location: res.headers.location,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function count(status: number): void {
  counts.statuses.set(status, (counts.statuses.get(status) ?? 0) + 1);
}

function expectTwilioError(answer: Answer, what: string): void {
  if (answer.status < 400 || !answer.contentType?.startsWith("application/json") || !answer.body) return;
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(body, what).toMatchObject({
    code: expect.any(Number),
    message: expect.any(String),
    more_info: expect.any(String),
    status: answer.status,
  });
}

// ---- phase 1: arbitrary requests ---------------------------------------------------

const segment = fc.oneof(
  fc.constantFrom(
    "v1",
    "Rooms",
    "Participants",
    "PublishedTracks",
    "SubscribedTracks",
    "SubscribeRules",
    "RecordingRules",
    "Recordings",
    "Media",
    "Compositions",
    "CompositionHooks",
    "CompositionSettings",
    "RecordingSettings",
    "Default",
    "Transcriptions",
    "Anonymize",
  ),
  fc.constantFrom(
    "_emulator",
    "rooms",
    "participants",
    "tracks",
    "clock",
    "advance",
    "traffic",
    "write",
    "callbacks",
    "reset",
    "state",
    "disconnect",
    "media",
    "recording",
    "composition",
  ),
  fc.stringMatching(/^(RM|PA|MT|RT|CJ|HK|VT|XX)[0-9a-f]{32}$/),
  fc.string({ maxLength: 12 }),
  fc.constantFrom("%", "%zz", "%E0%A4%A", "%00", "..", ".", "[", "]", "@", ":", "%2F", "\u00e9", "日本"),
);
const target = fc.oneof(
  fc
    .tuple(fc.array(segment, { minLength: 0, maxLength: 7 }), fc.option(fc.string({ maxLength: 40 })))
    .map(([parts, query]) => `/${parts.join("/")}${query === null ? "" : `?${query}`}`),
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    "//[",
    "*",
    "http://example.com/v1/Rooms",
    "//",
    "/",
    "/v1/Rooms?PageSize=1e309",
    "/v1/Rooms?Page=-1&PageToken=PA%",
  ),
);
const method = fc.oneof(
  fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"),
  fc.stringMatching(/^[A-Z]{1,10}$/),
);
const authorization = () =>
  fc.oneof(
    fc.constant(basic(emulator.credentials.apiKeySid, emulator.credentials.apiKeySecret)),
    fc.constant(basic(emulator.accountSid, emulator.credentials.authToken)),
    fc.constant("Basic Og=="),
    fc.string({ maxLength: 30 }).map((s) => `Basic ${s}`),
    fc.string({ maxLength: 30 }),
  );
const contentType = fc.constantFrom(
  "application/x-www-form-urlencoded",
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "multipart/form-data",
  "",
  "application/x-www-form-urlencoded; charset=latin1",
);
const formField = fc.constantFrom(
  "UniqueName",
  "Type",
  "RecordingRules",
  "Rules",
  "VideoLayout",
  "AudioSources",
  "StatusCallback",
  "Status",
  "Ttl",
  "EmptyRoomTimeout",
  "identity",
  "kind",
  "ms",
  "seconds",
  "dir",
  "enabled",
  "RoomSid",
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc
    .array(fc.tuple(formField, fc.oneof(fc.string({ maxLength: 30 }), fc.json({ maxDepth: 3 }))), { maxLength: 5 })
    .map((pairs) => new URLSearchParams(pairs).toString()),
  fc
    .record(
      {
        ms: fc.oneof(fc.double(), fc.integer()),
        seconds: fc.double(),
        identity: fc.string(),
        kind: fc.constantFrom("audio", "video", "data", "x"),
        dir: fc.string(),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc.integer({ min: 1, max: 64 }).map((kb) => "x".repeat(kb * 1024)),
);
const headers = () =>
  fc.record(
    {
      Authorization: authorization(),
      "Content-Type": contentType,
      Origin: fc.constantFrom("https://evil.example", "null", "http://127.0.0.1"),
      Host: fc.constantFrom("127.0.0.1", "localhost:1", "evil.example"),
    },
    { requiredKeys: [] },
  );

describe("emulator fuzz", () => {
  it("arbitrary requests on the API and media ports are all answered, none with a 5xx, errors in Twilio's shape", async () => {
    const ports = [new URL(emulator.url).port, new URL(emulator.mediaUrl).port];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 0, 0, 1), method, target, headers(), body, async (which, m, t, h, b) => {
        // Faults are how a test asks for failures; they are not part of what a stranger can break.
        const safeMethod = m === "POST" && /faults/i.test(t) ? "GET" : m;
        let answer: Answer;
        try {
          answer = await send(
            ports[which]!,
            safeMethod,
            t,
            h,
            safeMethod === "GET" || safeMethod === "HEAD" ? undefined : b,
          );
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? "";
          // node:http refuses to send some targets and headers at all; nothing reached the server.
          if (
            /^ERR_(UNESCAPED_CHARACTERS|INVALID_CHAR|INVALID_HTTP_TOKEN|INVALID_ARG_VALUE|HTTP_INVALID_HEADER_VALUE)$/.test(
              code,
            ) ||
            error instanceof TypeError
          ) {
            counts.arbitraryUnsendable++;
            return;
          }
          throw new Error(
            `${safeMethod} ${JSON.stringify(t)} ${JSON.stringify(h)}: no answer (${code} ${(error as Error).message})`,
          );
        }
        counts.arbitrarySent++;
        count(answer.status);
        expect(answer.status, `${safeMethod} ${JSON.stringify(t)}`).toBeGreaterThanOrEqual(200);
        expect(answer.status, `${safeMethod} ${JSON.stringify(t)} → ${answer.body.slice(0, 300)}`).toBeLessThan(500);
        expectTwilioError(answer, `${safeMethod} ${t}`);
      }),
      { numRuns: ARBITRARY_RUNS, seed: SEED },
    );
    expect((await fetch(`${emulator.url}/_emulator/clock`)).status).toBe(200);
  });

  it("raw malformed request bytes get a 400 or a closed connection, and the server lives", async () => {
    const port = Number(new URL(emulator.url).port);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
          fc
            .tuple(method, fc.string({ maxLength: 40, unit: "binary" }), fc.string({ maxLength: 60, unit: "binary" }))
            .map(([m, t, h]) => Buffer.from(`${m} ${t} HTTP/1.1\r\nHost: 127.0.0.1\r\n${h}\r\n\r\n`, "latin1")),
        ),
        async (bytes) => {
          const reply = await new Promise<string>((resolve) => {
            const socket = connect(port, "127.0.0.1", () => socket.end(bytes));
            let out = "";
            // An incomplete request waits for more bytes: the answer, if any, comes at once.
            socket.setTimeout(250, () => socket.destroy());
            socket.on("data", (d) => (out += d.toString("latin1")));
            socket.on("close", () => resolve(out));
            socket.on("error", () => resolve(out));
          });
          counts.rawSocket++;
          const status = /^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1];
          if (status) expect(Number(status), reply.slice(0, 200)).toBeLessThan(500);
        },
      ),
      { numRuns: RAW_SOCKET_RUNS, seed: SEED },
    );
    expect((await fetch(`${emulator.url}/_emulator/clock`)).status).toBe(200);
  });

  it("spec-valid requests for every operation are never answered 5xx, and every answer conforms to the spec", async () => {
    emulator.reset();
    const pools = await populate(emulator);
    const validator = createContractValidator({ baseUrls: [emulator.url] });
    const auth = basic(emulator.credentials.apiKeySid, emulator.credentials.apiKeySecret);
    const port = new URL(emulator.url).port;
    const failures: string[] = [];
    const ops = fuzzedOperations();
    for (const op of ops) {
      counts.operations++;
      let valid = 0;
      await fc.assert(
        fc.asyncProperty(
          requestsFor(op, (seg) => pools.get(seg) ?? []),
          async (req: GeneratedRequest) => {
            const contentType = req.body !== undefined ? "application/x-www-form-urlencoded" : undefined;
            const checked = validator.validateRequest({
              method: req.method,
              url: `${emulator.url}${req.target}`,
              ...(req.body !== undefined ? { body: req.body } : {}),
              ...(contentType ? { contentType } : {}),
            });
            if (checked.problems.length > 0 || checked.match?.operationId !== op.operationId) {
              counts.specGeneratedInvalid++;
              return;
            }
            valid++;
            counts.specValid++;
            const answer = await send(
              port,
              req.method,
              req.target,
              { Authorization: auth, ...(contentType ? { "Content-Type": contentType } : {}) },
              req.body,
            );
            count(answer.status);
            const what = `${req.method} ${req.target} ${req.body ?? ""}`.slice(0, 400);
            expect(answer.status, `${what} → ${answer.body.slice(0, 300)}`).toBeLessThan(500);
            const responseBody =
              answer.contentType?.startsWith("application/json") && answer.body
                ? JSON.parse(answer.body)
                : answer.body || null;
            const result = validator.validateRecording({
              request: {
                method: req.method,
                url: `${emulator.url}${req.target}`,
                ...(contentType ? { headers: { "content-type": contentType } } : {}),
                ...(req.body !== undefined ? { body: req.body } : {}),
              },
              response: {
                status: answer.status,
                headers: {
                  ...(answer.contentType ? { "content-type": answer.contentType } : {}),
                  ...(answer.location ? { location: answer.location } : {}),
                },
                body: responseBody,
              },
            });
            if (!result.ok) failures.push(`${what} → ${answer.status}: ${JSON.stringify(result.errors).slice(0, 400)}`);
          },
        ),
        { numRuns: RUNS_PER_OPERATION, seed: SEED },
      );
      // The generator must actually reach each operation with valid requests.
      expect(valid, `${op.operationId}: no generated request was spec-valid`).toBeGreaterThan(0);
      // Keep lifecycle steps moving between operations, as time does.
      emulator.advance(30_000);
    }
    expect(failures).toEqual([]);
    // Every operation of the spec, whatever its size (a count written here would go stale).
    expect(counts.operations).toBe(generatedOperations.length);
  });

  it("memory stays bounded: 1 MB bodies, authenticated or not, leave the traffic log within its bounds", async () => {
    emulator.clearTraffic();
    const port = new URL(emulator.url).port;
    const big = `UniqueName=${"y".repeat(1024 * 1024 - 20)}`;
    const auth = basic(emulator.credentials.apiKeySid, emulator.credentials.apiKeySecret);
    // A collection on demand makes the heap figures exact rather than "whatever the GC has not freed yet".
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    gc();
    // The log keeps its recordings off the V8 heap, in buffers: count both.
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    const burst = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const answer = await send(
          port,
          "POST",
          "/v1/Rooms",
          { "Content-Type": "application/x-www-form-urlencoded", ...(i % 2 ? { Authorization: auth } : {}) },
          big,
        );
        count(answer.status);
        expect([400, 401]).toContain(answer.status);
      }
      // Twice, a turn apart: socket buffers freed by the first are released by the second.
      gc();
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      return used();
    };
    // The first burst fills the log to its 32 MiB bound; the second, larger, must not grow it:
    // 120 MB more went through, 60 MB of it authenticated, so an unbounded log would add 60 MB.
    // The margin (half of that) absorbs allocator and socket-buffer noise, which measured up to
    // 18 MB on a loaded 2-core machine, and still fails on an unbounded log.
    const filled = await burst(80);
    const after = await burst(120);
    expect(after - filled).toBeLessThan(30 * 1024 * 1024);
    const kept = emulator.traffic();
    const keptBytes = kept.reduce((n, r) => n + String(r.request.body ?? "").length, 0);
    // Default bounds: 1,000 exchanges and 32 MiB of recordings; 60 authenticated 1 MB requests exceed the bytes bound.
    expect(kept.length).toBeLessThan(60);
    expect(keptBytes).toBeLessThanOrEqual(32 * 1024 * 1024);
    const state = await (await fetch(`${emulator.url}/_emulator/state`)).json();
    expect(state.traffic.dropped).toBeGreaterThan(0);
  });
});

/** Rooms (live and ended, named), participants, tracks, recordings, compositions, hooks and transcriptions; the IDs by the path segment that names them. */
async function populate(e: Emulator): Promise<Map<string, string[]>> {
  const video = clientFor(e);
  const pools = new Map<string, string[]>();
  const add = (segment: string, ...values: string[]) => pools.set(segment, [...(pools.get(segment) ?? []), ...values]);
  const hook = await video.compositionHooks.create({ FriendlyName: "fuzz-hook", AudioSources: ["*"] });
  add("CompositionHooks", hook.sid);
  for (let i = 0; i < 3; i++) {
    const room = await video.rooms.create({
      UniqueName: `fuzz-${i}`,
      RecordParticipantsOnConnect: true,
      TranscribeParticipantsOnConnect: i === 0,
    });
    add("Rooms", room.sid, `fuzz-${i}`);
    for (const identity of ["ann", "bob"]) {
      const p = e.connectParticipant(room.sid, identity);
      add("Participants", p.sid, identity);
      const mic = e.publishTrack(room.sid, identity, { kind: "audio", name: `${identity}-mic` });
      const cam = e.publishTrack(room.sid, identity, { kind: "video", name: `${identity}-cam` });
      add("PublishedTracks", mic.sid, `${identity}-mic`, cam.sid);
      add("SubscribedTracks", mic.sid, cam.sid);
    }
    e.advance(20_000);
    for (const t of (await video.rooms.transcriptions(room.sid).list()).transcriptions) add("Transcriptions", t.ttid);
    if (i > 0) await video.rooms.complete(room.sid);
  }
  e.advance(10_000);
  for (const r of (await video.recordings.list()).recordings) add("Recordings", r.sid);
  for (const c of (await video.compositions.list()).compositions) add("Compositions", c.sid);
  return pools;
}
