/**
 * The service's lifecycle on the emulator's manual clock: room timeouts,
 * participants, recordings following rules, compositions and hooks,
 * transcriptions. Driven through the client, time moved with advance().
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EmulatorClock } from "../../src/emulator/clock.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { clientFor } from "./helpers.js";

const MINUTE = 60_000;
let emulator: Emulator;
let video: ReturnType<typeof clientFor>;

beforeAll(async () => {
  emulator = await startEmulator({ clock: { mode: "manual", start: "2026-11-24T20:00:00Z" } });
  video = clientFor(emulator);
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(() => emulator.reset());

describe("clock", () => {
  it("fires timers in time order at their own instant, including timers they schedule", () => {
    const clock = new EmulatorClock({ mode: "manual", start: 0 });
    const fired: Array<[string, number]> = [];
    clock.schedule(300, () => fired.push(["c", clock.now()]));
    clock.schedule(100, () => {
      fired.push(["a", clock.now()]);
      clock.schedule(50, () => fired.push(["b", clock.now()]));
    });
    const cancelled = clock.schedule(200, () => fired.push(["x", clock.now()]));
    cancelled.cancel();
    clock.advance(250);
    expect(fired).toEqual([
      ["a", 100],
      ["b", 150],
    ]);
    expect(clock.now()).toBe(250);
    clock.advance(100);
    expect(fired.at(-1)).toEqual(["c", 300]);
    clock.stop();
  });
});

describe("rooms", () => {
  it("completes an unused room after UnusedRoomTimeout minutes", async () => {
    const room = await video.rooms.create({ UnusedRoomTimeout: 2 });
    emulator.advance(2 * MINUTE - 1000);
    expect((await video.rooms.get(room.sid)).status).toBe("in-progress");
    emulator.advance(1000);
    const done = await video.rooms.get(room.sid);
    expect(done).toMatchObject({ status: "completed", duration: 120, end_time: "2026-11-24T20:02:00Z" });
  });

  it("completes a room EmptyRoomTimeout minutes after the last participant left, unless someone rejoins", async () => {
    const room = await video.rooms.create({ EmptyRoomTimeout: 1, UnusedRoomTimeout: 1 });
    emulator.connectParticipant(room.sid, "amy");
    emulator.advance(5 * MINUTE);
    expect((await video.rooms.get(room.sid)).status).toBe("in-progress");
    emulator.disconnectParticipant(room.sid, "amy");
    emulator.advance(30_000);
    emulator.connectParticipant(room.sid, "amy");
    emulator.advance(2 * MINUTE);
    expect((await video.rooms.get(room.sid)).status).toBe("in-progress");
    await video.rooms.participants(room.sid).disconnect("amy");
    emulator.advance(MINUTE);
    expect((await video.rooms.get(room.sid)).status).toBe("completed");
  });

  it("disconnects everyone when the room is completed and refuses to complete it twice", async () => {
    const room = await video.rooms.create({ UniqueName: "ending" });
    const p = emulator.connectParticipant("ending", "ann");
    emulator.publishTrack("ending", "ann", { kind: "audio" });
    emulator.advance(45_000);
    await video.rooms.complete("ending");
    const after = await video.rooms.participants(room.sid).get(p.sid);
    expect(after).toMatchObject({ status: "disconnected", duration: 45 });
    expect((await video.rooms.participants(room.sid).publishedTracks(p.sid).list()).published_tracks).toEqual([]);
    await expect(video.rooms.complete(room.sid)).rejects.toMatchObject({ status: 400, code: 53118 });
    // Unique names address in-progress rooms only.
    await expect(video.rooms.get("ending")).rejects.toMatchObject({ status: 404 });
  });

  it("enforces MaxParticipants and MaxParticipantDuration, and replaces a duplicate identity", async () => {
    const room = await video.rooms.create({ MaxParticipants: 2, MaxParticipantDuration: 600 });
    const first = emulator.connectParticipant(room.sid, "dup");
    const second = emulator.connectParticipant(room.sid, "dup");
    expect((await video.rooms.participants(room.sid).get(first.sid)).status).toBe("disconnected");
    emulator.connectParticipant(room.sid, "other");
    expect(() => emulator.connectParticipant(room.sid, "third")).toThrow(/full/);
    emulator.advance(600_000);
    expect(await video.rooms.participants(room.sid).get(second.sid)).toMatchObject({
      status: "disconnected",
      duration: 600,
    });
  });
});

describe("recordings", () => {
  it("record what the rules select: processing while captured, completed after processing", async () => {
    const room = await video.rooms.create({ RecordingRules: [{ type: "include", kind: "audio" }] });
    emulator.connectParticipant(room.sid, "a");
    emulator.publishTrack(room.sid, "a", { kind: "audio", name: "mic" });
    emulator.publishTrack(room.sid, "a", { kind: "video", name: "cam" });
    emulator.publishTrack(room.sid, "a", { kind: "data", name: "chat" });
    let recs = (await video.rooms.recordings(room.sid).list()).recordings;
    expect(recs.map((r) => [r.track_name, r.status, r.duration])).toEqual([["mic", "processing", null]]);

    emulator.advance(20_000);
    await video.rooms.recordingRules(room.sid).update({ Rules: [{ type: "include", all: true }] });
    emulator.advance(20_000);
    emulator.unpublishTrack(room.sid, "a", "mic");
    emulator.advance(500);
    recs = (await video.rooms.recordings(room.sid).list()).recordings;
    expect(recs.map((r) => [r.track_name, r.status])).toEqual([
      ["cam", "processing"],
      ["mic", "processing"],
    ]);
    emulator.advance(1000);
    const mic = (await video.recordings.list({ SourceSid: recs[1]!.source_sid! })).recordings[0]!;
    expect(mic).toMatchObject({
      status: "completed",
      duration: 40,
      type: "audio",
      codec: "OPUS",
      container_format: "mka",
      size: 160_000,
    });
    expect(mic.offset).toBe(0);
    const cam = recs[0]!;
    expect(cam).toMatchObject({ status: "processing", codec: "VP8", container_format: "mkv", offset: 20_000 });
  });
});

describe("compositions and hooks", () => {
  it("go enqueued → processing → completed", async () => {
    const room = await video.rooms.create({ RecordParticipantsOnConnect: true });
    await expect(video.compositions.create({ RoomSid: room.sid, AudioSources: ["*"] })).rejects.toMatchObject({
      status: 400,
    });
    emulator.connectParticipant(room.sid, "a");
    emulator.publishTrack(room.sid, "a", { kind: "audio" });
    emulator.advance(30_000);
    await video.rooms.complete(room.sid);
    const c = await video.compositions.create({ RoomSid: room.sid, AudioSources: ["a"] });
    expect(c.status).toBe("enqueued");
    emulator.advance(500);
    expect((await video.compositions.get(c.sid)).status).toBe("processing");
    emulator.advance(2000);
    expect(await video.compositions.get(c.sid)).toMatchObject({
      status: "completed",
      duration: 30,
      bitrate: 64,
      date_completed: expect.any(String),
    });
    await expect(
      video.compositions.create({ RoomSid: "RM00000000000000000000000000000000", AudioSources: ["*"] }),
    ).rejects.toMatchObject({ status: 400, code: 53106 });
  });

  it("composition hooks create a composition for every room that ends with recordings", async () => {
    const hook = await video.compositionHooks.create({
      FriendlyName: "all-rooms",
      AudioSources: ["*"],
      Resolution: "1280x720",
    });
    await video.compositionHooks.create({ FriendlyName: "off", AudioSources: ["*"], Enabled: false });
    const room = await video.rooms.create({ RecordParticipantsOnConnect: true });
    emulator.connectParticipant(room.sid, "a");
    emulator.publishTrack(room.sid, "a", { kind: "audio" });
    emulator.advance(10_000);
    await video.rooms.complete(room.sid);
    const made = (await video.compositions.list({ RoomSid: room.sid })).compositions;
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ status: "enqueued", resolution: "1280x720", audio_sources: ["*"] });
    emulator.advance(5000);
    expect((await video.compositions.get(made[0]!.sid)).status).toBe("completed");
    expect(hook.enabled).toBe(true);
  });
});

describe("transcriptions", () => {
  it("start with the room when asked, stop and restart, and stop when the room ends", async () => {
    const room = await video.rooms.create({
      TranscribeParticipantsOnConnect: true,
      TranscriptionsConfiguration: { languageCode: "fr-FR" },
    });
    const [auto] = (await video.rooms.transcriptions(room.sid).list()).transcriptions;
    expect(auto).toMatchObject({ status: "started", configuration: { languageCode: "fr-FR" }, duration: null });
    emulator.advance(10_000);
    await video.rooms.transcriptions(room.sid).update(auto!.ttid, { Status: "stopped" });
    emulator.advance(10_000);
    await video.rooms.transcriptions(room.sid).update(auto!.ttid, { Status: "started" });
    emulator.advance(5_000);
    await video.rooms.complete(room.sid);
    expect(await video.rooms.transcriptions(room.sid).get(auto!.ttid)).toMatchObject({
      status: "stopped",
      duration: 15,
    });
    await expect(video.rooms.transcriptions(room.sid).create()).rejects.toMatchObject({ status: 400, code: 53118 });
  });
});
