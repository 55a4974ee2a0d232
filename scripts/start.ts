/**
 * `npm start`: the whole client walkthrough, by default against the local
 * emulator (no credentials, no network beyond 127.0.0.1):
 *
 *   create a room with a status callback → mint access tokens, with which two
 *   participants join and publish tracks → list them page by page → change
 *   subscribe rules → complete the room → list its recordings → compose them
 *   and wait → get the media URL → receive the status callbacks through
 *   createStatusCallbackHandler on a loopback port (each verified and typed) →
 *   validate every response against the spec.
 *
 * `npm start -- --live` runs the same against https://video.twilio.com with
 * TWILIO_API_KEY_SID + TWILIO_API_KEY_SECRET (or TWILIO_ACCOUNT_SID +
 * TWILIO_AUTH_TOKEN). Live, the steps that need participants (who join
 * through the client SDKs) and the loopback callback receiver are skipped.
 */
import { parseCommandLine } from "./cli-args.js";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Middleware } from "openapi-fetch";
import { createContractValidator, type Recording } from "../src/contract/index.js";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import {
  STATUS_CALLBACK_FAMILIES,
  createAccessToken,
  createVideoClient,
  type ParsedStatusCallback,
  type VideoClient,
} from "../src/index.js";
import { createNodeStatusCallbackHandler } from "../src/node/handler.js";

const { values: args } = parseCommandLine({
  usage: `usage: npm start [-- --live]

The client walkthrough: a room with a status callback, participants and tracks,
paging, subscribe rules, completion, recordings, a composition and its media
URL, signed status callbacks, and every response checked against the spec.

  (no flags)  run it on a local emulator (127.0.0.1; no credentials, no network)
  --live      run it against https://video.twilio.com with TWILIO_API_KEY_SID and
              TWILIO_API_KEY_SECRET (or TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)
              from the environment; creates and completes a real room. Steps that
              need participants or a public callback URL are skipped.
  -h, --help  show this text`,
  options: { live: { type: "boolean" } },
});
const live = args.live === true;
const env = process.env;

if (
  live &&
  !((env.TWILIO_API_KEY_SID && env.TWILIO_API_KEY_SECRET) || (env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN))
) {
  console.error(
    "--live needs credentials in the environment: TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET, " +
      "or TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN. Without --live the walkthrough runs on the local emulator.",
  );
  process.exit(2);
}

// ---- output ------------------------------------------------------------------------

let stepNo = 0;
let failed = 0;
async function step<T>(title: string, run: () => Promise<T>, describe: (value: T) => string): Promise<T | undefined> {
  stepNo++;
  const label = `${String(stepNo).padStart(2)}. ${title}`;
  try {
    const value = await run();
    console.log(`✔ ${label.padEnd(56, " ")} ${describe(value)}`);
    return value;
  } catch (error) {
    failed++;
    console.log(`✘ ${label.padEnd(56, " ")} ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
function skip(title: string, why: string): void {
  stepNo++;
  console.log(`– ${`${String(stepNo).padStart(2)}. ${title}`.padEnd(56, " ")} skipped: ${why}`);
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done` holds; bounded so the walkthrough can never hang. */
async function waitFor<T>(
  what: string,
  get: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  everyMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await sleep(everyMs);
  }
}

// ---- every exchange the client makes, kept as a contract recording ----------------------

const seen: Recording[] = [];
const pendingBodies = new Map<string, Promise<string>>();
const recorder: Middleware = {
  onRequest({ request, id }) {
    pendingBodies.set(id, request.clone().text());
  },
  async onResponse({ request, response, id }) {
    const body = (await pendingBodies.get(id)) ?? "";
    pendingBodies.delete(id);
    const text = await response.clone().text();
    const type = response.headers.get("content-type") ?? "";
    seen.push({
      request: {
        method: request.method,
        url: request.url,
        ...(body ? { body, headers: { "content-type": request.headers.get("content-type") ?? "" } } : {}),
      },
      response: {
        status: response.status,
        headers: Object.fromEntries(
          [...response.headers].filter(([name]) => /^(content-type|location|retry-after)$/.test(name)),
        ),
        body: text === "" ? null : type.includes("json") ? JSON.parse(text) : text,
      },
    });
  },
};

// ---- status callback receiver on loopback: the library's handler, verifying and typing each event ----

async function startReceiver(authToken: string) {
  const received: ParsedStatusCallback[] = [];
  const refused: number[] = [];
  const record = (event: ParsedStatusCallback) => {
    received.push(event);
  };
  const server = createServer(
    createNodeStatusCallbackHandler({
      authToken,
      onError: (_, { status }) => refused.push(status),
      // Every event the spec documents, plus any it does not: all land in `received`, typed.
      on: Object.fromEntries(
        [...STATUS_CALLBACK_FAMILIES.flatMap((f) => f.events), "unknown"].map((name) => [name, record]),
      ),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/video/events`,
    received,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---- the walkthrough -------------------------------------------------------------------

async function controlApi(emulator: Emulator, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}/_emulator${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`control API ${path}: ${String(json.message)}`);
  return json;
}

async function main(): Promise<number> {
  console.log(
    live
      ? "Twilio Video walkthrough against https://video.twilio.com (--live)\n"
      : "Twilio Video walkthrough on the local emulator (no credentials, loopback only)\n",
  );

  let emulator: Emulator | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  if (!live) {
    emulator = await startEmulator({
      port: 0,
      // Background work done in well under a second so the walkthrough stays quick.
      timings: { recordingProcessingMs: 300, compositionEnqueuedMs: 200, compositionProcessingMs: 1000 },
    });
    receiver = await startReceiver(emulator.credentials.authToken);
    console.log(`  emulator: ${emulator.url}   callback receiver: ${receiver.url}\n`);
  }
  const video: VideoClient = createVideoClient({ ...(emulator ? emulator.clientOptions : {}), middleware: [recorder] });
  const pollMs = live ? 5000 : 100;
  const patience = live ? 15 * 60_000 : 20_000;

  try {
    const room = await step(
      "Create a room with a status callback",
      () =>
        video.rooms.create({
          UniqueName: `walkthrough-${Date.now()}`,
          RecordParticipantsOnConnect: true,
          ...(receiver ? { StatusCallback: receiver.url } : {}),
        }),
      (r) => `${r.sid} (${r.status}, ${r.unique_name})`,
    );
    if (!room) return 1;

    let alice: Record<string, unknown> | undefined;
    let bob: Record<string, unknown> | undefined;
    if (emulator) {
      const em = emulator;
      const joined = await step(
        "Mint access tokens; two participants join with them",
        async () => {
          // What your token endpoint does; the emulator then plays the client SDK's connect.
          const mint = (identity: string) =>
            createAccessToken({
              accountSid: em.accountSid,
              apiKeySid: em.credentials.apiKeySid,
              apiKeySecret: em.credentials.apiKeySecret,
              identity,
              room: room.unique_name ?? room.sid,
              ttl: 600,
              now: em.now(),
            });
          return [
            await controlApi(em, "/connect", { token: await mint("alice") }),
            await controlApi(em, "/connect", { token: await mint("bob") }),
          ];
        },
        (ps) => ps.map((p) => `${String(p.identity)} ${String(p.sid)}`).join(", "),
      );
      [alice, bob] = joined ?? [];
      await step(
        "Publish tracks (control API)",
        async () => {
          const tracks = [
            await controlApi(em, `/rooms/${room.sid}/participants/alice/tracks`, { kind: "audio", name: "alice-mic" }),
            await controlApi(em, `/rooms/${room.sid}/participants/alice/tracks`, { kind: "video", name: "alice-cam" }),
            await controlApi(em, `/rooms/${room.sid}/participants/bob/tracks`, { kind: "audio", name: "bob-mic" }),
          ];
          // The meeting lasts a while: move the emulator's clock on.
          await controlApi(em, "/clock/advance", { seconds: 95 });
          return tracks;
        },
        (ts) => `${ts.map((t) => String(t.name)).join(", ")}; clock advanced 95 s`,
      );
    } else {
      skip("Connect two participants", "participants join through the client SDKs");
      skip("Publish tracks", "tracks are published through the client SDKs");
    }

    await step(
      "List participants page by page (PageSize=1)",
      async () => {
        const before = seen.length;
        const people = await video.rooms.participants(room.sid).all({}, { pageSize: 1 });
        return { people, pages: seen.length - before };
      },
      ({ people, pages }) =>
        `${people.length} participants (${people.map((p) => p.identity).join(", ") || "none"}) over ${pages} page(s)`,
    );
    if (alice && bob) {
      const aliceSid = String(alice.sid);
      const bobSid = String(bob.sid);
      await step(
        "List published tracks",
        () => video.rooms.participants(room.sid).publishedTracks(aliceSid).list(),
        (page) => `alice publishes ${page.published_tracks.map((t) => `${t.name} (${t.kind})`).join(", ")}`,
      );
      await step(
        "Change subscribe rules: bob drops alice's video",
        async () => {
          const tracks = video.rooms.participants(room.sid).subscribedTracks(bobSid);
          const before = (await tracks.list()).subscribed_tracks.length;
          await video.rooms
            .participants(room.sid)
            .subscribeRules(bobSid)
            .update({
              Rules: [
                { type: "include", all: true },
                { type: "exclude", publisher: "alice", kind: "video" },
              ],
            });
          const after = (await tracks.list()).subscribed_tracks.length;
          return { before, after };
        },
        ({ before, after }) => `bob's subscribed tracks: ${before} → ${after}`,
      );
    } else {
      skip("List published tracks", "no participants");
      skip("Change subscribe rules", "no participants");
    }

    await step(
      "Complete the room",
      () => video.rooms.complete(room.sid),
      (r) => `${r.status}, ${r.duration ?? 0} s`,
    );

    const recordings = await step(
      "List the room's recordings (wait until completed)",
      () =>
        waitFor(
          "recordings",
          async () => (await video.rooms.recordings(room.sid).list()).recordings,
          (rs) => rs.every((r) => r.status !== "processing"),
          patience,
          pollMs,
        ),
      (rs) => (rs.length ? rs.map((r) => `${r.track_name} ${r.type} ${r.duration} s`).join(", ") : "none"),
    );

    let compositionSid: string | undefined;
    if (recordings?.length) {
      const composition = await step(
        "Create a composition and wait for it",
        async () => {
          const created = await video.compositions.create({
            RoomSid: room.sid,
            AudioSources: ["*"],
            VideoLayout: { grid: { video_sources: ["*"] } },
            Format: "mp4",
            ...(receiver ? { StatusCallback: receiver.url } : {}),
          });
          return waitFor(
            "the composition",
            () => video.compositions.get(created.sid),
            (c) => c.status !== "enqueued" && c.status !== "processing",
            patience,
            pollMs,
          );
        },
        (c) => `${c.sid} ${c.status}, ${c.duration} s, ${c.size ?? 0} bytes`,
      );
      if (composition?.status === "completed") compositionSid = composition.sid;
    } else {
      skip("Create a composition and wait for it", "the room has no recordings");
    }

    if (compositionSid) {
      const sid = compositionSid;
      await step(
        "Fetch the composition's media URL",
        () => video.compositions.media(sid, { ttl: 300 }),
        (link) => `${new URL(link.url).origin}… (valid until ${link.expiresAt.toISOString()})`,
      );
    } else {
      skip("Fetch the composition's media URL", "no completed composition");
    }

    let callbacksOk = true;
    if (receiver && emulator) {
      const r = receiver;
      const em = emulator;
      const result = await step(
        "Receive callbacks via createStatusCallbackHandler",
        async () => {
          await em.callbacksSettled();
          const answered = em.callbacks().filter((d) => d.status === 204).length;
          if (r.refused.length > 0 || r.received.length === 0 || answered !== em.callbacks().length) {
            throw new Error(
              `${r.refused.length} refused (${r.refused.join(", ")}), ${r.received.length} accepted, ${answered}/${em.callbacks().length} answered 204`,
            );
          }
          return new Set(r.received.map((e) => `${e.kind}:${e.StatusCallbackEvent}`));
        },
        (events) => `${r.received.length} callbacks, all signatures valid and typed (${[...events].join(", ")})`,
      );
      callbacksOk = result !== undefined;
    } else {
      skip("Receive callbacks via createStatusCallbackHandler", "Twilio cannot reach a loopback receiver");
    }

    const validator = createContractValidator({ baseUrls: emulator ? [emulator.url] : [] });
    const results = seen.map((recording) => validator.validateRecording(recording));
    const conforming = results.filter((r) => r.ok).length;
    const operations = new Set(results.map((r) => r.operationId).filter((id): id is string => id !== null));
    await step(
      "Validate every response with the contract validator",
      async () => {
        const failures = results.flatMap((r, i) =>
          r.ok
            ? []
            : [
                `${seen[i]!.request.method} ${new URL(seen[i]!.request.url).pathname}: ${r.errors.map((e) => `${e.where} ${e.message}`).join("; ")}`,
              ],
        );
        if (failures.length > 0) throw new Error(`nonconforming:\n    ${failures.join("\n    ")}`);
        return results.reduce((n, r) => n + r.warnings.length, 0);
      },
      (drift) => `${conforming}/${seen.length} conform${drift ? `, ${drift} drift warning(s)` : ""}`,
    );

    console.log("\nSummary");
    console.log(`  target                 ${emulator ? `emulator ${emulator.url}` : "https://video.twilio.com"}`);
    console.log(`  operations exercised   ${operations.size} (${[...operations].sort().join(", ")})`);
    console.log(`  recordings conforming  ${conforming}/${seen.length}`);
    if (receiver)
      console.log(`  callbacks verified     ${callbacksOk ? receiver.received.length : 0}/${receiver.received.length}`);
    console.log(`  steps failed           ${failed}`);
    return failed === 0 && conforming === seen.length ? 0 : 1;
  } finally {
    await receiver?.close();
    await emulator?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
