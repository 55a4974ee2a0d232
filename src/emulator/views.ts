/**
 * Records → the JSON the real API answers with. Typed by the spec's schemas,
 * so a field the spec adds or renames breaks the build here, not in a test.
 * URLs are absolute and point back at the emulator.
 */
import type { components } from "../../generated/openapi.js";
import { isoDate, seconds } from "./ids.js";
import type {
  CompositionRecord,
  CompositionSpec,
  HookRecord,
  ParticipantRecord,
  RecordingRecord,
  RoomRecord,
  StorageSettings,
  TrackRecord,
  TranscriptionRecord,
} from "./store.js";

type S = components["schemas"];

export class Views {
  constructor(
    /** API origin, e.g. http://127.0.0.1:4010 */
    private readonly base: string,
    private readonly accountSid: string,
  ) {}

  private url(path: string): string {
    return `${this.base}${path}`;
  }

  roomPath(room: RoomRecord): string {
    return `/v1/Rooms/${room.sid}`;
  }

  room(room: RoomRecord): S["Room"] {
    const self = this.url(this.roomPath(room));
    return {
      sid: room.sid,
      status: room.status,
      date_created: isoDate(room.created),
      date_updated: isoDate(room.updated),
      account_sid: this.accountSid,
      enable_turn: room.enableTurn,
      unique_name: room.uniqueName,
      status_callback: room.statusCallback,
      status_callback_method: room.statusCallbackMethod,
      end_time: room.ended === null ? null : isoDate(room.ended),
      duration: room.ended === null ? null : seconds(room.created, room.ended),
      type: room.type,
      max_participants: room.maxParticipants,
      max_participant_duration: room.maxParticipantDuration,
      max_concurrent_published_tracks: 170,
      record_participants_on_connect: room.recordParticipantsOnConnect,
      video_codecs: room.videoCodecs,
      media_region: room.mediaRegion,
      audio_only: room.audioOnly,
      empty_room_timeout: room.emptyRoomTimeout,
      unused_room_timeout: room.unusedRoomTimeout,
      large_room: room.largeRoom,
      url: self,
      links: {
        participants: `${self}/Participants`,
        recordings: `${self}/Recordings`,
        recording_rules: `${self}/RecordingRules`,
        transcriptions: `${self}/Transcriptions`,
      },
    };
  }

  participantPath(p: ParticipantRecord): string {
    return `/v1/Rooms/${p.roomSid}/Participants/${p.sid}`;
  }

  private participantBase(p: ParticipantRecord) {
    return {
      sid: p.sid,
      room_sid: p.roomSid,
      account_sid: this.accountSid,
      date_created: isoDate(p.created),
      date_updated: isoDate(p.updated),
      start_time: isoDate(p.start),
      end_time: p.end === null ? null : isoDate(p.end),
      duration: p.end === null ? null : seconds(p.start, p.end),
      url: this.url(this.participantPath(p)),
    };
  }

  participant(p: ParticipantRecord): S["Participant"] {
    const self = this.url(this.participantPath(p));
    return {
      ...this.participantBase(p),
      status: p.status,
      identity: p.identity,
      links: {
        published_tracks: `${self}/PublishedTracks`,
        subscribed_tracks: `${self}/SubscribedTracks`,
        subscribe_rules: `${self}/SubscribeRules`,
      },
    };
  }

  anonymized(p: ParticipantRecord): S["ParticipantAnonymized"] {
    // The anonymize answer has no reconnecting state and no links.
    return {
      ...this.participantBase(p),
      status: p.status === "disconnected" ? "disconnected" : "connected",
      identity: p.sid,
    };
  }

  publishedTrack(t: TrackRecord): S["PublishedTrack"] {
    return {
      sid: t.sid,
      participant_sid: t.participantSid,
      room_sid: t.roomSid,
      name: t.name,
      date_created: isoDate(t.created),
      date_updated: isoDate(t.updated),
      enabled: t.enabled,
      kind: t.kind,
      url: this.url(`/v1/Rooms/${t.roomSid}/Participants/${t.participantSid}/PublishedTracks/${t.sid}`),
    };
  }

  /** A track as `subscriber` receives it; subscriptions live as long as both sides and the rules allow. */
  subscribedTrack(t: TrackRecord, subscriber: ParticipantRecord, since: number): S["SubscribedTrack"] {
    return {
      sid: t.sid,
      participant_sid: subscriber.sid,
      publisher_sid: t.participantSid,
      room_sid: t.roomSid,
      name: t.name,
      date_created: isoDate(since),
      date_updated: isoDate(Math.max(since, t.updated)),
      enabled: t.enabled,
      kind: t.kind,
      url: this.url(`/v1/Rooms/${t.roomSid}/Participants/${subscriber.sid}/SubscribedTracks/${t.sid}`),
    };
  }

  subscribeRules(p: ParticipantRecord): S["SubscribeRules"] {
    return {
      participant_sid: p.sid,
      room_sid: p.roomSid,
      rules: p.subscribeRules,
      date_created: p.rulesCreated === null ? null : isoDate(p.rulesCreated),
      date_updated: p.rulesUpdated === null ? null : isoDate(p.rulesUpdated),
    };
  }

  recordingRules(room: RoomRecord): S["RecordingRules"] {
    return {
      room_sid: room.sid,
      rules: room.recordingRules,
      date_created: room.rulesCreated === null ? null : isoDate(room.rulesCreated),
      date_updated: room.rulesUpdated === null ? null : isoDate(room.rulesUpdated),
    };
  }

  private recordingBase(r: RecordingRecord) {
    return {
      account_sid: this.accountSid,
      status: r.status,
      date_created: isoDate(r.created),
      sid: r.sid,
      source_sid: r.trackSid,
      size: r.size,
      type: r.kind,
      duration: r.duration,
      container_format: r.kind === "audio" ? ("mka" as const) : ("mkv" as const),
      codec: r.codec,
      grouping_sids: { room_sid: r.roomSid, participant_sid: r.participantSid },
      track_name: r.trackName,
      offset: r.offset,
      media_external_location: r.mediaExternalLocation,
    };
  }

  recordingPath(r: RecordingRecord): string {
    return `/v1/Recordings/${r.sid}`;
  }

  recording(r: RecordingRecord): S["Recording"] {
    const self = this.url(this.recordingPath(r));
    return {
      ...this.recordingBase(r),
      url: self,
      // Track recordings report through the room's callback, never their own.
      status_callback: null,
      status_callback_method: null,
      links: { media: `${self}/Media` },
    };
  }

  roomRecording(r: RecordingRecord): S["RoomRecording"] {
    const self = this.url(`/v1/Rooms/${r.roomSid}/Recordings/${r.sid}`);
    return { ...this.recordingBase(r), room_sid: r.roomSid, url: self, links: { media: `${self}/Media` } };
  }

  /** What goes into a composition, rendered alike for the composition and for the hook that makes it. */
  private mediaSpec(s: CompositionSpec) {
    return {
      audio_sources: s.audioSources,
      audio_sources_excluded: s.audioSourcesExcluded,
      video_layout: s.videoLayout,
      resolution: s.resolution,
      trim: s.trim,
      format: s.format,
    };
  }

  compositionPath(c: CompositionRecord): string {
    return `/v1/Compositions/${c.sid}`;
  }

  composition(c: CompositionRecord): S["Composition"] {
    const self = this.url(this.compositionPath(c));
    return {
      account_sid: this.accountSid,
      status: c.status,
      date_created: isoDate(c.created),
      date_completed: c.completed === null ? null : isoDate(c.completed),
      date_deleted: c.deleted === null ? null : isoDate(c.deleted),
      sid: c.sid,
      room_sid: c.roomSid,
      ...this.mediaSpec(c),
      bitrate: c.bitrate,
      size: c.size,
      duration: c.duration,
      media_external_location: c.mediaExternalLocation,
      status_callback: c.statusCallback,
      status_callback_method: c.statusCallbackMethod,
      url: self,
      links: { media: `${self}/Media` },
    };
  }

  hookPath(h: HookRecord): string {
    return `/v1/CompositionHooks/${h.sid}`;
  }

  hook(h: HookRecord): S["CompositionHook"] {
    return {
      account_sid: this.accountSid,
      friendly_name: h.friendlyName,
      enabled: h.enabled,
      date_created: isoDate(h.created),
      date_updated: isoDate(h.updated),
      sid: h.sid,
      ...this.mediaSpec(h),
      status_callback: h.statusCallback,
      status_callback_method: h.statusCallbackMethod,
      url: this.url(this.hookPath(h)),
    };
  }

  transcription(t: TranscriptionRecord): S["Transcription"] {
    return {
      ttid: t.sid,
      account_sid: this.accountSid,
      room_sid: t.roomSid,
      source_sid: null,
      status: t.status,
      date_created: isoDate(t.created),
      date_updated: isoDate(t.updated),
      start_time: t.start === null ? null : isoDate(t.start),
      end_time: t.end === null ? null : isoDate(t.end),
      // Twilio reports the duration once transcribing stops; null while it runs.
      duration: t.status === "stopped" || t.status === "failed" ? t.accumulated : null,
      url: this.url(`/v1/Rooms/${t.roomSid}/Transcriptions/${t.sid}`),
      configuration: t.configuration,
    };
  }

  settings(
    kind: "CompositionSettings" | "RecordingSettings",
    s: StorageSettings,
  ): S["CompositionSettings"] & S["RecordingSettings"] {
    return {
      account_sid: this.accountSid,
      friendly_name: s.friendlyName,
      aws_credentials_sid: s.awsCredentialsSid,
      aws_s3_url: s.awsS3Url,
      aws_storage_enabled: s.awsStorageEnabled,
      encryption_key_sid: s.encryptionKeySid,
      encryption_enabled: s.encryptionEnabled,
      url: this.url(`/v1/${kind}/Default`),
    };
  }
}
