/**
 * The service's behaviour over time: rooms, participants and tracks changing
 * state, recordings following the recording rules, compositions progressing,
 * composition hooks firing when rooms end, and the status callback events all
 * of that produces. Handlers (REST) and the control API (what client SDKs
 * would do) both drive the emulator through this class only; the work is
 * split by the API's resources under lifecycle/.
 */
import type { CallbackDispatcher } from "./callbacks.js";
import type { EmulatorClock } from "./clock.js";
import { CompositionLife, type CompositionInput } from "./lifecycle/compositions.js";
import type { Timings } from "./lifecycle/context.js";
import { Events } from "./lifecycle/events.js";
import { RecordingLife } from "./lifecycle/recordings.js";
import { RoomLife, type RoomInput, type TrackInput } from "./lifecycle/rooms.js";
import { TranscriptionLife } from "./lifecycle/transcriptions.js";
import type { RuleInput } from "./rules.js";
import type { CompositionRecord, HookRecord, ParticipantRecord, RecordingRecord, RoomRecord, Store, TrackRecord, TranscriptionRecord } from "./store.js";

export { compositionSpec, type CompositionInput } from "./lifecycle/compositions.js";
export { DEFAULT_TIMINGS, type Timings } from "./lifecycle/context.js";
export type { RoomInput, TrackInput } from "./lifecycle/rooms.js";

export class Lifecycle {
  private readonly rooms: RoomLife;
  private readonly recordings: RecordingLife;
  private readonly compositions: CompositionLife;
  private readonly transcriptions: TranscriptionLife;

  constructor(
    store: Store,
    private readonly clock: EmulatorClock,
    callbacks: CallbackDispatcher,
    accountSid: string,
    /** Absolute API base, for the URIs inside callback events. */
    apiBase: string,
    timings: Timings,
  ) {
    const ctx = { store, clock, timings, events: new Events(store, clock, callbacks, accountSid, apiBase) };
    this.recordings = new RecordingLife(ctx);
    this.compositions = new CompositionLife(ctx);
    this.transcriptions = new TranscriptionLife(ctx);
    this.rooms = new RoomLife(ctx, this.recordings, this.compositions, this.transcriptions);
  }

  now(): number {
    return this.clock.now();
  }

  // Rooms, participants, tracks
  createRoom(input: RoomInput): RoomRecord {
    return this.rooms.create(input);
  }
  completeRoom(room: RoomRecord): void {
    this.rooms.complete(room);
  }
  connect(room: RoomRecord, identity: string): ParticipantRecord {
    return this.rooms.connect(room, identity);
  }
  disconnect(p: ParticipantRecord, roomEnding = false): void {
    this.rooms.disconnect(p, roomEnding);
  }
  anonymize(p: ParticipantRecord): void {
    this.rooms.anonymize(p);
  }
  publish(p: ParticipantRecord, input: TrackInput): TrackRecord {
    return this.rooms.publish(p, input);
  }
  unpublish(track: TrackRecord): void {
    this.rooms.unpublish(track);
  }
  setTrackEnabled(track: TrackRecord, enabled: boolean): void {
    this.rooms.setTrackEnabled(track, enabled);
  }
  setSubscribeRules(p: ParticipantRecord, rules: RuleInput[]): void {
    this.rooms.setSubscribeRules(p, rules);
  }
  subscriptions(subscriber: ParticipantRecord): TrackRecord[] {
    return this.rooms.subscriptions(subscriber);
  }

  // Recordings
  setRecordingRules(room: RoomRecord, rules: RuleInput[]): void {
    this.recordings.setRules(room, rules);
  }
  deleteRecording(rec: RecordingRecord): void {
    this.recordings.delete(rec);
  }

  // Compositions and hooks
  createComposition(room: RoomRecord, input: CompositionInput, hook?: HookRecord): CompositionRecord {
    return this.compositions.create(room, input, hook);
  }
  deleteComposition(c: CompositionRecord): void {
    this.compositions.delete(c);
  }

  // Transcriptions
  createTranscription(room: RoomRecord, configuration?: Record<string, unknown>): TranscriptionRecord {
    return this.transcriptions.create(room, configuration);
  }
  updateTranscription(t: TranscriptionRecord, status: "started" | "stopped" | undefined, configuration?: Record<string, unknown>): void {
    this.transcriptions.update(t, status, configuration);
  }
}
