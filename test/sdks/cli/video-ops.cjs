/**
 * Every Video v1 command of twilio-cli (`twilio api:video:v1:…`) against a base URL, run
 * in-process (one oclif run per command, output captured) after base-url-shim.cjs.
 *
 * Environment: VIDEO_BASE_URL, EMULATOR_CONTROL_URL, TWILIO_ACCOUNT_SID, TWILIO_API_KEY,
 * TWILIO_API_SECRET (the CLI's own variables for a profile-less run).
 * Prints one JSON line per command on fd 3's stand-in (stderr is the CLI's) and then
 * `twilio-cli: N/M operations passed`.
 */
"use strict";
require("./base-url-shim.cjs");
const fs = require("node:fs");
const path = require("node:path");

const cliRoot = path.dirname(require.resolve("twilio-cli/package.json"));
const oclif = require(require.resolve("@oclif/core", { paths: [cliRoot] }));
require(require.resolve("@twilio/cli-core", { paths: [cliRoot] })).configureEnv();

const CONTROL = process.env.EMULATOR_CONTROL_URL.replace(/\/+$/, "");
const ACCOUNT = process.env.TWILIO_ACCOUNT_SID;
// Our report goes straight to fd 1; the CLI's stdout is captured per command.
const report = (line) => fs.writeSync(1, `${line}\n`);

const realWrite = {
  stdout: process.stdout.write.bind(process.stdout),
  stderr: process.stderr.write.bind(process.stderr),
};
/** One CLI command, in-process: its stdout parsed as JSON (`-o json`); a failure (exit status set, or thrown) throws with what it printed. */
async function cli(...args) {
  const out = { stdout: "", stderr: "" };
  for (const stream of ["stdout", "stderr"]) {
    process[stream].write = (chunk, ...rest) => {
      out[stream] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const cb = rest.find((r) => typeof r === "function");
      if (cb) cb();
      return true;
    };
  }
  process.exitCode = undefined;
  let thrown;
  try {
    await oclif.run([...args, "-o", "json"], cliRoot);
  } catch (error) {
    thrown = error;
  } finally {
    process.stdout.write = realWrite.stdout;
    process.stderr.write = realWrite.stderr;
  }
  const failed = thrown !== undefined || (process.exitCode !== undefined && process.exitCode !== 0);
  process.exitCode = undefined;
  if (failed) throw new Error(`${args[0]} failed: ${thrown?.message ? thrown.message : ""} ${out.stderr.trim()}`);
  const text = out.stdout.trim();
  // An empty list prints nothing.
  return text ? JSON.parse(text) : [];
}

const results = [];
async function op(name, fn) {
  try {
    const value = await fn();
    results.push(true);
    report(JSON.stringify({ op: name, ok: true }));
    return value;
  } catch (error) {
    results.push(false);
    report(JSON.stringify({ op: name, ok: false, error: String(error?.message ? error.message : error) }));
    return undefined;
  }
}
function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}
async function control(route, body, method = "POST") {
  const res = await fetch(`${CONTROL}${route}`, {
    method,
    ...(body ? { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } } : {}),
  });
  if (!res.ok) throw new Error(`control ${route}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}
/** Runs a list command with --page-size 1 and checks, in the emulator's traffic log, that the CLI fetched ≥2 pages. */
async function listPaged(pathname, ...args) {
  const before = (await control("/traffic", undefined, "GET")).recordings.length;
  const items = await cli(...args, "--page-size", "1", "--no-limit");
  const pages = (await control("/traffic", undefined, "GET")).recordings
    .slice(before)
    .filter((r) => r.request.method === "GET" && new URL(r.request.url).pathname === pathname).length;
  check(pages >= 2, `expected at least 2 pages, fetched ${pages}`);
  return items;
}
const sids = (list) => new Set(list.map((x) => x.sid));
const superset = (a, b) => [...b].every((x) => a.has(x));
const V = "api:video:v1";

async function main() {
  await control("/traffic", undefined, "DELETE");
  // Settings
  await op("composition settings fetch", async () =>
    check((await cli(`${V}:composition-settings:default:fetch`))[0].accountSid === ACCOUNT, "account"),
  );
  await op("composition settings create", async () =>
    check(
      (
        await cli(`${V}:composition-settings:default:update`, "--friendly-name", "archive", "--no-encryption-enabled")
      )[0].friendlyName === "archive",
      "name",
    ),
  );
  await op("recording settings fetch", async () =>
    check((await cli(`${V}:recording-settings:default:fetch`))[0].accountSid === ACCOUNT, "account"),
  );
  await op("recording settings create", async () =>
    check(
      (await cli(`${V}:recording-settings:default:update`, "--friendly-name", "rec"))[0].friendlyName === "rec",
      "name",
    ),
  );

  // Composition hooks
  const hooks = [];
  for (let i = 0; i < 3; i++) {
    hooks.push(
      (
        await op("composition hook create", () =>
          cli(
            `${V}:composition-hooks:create`,
            "--friendly-name",
            `hook-${i}`,
            "--audio-sources",
            "*",
            "--video-layout",
            '{"grid":{"video_sources":["*"]}}',
            "--format",
            "mp4",
          ),
        )
      )?.[0],
    );
  }
  const hook = hooks[0];
  await op("composition hooks list (pages of 1)", async () =>
    check(superset(sids(await listPaged("/v1/CompositionHooks", `${V}:composition-hooks:list`)), sids(hooks)), "hooks"),
  );
  await op("composition hook fetch", async () =>
    check(
      (await cli(`${V}:composition-hooks:fetch`, "--sid", hook.sid))[0].videoLayout.grid.video_sources[0] === "*",
      "layout",
    ),
  );
  await op("composition hook update", async () =>
    check(
      (await cli(`${V}:composition-hooks:update`, "--sid", hook.sid, "--friendly-name", "hook-0b", "--no-enabled"))[0]
        .enabled === false,
      "enabled",
    ),
  );

  // Rooms
  const room = (
    await op("room create", () =>
      cli(`${V}:rooms:create`, "--unique-name", "sdk-room", "--type", "group", "--record-participants-on-connect"),
    )
  )?.[0];
  const others = [];
  for (let i = 0; i < 2; i++)
    others.push((await op("room create", () => cli(`${V}:rooms:create`, "--unique-name", `sdk-room-${i}`)))?.[0]);
  await op("rooms list (pages of 1)", async () =>
    check(
      superset(
        sids(await listPaged("/v1/Rooms", `${V}:rooms:list`, "--status", "in-progress")),
        sids([room, ...others]),
      ),
      "rooms",
    ),
  );
  await op("room fetch", async () =>
    check((await cli(`${V}:rooms:fetch`, "--sid", room.sid))[0].uniqueName === "sdk-room", "name"),
  );
  await op("room fetch by unique name", async () =>
    check((await cli(`${V}:rooms:fetch`, "--sid", "sdk-room"))[0].sid === room.sid, "sid"),
  );

  const alice = await control("/rooms/sdk-room/participants", { identity: "alice" });
  const bob = await control("/rooms/sdk-room/participants", { identity: "bob" });
  const mic = await control("/rooms/sdk-room/participants/alice/tracks", { kind: "audio", name: "alice-mic" });
  await control("/rooms/sdk-room/participants/bob/tracks", { kind: "video", name: "bob-cam" });
  await control("/clock/advance", { seconds: 30 });

  const P = `${V}:rooms:participants`;
  const inRoom = ["--room-sid", room.sid];
  await op("participants list (pages of 1)", async () =>
    check(
      (await listPaged(`/v1/Rooms/${room.sid}/Participants`, `${P}:list`, ...inRoom, "--status", "connected"))
        .map((p) => p.identity)
        .sort()
        .join() === "alice,bob",
      "identities",
    ),
  );
  await op("participant fetch", async () =>
    check((await cli(`${P}:fetch`, ...inRoom, "--sid", alice.sid))[0].identity === "alice", "identity"),
  );
  await op("published tracks list", async () =>
    check(
      (await cli(`${P}:published-tracks:list`, ...inRoom, "--participant-sid", alice.sid)).map((t) => t.name).join() ===
        "alice-mic",
      "tracks",
    ),
  );
  await op("published track fetch", async () =>
    check(
      (await cli(`${P}:published-tracks:fetch`, ...inRoom, "--participant-sid", alice.sid, "--sid", mic.sid))[0]
        .kind === "audio",
      "kind",
    ),
  );
  await op("subscribed tracks list", async () =>
    check(
      (await cli(`${P}:subscribed-tracks:list`, ...inRoom, "--participant-sid", bob.sid)).some(
        (t) => t.sid === mic.sid,
      ),
      "subscribed",
    ),
  );
  await op("subscribed track fetch", async () =>
    check(
      (await cli(`${P}:subscribed-tracks:fetch`, ...inRoom, "--participant-sid", bob.sid, "--sid", mic.sid))[0]
        .publisherSid === alice.sid,
      "publisher",
    ),
  );
  await op("subscribe rules fetch", async () => {
    const r = await cli(`${P}:subscribe-rules:list`, ...inRoom, "--participant-sid", bob.sid, "--properties", "rules");
    check(r[0]?.type === "include" && r[0].all === true, JSON.stringify(r));
  });
  await op("subscribe rules update", async () =>
    check(
      (
        await cli(
          `${P}:subscribe-rules:create`,
          ...inRoom,
          "--participant-sid",
          bob.sid,
          "--rules",
          '[{"type":"exclude","all":true}]',
        )
      )[0].rules[0].type === "exclude",
      "rules",
    ),
  );
  await op("subscribed tracks after exclude", async () =>
    check(
      (await cli(`${P}:subscribed-tracks:list`, ...inRoom, "--participant-sid", bob.sid)).length === 0,
      "unsubscribed",
    ),
  );
  // With --properties rules the CLI prints the rules themselves.
  await op("recording rules fetch", async () => {
    const r = await cli(`${V}:rooms:recording-rules:list`, ...inRoom, "--properties", "rules");
    check(r[0]?.type === "include", JSON.stringify(r));
  });
  await op("recording rules update", async () =>
    check(
      JSON.stringify(
        (await cli(`${V}:rooms:recording-rules:create`, ...inRoom, "--rules", '[{"type":"include","all":true}]'))[0]
          .rules,
      ) === '[{"type":"include","all":true}]',
      "rules",
    ),
  );

  const T = `${V}:rooms:transcriptions`;
  const tt = (
    await op("transcription create", () => cli(`${T}:create`, ...inRoom, "--configuration", '{"languageCode":"en-US"}'))
  )?.[0];
  await op("transcription fetch", async () =>
    check((await cli(`${T}:fetch`, ...inRoom, "--ttid", tt.ttid))[0].status === "started", "status"),
  );
  await op("transcriptions list", async () =>
    check(
      (await cli(`${T}:list`, ...inRoom)).some((t) => t.ttid === tt.ttid),
      "listed",
    ),
  );
  await op("transcription update (stop)", async () =>
    check(
      (await cli(`${T}:update`, ...inRoom, "--ttid", tt.ttid, "--status", "stopped"))[0].status === "stopped",
      "status",
    ),
  );

  await op("participant update (disconnect)", async () =>
    check(
      (await cli(`${P}:update`, ...inRoom, "--sid", bob.sid, "--status", "disconnected"))[0].status === "disconnected",
      "status",
    ),
  );
  await op("participant update (disconnect)", async () =>
    check(
      (await cli(`${P}:update`, ...inRoom, "--sid", alice.sid, "--status", "disconnected"))[0].status ===
        "disconnected",
      "status",
    ),
  );
  await op("participant anonymize", async () =>
    check((await cli(`${P}:anonymize:update`, ...inRoom, "--sid", bob.sid))[0].identity === bob.sid, "identity"),
  );

  await op("room update (complete)", async () =>
    check(
      (await cli(`${V}:rooms:update`, "--sid", room.sid, "--status", "completed"))[0].status === "completed",
      "status",
    ),
  );
  for (const other of others)
    await op("room update (complete)", async () =>
      check(
        (await cli(`${V}:rooms:update`, "--sid", other.sid, "--status", "completed"))[0].status === "completed",
        "status",
      ),
    );
  await control("/clock/advance", { seconds: 120 });

  const recs =
    (await op("room recordings list (pages of 1)", () =>
      listPaged(`/v1/Rooms/${room.sid}/Recordings`, `${V}:rooms:recordings:list`, ...inRoom),
    )) ?? [];
  const audio = recs.find((r) => r.type === "audio");
  const cam = recs.find((r) => r.type === "video");
  await op("room recording fetch", async () =>
    check(
      (await cli(`${V}:rooms:recordings:fetch`, ...inRoom, "--sid", audio.sid))[0].status === "completed",
      "status",
    ),
  );
  await op("recordings list (pages of 1)", async () => {
    const listed = sids(await listPaged("/v1/Recordings", `${V}:recordings:list`, "--grouping-sid", room.sid));
    check(listed.size === recs.length && superset(listed, sids(recs)), "recordings");
  });
  await op("recording fetch", async () =>
    check((await cli(`${V}:recordings:fetch`, "--sid", audio.sid))[0].groupingSids.room_sid === room.sid, "grouping"),
  );

  const compositions = [];
  for (let i = 0; i < 2; i++)
    compositions.push(
      (
        await op("composition create", () =>
          cli(
            `${V}:compositions:create`,
            "--room-sid",
            room.sid,
            "--audio-sources",
            "*",
            "--video-layout",
            '{"grid":{"video_sources":["*"]}}',
            "--format",
            "mp4",
          ),
        )
      )?.[0],
    );
  const composition = compositions[0];
  await control("/clock/advance", { seconds: 600 });
  await op("composition fetch", async () =>
    check((await cli(`${V}:compositions:fetch`, "--sid", composition.sid))[0].status === "completed", "status"),
  );
  await op("compositions list (pages of 1)", async () => {
    const listed = sids(await listPaged("/v1/Compositions", `${V}:compositions:list`, "--room-sid", room.sid));
    check(superset(listed, sids(compositions)) && listed.size === 4, "compositions");
  });
  await op("composition delete", async () => {
    await cli(`${V}:compositions:remove`, "--sid", composition.sid);
    // The emulator keeps a deleted composition, status "deleted", as it does recordings.
    check((await cli(`${V}:compositions:fetch`, "--sid", composition.sid))[0].status === "deleted", "deleted");
  });
  await op("room recording delete", async () => {
    await cli(`${V}:rooms:recordings:remove`, ...inRoom, "--sid", cam.sid);
    check((await cli(`${V}:recordings:fetch`, "--sid", cam.sid))[0].status === "deleted", "deleted");
  });
  await op("recording delete", async () => {
    await cli(`${V}:recordings:remove`, "--sid", audio.sid);
    check((await cli(`${V}:recordings:fetch`, "--sid", audio.sid))[0].status === "deleted", "deleted");
  });
  await op("composition hook delete", async () => {
    await cli(`${V}:composition-hooks:remove`, "--sid", hook.sid);
    const error = await cli(`${V}:composition-hooks:fetch`, "--sid", hook.sid).then(
      (r) => r,
      (e) => e,
    );
    // The CLI exits with code 20 (from Twilio's error 20404) and the API answered 404.
    const last = (await control("/traffic", undefined, "GET")).recordings.at(-1);
    check(
      error instanceof Error &&
        /EEXIT: 20\b/.test(error.message) &&
        last.response.status === 404 &&
        last.response.body.code === 20404,
      `gone ${error.message ?? JSON.stringify(error)}`,
    );
  });

  const passed = results.filter(Boolean).length;
  report(`twilio-cli: ${passed}/${results.length} operations passed`);
  process.exitCode = passed === results.length ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
