/**
 * The service's behaviour over time: rooms, participants and tracks changing
 * state, recordings following the recording rules, compositions progressing,
 * composition hooks firing when rooms end, and the status callback events all
 * of that produces. Handlers (REST) and the control API (what client SDKs
 * would do) both drive the emulator through this class only.
 */
import type { components } from "../../generated/openapi.js";
import type { CallbackDispatcher } from "./callbacks.js";
import type { EmulatorClock } from "./clock.js";
import { badRequest } from "./errors.js";
import { isoDate, seconds } from "./ids.js";
import { DEFAULT_SUBSCRIBE_RULES, recordingRuleResults, selects, subscribeRuleResults, type RuleInput, type TrackFacts } from "./rules.js";
import type {
  CompositionRecord,
  CompositionSpec,
  HookRecord,
  HttpMethod,
  ParticipantRecord,
  RecordingRecord,
  RoomRecord,
  Store,
  TrackKind,
  TrackRecord,
  TranscriptionRecord,
} from "./store.js";

type S = components["schemas"];

/** How long the emulated service takes for work the real one does in the background (emulated ms). */
export interface Timings {
  /** From the end of a track's capture until its recording is `completed`. */
  recordingProcessingMs: number;
  /** From `enqueued` until a composition starts `processing`. */
  compositionEnqueuedMs: number;
  /** From `processing` until the composition is `completed` (progress events every 10 %). */
  compositionProcessingMs: number;
}

export const DEFAULT_TIMINGS: Timings = { recordingProcessingMs: 1000, compositionEnqueuedMs: 500, compositionProcessingMs: 2000 };

// Nominal media rates, only to give sizes and bitrates plausible values.
const BYTES_PER_SECOND = { audio: 4_000, video: 62_500 } as const;
const COMPOSITION_KBPS = { audioOnly: 64, video: 1_000 } as const;
const MAX_PARTICIPANTS_BY_TYPE: Record<S["RoomType"], number> = { group: 50, "group-small": 4, "peer-to-peer": 10, go: 2 };

export interface RoomInput {
  uniqueName?: string;
  type?: S["RoomType"];
  statusCallback?: string;
  statusCallbackMethod?: HttpMethod;
  maxParticipants?: number;
  maxParticipantDuration?: number;
  recordParticipantsOnConnect?: boolean;
  transcribeParticipantsOnConnect?: boolean;
  transcriptionsConfiguration?: Record<string, unknown>;
  videoCodecs?: S["VideoCodec"][];
  mediaRegion?: string;
  audioOnly?: boolean;
  enableTurn?: boolean;
  emptyRoomTimeout?: number;
  unusedRoomTimeout?: number;
  largeRoom?: boolean;
  recordingRules?: RuleInput[];
}

export interface CompositionInput {
  audioSources?: string[];
  audioSourcesExcluded?: string[];
  videoLayout?: S["VideoLayout"];
  resolution?: string;
  format?: S["MediaFormat"];
  trim?: boolean;
  statusCallback?: string;
  statusCallbackMethod?: HttpMethod;
}

export interface TrackInput {
  name?: string;
  kind: TrackKind;
  enabled?: boolean;
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

/**
 * The settings a composition gets from a create request, defaults filled in.
 * A new hook starts from the same defaults (compositionSpec({})), so the two stay alike.
 */
export function compositionSpec(input: CompositionInput): CompositionSpec {
  return {
    audioSources: input.audioSources ?? [],
    audioSourcesExcluded: input.audioSourcesExcluded ?? [],
    videoLayout: input.videoLayout ?? {},
    resolution: input.resolution ?? "640x480",
    trim: input.trim ?? true,
    format: input.format ?? "webm",
    statusCallback: input.statusCallback ?? null,
    statusCallbackMethod: input.statusCallback ? (input.statusCallbackMethod ?? "POST") : null,
  };
}

/** Configuration as the API answers with it: a map of strings. */
function stringMap(config: Record<string, unknown> | undefined): Record<string, string> | null {
  return config ? Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])) : null;
}

export class Lifecycle {
  constructor(
    private readonly store: Store,
    private readonly clock: EmulatorClock,
    private readonly callbacks: CallbackDispatcher,
    private readonly accountSid: string,
    /** Absolute API base, for the URIs inside callback events. */
    private readonly apiBase: string,
    private readonly timings: Timings,
  ) {}

  now(): number {
    return this.clock.now();
  }

  // ---- rooms -------------------------------------------------------------

  createRoom(input: RoomInput): RoomRecord {
    if (input.uniqueName !== undefined && this.store.findRoom(input.uniqueName)?.status === "in-progress") {
      throw badRequest(53113, `Room exists: an in-progress room is already named '${input.uniqueName}'`);
    }
    const type = input.type ?? "group";
    const recordOnConnect = input.recordParticipantsOnConnect ?? false;
    const base = this.store.newRecord("RM", this.now());
    const room: RoomRecord = {
      ...base,
      uniqueName: input.uniqueName ?? base.sid,
      status: "in-progress",
      type,
      ended: null,
      statusCallback: input.statusCallback ?? null,
      statusCallbackMethod: input.statusCallback ? (input.statusCallbackMethod ?? "POST") : null,
      maxParticipants: input.maxParticipants ?? MAX_PARTICIPANTS_BY_TYPE[type],
      maxParticipantDuration: input.maxParticipantDuration ?? 14_400,
      recordParticipantsOnConnect: recordOnConnect,
      transcribeParticipantsOnConnect: input.transcribeParticipantsOnConnect ?? false,
      transcriptionsConfiguration: stringMap(input.transcriptionsConfiguration),
      videoCodecs: input.videoCodecs ?? ["VP8", "H264"],
      mediaRegion: input.mediaRegion ?? "us1",
      audioOnly: input.audioOnly ?? false,
      enableTurn: input.enableTurn ?? true,
      emptyRoomTimeout: input.emptyRoomTimeout ?? 5,
      unusedRoomTimeout: input.unusedRoomTimeout ?? 5,
      largeRoom: input.largeRoom ?? false,
      // RecordParticipantsOnConnect is shorthand for "record everything".
      recordingRules: recordingRuleResults(input.recordingRules ?? [{ type: recordOnConnect ? "include" : "exclude", all: true }]),
      rulesCreated: null,
      rulesUpdated: null,
      callbackSeq: 0,
      timeout: undefined,
    };
    this.store.rooms.set(room.sid, room);
    this.roomEvent(room, "room-created");
    this.armRoomTimeout(room, room.unusedRoomTimeout);
    if (room.transcribeParticipantsOnConnect) this.createTranscription(room, input.transcriptionsConfiguration);
    return room;
  }

  completeRoom(room: RoomRecord): void {
    if (room.status !== "in-progress") throw badRequest(53118, `Room ${room.sid} is already ${room.status}`);
    room.timeout?.cancel();
    room.timeout = undefined;
    for (const p of this.store.participantsOf(room)) if (p.status !== "disconnected") this.disconnect(p, true);
    for (const t of this.store.transcriptions.values()) if (t.roomSid === room.sid && t.status === "started") this.stopTranscription(t);
    const now = this.now();
    room.status = "completed";
    room.ended = now;
    room.updated = now;
    this.roomEvent(room, "room-ended", { RoomDuration: String(seconds(room.created, now)) });
    for (const hook of [...this.store.hooks.values()].sort((a, b) => a.seq - b.seq)) if (hook.enabled) this.runHook(hook, room);
  }

  /** Completes the room after `minutes` unless someone is connected by then. */
  private armRoomTimeout(room: RoomRecord, minutes: number): void {
    room.timeout?.cancel();
    room.timeout = this.clock.schedule(minutes * 60_000, () => {
      room.timeout = undefined;
      if (room.status === "in-progress" && !this.connected(room).length) this.completeRoom(room);
    });
  }

  private connected(room: RoomRecord): ParticipantRecord[] {
    return this.store.participantsOf(room).filter((p) => p.status !== "disconnected");
  }

  // ---- participants and tracks (what client SDKs do) ------------------------

  connect(room: RoomRecord, identity: string): ParticipantRecord {
    if (room.status !== "in-progress") throw badRequest(53118, `Room ${room.sid} is ${room.status}`);
    if (!identity || identity.length > 128) throw badRequest(identity ? 53201 : 53200, "Participant identity is missing or longer than 128 characters");
    // A second connection with the same identity replaces the first, as in the SDKs.
    const duplicate = this.connected(room).find((p) => p.identity === identity);
    if (duplicate) this.disconnect(duplicate);
    if (this.connected(room).length >= room.maxParticipants) throw badRequest(53105, `Room ${room.sid} is full (${room.maxParticipants} participants)`);
    const now = this.now();
    const p: ParticipantRecord = {
      ...this.store.newRecord("PA", now),
      roomSid: room.sid,
      identity,
      status: "connected",
      start: now,
      end: null,
      subscribeRules: subscribeRuleResults(DEFAULT_SUBSCRIBE_RULES),
      rulesCreated: null,
      rulesUpdated: null,
      maxDurationTimer: undefined,
    };
    this.store.participants.set(p.sid, p);
    room.timeout?.cancel();
    room.timeout = undefined;
    p.maxDurationTimer = this.clock.schedule(room.maxParticipantDuration * 1000, () => this.disconnect(p));
    this.roomEvent(room, "participant-connected", this.participantFields(p));
    return p;
  }

  disconnect(p: ParticipantRecord, roomEnding = false): void {
    if (p.status === "disconnected") return;
    const room = this.store.rooms.get(p.roomSid)!;
    for (const t of this.store.tracksOf(p)) this.unpublish(t);
    const now = this.now();
    p.status = "disconnected";
    p.end = now;
    p.updated = now;
    p.maxDurationTimer?.cancel();
    p.maxDurationTimer = undefined;
    this.roomEvent(room, "participant-disconnected", { ...this.participantFields(p), ParticipantDuration: String(seconds(p.start, now)) });
    if (!roomEnding && room.status === "in-progress" && !this.connected(room).length) this.armRoomTimeout(room, room.emptyRoomTimeout);
  }

  anonymize(p: ParticipantRecord): void {
    p.identity = p.sid;
    p.updated = this.now();
  }

  publish(p: ParticipantRecord, input: TrackInput): TrackRecord {
    if (p.status === "disconnected") throw badRequest(20001, `Participant ${p.sid} is disconnected`);
    // Only a given name can clash: an unnamed track is named after its fresh SID.
    const name = input.name;
    if (name !== undefined && this.store.tracksOf(p).some((t) => t.name === name)) throw badRequest(20001, `Participant ${p.sid} already publishes a track named '${name}'`);
    const base = this.store.newRecord("MT", this.now());
    const track: TrackRecord = {
      ...base,
      roomSid: p.roomSid,
      participantSid: p.sid,
      name: name ?? base.sid,
      kind: input.kind,
      enabled: input.enabled ?? true,
      removed: false,
      recordingSid: undefined,
    };
    this.store.tracks.set(track.sid, track);
    const room = this.store.rooms.get(p.roomSid)!;
    this.roomEvent(room, "track-added", { ...this.participantFields(p), ...this.trackFields(track) });
    this.syncRecordings(room);
    return track;
  }

  unpublish(track: TrackRecord): void {
    if (track.removed) return;
    this.stopCapture(track);
    track.removed = true;
    track.updated = this.now();
    const p = this.store.participants.get(track.participantSid)!;
    this.roomEvent(this.store.rooms.get(track.roomSid)!, "track-removed", { ...this.participantFields(p), ...this.trackFields(track) });
  }

  setTrackEnabled(track: TrackRecord, enabled: boolean): void {
    if (track.enabled === enabled) return;
    track.enabled = enabled;
    track.updated = this.now();
    const p = this.store.participants.get(track.participantSid)!;
    this.roomEvent(this.store.rooms.get(track.roomSid)!, enabled ? "track-enabled" : "track-disabled", { ...this.participantFields(p), ...this.trackFields(track) });
  }

  setSubscribeRules(p: ParticipantRecord, rules: RuleInput[]): void {
    const now = this.now();
    p.subscribeRules = subscribeRuleResults(rules);
    p.rulesCreated ??= now;
    p.rulesUpdated = now;
    p.updated = now;
  }

  /** Tracks `subscriber` currently receives: other connected participants' tracks its rules select. */
  subscriptions(subscriber: ParticipantRecord): TrackRecord[] {
    if (subscriber.status === "disconnected") return [];
    const room = this.store.rooms.get(subscriber.roomSid)!;
    return this.connected(room)
      .filter((publisher) => publisher.sid !== subscriber.sid)
      .flatMap((publisher) => this.store.tracksOf(publisher))
      .filter((t) => selects(subscriber.subscribeRules, this.facts(t)))
      .sort((a, b) => a.seq - b.seq);
  }

  // ---- recordings ----------------------------------------------------------

  setRecordingRules(room: RoomRecord, rules: RuleInput[]): void {
    const now = this.now();
    room.recordingRules = recordingRuleResults(rules);
    room.rulesCreated ??= now;
    room.rulesUpdated = now;
    this.syncRecordings(room);
  }

  /** Starts and stops track recordings so exactly the tracks the room's rules select are being captured. */
  private syncRecordings(room: RoomRecord): void {
    for (const p of this.connected(room)) {
      for (const t of this.store.tracksOf(p)) {
        const wanted = room.status === "in-progress" && t.kind !== "data" && selects(room.recordingRules, this.facts(t));
        if (wanted && !t.recordingSid) this.startCapture(room, p, t);
        else if (!wanted && t.recordingSid) this.stopCapture(t);
      }
    }
  }

  private startCapture(room: RoomRecord, p: ParticipantRecord, t: TrackRecord): void {
    const now = this.now();
    const kind = t.kind === "video" ? "video" : "audio";
    const rec: RecordingRecord = {
      ...this.store.newRecord("RT", now),
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
    this.store.recordings.set(rec.sid, rec);
    t.recordingSid = rec.sid;
    this.roomEvent(room, "recording-started", { ...this.participantFields(p), ...this.recordingFields(rec) });
  }

  private stopCapture(t: TrackRecord): void {
    const rec = t.recordingSid ? this.store.recordings.get(t.recordingSid) : undefined;
    t.recordingSid = undefined;
    if (!rec || rec.captureEnded !== null) return;
    const now = this.now();
    rec.captureEnded = now;
    rec.updated = now;
    this.clock.schedule(this.timings.recordingProcessingMs, () => this.finishRecording(rec));
  }

  private finishRecording(rec: RecordingRecord): void {
    if (rec.status !== "processing") return; // deleted meanwhile
    const duration = seconds(rec.created, rec.captureEnded ?? this.now());
    const settings = this.store.recordingSettings;
    rec.status = "completed";
    rec.duration = duration;
    rec.size = duration * BYTES_PER_SECOND[rec.kind];
    rec.updated = this.now();
    if (settings.awsStorageEnabled && settings.awsS3Url) rec.mediaExternalLocation = `${settings.awsS3Url.replace(/\/+$/, "")}/${rec.sid}.${rec.kind === "audio" ? "mka" : "mkv"}`;
    const room = this.store.rooms.get(rec.roomSid)!;
    const p = this.store.participants.get(rec.participantSid)!;
    this.roomEvent(room, "recording-completed", {
      ...this.participantFields(p),
      ...this.recordingFields(rec),
      MediaUri: `${this.apiBase}/v1/Recordings/${rec.sid}/Media`,
      Duration: String(duration),
      Size: String(rec.size),
      ...(rec.mediaExternalLocation ? { MediaExternalLocation: rec.mediaExternalLocation } : {}),
    });
  }

  deleteRecording(rec: RecordingRecord): void {
    rec.status = "deleted";
    rec.updated = this.now();
  }

  // ---- compositions and hooks ---------------------------------------------------

  createComposition(room: RoomRecord, input: CompositionInput, hook?: HookRecord): CompositionRecord {
    if (room.status === "in-progress") throw badRequest(20001, `Room ${room.sid} is still in progress; compositions are made once a room has ended`);
    const composition: CompositionRecord = {
      ...this.store.newRecord("CJ", this.now()),
      ...compositionSpec(input),
      roomSid: room.sid,
      hookSid: hook?.sid ?? null,
      status: "enqueued",
      completed: null,
      deleted: null,
      bitrate: 0,
      size: null,
      duration: 0,
      mediaExternalLocation: null,
    };
    this.store.compositions.set(composition.sid, composition);
    if (hook) this.compositionEvent(composition, "composition-enqueued");
    this.clock.schedule(this.timings.compositionEnqueuedMs, () => this.startComposition(composition));
    return composition;
  }

  private startComposition(c: CompositionRecord): void {
    if (c.status !== "enqueued") return;
    c.status = "processing";
    c.updated = this.now();
    this.compositionEvent(c, "composition-started");
    const total = this.timings.compositionProcessingMs;
    for (let tenth = 1; tenth < 10; tenth++) {
      this.clock.schedule((total * tenth) / 10, () => {
        if (c.status !== "processing") return;
        this.compositionEvent(c, "composition-progress", {
          PercentageDone: String(tenth * 10),
          SecondsRemaining: String(Math.ceil((total * (10 - tenth)) / 10_000)),
        });
      });
    }
    this.clock.schedule(total, () => this.finishComposition(c));
  }

  /** The room's recordings a composition's sources select. */
  private compositionSources(c: CompositionRecord): RecordingRecord[] {
    const room = this.store.rooms.get(c.roomSid)!;
    const videoSources = Object.values(c.videoLayout).flatMap((region) => region.video_sources);
    const videoExcluded = Object.values(c.videoLayout).flatMap((region) => region.video_sources_excluded ?? []);
    const names = (r: RecordingRecord) => [r.sid, r.trackSid, r.participantSid, r.trackName, this.store.participants.get(r.participantSid)?.identity ?? ""];
    const hit = (patterns: string[], r: RecordingRecord) => patterns.some((p) => names(r).some((n) => glob(p).test(n)));
    return this.store
      .recordingsOf(room)
      .filter((r) => r.status === "completed" || r.status === "processing")
      .filter((r) => (r.kind === "audio" ? hit(c.audioSources, r) && !hit(c.audioSourcesExcluded, r) : hit(videoSources, r) && !hit(videoExcluded, r)));
  }

  private finishComposition(c: CompositionRecord): void {
    if (c.status !== "processing") return;
    const now = this.now();
    const sources = this.compositionSources(c);
    c.updated = now;
    if (sources.length === 0) {
      c.status = "failed";
      this.compositionEvent(c, "composition-failed", { FailedOperation: "composition", ErrorMessage: "No recordings of the room match the composition's sources" });
      return;
    }
    const room = this.store.rooms.get(c.roomSid)!;
    const start = c.trim ? Math.min(...sources.map((r) => r.created)) : room.created;
    const end = c.trim ? Math.max(...sources.map((r) => r.captureEnded ?? now)) : (room.ended ?? now);
    const settings = this.store.compositionSettings;
    c.status = "completed";
    c.completed = now;
    c.duration = Math.max(1, seconds(start, end));
    c.bitrate = sources.some((r) => r.kind === "video") ? COMPOSITION_KBPS.video : COMPOSITION_KBPS.audioOnly;
    c.size = Math.round((c.duration * c.bitrate * 1000) / 8);
    if (settings.awsStorageEnabled && settings.awsS3Url) c.mediaExternalLocation = `${settings.awsS3Url.replace(/\/+$/, "")}/${c.sid}.${c.format}`;
    this.compositionEvent(c, "composition-available", {
      MediaUri: `${this.apiBase}/v1/Compositions/${c.sid}/Media`,
      Duration: String(c.duration),
      Size: String(c.size),
      ...(c.mediaExternalLocation ? { MediaExternalLocation: c.mediaExternalLocation } : {}),
    });
  }

  deleteComposition(c: CompositionRecord): void {
    const now = this.now();
    c.status = "deleted";
    c.deleted = now;
    c.updated = now;
  }

  private runHook(hook: HookRecord, room: RoomRecord): void {
    if (this.store.recordingsOf(room).length === 0) {
      this.callbacks.send(
        { url: hook.statusCallback, method: hook.statusCallbackMethod },
        {
          AccountSid: this.accountSid,
          RoomSid: room.sid,
          StatusCallbackEvent: "composition-hook-failed",
          Timestamp: isoDate(this.now()),
          ...this.hookFields(hook),
          FailedOperation: "composition-hook",
          ErrorMessage: "The room has no recordings to compose",
        },
      );
      return;
    }
    this.createComposition(
      room,
      {
        audioSources: hook.audioSources,
        audioSourcesExcluded: hook.audioSourcesExcluded,
        videoLayout: hook.videoLayout,
        resolution: hook.resolution,
        format: hook.format,
        trim: hook.trim,
        ...(hook.statusCallback ? { statusCallback: hook.statusCallback } : {}),
        ...(hook.statusCallbackMethod ? { statusCallbackMethod: hook.statusCallbackMethod } : {}),
      },
      hook,
    );
  }

  // ---- transcriptions ---------------------------------------------------------

  createTranscription(room: RoomRecord, configuration?: Record<string, unknown>): TranscriptionRecord {
    if (room.status !== "in-progress") throw badRequest(53118, `Room ${room.sid} is ${room.status}`);
    const now = this.now();
    const t: TranscriptionRecord = {
      ...this.store.newRecord("VT", now),
      roomSid: room.sid,
      status: "started",
      start: now,
      end: null,
      accumulated: 0,
      configuration: stringMap(configuration) ?? room.transcriptionsConfiguration,
    };
    this.store.transcriptions.set(t.sid, t);
    return t;
  }

  updateTranscription(t: TranscriptionRecord, status: "started" | "stopped" | undefined, configuration?: Record<string, unknown>): void {
    const now = this.now();
    if (configuration) t.configuration = { ...(t.configuration ?? {}), ...stringMap(configuration) };
    if (status === "stopped" && t.status === "started") this.stopTranscription(t);
    if (status === "started" && t.status !== "started") {
      const room = this.store.rooms.get(t.roomSid)!;
      if (room.status !== "in-progress") throw badRequest(53118, `Room ${room.sid} is ${room.status}`);
      t.status = "started";
      t.start = now;
      t.end = null;
    }
    t.updated = now;
  }

  private stopTranscription(t: TranscriptionRecord): void {
    const now = this.now();
    t.accumulated += t.start === null ? 0 : seconds(t.start, now);
    t.status = "stopped";
    t.end = now;
    t.updated = now;
  }

  // ---- status callback events -----------------------------------------------

  private facts(t: TrackRecord): TrackFacts {
    const p = this.store.participants.get(t.participantSid)!;
    return { sid: t.sid, name: t.name, kind: t.kind, publisherSid: p.sid, publisherIdentity: p.identity };
  }

  private roomEvent(room: RoomRecord, event: S["RoomStatusCallbackEvent"]["StatusCallbackEvent"], fields: Record<string, string> = {}): void {
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      RoomName: room.uniqueName,
      RoomSid: room.sid,
      RoomStatus: room.status,
      RoomType: room.type,
      StatusCallbackEvent: event,
      Timestamp: isoDate(this.now()),
      SequenceNumber: String(room.callbackSeq++),
      ...fields,
    };
    this.callbacks.send({ url: room.statusCallback, method: room.statusCallbackMethod }, params);
  }

  private participantFields(p: ParticipantRecord): Record<string, string> {
    return { ParticipantSid: p.sid, ParticipantStatus: p.status, ParticipantIdentity: p.identity };
  }

  private trackFields(t: TrackRecord): Record<string, string> {
    return { TrackSid: t.sid, TrackKind: t.kind, TrackName: t.name };
  }

  private recordingFields(r: RecordingRecord): Record<string, string> {
    return {
      RecordingSid: r.sid,
      SourceSid: r.trackSid,
      RecordingUri: `${this.apiBase}/v1/Recordings/${r.sid}`,
      Container: r.kind === "audio" ? "mka" : "mkv",
      Codec: r.codec,
      TrackName: r.trackName,
      OffsetFromTwilioVideoEpoch: String(r.offset),
      Type: r.kind,
    };
  }

  private hookFields(hook: HookRecord): Record<string, string> {
    return { HookSid: hook.sid, HookUri: `${this.apiBase}/v1/CompositionHooks/${hook.sid}`, HookFriendlyName: hook.friendlyName };
  }

  private compositionEvent(c: CompositionRecord, event: S["CompositionStatusCallbackEvent"]["StatusCallbackEvent"], fields: Record<string, string> = {}): void {
    const hook = c.hookSid ? this.store.hooks.get(c.hookSid) : undefined;
    this.callbacks.send(
      { url: c.statusCallback, method: c.statusCallbackMethod },
      {
        AccountSid: this.accountSid,
        RoomSid: c.roomSid,
        StatusCallbackEvent: event,
        Timestamp: isoDate(this.now()),
        ...(hook ? this.hookFields(hook) : {}),
        CompositionSid: c.sid,
        CompositionUri: `${this.apiBase}/v1/Compositions/${c.sid}`,
        ...fields,
      },
    );
  }
}

