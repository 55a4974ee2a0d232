/**
 * Track recordings: started and stopped so that exactly the tracks a room's
 * recording rules select are being captured, then `processing` until the
 * service has finished them.
 */
import { trimTrailingSlashes } from "../glob.js";
import { seconds } from "../ids.js";
import { recordingRuleResults, selects, type RuleInput } from "../rules.js";
import type { ParticipantRecord, RecordingRecord, RoomRecord, TrackRecord } from "../store.js";
import { connected, trackFacts, type LifeContext } from "./context.js";

// Nominal media rates, only to give sizes plausible values.
const BYTES_PER_SECOND = { audio: 4_000, video: 62_500 } as const;

export class RecordingLife {
  constructor(private readonly ctx: LifeContext) {}

  setRules(room: RoomRecord, rules: RuleInput[]): void {
    const now = this.ctx.clock.now();
    room.recordingRules = recordingRuleResults(rules);
    room.rulesCreated ??= now;
    room.rulesUpdated = now;
    this.sync(room);
  }

  /** Starts and stops track recordings so exactly the tracks the room's rules select are being captured. */
  sync(room: RoomRecord): void {
    const { store } = this.ctx;
    for (const p of connected(store, room)) {
      for (const t of store.tracksOf(p)) {
        const wanted =
          room.status === "in-progress" && t.kind !== "data" && selects(room.recordingRules, trackFacts(store, t));
        if (wanted && !t.recordingSid) this.startCapture(room, p, t);
        else if (!wanted && t.recordingSid) this.stopCapture(t);
      }
    }
  }

  private startCapture(room: RoomRecord, p: ParticipantRecord, t: TrackRecord): void {
    const { store, clock, events } = this.ctx;
    const now = clock.now();
    const kind = t.kind === "video" ? "video" : "audio";
    const base = store.newRecord("RT", now);
    const rec: RecordingRecord = {
      sid: base.sid,
      seq: base.seq,
      created: base.created,
      updated: base.updated,
      roomSid: room.sid,
      participantSid: p.sid,
      trackSid: t.sid,
      trackName: t.name,
      kind,
      status: "processing",
      captureEnded: null,
      duration: null,
      size: null,
      codec: kind === "audio" ? "OPUS" : (room.videoCodecs[0] ?? "VP8"),
      // Relative to the room's start, which lines up the recordings of one room as the real offsets do.
      offset: now - room.created,
      mediaExternalLocation: null,
    };
    store.addRecording(rec);
    t.recordingSid = rec.sid;
    events.room(room, "recording-started", { ...events.participantFields(p), ...events.recordingFields(rec) });
  }

  stopCapture(t: TrackRecord): void {
    const { store, clock, timings } = this.ctx;
    const rec = t.recordingSid ? store.recordings.get(t.recordingSid) : undefined;
    t.recordingSid = undefined;
    if (!rec || rec.captureEnded !== null) return;
    const now = clock.now();
    rec.captureEnded = now;
    rec.updated = now;
    clock.schedule(timings.recordingProcessingMs, () => this.finish(rec));
  }

  private finish(rec: RecordingRecord): void {
    const { store, clock, events } = this.ctx;
    const room = store.rooms.get(rec.roomSid);
    const p = store.participants.get(rec.participantSid);
    // Deleted meanwhile, or the emulator was reset: nothing to finish.
    if (rec.status !== "processing" || !room || !p || store.recordings.get(rec.sid) !== rec) return;
    const duration = seconds(rec.created, rec.captureEnded ?? clock.now());
    const settings = store.recordingSettings;
    rec.status = "completed";
    rec.duration = duration;
    rec.size = duration * BYTES_PER_SECOND[rec.kind];
    rec.updated = clock.now();
    if (settings.awsStorageEnabled && settings.awsS3Url) {
      const extension = rec.kind === "audio" ? "mka" : "mkv";
      rec.mediaExternalLocation = `${trimTrailingSlashes(settings.awsS3Url)}/${rec.sid}.${extension}`;
    }
    events.room(room, "recording-completed", {
      ...events.participantFields(p),
      ...events.recordingFields(rec),
      MediaUri: events.mediaUri("Recordings", rec.sid),
      Duration: String(duration),
      Size: String(rec.size),
      ...(rec.mediaExternalLocation ? { MediaExternalLocation: rec.mediaExternalLocation } : {}),
    });
  }

  delete(rec: RecordingRecord): void {
    rec.status = "deleted";
    rec.updated = this.ctx.clock.now();
  }
}
