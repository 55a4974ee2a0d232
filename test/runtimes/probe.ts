// The runtime probe: 14 checks of the client's behaviour, written against Web
// APIs only so that one ESM bundle of it runs unchanged on Node, Bun, Deno and
// workerd. It talks to the fake API of fake-api.ts, whose URL it is given
// (argv on Node/Bun/Deno; on workerd probe-worker.ts passes its API binding),
// and reports "passed/total".
import {
  computeSignature,
  createAccessToken,
  createVideoClient,
  parseStatusCallback,
  TwilioApiError,
  TwilioTimeoutError,
  validateSignature,
} from "../../src/index.js";
import { CHECKS } from "./checks.js";

const KEY = { apiKeySid: "SK0123456789abcdef0123456789abcdef", apiKeySecret: "secret" };

/** A fresh SID with a prefix the fake API routes on (so concurrent runtimes never share retry state). */
function sid(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `RM${prefix}${hex.slice(prefix.length)}`;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("resolved, expected a rejection");
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export interface ProbeReport {
  passed: number;
  total: number;
  failures: string[];
  line: string;
}

export async function runProbe(api: string): Promise<ProbeReport> {
  const video = createVideoClient({ ...KEY, baseUrl: api, timeoutMs: 2000, baseDelayMs: 1, maxDelayMs: 5 });
  const quick = createVideoClient({ ...KEY, baseUrl: api, timeoutMs: 300, maxRetries: 0 });
  const checks: Array<[string, () => Promise<void>]> = [
    [
      "create client",
      async () => {
        assert(
          typeof video.rooms.get === "function" && typeof video.raw.GET === "function",
          "client has no rooms.get or raw.GET",
        );
      },
    ],
    [
      "fetch room",
      async () => {
        const id = sid("0");
        const room = await video.rooms.get(id);
        assert(room.sid === id && room.status === "in-progress", `fetched ${JSON.stringify(room)}`);
      },
    ],
    [
      "list rooms",
      async () => {
        const page = await video.rooms.list({ Status: "in-progress" });
        assert(page.rooms.length === 2 && page.meta.key === "rooms", `listed ${JSON.stringify(page)}`);
      },
    ],
    [
      "create room",
      async () => {
        const room = await video.rooms.create({ UniqueName: "probe", Type: "group" });
        assert(room.unique_name === "probe" && room.type === "group", `created ${JSON.stringify(room)}`);
      },
    ],
    [
      "pagination iterate",
      async () => {
        const names: string[] = [];
        for await (const room of video.rooms.iterate({})) names.push(room.unique_name!);
        assert(names.join() === "a,b,c", `iterated ${names.join()}`);
      },
    ],
    [
      "typed error on 404",
      async () => {
        const error = await rejection(video.rooms.get(sid("404")));
        assert(error instanceof TwilioApiError && error.status === 404 && error.code === 20404, `got ${String(error)}`);
      },
    ],
    [
      "retry on 503",
      async () => {
        const id = sid("503");
        const room = await video.rooms.get(id);
        assert(room.sid === id, `after retry ${JSON.stringify(room)}`);
      },
    ],
    [
      "timeout fires",
      async () => {
        const started = performance.now();
        const error = await rejection(quick.rooms.get(sid("dead")));
        const after = performance.now() - started;
        assert(error instanceof TwilioTimeoutError, `got ${String(error)}`);
        assert(after >= 250 && after < 1500, `timed out after ${after} ms`);
      },
    ],
    [
      "abort signal",
      async () => {
        const controller = new AbortController();
        const reason = new Error("probe abort");
        setTimeout(() => controller.abort(reason), 30);
        const error = await rejection(video.rooms.get(sid("dead"), { signal: controller.signal }));
        assert(error === reason, `got ${String(error)}`);
      },
    ],
    [
      "media redirect not followed",
      async () => {
        const link = await video.recordings.media("RT0123456789abcdef0123456789abcdef");
        assert(link.url === "https://media.example.com/signed/RT0123", `media url ${link.url}`);
        assert(link.expiresAt instanceof Date, "no expiresAt");
      },
    ],
    [
      "webhook signature validate",
      async () => {
        const url = "https://example.com/video/events";
        const params = { RoomSid: "RM0123456789abcdef0123456789abcdef", StatusCallbackEvent: "room-created" };
        const signature = await computeSignature("token", url, params);
        assert(await validateSignature("token", signature, url, params), "own signature rejected");
        assert(
          !(await validateSignature("token", signature, url, { ...params, RoomSid: "RM1" })),
          "tampered params accepted",
        );
      },
    ],
    [
      "access token create",
      async () => {
        const token = await createAccessToken({
          ...KEY,
          accountSid: "AC0123456789abcdef0123456789abcdef",
          identity: "alice",
          room: "standup",
        });
        const [, payload] = token.split(".");
        const claims = JSON.parse(atob(payload!.replace(/-/g, "+").replace(/_/g, "/")));
        assert(
          claims.grants.identity === "alice" && claims.grants.video.room === "standup",
          `claims ${JSON.stringify(claims)}`,
        );
      },
    ],
    [
      "status callback parse",
      async () => {
        const parsed = parseStatusCallback(
          "AccountSid=AC0123456789abcdef0123456789abcdef&RoomSid=RM0123456789abcdef0123456789abcdef&RoomName=standup&RoomStatus=in-progress&RoomType=group&StatusCallbackEvent=room-created&Timestamp=2026-11-24T20%3A00%3A00.000Z&SequenceNumber=0",
        );
        assert(
          parsed.kind === "room" && parsed.StatusCallbackEvent === "room-created",
          `parsed ${JSON.stringify(parsed)}`,
        );
      },
    ],
    [
      "overlapping timeouts",
      async () => {
        // One client, two calls in flight: the first (which arms the deadline first) answers,
        // the second hangs and must still time out at its own deadline.
        const first = quick.rooms.get(sid("beef"));
        await new Promise((resolve) => setTimeout(resolve, 30));
        const second = rejection(quick.rooms.get(sid("dead")));
        await first;
        const error = await second;
        assert(error instanceof TwilioTimeoutError, `second call got ${String(error)}`);
      },
    ],
  ];
  if (checks.length !== CHECKS) throw new Error(`probe has ${checks.length} checks, expected ${CHECKS}`);
  const failures: string[] = [];
  await Promise.all(
    checks.map(async ([name, check]) => {
      try {
        await check();
      } catch (error) {
        failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  const passed = CHECKS - failures.length;
  return { passed, total: CHECKS, failures, line: `${passed}/${CHECKS}` };
}

// Node, Bun and Deno: `<runtime> probe.mjs <api url>` prints the report as one JSON line.
const g = globalThis as { Deno?: { args: string[] }; process?: { argv: string[] } };
const api = g.Deno ? g.Deno.args[0] : g.process?.argv?.[2];
if (typeof api === "string" && /^http:\/\//.test(api)) {
  runProbe(api).then((report) => console.log(JSON.stringify(report)));
}
