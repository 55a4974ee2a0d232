// Written by npm run generate (scripts/derive.ts) from spec/webhooks.yaml: one row per
// status callback family (a schema of a webhook body's oneOf). Do not edit.

/** Each family's events, required fields, and the fields parsed as numbers or booleans. */
export const statusCallbackFamilies = [
  {
    kind: "room",
    schema: "RoomCallbackEvent",
    events: ["room-created", "room-ended"],
    required: ["AccountSid", "RoomName", "RoomSid", "RoomStatus", "RoomType", "StatusCallbackEvent", "Timestamp", "SequenceNumber"],
    numbers: ["SequenceNumber", "RoomDuration"],
    booleans: [],
  },
  {
    kind: "participant",
    schema: "ParticipantCallbackEvent",
    events: ["participant-connected", "participant-disconnected"],
    required: ["AccountSid", "RoomName", "RoomSid", "RoomStatus", "RoomType", "StatusCallbackEvent", "Timestamp", "SequenceNumber", "ParticipantSid", "ParticipantStatus", "ParticipantIdentity"],
    numbers: ["SequenceNumber", "ParticipantDuration"],
    booleans: [],
  },
  {
    kind: "track",
    schema: "TrackCallbackEvent",
    events: ["track-added", "track-removed", "track-enabled", "track-disabled"],
    required: ["AccountSid", "RoomName", "RoomSid", "RoomStatus", "RoomType", "StatusCallbackEvent", "Timestamp", "SequenceNumber", "ParticipantSid", "ParticipantStatus", "ParticipantIdentity", "TrackSid", "TrackKind"],
    numbers: ["SequenceNumber"],
    booleans: [],
  },
  {
    kind: "recording",
    schema: "RecordingCallbackEvent",
    events: ["recording-started", "recording-completed", "recording-failed"],
    required: ["AccountSid", "RecordingSid", "Timestamp", "StatusCallbackEvent", "RoomSid", "RoomName", "RoomType", "ParticipantSid", "SourceSid", "RecordingUri"],
    numbers: ["SequenceNumber", "OffsetFromTwilioVideoEpoch", "Duration", "Size"],
    booleans: [],
  },
  {
    kind: "composition",
    schema: "CompositionCallbackEvent",
    events: ["composition-enqueued", "composition-started", "composition-available", "composition-progress", "composition-failed"],
    required: ["AccountSid", "RoomSid", "StatusCallbackEvent", "Timestamp", "CompositionSid", "CompositionUri"],
    numbers: ["Duration", "Size", "PercentageDone", "SecondsRemaining"],
    booleans: [],
  },
  {
    kind: "composition-hook",
    schema: "CompositionHookCallbackEvent",
    events: ["composition-hook-failed"],
    required: ["AccountSid", "RoomSid", "StatusCallbackEvent", "Timestamp", "HookSid"],
    numbers: [],
    booleans: [],
  },
] as const;
