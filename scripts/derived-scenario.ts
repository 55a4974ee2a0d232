/**
 * The field check's scenario (scripts/derived-checks.ts): drives one of
 * everything through an emulator on a manual clock (rooms, participants,
 * tracks, rules, transcriptions, recordings, compositions that complete and
 * fail, hooks that compose and fail, settings), lists each collection with
 * and without each of its filters, and collects every API exchange and every
 * status callback it caused. The checks then demand of these: a 2xx answer
 * per operation, at least one item per list, every required response field,
 * every filter changing a result, every callback event of the spec, and only
 * declared callback fields.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createContractValidator } from "../src/contract/index.js";
import { startEmulator, type CallbackDelivery, type Emulator } from "../src/emulator/index.js";
import { createVideoClient, type VideoClient } from "../src/index.js";

/** One answer of the emulator: which operation, the request URL, and the JSON it sent. */
export interface Exchange {
  operationId: string;
  /** The request's URL (path and query), to tell a filtered list from an unfiltered one. */
  url: string;
  status: number;
  body: unknown;
}

export interface Scenario {
  exchanges: Exchange[];
  deliveries: CallbackDelivery[];
}

const START = Date.parse("2025-01-01T00:00:00Z");
/** An instant between two steps one second apart, as a filter value. */
const between = (emulator: Emulator) => new Date(emulator.now().getTime() - 500).toISOString();

/** A loopback receiver that acknowledges every status callback. */
async function receiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/status`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Settings and hooks: two hooks a second apart, one disabled, and their list filters. */
async function hooksAndSettings(video: VideoClient, emulator: Emulator, cb: string): Promise<string> {
  await video.compositionSettings.update({ FriendlyName: "archive" });
  await video.compositionSettings.get();
  await video.recordingSettings.update({ FriendlyName: "rec" });
  await video.recordingSettings.get();
  const hook = await video.compositionHooks.create({
    FriendlyName: "grid",
    AudioSources: ["*"],
    Format: "mp4",
    StatusCallback: cb,
  });
  await video.compositionHooks.get(hook.sid);
  await video.compositionHooks.update(hook.sid, { FriendlyName: "grid-2" });
  emulator.advance(1_000);
  await video.compositionHooks.create({ FriendlyName: "off", Enabled: false, AudioSources: ["*"] });
  const mid = between(emulator);
  await video.compositionHooks.list();
  await video.compositionHooks.list({ Enabled: true });
  await video.compositionHooks.list({ FriendlyName: "off" });
  await video.compositionHooks.list({ DateCreatedAfter: mid });
  await video.compositionHooks.list({ DateCreatedBefore: mid });
  return hook.sid;
}

/** Room A (recorded, with callbacks) and room B (empty), a second apart, and the room list filters. */
async function rooms(video: VideoClient, emulator: Emulator, cb: string) {
  const a = await video.rooms.create({ UniqueName: "fields", RecordParticipantsOnConnect: true, StatusCallback: cb });
  emulator.advance(1_000);
  const b = await video.rooms.create({ UniqueName: "empty" });
  const mid = between(emulator);
  await video.rooms.get(a.sid);
  await video.rooms.list();
  await video.rooms.list({ UniqueName: "fields" });
  await video.rooms.list({ DateCreatedAfter: mid });
  await video.rooms.list({ DateCreatedBefore: mid });
  return { a: a.sid, b: b.sid };
}

/** Participants and tracks of room A, a second apart, then everything that reads or changes them. */
async function participants(video: VideoClient, emulator: Emulator, room: string) {
  emulator.connectParticipant(room, "alice");
  const mic = emulator.publishTrack(room, "alice", { kind: "audio", name: "alice-mic" });
  emulator.advance(1_000);
  const bob = emulator.connectParticipant(room, "bob");
  const cam = emulator.publishTrack(room, "bob", { kind: "video", name: "bob-cam" });
  const mid = between(emulator);
  emulator.setTrackEnabled(room, "bob", cam.sid, false);
  emulator.setTrackEnabled(room, "bob", cam.sid, true);
  emulator.advance(20_000);
  emulator.unpublishTrack(room, "bob", cam.sid);
  const parts = video.rooms.participants(room);
  await parts.get("alice");
  await parts.list();
  await parts.list({ Identity: "alice" });
  await parts.list({ DateCreatedAfter: mid });
  await parts.list({ DateCreatedBefore: mid });
  await parts.publishedTracks("alice").list();
  await parts.publishedTracks("alice").get(mic.sid);
  await parts.subscribedTracks(bob.sid).list();
  await parts.subscribedTracks(bob.sid).get(mic.sid);
  await parts.subscribeRules(bob.sid).get();
  await parts.subscribeRules(bob.sid).update({ Rules: [{ type: "include", all: true }] });
  await video.rooms.recordingRules(room).get();
  await video.rooms.recordingRules(room).update({ Rules: [{ type: "include", all: true }] });
  const transcriptions = video.rooms.transcriptions(room);
  const tt = await transcriptions.create();
  await transcriptions.get(tt.ttid);
  await transcriptions.list();
  await transcriptions.update(tt.ttid, { Status: "stopped" });
  await parts.update(bob.sid, { Status: "disconnected" });
  await parts.list({ Status: "disconnected" });
  await parts.anonymize(bob.sid);
  return { mic: mic.sid, bob: bob.sid };
}

/** Room A's recordings (alice's audio, bob's video, a second apart) and both recording lists' filters. */
async function recordings(video: VideoClient, room: string, mic: string, bob: string, mid: string): Promise<string> {
  const inRoom = video.rooms.recordings(room);
  const all = await inRoom.all();
  const audio = all.find((r) => r.source_sid === mic)!;
  const video_ = all.find((r) => r.source_sid !== mic)!;
  await inRoom.get(audio.sid);
  await inRoom.media(audio.sid);
  await video.recordings.get(audio.sid);
  await video.recordings.media(audio.sid);
  // Each list unfiltered, then with one filter at a time.
  await inRoom.list();
  await video.recordings.list();
  await inRoom.list({ SourceSid: mic });
  await inRoom.list({ DateCreatedAfter: mid });
  await inRoom.list({ DateCreatedBefore: mid });
  await video.recordings.list({ SourceSid: mic });
  await video.recordings.list({ GroupingSid: [bob] });
  await video.recordings.list({ MediaType: "video" });
  await video.recordings.list({ DateCreatedAfter: mid });
  await video.recordings.list({ DateCreatedBefore: mid });
  await inRoom.delete(video_.sid);
  // Listed after the delete: unfiltered lists leave the deleted recording out, Status=deleted shows only it.
  await inRoom.list();
  await inRoom.list({ Status: "deleted" });
  await video.recordings.list();
  await video.recordings.list({ Status: "deleted" });
  return audio.sid;
}

/** A composition of room A that completes, one of room B (no recordings) that fails, a second apart. */
async function compositions(video: VideoClient, emulator: Emulator, rooms: { a: string; b: string }, cb: string) {
  const done = await video.compositions.create({ RoomSid: rooms.a, AudioSources: ["*"], StatusCallback: cb });
  emulator.advance(1_000);
  await video.compositions.create({ RoomSid: rooms.b, AudioSources: ["*"], StatusCallback: cb });
  const mid = between(emulator);
  emulator.advance(5_000);
  await video.compositions.get(done.sid);
  await video.compositions.list();
  await video.compositions.list({ RoomSid: rooms.b });
  await video.compositions.list({ Status: "failed" });
  await video.compositions.list({ DateCreatedAfter: mid });
  await video.compositions.list({ DateCreatedBefore: mid });
  await video.compositions.media(done.sid);
  await video.compositions.delete(done.sid);
}

async function drive(emulator: Emulator, cb: string): Promise<void> {
  const video = createVideoClient({ ...emulator.clientOptions, maxRetries: 0 });
  const hook = await hooksAndSettings(video, emulator, cb);
  const room = await rooms(video, emulator, cb);
  const recordingStart = emulator.now().getTime();
  const { mic, bob } = await participants(video, emulator, room.a);
  // Room A ends (its hook composes it), then room B ends without recordings (its hook fails).
  await video.rooms.complete(room.a);
  await video.rooms.list({ Status: "completed" });
  await video.rooms.complete(room.b);
  emulator.advance(5_000);
  const mid = new Date(recordingStart + 500).toISOString();
  const kept = await recordings(video, room.a, mic, bob, mid);
  await compositions(video, emulator, room, cb);
  await video.recordings.delete(kept);
  await video.compositionHooks.delete(hook);
}

/** Runs the scenario on a fresh emulator and answers every exchange (with its operation) and every callback. */
export async function emulatorScenario(): Promise<Scenario> {
  const emulator = await startEmulator({ clock: { mode: "manual", start: new Date(START).toISOString() } });
  const sink = await receiver();
  try {
    await drive(emulator, sink.url);
    await emulator.callbacksSettled();
    const validator = createContractValidator({ baseUrls: [emulator.url] });
    const exchanges = emulator.traffic().flatMap((recording) => {
      const { operationId } = validator.validateRecording(recording);
      const { request, response } = recording as {
        request: { url: string };
        response?: { status: number; body?: unknown };
      };
      if (!operationId || !response) return [];
      return [{ operationId, url: request.url, status: response.status, body: response.body ?? null }];
    });
    return { exchanges, deliveries: emulator.callbacks() };
  } finally {
    await emulator.stop();
    await sink.close();
  }
}
