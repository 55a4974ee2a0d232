/**
 * In-memory state. Records keep times as epoch ms and only what the emulator
 * needs to reproduce the API's answers; views.ts turns them into the wire
 * shapes. Every record carries a `seq` (creation order) that lists sort by and
 * page tokens point at.
 */
import type { components } from "../../generated/openapi.js";
import type { TimerHandle } from "./clock.js";
import { newSid } from "./ids.js";

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

  /** A new record's common fields: a fresh SID, the next seq (indexed for page tokens), created = updated = now. */
  newRecord(prefix: string, now: number): Base {
    const sid = newSid(prefix);
    const seq = ++this.seq;
    this.seqBySid.set(sid, seq);
    return { sid, seq, created: now, updated: now };
  }

  seqOf(sid: string): number | undefined {
    return this.seqBySid.get(sid);
  }

  /** The in-progress room with this unique name, or the room with this SID. */
  findRoom(sidOrName: string): RoomRecord | undefined {
    const bySid = this.rooms.get(sidOrName);
    if (bySid) return bySid;
    for (const room of this.rooms.values()) if (room.status === "in-progress" && room.uniqueName === sidOrName) return room;
    return undefined;
  }

  /** A participant of the room by SID, or by identity among the connected ones. */
  findParticipant(room: RoomRecord, sidOrIdentity: string): ParticipantRecord | undefined {
    const bySid = this.participants.get(sidOrIdentity);
    if (bySid) return bySid.roomSid === room.sid ? bySid : undefined;
    return this.participantsOf(room).find((p) => p.status === "connected" && p.identity === sidOrIdentity);
  }

  participantsOf(room: RoomRecord): ParticipantRecord[] {
    return [...this.participants.values()].filter((p) => p.roomSid === room.sid);
  }

  /** Tracks the participant currently publishes. */
  tracksOf(participant: ParticipantRecord): TrackRecord[] {
    return [...this.tracks.values()].filter((t) => t.participantSid === participant.sid && !t.removed);
  }

  /** A published track by SID or by the name its publisher gave it. */
  findTrack(participant: ParticipantRecord, sidOrName: string): TrackRecord | undefined {
    return this.tracksOf(participant).find((t) => t.sid === sidOrName) ?? this.tracksOf(participant).find((t) => t.name === sidOrName);
  }

  recordingsOf(room: RoomRecord): RecordingRecord[] {
    return [...this.recordings.values()].filter((r) => r.roomSid === room.sid);
  }

  clear(): void {
    for (const room of this.rooms.values()) room.timeout?.cancel();
    for (const p of this.participants.values()) p.maxDurationTimer?.cancel();
    this.rooms.clear();
    this.participants.clear();
    this.tracks.clear();
    this.recordings.clear();
    this.compositions.clear();
    this.hooks.clear();
    this.transcriptions.clear();
    this.compositionSettings = defaultSettings();
    this.recordingSettings = defaultSettings();
  }
}
