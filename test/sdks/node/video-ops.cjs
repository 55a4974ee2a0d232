/**
 * Every Video v1 operation of Twilio's Node SDK (twilio-node) against a base URL.
 *
 * Environment: VIDEO_BASE_URL (the emulator, or a proxy in front of it), EMULATOR_CONTROL_URL
 * (the emulator's /_emulator control API), TWILIO_ACCOUNT_SID, TWILIO_API_KEY, TWILIO_API_SECRET.
 * Prints one JSON line per operation and then `twilio-node: N/M operations passed`.
 */
"use strict";
const twilio = require("twilio");

const TWILIO_VIDEO = "https://video.twilio.com";

/** twilio-node's own RequestClient, sending what it addresses to https://video.twilio.com to another base URL. */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(baseUrl, options = {}) {
    super(options);
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }
  request(opts) {
    let uri = opts.uri;
    if (uri.startsWith(`${TWILIO_VIDEO}/`)) uri = this.baseUrl + uri.slice(TWILIO_VIDEO.length);
    else if (!uri.startsWith(`${this.baseUrl}/`) && !uri.startsWith("http://127.0.0.1:"))
      throw new Error(`refusing to leave loopback: ${uri}`);
    return super.request({ ...opts, uri });
  }
}

const BASE = process.env.VIDEO_BASE_URL;
const CONTROL = process.env.EMULATOR_CONTROL_URL.replace(/\/+$/, "");
const ACCOUNT = process.env.TWILIO_ACCOUNT_SID;
const client = twilio(process.env.TWILIO_API_KEY, process.env.TWILIO_API_SECRET, {
  accountSid: ACCOUNT,
  httpClient: new BaseUrlRequestClient(BASE),
});
const video = client.video.v1;

const results = [];
async function op(name, fn) {
  try {
    const value = await fn();
    results.push(true);
    console.log(JSON.stringify({ op: name, ok: true }));
    return value;
  } catch (error) {
    results.push(false);
    console.log(
      JSON.stringify({
        op: name,
        ok: false,
        error: String(error?.message ? error.message : error),
        trace: error?.stack ? String(error.stack).split("\n").slice(0, 4).join("\n") : undefined,
      }),
    );
    return undefined;
  }
}
function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}
async function control(path, body = {}) {
  const res = await fetch(`${CONTROL}${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
  });
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}
/** All items of a list, page by page; checks it really took more than one page. */
async function walk(firstPage) {
  const items = [];
  let pages = 0;
  for (let page = await firstPage; page; page = await page.nextPage()) {
    pages++;
    items.push(...page.instances);
  }
  check(pages >= 2, `expected at least 2 pages, got ${pages}`);
  return items;
}
const sids = (list) => new Set(list.map((x) => x.sid));
const superset = (a, b) => [...b].every((x) => a.has(x));
const same = (a, b) => a.size === b.size && superset(a, b);

/** A media subresource through the SDK's own request path: a redirect to the storage host. */
async function media(path) {
  const res = await client.request({ method: "get", uri: `${TWILIO_VIDEO}${path}` });
  check(res.statusCode === 302, `status ${res.statusCode}`);
  const location = res.headers.location;
  check(typeof location === "string" && location.startsWith("http"), "Location");
  const download = await fetch(location);
  check(download.ok && (await download.arrayBuffer()).byteLength > 0, "media bytes");
}

async function main() {
  // Settings
  await op("composition settings fetch", async () =>
    check((await video.compositionSettings().fetch()).accountSid === ACCOUNT, "account"),
  );
  await op("composition settings create", async () =>
    check(
      (await video.compositionSettings().create({ friendlyName: "archive", encryptionEnabled: false })).friendlyName ===
        "archive",
      "name",
    ),
  );
  await op("recording settings fetch", async () =>
    check((await video.recordingSettings().fetch()).accountSid === ACCOUNT, "account"),
  );
  await op("recording settings create", async () =>
    check((await video.recordingSettings().create({ friendlyName: "rec" })).friendlyName === "rec", "name"),
  );

  // Composition hooks
  const hooks = [];
  for (let i = 0; i < 3; i++) {
    hooks.push(
      await op("composition hook create", () =>
        video.compositionHooks.create({
          friendlyName: `hook-${i}`,
          audioSources: ["*"],
          videoLayout: { grid: { video_sources: ["*"] } },
          format: "mp4",
        }),
      ),
    );
  }
  const hook = hooks[0];
  await op("composition hooks list (pages of 1)", async () =>
    check(superset(sids(await walk(video.compositionHooks.page({ pageSize: 1 }))), sids(hooks)), "hooks"),
  );
  await op("composition hooks list (each)", async () => {
    const seen = [];
    await video.compositionHooks.each({ pageSize: 1 }, (h) => seen.push(h.sid));
    check(superset(new Set(seen), sids(hooks)), "each");
  });
  await op("composition hook fetch", async () =>
    check(
      JSON.stringify((await video.compositionHooks(hook.sid).fetch()).videoLayout) ===
        JSON.stringify({ grid: { video_sources: ["*"] } }),
      "layout",
    ),
  );
  await op("composition hook update", async () =>
    check(
      (await video.compositionHooks(hook.sid).update({ friendlyName: "hook-0b", enabled: false })).enabled === false,
      "enabled",
    ),
  );

  // Rooms
  const room = await op("room create", () =>
    video.rooms.create({ uniqueName: "sdk-room", type: "group", recordParticipantsOnConnect: true }),
  );
  const others = [];
  for (let i = 0; i < 2; i++)
    others.push(await op("room create", () => video.rooms.create({ uniqueName: `sdk-room-${i}` })));
  await op("rooms list (pages of 1)", async () =>
    check(
      superset(sids(await walk(video.rooms.page({ status: "in-progress", pageSize: 1 }))), sids([room, ...others])),
      "rooms",
    ),
  );
  await op("rooms list (list, limit)", async () =>
    check((await video.rooms.list({ status: "in-progress", pageSize: 1, limit: 2 })).length === 2, "limit"),
  );
  await op("room fetch", async () => check((await video.rooms(room.sid).fetch()).uniqueName === "sdk-room", "name"));
  await op("room fetch by unique name", async () =>
    check((await video.rooms("sdk-room").fetch()).sid === room.sid, "sid"),
  );

  // Participants and tracks join through the control API (the client SDKs do it in real life).
  const alice = await control("/rooms/sdk-room/participants", { identity: "alice" });
  const bob = await control("/rooms/sdk-room/participants", { identity: "bob" });
  const mic = await control("/rooms/sdk-room/participants/alice/tracks", { kind: "audio", name: "alice-mic" });
  await control("/rooms/sdk-room/participants/bob/tracks", { kind: "video", name: "bob-cam" });
  await control("/clock/advance", { seconds: 30 });

  const participants = video.rooms(room.sid).participants;
  await op("participants list (pages of 1)", async () =>
    check(
      (await walk(participants.page({ status: "connected", pageSize: 1 })))
        .map((p) => p.identity)
        .sort()
        .join() === "alice,bob",
      "identities",
    ),
  );
  await op("participant fetch", async () =>
    check((await participants(alice.sid).fetch()).identity === "alice", "identity"),
  );
  await op("published tracks list", async () =>
    check((await participants(alice.sid).publishedTracks.list()).map((t) => t.name).join() === "alice-mic", "tracks"),
  );
  await op("published track fetch", async () =>
    check((await participants(alice.sid).publishedTracks(mic.sid).fetch()).kind === "audio", "kind"),
  );
  await op("subscribed tracks list", async () =>
    check(
      (await participants(bob.sid).subscribedTracks.list()).some((t) => t.sid === mic.sid),
      "subscribed",
    ),
  );
  await op("subscribed track fetch", async () =>
    check((await participants(bob.sid).subscribedTracks(mic.sid).fetch()).publisherSid === alice.sid, "publisher"),
  );
  await op("subscribe rules fetch", async () =>
    check((await participants(bob.sid).subscribeRules.fetch()).rules[0].type === "include", "rules"),
  );
  await op("subscribe rules update", async () =>
    check(
      (await participants(bob.sid).subscribeRules.update({ rules: [{ type: "exclude", all: true }] })).rules[0].type ===
        "exclude",
      "rules",
    ),
  );
  await op("subscribed tracks after exclude", async () =>
    check((await participants(bob.sid).subscribedTracks.list()).length === 0, "unsubscribed"),
  );
  const recordingRules = video.rooms(room.sid).recordingRules;
  await op("recording rules fetch", async () =>
    check((await recordingRules.fetch()).rules[0].type === "include", "rules"),
  );
  await op("recording rules update", async () =>
    check(
      JSON.stringify((await recordingRules.update({ rules: [{ type: "include", all: true }] })).rules) ===
        JSON.stringify([{ type: "include", all: true }]),
      "rules",
    ),
  );

  const transcriptions = video.rooms(room.sid).transcriptions;
  const tt = await op("transcription create", () =>
    transcriptions.create({ configuration: { languageCode: "en-US" } }),
  );
  await op("transcription fetch", async () =>
    check((await transcriptions(tt.ttid).fetch()).status === "started", "status"),
  );
  await op("transcriptions list", async () =>
    check(
      (await transcriptions.list()).some((t) => t.ttid === tt.ttid),
      "listed",
    ),
  );
  await op("transcription update (stop)", async () =>
    check((await transcriptions(tt.ttid).update({ status: "stopped" })).status === "stopped", "status"),
  );

  await op("participant update (disconnect)", async () =>
    check((await participants(bob.sid).update({ status: "disconnected" })).status === "disconnected", "status"),
  );
  await op("participant update (disconnect)", async () =>
    check((await participants(alice.sid).update({ status: "disconnected" })).status === "disconnected", "status"),
  );
  await op("participant anonymize", async () =>
    check((await participants(bob.sid).anonymize().update()).identity === bob.sid, "identity"),
  );

  await op("room update (complete)", async () =>
    check((await video.rooms(room.sid).update({ status: "completed" })).status === "completed", "status"),
  );
  for (const other of others)
    await op("room update (complete)", async () =>
      check((await video.rooms(other.sid).update({ status: "completed" })).status === "completed", "status"),
    );
  await control("/clock/advance", { seconds: 120 });

  // Recordings, room-scoped and account-wide
  const roomRecordings = video.rooms(room.sid).recordings;
  const recs = (await op("room recordings list (pages of 1)", () => walk(roomRecordings.page({ pageSize: 1 })))) ?? [];
  const audio = recs.find((r) => r.type === "audio");
  const cam = recs.find((r) => r.type === "video");
  await op("room recording fetch", async () =>
    check((await roomRecordings(audio.sid).fetch()).status === "completed", "status"),
  );
  await op("recordings list (pages of 1)", async () =>
    check(
      same(sids(await walk(video.recordings.page({ groupingSid: [room.sid], pageSize: 1 }))), sids(recs)),
      "recordings",
    ),
  );
  await op("recording fetch", async () =>
    check((await video.recordings(audio.sid).fetch()).groupingSids.room_sid === room.sid, "grouping"),
  );
  await op("recording media", () => media(`/v1/Recordings/${audio.sid}/Media`));
  await op("room recording media", () => media(`/v1/Rooms/${room.sid}/Recordings/${audio.sid}/Media`));

  // Compositions
  const compositions = [];
  for (let i = 0; i < 2; i++)
    compositions.push(
      await op("composition create", () =>
        video.compositions.create({
          roomSid: room.sid,
          audioSources: ["*"],
          videoLayout: { grid: { video_sources: ["*"] } },
          format: "mp4",
        }),
      ),
    );
  const composition = compositions[0];
  await control("/clock/advance", { seconds: 600 });
  await op("composition fetch", async () =>
    check((await video.compositions(composition.sid).fetch()).status === "completed", "status"),
  );
  // The two hooks still enabled when the room ended composed it too.
  await op("compositions list (pages of 1)", async () => {
    const listed = sids(await walk(video.compositions.page({ roomSid: room.sid, pageSize: 1 })));
    check(superset(listed, sids(compositions)) && listed.size === 4, "compositions");
  });
  await op("composition media", () => media(`/v1/Compositions/${composition.sid}/Media`));
  await op("composition delete", async () =>
    check((await video.compositions(composition.sid).remove()) === true, "deleted"),
  );

  await op("room recording delete", async () => check((await roomRecordings(cam.sid).remove()) === true, "deleted"));
  await op("recording delete", async () => check((await video.recordings(audio.sid).remove()) === true, "deleted"));
  await op("recording fetch (deleted)", async () =>
    check((await video.recordings(audio.sid).fetch()).status === "deleted", "status"),
  );
  await op("composition hook delete", async () =>
    check((await video.compositionHooks(hook.sid).remove()) === true, "deleted"),
  );
  await op("error surfaces as RestException", async () => {
    const error = await video
      .compositionHooks(hook.sid)
      .fetch()
      .then(
        () => undefined,
        (e) => e,
      );
    check(error && error.status === 404 && error.code === 20404, `error ${error?.status}`);
  });

  const passed = results.filter(Boolean).length;
  console.log(`twilio-node: ${passed}/${results.length} operations passed`);
  process.exitCode = passed === results.length ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
