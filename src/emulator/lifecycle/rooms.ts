/**
 * Rooms, participants and published tracks: rooms created and completed
 * (by request or by their empty/unused timeouts), participants joining and
 * leaving as the client SDKs make them, tracks published, muted and
 * unpublished, and which tracks each participant's subscribe rules select.
 */
import type { components } from "../../../generated/openapi.js";
import { badRequest } from "../errors.js";
import { seconds } from "../ids.js";
import {
  DEFAULT_SUBSCRIBE_RULES,
  recordingRuleResults,
  selects,
  subscribeRuleResults,
  type RuleInput,
} from "../rules.js";
import type { HttpMethod, ParticipantRecord, RoomRecord, TrackKind, TrackRecord } from "../store.js";
import type { CompositionLife } from "./compositions.js";
import { connected, stringMap, trackFacts, type LifeContext } from "./context.js";
import type { RecordingLife } from "./recordings.js";
import type { TranscriptionLife } from "./transcriptions.js";

type S = components["schemas"];

const MAX_PARTICIPANTS_BY_TYPE: Record<S["RoomType"], number> = {
  group: 50,
  "group-small": 4,
  "peer-to-peer": 10,
  go: 2,
};
// Defaults shared by every room that does not set its own (never mutated: changing them replaces the array).
const DEFAULT_VIDEO_CODECS: S["VideoCodec"][] = Object.freeze(["VP8", "H264"]) as unknown as S["VideoCodec"][];
const RECORD_ALL = Object.freeze(recordingRuleResults([{ type: "include", all: true }])) as S["RecordingRuleResult"][];
const RECORD_NONE = Object.freeze(recordingRuleResults([{ type: "exclude", all: true }])) as S["RecordingRuleResult"][];

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

export interface TrackInput {
  name?: string;
  kind: TrackKind;
  enabled?: boolean;
}

export class RoomLife {
  constructor(
    private readonly ctx: LifeContext,
    private readonly recordings: RecordingLife,
    private readonly compositions: CompositionLife,
    private readonly transcriptions: TranscriptionLife,
  ) {}

  private now(): number {
    return this.ctx.clock.now();
  }

  // ---- rooms -------------------------------------------------------------

  create(input: RoomInput): RoomRecord {
    const { store, events } = this.ctx;
    if (input.uniqueName !== undefined && store.findRoom(input.uniqueName)?.status === "in-progress") {
      throw badRequest(53113, `Room exists: an in-progress room is already named '${input.uniqueName}'`);
    }
    const type = input.type ?? "group";
    const recordOnConnect = input.recordParticipantsOnConnect ?? false;
    const base = store.newRecord("RM", this.now());
    // Fields written out rather than spread from `base`: a literal V8 can give one fixed shape to (100,000 rooms add
    // up).
    const room: RoomRecord = {
      sid: base.sid,
      seq: base.seq,
      created: base.created,
      updated: base.updated,
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
      videoCodecs: input.videoCodecs ?? DEFAULT_VIDEO_CODECS,
      mediaRegion: input.mediaRegion ?? "us1",
      audioOnly: input.audioOnly ?? false,
      enableTurn: input.enableTurn ?? true,
      emptyRoomTimeout: input.emptyRoomTimeout ?? 5,
      unusedRoomTimeout: input.unusedRoomTimeout ?? 5,
      largeRoom: input.largeRoom ?? false,
      // RecordParticipantsOnConnect is shorthand for "record everything".
      recordingRules: input.recordingRules
        ? recordingRuleResults(input.recordingRules)
        : recordOnConnect
          ? RECORD_ALL
          : RECORD_NONE,
      rulesCreated: null,
      rulesUpdated: null,
      callbackSeq: 0,
      timeout: undefined,
    };
    store.addRoom(room);
    events.room(room, "room-created");
    // Nobody has joined yet: the unused-room timeout applies (the empty-room one starts when the last participant
    // leaves).
    this.armTimeout(room, room.unusedRoomTimeout);
    if (room.transcribeParticipantsOnConnect) this.transcriptions.create(room, input.transcriptionsConfiguration);
    return room;
  }

  complete(room: RoomRecord): void {
    if (room.status !== "in-progress") throw badRequest(53118, `Room ${room.sid} is already ${room.status}`);
    room.timeout?.cancel();
    room.timeout = undefined;
    for (const p of connected(this.ctx.store, room)) this.disconnect(p, true);
    this.transcriptions.stopAll(room);
    const now = this.now();
    this.ctx.store.setRoomStatus(room, "completed");
    room.ended = now;
    room.updated = now;
    this.ctx.events.room(room, "room-ended", { RoomDuration: String(seconds(room.created, now)) });
    this.compositions.runHooks(room);
  }

  /** Completes the room after `minutes` unless someone is connected by then. */
  private armTimeout(room: RoomRecord, minutes: number): void {
    room.timeout?.cancel();
    room.timeout = this.ctx.clock.schedule(minutes * 60_000, () => {
      room.timeout = undefined;
      if (
        room.status === "in-progress" &&
        this.ctx.store.rooms.get(room.sid) === room &&
        !connected(this.ctx.store, room).length
      )
        this.complete(room);
    });
  }

  // ---- participants and tracks (what client SDKs do) ------------------------

  connect(room: RoomRecord, identity: string): ParticipantRecord {
    const { store, clock, events } = this.ctx;
    if (room.status !== "in-progress") throw badRequest(53118, `Room ${room.sid} is ${room.status}`);
    if (!identity || identity.length > 128)
      throw badRequest(identity ? 53201 : 53200, "Participant identity is missing or longer than 128 characters");
    // A second connection with the same identity replaces the first, as in the SDKs.
    const duplicate = connected(store, room).find((p) => p.identity === identity);
    if (duplicate) this.disconnect(duplicate);
    if (connected(store, room).length >= room.maxParticipants)
      throw badRequest(53105, `Room ${room.sid} is full (${room.maxParticipants} participants)`);
    const now = this.now();
    const pBase = store.newRecord("PA", now);
    const p: ParticipantRecord = {
      sid: pBase.sid,
      seq: pBase.seq,
      created: pBase.created,
      updated: pBase.updated,
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
    store.addParticipant(p);
    room.timeout?.cancel();
    room.timeout = undefined;
    p.maxDurationTimer = clock.schedule(room.maxParticipantDuration * 1000, () => this.disconnect(p));
    events.room(room, "participant-connected", events.participantFields(p));
    return p;
  }

  disconnect(p: ParticipantRecord, roomEnding = false): void {
    const { store, events } = this.ctx;
    const room = store.rooms.get(p.roomSid);
    if (p.status === "disconnected" || !room) return;
    for (const t of store.tracksOf(p)) this.unpublish(t);
    const now = this.now();
    p.status = "disconnected";
    p.end = now;
    p.updated = now;
    p.maxDurationTimer?.cancel();
    p.maxDurationTimer = undefined;
    events.room(room, "participant-disconnected", {
      ...events.participantFields(p),
      ParticipantDuration: String(seconds(p.start, now)),
    });
    // The last one left: the empty-room timeout applies from now.
    if (!roomEnding && room.status === "in-progress" && !connected(store, room).length)
      this.armTimeout(room, room.emptyRoomTimeout);
  }

  anonymize(p: ParticipantRecord): void {
    p.identity = p.sid;
    p.updated = this.now();
  }

  publish(p: ParticipantRecord, input: TrackInput): TrackRecord {
    const { store, events } = this.ctx;
    if (p.status === "disconnected") throw badRequest(20001, `Participant ${p.sid} is disconnected`);
    // Only a given name can clash: an unnamed track is named after its fresh SID.
    const name = input.name;
    if (name !== undefined && store.tracksOf(p).some((t) => t.name === name))
      throw badRequest(20001, `Participant ${p.sid} already publishes a track named '${name}'`);
    const room = store.rooms.get(p.roomSid)!;
    const base = store.newRecord("MT", this.now());
    const track: TrackRecord = {
      sid: base.sid,
      seq: base.seq,
      created: base.created,
      updated: base.updated,
      roomSid: p.roomSid,
      participantSid: p.sid,
      name: name ?? base.sid,
      kind: input.kind,
      enabled: input.enabled ?? true,
      removed: false,
      recordingSid: undefined,
    };
    store.addTrack(track);
    events.room(room, "track-added", { ...events.participantFields(p), ...events.trackFields(track) });
    this.recordings.sync(room);
    return track;
  }

  unpublish(track: TrackRecord): void {
    const { store, events } = this.ctx;
    if (track.removed) return;
    this.recordings.stopCapture(track);
    track.removed = true;
    track.updated = this.now();
    const p = store.participants.get(track.participantSid);
    const room = store.rooms.get(track.roomSid);
    if (p && room) events.room(room, "track-removed", { ...events.participantFields(p), ...events.trackFields(track) });
  }

  setTrackEnabled(track: TrackRecord, enabled: boolean): void {
    const { store, events } = this.ctx;
    if (track.enabled === enabled) return;
    track.enabled = enabled;
    track.updated = this.now();
    const p = store.participants.get(track.participantSid);
    const room = store.rooms.get(track.roomSid);
    if (p && room)
      events.room(room, enabled ? "track-enabled" : "track-disabled", {
        ...events.participantFields(p),
        ...events.trackFields(track),
      });
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
    const { store } = this.ctx;
    const room = store.rooms.get(subscriber.roomSid);
    if (subscriber.status === "disconnected" || !room) return [];
    return connected(store, room)
      .filter((publisher) => publisher.sid !== subscriber.sid)
      .flatMap((publisher) => store.tracksOf(publisher))
      .filter((t) => selects(subscriber.subscribeRules, trackFacts(store, t)))
      .sort((a, b) => a.seq - b.seq);
  }
}
