/**
 * In-memory state. Records keep times as epoch ms and only what the emulator
 * needs to reproduce the API's answers; views.ts turns them into the wire
 * shapes. Every record carries a `seq` (creation order) that lists sort by and
 * page tokens point at.
 */
import type { components } from "../../generated/openapi.js";
import type { TimerHandle } from "./clock.js";
import { EmulatorError } from "./errors.js";
import { newSid } from "./ids.js";
import { SeqList } from "./seqlist.js";

type S = components["schemas"];

export type RoomStatus = S["RoomStatus"];
export type TrackKind = S["TrackKind"];
export type HttpMethod = S["HttpMethod"];

/** What every record starts with; made by Store.newRecord so seq and the SID index stay in step. */
export interface Base {
  sid: string;
  seq: number;
  created: number;
  updated: number;
}

/** How a composition is made. A hook holds the same settings for the compositions it starts. */
export interface CompositionSpec {
  audioSources: string[];
  audioSourcesExcluded: string[];
  videoLayout: S["VideoLayout"];
  resolution: string;
  trim: boolean;
  format: S["MediaFormat"];
  statusCallback: string | null;
  statusCallbackMethod: HttpMethod | null;
}

export interface RoomRecord extends Base {
  uniqueName: string;
  status: RoomStatus;
  type: S["RoomType"];
  ended: number | null;
  statusCallback: string | null;
  statusCallbackMethod: HttpMethod | null;
  maxParticipants: number;
  maxParticipantDuration: number;
  recordParticipantsOnConnect: boolean;
  transcribeParticipantsOnConnect: boolean;
  transcriptionsConfiguration: Record<string, string> | null;
  videoCodecs: S["VideoCodec"][];
  mediaRegion: string;
  audioOnly: boolean;
  enableTurn: boolean;
  emptyRoomTimeout: number;
  unusedRoomTimeout: number;
  largeRoom: boolean;
  recordingRules: S["RecordingRuleResult"][];
  rulesCreated: number | null;
  rulesUpdated: number | null;
  /** Count of status callback events sent so far (the next SequenceNumber). */
  callbackSeq: number;
  /** Pending empty/unused room timeout. */
  timeout: TimerHandle | undefined;
}

export interface ParticipantRecord extends Base {
  roomSid: string;
  identity: string;
  status: S["ParticipantStatus"];
  start: number;
  end: number | null;
  subscribeRules: S["SubscribeRuleResult"][];
  rulesCreated: number | null;
  rulesUpdated: number | null;
  maxDurationTimer: TimerHandle | undefined;
}

export interface TrackRecord extends Base {
  roomSid: string;
  participantSid: string;
  name: string;
  kind: TrackKind;
  enabled: boolean;
  /** Set once unpublished; the track no longer appears anywhere. */
  removed: boolean;
  /** The recording currently capturing this track. */
  recordingSid: string | undefined;
}

export interface RecordingRecord extends Base {
  roomSid: string;
  participantSid: string;
  trackSid: string;
  trackName: string;
  kind: "audio" | "video";
  status: S["RecordingStatus"];
  /** When capture ended (track unpublished, excluded by rules, room ended). */
  captureEnded: number | null;
  duration: number | null;
  size: number | null;
  codec: S["RecordingCodec"];
  offset: number;
  mediaExternalLocation: string | null;
}

export interface CompositionRecord extends Base, CompositionSpec {
  roomSid: string;
  hookSid: string | null;
  status: S["CompositionStatus"];
  completed: number | null;
  deleted: number | null;
  bitrate: number;
  size: number | null;
  duration: number;
  mediaExternalLocation: string | null;
}

export interface HookRecord extends Base, CompositionSpec {
  friendlyName: string;
  enabled: boolean;
}

export interface TranscriptionRecord extends Base {
  /** The `ttid`. */
  sid: string;
  roomSid: string;
  status: S["TranscriptionStatus"];
  start: number | null;
  end: number | null;
  /** Seconds transcribed in earlier started→stopped spans. */
  accumulated: number;
  configuration: Record<string, string> | null;
}

export interface StorageSettings {
  friendlyName: string | null;
  awsCredentialsSid: string | null;
  awsS3Url: string | null;
  awsStorageEnabled: boolean;
  encryptionKeySid: string | null;
  encryptionEnabled: boolean;
}

const defaultSettings = (): StorageSettings => ({
  friendlyName: null,
  awsCredentialsSid: null,
  awsS3Url: null,
  awsStorageEnabled: false,
  encryptionKeySid: null,
  encryptionEnabled: false,
});

/** Bounds of the emulator's state: its records, and the request bytes that made them. */
export interface StateLimits {
  /**
   * Most records (rooms, participants, tracks, recordings, compositions,
   * hooks, transcriptions) until reset (default 250,000).
   */
  maxRecords?: number | undefined;
  /**
   * Most bytes of accepted state-changing request bodies (API and control
   * API) until reset (default 256 MiB): a stand-in for the bytes the state
   * holds, since every string stored came in a body.
   */
  maxBytes?: number | undefined;
}

/** The state's default bounds: far above any test suite, far below what fills a CI machine's memory. */
export const DEFAULT_STATE_LIMITS: { readonly maxRecords: number; readonly maxBytes: number } = {
  maxRecords: 250_000,
  maxBytes: 256 * 1024 * 1024,
};

const push = <K, V>(map: Map<K, V[]>, key: K, value: V): void => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/**
 * Every record by SID, plus the indexes the handlers look things up by, so
 * that a lookup or a page costs the same with 100,000 rooms as with 1,000:
 * in-progress rooms by unique name, rooms by name and by status (in seq
 * order, for paging without sorting), and each room's and participant's
 * children. Records are added through the add* methods and room status
 * changes through setRoomStatus, which keep the indexes in step.
 */
export class Store {
  private seq = 0;
  readonly rooms = new Map<string, RoomRecord>();
  readonly participants = new Map<string, ParticipantRecord>();
  readonly tracks = new Map<string, TrackRecord>();
  readonly recordings = new Map<string, RecordingRecord>();
  readonly compositions = new Map<string, CompositionRecord>();
  readonly hooks = new Map<string, HookRecord>();
  readonly transcriptions = new Map<string, TranscriptionRecord>();
  compositionSettings: StorageSettings = defaultSettings();
  recordingSettings: StorageSettings = defaultSettings();
  /** seq of every record ever created, so a page token survives its item leaving the filter. */
  private readonly seqBySid = new Map<string, number>();
  /** The in-progress room holding each unique name (at most one). */
  private readonly liveRoomByName = new Map<string, RoomRecord>();
  /** Every room that ever had each unique name, oldest first. */
  private readonly roomsByName = new Map<string, RoomRecord[]>();
  private readonly roomsByStatus = new Map<RoomStatus, SeqList<RoomRecord>>();
  private readonly participantsByRoom = new Map<string, ParticipantRecord[]>();
  private readonly tracksByParticipant = new Map<string, TrackRecord[]>();
  private readonly recordingsByRoom = new Map<string, RecordingRecord[]>();
  private readonly compositionsByRoom = new Map<string, CompositionRecord[]>();
  private readonly transcriptionsByRoom = new Map<string, TranscriptionRecord[]>();

  private charged = 0;
  private readonly limits: { maxRecords: number; maxBytes: number };

  constructor(limits: StateLimits = {}) {
    this.limits = {
      maxRecords: limits.maxRecords ?? DEFAULT_STATE_LIMITS.maxRecords,
      maxBytes: limits.maxBytes ?? DEFAULT_STATE_LIMITS.maxBytes,
    };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isSafeInteger(value) || value < 1)
        throw new TypeError(`stateLimits.${name} must be a whole number, 1 or more`);
    }
  }

  /** Records created and request bytes charged since the last reset, against their limits. */
  usage(): { records: number; maxRecords: number; bytes: number; maxBytes: number } {
    return {
      records: this.seqBySid.size,
      maxRecords: this.limits.maxRecords,
      bytes: this.charged,
      maxBytes: this.limits.maxBytes,
    };
  }

  /** Counts the body of an accepted state-changing request against maxBytes. */
  charge(bytes: number): void {
    this.charged += bytes;
  }

  /** A new record's common fields: a fresh SID, the next seq (indexed for page tokens), created = updated = now. */
  newRecord(prefix: string, now: number): Base {
    const { records, maxRecords, bytes, maxBytes } = this.usage();
    if (records >= maxRecords || bytes >= maxBytes) {
      // 507, not 429 or 503: waiting does not help, and clients must not retry it.
      const what = records >= maxRecords ? `${maxRecords} records` : `${maxBytes} bytes of requests`;
      throw new EmulatorError(
        507,
        20500,
        `Emulator state limit reached (${what}): reset the emulator, or start it with larger stateLimits`,
      );
    }
    const sid = newSid(prefix);
    const seq = ++this.seq;
    this.seqBySid.set(sid, seq);
    return { sid, seq, created: now, updated: now };
  }

  seqOf(sid: string): number | undefined {
    return this.seqBySid.get(sid);
  }

  private statusList(status: RoomStatus): SeqList<RoomRecord> {
    let list = this.roomsByStatus.get(status);
    if (!list) {
      list = new SeqList();
      this.roomsByStatus.set(status, list);
    }
    return list;
  }

  addRoom(room: RoomRecord): void {
    this.rooms.set(room.sid, room);
    push(this.roomsByName, room.uniqueName, room);
    if (room.status === "in-progress") this.liveRoomByName.set(room.uniqueName, room);
    this.statusList(room.status).add(room);
  }

  setRoomStatus(room: RoomRecord, status: RoomStatus): void {
    if (room.status === status) return;
    this.statusList(room.status).remove(room);
    if (room.status === "in-progress" && this.liveRoomByName.get(room.uniqueName) === room)
      this.liveRoomByName.delete(room.uniqueName);
    room.status = status;
    this.statusList(status).add(room);
    if (status === "in-progress") this.liveRoomByName.set(room.uniqueName, room);
  }

  /** Rooms with this status, oldest first. */
  roomsWithStatus(status: RoomStatus): SeqList<RoomRecord> {
    return this.statusList(status);
  }

  /** Every room that had this unique name, oldest first. */
  roomsNamed(name: string): readonly RoomRecord[] {
    return this.roomsByName.get(name) ?? [];
  }

  addParticipant(p: ParticipantRecord): void {
    this.participants.set(p.sid, p);
    push(this.participantsByRoom, p.roomSid, p);
  }

  addTrack(t: TrackRecord): void {
    this.tracks.set(t.sid, t);
    push(this.tracksByParticipant, t.participantSid, t);
  }

  addRecording(r: RecordingRecord): void {
    this.recordings.set(r.sid, r);
    push(this.recordingsByRoom, r.roomSid, r);
  }

  addComposition(c: CompositionRecord): void {
    this.compositions.set(c.sid, c);
    push(this.compositionsByRoom, c.roomSid, c);
  }

  addTranscription(t: TranscriptionRecord): void {
    this.transcriptions.set(t.sid, t);
    push(this.transcriptionsByRoom, t.roomSid, t);
  }

  /** The in-progress room with this unique name, or the room with this SID. */
  findRoom(sidOrName: string): RoomRecord | undefined {
    return this.rooms.get(sidOrName) ?? this.liveRoomByName.get(sidOrName);
  }

  /** A participant of the room by SID, or by identity among the connected ones. */
  findParticipant(room: RoomRecord, sidOrIdentity: string): ParticipantRecord | undefined {
    const bySid = this.participants.get(sidOrIdentity);
    if (bySid) return bySid.roomSid === room.sid ? bySid : undefined;
    return this.participantsOf(room).find((p) => p.status === "connected" && p.identity === sidOrIdentity);
  }

  /** The room's participants, oldest first. */
  participantsOf(room: RoomRecord): readonly ParticipantRecord[] {
    return this.participantsByRoom.get(room.sid) ?? [];
  }

  /** Tracks the participant currently publishes, oldest first. */
  tracksOf(participant: ParticipantRecord): TrackRecord[] {
    return (this.tracksByParticipant.get(participant.sid) ?? []).filter((t) => !t.removed);
  }

  /** A published track by SID or by the name its publisher gave it. */
  findTrack(participant: ParticipantRecord, sidOrName: string): TrackRecord | undefined {
    const tracks = this.tracksOf(participant);
    return tracks.find((t) => t.sid === sidOrName) ?? tracks.find((t) => t.name === sidOrName);
  }

  /** The room's recordings, oldest first. */
  recordingsOf(room: RoomRecord): readonly RecordingRecord[] {
    return this.recordingsByRoom.get(room.sid) ?? [];
  }

  /** The room's compositions, oldest first. */
  compositionsOf(roomSid: string): readonly CompositionRecord[] {
    return this.compositionsByRoom.get(roomSid) ?? [];
  }

  /** The room's transcriptions, oldest first. */
  transcriptionsOf(room: RoomRecord): readonly TranscriptionRecord[] {
    return this.transcriptionsByRoom.get(room.sid) ?? [];
  }

  clear(): void {
    for (const room of this.rooms.values()) room.timeout?.cancel();
    for (const p of this.participants.values()) p.maxDurationTimer?.cancel();
    for (const map of [
      this.rooms,
      this.participants,
      this.tracks,
      this.recordings,
      this.compositions,
      this.hooks,
      this.transcriptions,
    ])
      map.clear();
    for (const index of [
      this.liveRoomByName,
      this.roomsByName,
      this.roomsByStatus,
      this.participantsByRoom,
      this.tracksByParticipant,
      this.recordingsByRoom,
      this.compositionsByRoom,
      this.transcriptionsByRoom,
    ])
      index.clear();
    this.compositionSettings = defaultSettings();
    this.recordingSettings = defaultSettings();
    // Page tokens of forgotten records name nothing now; dropping them frees the state limit.
    this.seqBySid.clear();
    this.charged = 0;
  }
}
