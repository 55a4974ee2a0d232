/**
 * Every operation and media subresource through the public client over real
 * loopback HTTP; afterwards every exchange the emulator logged is checked
 * against the spec with the contract validator.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContractValidator } from "../../src/contract/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { operationRows, TwilioApiError } from "../../src/index.js";
import document from "../../generated/openapi.json" with { type: "json" };
import { specOperations } from "../../generated/endpoints.js";
import { clientFor } from "./helpers.js";

let emulator: Emulator;
let video: ReturnType<typeof clientFor>;

beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual" });
  video = clientFor(emulator);
});
afterAll(async () => {
  await emulator?.stop();
});

function specOperationIds(): string[] {
  const ids: string[] = [];
  for (const item of Object.values(document.paths as Record<string, Record<string, { operationId?: string }>>)) {
    for (const method of ["get", "post", "delete"]) if (item[method]?.operationId) ids.push(item[method].operationId!);
  }
  return ids.sort();
}

describe("every operation through the client", () => {
  it("drives all operations and media subresources, each answering as documented", async () => {
    // Settings
    expect((await video.compositionSettings.get()).friendly_name).toBeNull();
    const cs = await video.compositionSettings.update({ FriendlyName: "archive", EncryptionEnabled: false });
    expect(cs.friendly_name).toBe("archive");
    expect((await video.recordingSettings.update({ FriendlyName: "rec" })).friendly_name).toBe("rec");
    expect((await video.recordingSettings.get()).url).toBe(`${emulator.url}/v1/RecordingSettings/Default`);

    // Hooks
    const hook = await video.compositionHooks.create({
      FriendlyName: "grid",
      AudioSources: ["*"],
      VideoLayout: { grid: { video_sources: ["*"] } },
      Format: "mp4",
    });
    expect(hook.sid).toMatch(/^HK[0-9a-f]{32}$/);
    expect((await video.compositionHooks.get(hook.sid)).video_layout).toEqual({ grid: { video_sources: ["*"] } });
    expect((await video.compositionHooks.update(hook.sid, { FriendlyName: "grid-2", Enabled: false })).enabled).toBe(
      false,
    );
    expect((await video.compositionHooks.list({ Enabled: false })).composition_hooks.map((h) => h.sid)).toEqual([
      hook.sid,
    ]);

    // Rooms
    const room = await video.rooms.create({
      UniqueName: "ops-room",
      RecordingRules: [{ type: "include", all: true }],
      VideoCodecs: ["VP8"],
    });
    expect(room).toMatchObject({
      status: "in-progress",
      unique_name: "ops-room",
      video_codecs: ["VP8"],
      url: `${emulator.url}/v1/Rooms/${room.sid}`,
    });
    expect((await video.rooms.get("ops-room")).sid).toBe(room.sid);
    expect((await video.rooms.list({ UniqueName: "ops-room" })).rooms).toHaveLength(1);

    // Participants and tracks join through the control API (client SDKs in real life).
    const alice = emulator.connectParticipant(room.sid, "alice");
    const bob = emulator.connectParticipant(room.sid, "bob");
    const mic = emulator.publishTrack(room.sid, "alice", { kind: "audio", name: "alice-mic" });
    emulator.publishTrack(room.sid, "bob", { kind: "video", name: "bob-cam" });
    emulator.advance(30_000);

    const parts = video.rooms.participants(room.sid);
    expect((await parts.get("alice")).sid).toBe(alice.sid);
    expect((await parts.list({ Status: "connected" })).participants.map((p) => p.identity)).toEqual(["alice", "bob"]);
    expect((await parts.publishedTracks(alice.sid).list()).published_tracks.map((t) => t.name)).toEqual(["alice-mic"]);
    expect((await parts.publishedTracks("alice").get("alice-mic")).sid).toBe(mic.sid);
    expect((await parts.subscribedTracks(bob.sid).list()).subscribed_tracks.map((t) => t.sid)).toEqual([mic.sid]);
    expect((await parts.subscribedTracks(bob.sid).get(mic.sid)).publisher_sid).toBe(alice.sid);
    expect((await parts.subscribeRules(bob.sid).get()).rules).toEqual([
      { type: "include", all: true, kind: null, publisher: null, track: null, priority: null },
    ]);
    const rules = await parts.subscribeRules(bob.sid).update({ Rules: [{ type: "exclude", all: true }] });
    expect(rules.date_updated).not.toBeNull();
    expect((await parts.subscribedTracks(bob.sid).list()).subscribed_tracks).toEqual([]);

    const recordingRules = video.rooms.recordingRules(room.sid);
    expect((await recordingRules.get()).rules).toEqual([{ type: "include", all: true }]);
    expect((await recordingRules.update({ Rules: [{ type: "include", kind: "audio" }] })).rules).toEqual([
      { type: "include", kind: "audio" },
    ]);

    const transcriptions = video.rooms.transcriptions(room.sid);
    const tt = await transcriptions.create({ Configuration: { languageCode: "en-US", partialResults: true } });
    expect(tt).toMatchObject({ status: "started", configuration: { languageCode: "en-US", partialResults: "true" } });
    expect((await transcriptions.get(tt.ttid)).ttid).toBe(tt.ttid);
    expect((await transcriptions.list()).transcriptions).toHaveLength(1);
    emulator.advance(10_000);
    expect(await transcriptions.update(tt.ttid, { Status: "stopped" })).toMatchObject({
      status: "stopped",
      duration: 10,
    });

    expect((await parts.update(bob.sid, { Status: "disconnected" })).status).toBe("disconnected");
    expect((await parts.disconnect(alice.sid)).status).toBe("disconnected");
    expect((await parts.anonymize(alice.sid)).identity).toBe(alice.sid);

    expect((await video.rooms.update(room.sid, { Status: "completed" })).status).toBe("completed");
    const second = await video.rooms.create({ UniqueName: "ops-room-2" });
    expect((await video.rooms.complete(second.sid)).status).toBe("completed");
    emulator.advance(60_000);

    // Recordings, room-scoped and account-wide
    const roomRecordings = video.rooms.recordings(room.sid);
    const recs = (await roomRecordings.list()).recordings;
    expect(recs.length).toBeGreaterThanOrEqual(2);
    expect(recs.every((r) => r.status === "completed")).toBe(true);
    const audio = recs.find((r) => r.type === "audio")!;
    expect((await roomRecordings.get(audio.sid)).room_sid).toBe(room.sid);
    const roomLink = await roomRecordings.media(audio.sid, {
      ttl: 120,
      contentDisposition: "attachment; filename=mic.mka",
    });
    expect(roomLink.url.startsWith(emulator.mediaUrl)).toBe(true);
    const file = await roomRecordings.download(audio.sid);
    expect(file.headers.get("content-type")).toBe("audio/x-matroska");
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect((await video.recordings.get(audio.sid)).grouping_sids).toEqual({
      room_sid: room.sid,
      participant_sid: alice.sid,
    });
    expect(
      (await video.recordings.list({ GroupingSid: [room.sid], MediaType: "audio" })).recordings.map((r) => r.sid),
    ).toContain(audio.sid);
    expect((await video.recordings.media(audio.sid)).url).toContain("/media/recording/");
    const video1 = recs.find((r) => r.type === "video")!;
    await roomRecordings.delete(video1.sid);
    expect((await video.recordings.get(video1.sid)).status).toBe("deleted");
    await video.recordings.delete(audio.sid);
    expect((await video.recordings.list({ Status: "deleted" })).recordings.map((r) => r.sid).sort()).toEqual(
      [audio.sid, video1.sid].sort(),
    );
    await expect(video.recordings.media(audio.sid)).rejects.toMatchObject({ status: 404, code: 20404 });

    // Compositions
    const earlier = (await roomRecordings.list({ Status: "deleted" })).recordings.length;
    expect(earlier).toBe(2);
    const composition = await video.compositions.create({
      RoomSid: room.sid,
      AudioSources: ["*"],
      VideoLayout: { main: { video_sources: ["bob-cam"] } },
      Trim: false,
    });
    expect(composition.status).toBe("enqueued");
    emulator.advance(5_000);
    // Every recording was deleted above, so there is nothing to compose.
    expect((await video.compositions.get(composition.sid)).status).toBe("failed");
    expect((await video.compositions.list({ RoomSid: room.sid })).compositions.map((c) => c.sid)).toContain(
      composition.sid,
    );
    await video.compositions.delete(composition.sid);
    await expect(video.compositions.media(composition.sid)).rejects.toBeInstanceOf(TwilioApiError);

    await video.compositionHooks.delete(hook.sid);
    await expect(video.compositionHooks.get(hook.sid)).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it("answers a completed composition's media with a signed URL the client can download", async () => {
    const room = await video.rooms.create({ RecordParticipantsOnConnect: true });
    emulator.connectParticipant(room.sid, "carol");
    emulator.publishTrack(room.sid, "carol", { kind: "audio" });
    emulator.advance(20_000);
    await video.rooms.complete(room.sid);
    emulator.advance(2_000);
    const c = await video.compositions.create({ RoomSid: room.sid, AudioSources: ["carol"], Format: "mp4" });
    emulator.advance(5_000);
    const done = await video.compositions.get(c.sid);
    expect(done).toMatchObject({ status: "completed", duration: 20, format: "mp4" });
    const link = await video.compositions.media(c.sid);
    expect(link.url.startsWith(emulator.mediaUrl)).toBe(true);
    const body = await video.compositions.download(c.sid);
    expect(body.headers.get("content-type")).toBe("video/mp4");
  });

  it("saw every operation of the spec, and every exchange conforms to it", async () => {
    const traffic = emulator.traffic();
    const validator = createContractValidator({ baseUrls: [emulator.url] });
    const seen = new Set<string>();
    const failures: string[] = [];
    for (const recording of traffic) {
      const result = validator.validateRecording(recording);
      if (result.operationId) seen.add(result.operationId);
      // A request the spec rejects but the emulator answered 2xx is specTooStrict, not an error: it still fails here.
      if (!result.ok || result.warnings.length > 0 || result.specTooStrict.length > 0) {
        failures.push(
          `${recording.description}: ${JSON.stringify([...result.errors, ...result.warnings, ...result.specTooStrict])}`,
        );
      }
    }
    expect(failures).toEqual([]);
    // The coverage list is the generated one, so a new operation in the spec must reach the emulator's scenario.
    expect([...seen].sort()).toEqual(specOperations.map((op) => op.operationId).sort());
    expect(specOperationIds()).toEqual(specOperations.map((op) => op.operationId).sort());
    // The client's own table covers the same operations.
    expect(new Set(operationRows().map((r) => r.operationId))).toEqual(
      new Set(specOperations.map((op) => op.operationId)),
    );
  });

  it("writes its traffic as recording files that validate against the spec as Twilio traffic", async () => {
    const dir = await mkdtemp(join(tmpdir(), "emulator-recordings-"));
    try {
      const files = await emulator.writeRecordings(dir);
      expect(files.length).toBe(emulator.traffic().length);
      expect(files[0]).toMatch(/0001-\w+\.json$/);
      const validator = createContractValidator();
      for (const file of files) {
        const text = await readFile(file, "utf8");
        expect(text).not.toContain(emulator.url);
        const result = validator.validateRecording(JSON.parse(text));
        expect(result.ok, `${file}: ${JSON.stringify(result.errors)}`).toBe(true);
        expect(result.specTooStrict, file).toEqual([]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
