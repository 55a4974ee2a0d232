// Written by npm run generate (scripts/derive.ts) from spec/: each operation's
// x-client-method and the root's x-client-resources. Do not edit.

/** Every REST operation of the spec, in spec order. */
export const specOperations = [
  { operationId: "ListRoom", method: "get", path: "/v1/Rooms" },
  { operationId: "CreateRoom", method: "post", path: "/v1/Rooms" },
  { operationId: "FetchRoom", method: "get", path: "/v1/Rooms/{Sid}" },
  { operationId: "UpdateRoom", method: "post", path: "/v1/Rooms/{Sid}" },
  { operationId: "ListRoomParticipant", method: "get", path: "/v1/Rooms/{RoomSid}/Participants" },
  { operationId: "FetchRoomParticipant", method: "get", path: "/v1/Rooms/{RoomSid}/Participants/{Sid}" },
  { operationId: "UpdateRoomParticipant", method: "post", path: "/v1/Rooms/{RoomSid}/Participants/{Sid}" },
  { operationId: "UpdateRoomParticipantAnonymize", method: "post", path: "/v1/Rooms/{RoomSid}/Participants/{Sid}/Anonymize" },
  { operationId: "ListRoomParticipantPublishedTrack", method: "get", path: "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/PublishedTracks" },
  { operationId: "FetchRoomParticipantPublishedTrack", method: "get", path: "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/PublishedTracks/{Sid}" },
  { operationId: "ListRoomParticipantSubscribedTrack", method: "get", path: "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribedTracks" },
  { operationId: "FetchRoomParticipantSubscribedTrack", method: "get", path: "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribedTracks/{Sid}" },
  { operationId: "FetchRoomParticipantSubscribeRule", method: "get", path: "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribeRules" },
  { operationId: "UpdateRoomParticipantSubscribeRule", method: "post", path: "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribeRules" },
  { operationId: "FetchRoomRecordingRule", method: "get", path: "/v1/Rooms/{RoomSid}/RecordingRules" },
  { operationId: "UpdateRoomRecordingRule", method: "post", path: "/v1/Rooms/{RoomSid}/RecordingRules" },
  { operationId: "ListRoomRecording", method: "get", path: "/v1/Rooms/{RoomSid}/Recordings" },
  { operationId: "FetchRoomRecording", method: "get", path: "/v1/Rooms/{RoomSid}/Recordings/{Sid}" },
  { operationId: "DeleteRoomRecording", method: "delete", path: "/v1/Rooms/{RoomSid}/Recordings/{Sid}" },
  { operationId: "FetchRoomRecordingMedia", method: "get", path: "/v1/Rooms/{RoomSid}/Recordings/{Sid}/Media" },
  { operationId: "ListRoomTranscriptions", method: "get", path: "/v1/Rooms/{RoomSid}/Transcriptions" },
  { operationId: "CreateRoomTranscriptions", method: "post", path: "/v1/Rooms/{RoomSid}/Transcriptions" },
  { operationId: "FetchRoomTranscriptions", method: "get", path: "/v1/Rooms/{RoomSid}/Transcriptions/{Ttid}" },
  { operationId: "UpdateRoomTranscriptions", method: "post", path: "/v1/Rooms/{RoomSid}/Transcriptions/{Ttid}" },
  { operationId: "ListRecording", method: "get", path: "/v1/Recordings" },
  { operationId: "FetchRecording", method: "get", path: "/v1/Recordings/{Sid}" },
  { operationId: "DeleteRecording", method: "delete", path: "/v1/Recordings/{Sid}" },
  { operationId: "FetchRecordingMedia", method: "get", path: "/v1/Recordings/{Sid}/Media" },
  { operationId: "ListComposition", method: "get", path: "/v1/Compositions" },
  { operationId: "CreateComposition", method: "post", path: "/v1/Compositions" },
  { operationId: "FetchComposition", method: "get", path: "/v1/Compositions/{Sid}" },
  { operationId: "DeleteComposition", method: "delete", path: "/v1/Compositions/{Sid}" },
  { operationId: "FetchCompositionMedia", method: "get", path: "/v1/Compositions/{Sid}/Media" },
  { operationId: "ListCompositionHook", method: "get", path: "/v1/CompositionHooks" },
  { operationId: "CreateCompositionHook", method: "post", path: "/v1/CompositionHooks" },
  { operationId: "FetchCompositionHook", method: "get", path: "/v1/CompositionHooks/{Sid}" },
  { operationId: "UpdateCompositionHook", method: "post", path: "/v1/CompositionHooks/{Sid}" },
  { operationId: "DeleteCompositionHook", method: "delete", path: "/v1/CompositionHooks/{Sid}" },
  { operationId: "FetchCompositionSettings", method: "get", path: "/v1/CompositionSettings/Default" },
  { operationId: "CreateCompositionSettings", method: "post", path: "/v1/CompositionSettings/Default" },
  { operationId: "FetchRecordingSettings", method: "get", path: "/v1/RecordingSettings/Default" },
  { operationId: "CreateRecordingSettings", method: "post", path: "/v1/RecordingSettings/Default" },
] as const;

/** The client's resource tree: leaves name their operation and call shape, branches bind a path parameter. */
export const endpointTree = {
  rooms: {
    /** Create a room (CreateRoom). */
    create: { operationId: "CreateRoom", method: "post", path: "/v1/Rooms", shape: "create" },
    /** Fetch a room (FetchRoom). */
    get: { operationId: "FetchRoom", method: "get", path: "/v1/Rooms/{Sid}", shape: "fetch" },
    /** List rooms: one page (ListRoom). See also iterate() and all(). */
    list: { operationId: "ListRoom", method: "get", path: "/v1/Rooms", shape: "list" },
    /** Sets a room's status (UpdateRoom); complete() is the shortcut. */
    update: { operationId: "UpdateRoom", method: "post", path: "/v1/Rooms/{Sid}", shape: "update" },
    /** Completes a room: ends it and disconnects every participant (UpdateRoom with Status=completed). */
    complete: { operationId: "UpdateRoom", method: "post", path: "/v1/Rooms/{Sid}", shape: "action", body: { Status: "completed" } },
    /** The participants of a room, by room SID or unique name. */
    participants: {
      param: "RoomSid",
      children: {
        /** Fetch a participant (FetchRoomParticipant). */
        get: { operationId: "FetchRoomParticipant", method: "get", path: "/v1/Rooms/{RoomSid}/Participants/{Sid}", shape: "fetch" },
        /** List a room's participants: one page (ListRoomParticipant). See also iterate() and all(). */
        list: { operationId: "ListRoomParticipant", method: "get", path: "/v1/Rooms/{RoomSid}/Participants", shape: "list" },
        /** Sets a participant's status (UpdateRoomParticipant); disconnect() is the shortcut. */
        update: { operationId: "UpdateRoomParticipant", method: "post", path: "/v1/Rooms/{RoomSid}/Participants/{Sid}", shape: "update" },
        /** Disconnects a participant from the room (UpdateRoomParticipant with Status=disconnected). */
        disconnect: { operationId: "UpdateRoomParticipant", method: "post", path: "/v1/Rooms/{RoomSid}/Participants/{Sid}", shape: "action", body: { Status: "disconnected" } },
        /** Anonymize a participant (UpdateRoomParticipantAnonymize). */
        anonymize: { operationId: "UpdateRoomParticipantAnonymize", method: "post", path: "/v1/Rooms/{RoomSid}/Participants/{Sid}/Anonymize", shape: "action" },
        /** The tracks a participant publishes, by participant SID or identity. */
        publishedTracks: {
          param: "ParticipantSid",
          children: {
            /** Fetch a track a participant publishes (FetchRoomParticipantPublishedTrack). */
            get: { operationId: "FetchRoomParticipantPublishedTrack", method: "get", path: "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/PublishedTracks/{Sid}", shape: "fetch" },
            /** List the tracks a participant publishes: one page (ListRoomParticipantPublishedTrack). See also iterate() and all(). */
            list: { operationId: "ListRoomParticipantPublishedTrack", method: "get", path: "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/PublishedTracks", shape: "list" },
          },
        },
        /** The tracks a participant is subscribed to, by participant SID or identity. */
        subscribedTracks: {
          param: "ParticipantSid",
          children: {
            /** Fetch a track a participant is subscribed to (FetchRoomParticipantSubscribedTrack). */
            get: { operationId: "FetchRoomParticipantSubscribedTrack", method: "get", path: "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribedTracks/{Sid}", shape: "fetch", sid: "MT" },
            /** List the tracks a participant is subscribed to: one page (ListRoomParticipantSubscribedTrack). See also iterate() and all(). */
            list: { operationId: "ListRoomParticipantSubscribedTrack", method: "get", path: "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribedTracks", shape: "list" },
          },
        },
        /** A participant's subscribe rules, by participant SID or identity. */
        subscribeRules: {
          param: "ParticipantSid",
          children: {
            /** Fetch a participant's subscribe rules (FetchRoomParticipantSubscribeRule). */
            get: { operationId: "FetchRoomParticipantSubscribeRule", method: "get", path: "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribeRules", shape: "singleton-fetch" },
            /** Replace a participant's subscribe rules (UpdateRoomParticipantSubscribeRule). */
            update: { operationId: "UpdateRoomParticipantSubscribeRule", method: "post", path: "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribeRules", shape: "singleton-update" },
          },
        },
      },
    },
    /** A room's recording rules, by room SID or unique name. */
    recordingRules: {
      param: "RoomSid",
      children: {
        /** Fetch a room's recording rules (FetchRoomRecordingRule). */
        get: { operationId: "FetchRoomRecordingRule", method: "get", path: "/v1/Rooms/{RoomSid}/RecordingRules", shape: "singleton-fetch" },
        /** Replace a room's recording rules (UpdateRoomRecordingRule). */
        update: { operationId: "UpdateRoomRecordingRule", method: "post", path: "/v1/Rooms/{RoomSid}/RecordingRules", shape: "singleton-update" },
      },
    },
    /** A room's recordings, by room SID (unique names are not accepted here). */
    recordings: {
      param: "RoomSid",
      sid: "RM",
      children: {
        /** Fetch one of a room's recordings (FetchRoomRecording). */
        get: { operationId: "FetchRoomRecording", method: "get", path: "/v1/Rooms/{RoomSid}/Recordings/{Sid}", shape: "fetch", sid: "RT" },
        /** List a room's recordings: one page (ListRoomRecording). See also iterate() and all(). */
        list: { operationId: "ListRoomRecording", method: "get", path: "/v1/Rooms/{RoomSid}/Recordings", shape: "list" },
        /** Delete one of a room's recordings (DeleteRoomRecording). */
        delete: { operationId: "DeleteRoomRecording", method: "delete", path: "/v1/Rooms/{RoomSid}/Recordings/{Sid}", shape: "delete", sid: "RT" },
        /** Get a signed download URL of a room recording's media (FetchRoomRecordingMedia). See also download(). */
        media: { operationId: "FetchRoomRecordingMedia", method: "get", path: "/v1/Rooms/{RoomSid}/Recordings/{Sid}/Media", shape: "media", sid: "RT" },
      },
    },
    /** A room's real-time transcriptions, by room SID or unique name. */
    transcriptions: {
      param: "RoomSid",
      children: {
        /** Start transcribing a room (CreateRoomTranscriptions). */
        create: { operationId: "CreateRoomTranscriptions", method: "post", path: "/v1/Rooms/{RoomSid}/Transcriptions", shape: "create" },
        /** Fetch a room's transcription (FetchRoomTranscriptions). */
        get: { operationId: "FetchRoomTranscriptions", method: "get", path: "/v1/Rooms/{RoomSid}/Transcriptions/{Ttid}", shape: "fetch" },
        /** List a room's transcriptions: one page (ListRoomTranscriptions). See also iterate() and all(). */
        list: { operationId: "ListRoomTranscriptions", method: "get", path: "/v1/Rooms/{RoomSid}/Transcriptions", shape: "list" },
        /** Stop, restart or reconfigure a room's transcription (UpdateRoomTranscriptions). */
        update: { operationId: "UpdateRoomTranscriptions", method: "post", path: "/v1/Rooms/{RoomSid}/Transcriptions/{Ttid}", shape: "update" },
      },
    },
  },
  recordings: {
    /** Fetch a track recording (FetchRecording). */
    get: { operationId: "FetchRecording", method: "get", path: "/v1/Recordings/{Sid}", shape: "fetch", sid: "RT" },
    /** List track recordings: one page (ListRecording). See also iterate() and all(). */
    list: { operationId: "ListRecording", method: "get", path: "/v1/Recordings", shape: "list" },
    /** Delete a track recording's media (DeleteRecording). */
    delete: { operationId: "DeleteRecording", method: "delete", path: "/v1/Recordings/{Sid}", shape: "delete", sid: "RT" },
    /** Get a signed download URL of a recording's media (FetchRecordingMedia). See also download(). */
    media: { operationId: "FetchRecordingMedia", method: "get", path: "/v1/Recordings/{Sid}/Media", shape: "media", sid: "RT" },
  },
  compositions: {
    /** Compose a room's recordings into one media file (CreateComposition). */
    create: { operationId: "CreateComposition", method: "post", path: "/v1/Compositions", shape: "create" },
    /** Fetch a composition (FetchComposition). */
    get: { operationId: "FetchComposition", method: "get", path: "/v1/Compositions/{Sid}", shape: "fetch", sid: "CJ" },
    /** List compositions: one page (ListComposition). See also iterate() and all(). */
    list: { operationId: "ListComposition", method: "get", path: "/v1/Compositions", shape: "list" },
    /** Delete a composition's media (DeleteComposition). */
    delete: { operationId: "DeleteComposition", method: "delete", path: "/v1/Compositions/{Sid}", shape: "delete", sid: "CJ" },
    /** Get a signed download URL of a composition's media (FetchCompositionMedia). See also download(). */
    media: { operationId: "FetchCompositionMedia", method: "get", path: "/v1/Compositions/{Sid}/Media", shape: "media", sid: "CJ" },
  },
  compositionHooks: {
    /** Create a composition hook (CreateCompositionHook). */
    create: { operationId: "CreateCompositionHook", method: "post", path: "/v1/CompositionHooks", shape: "create" },
    /** Fetch a composition hook (FetchCompositionHook). */
    get: { operationId: "FetchCompositionHook", method: "get", path: "/v1/CompositionHooks/{Sid}", shape: "fetch", sid: "HK" },
    /** List composition hooks: one page (ListCompositionHook). See also iterate() and all(). */
    list: { operationId: "ListCompositionHook", method: "get", path: "/v1/CompositionHooks", shape: "list" },
    /** Update a composition hook (UpdateCompositionHook). */
    update: { operationId: "UpdateCompositionHook", method: "post", path: "/v1/CompositionHooks/{Sid}", shape: "update", sid: "HK" },
    /** Delete a composition hook (DeleteCompositionHook). */
    delete: { operationId: "DeleteCompositionHook", method: "delete", path: "/v1/CompositionHooks/{Sid}", shape: "delete", sid: "HK" },
  },
  compositionSettings: {
    /** Fetch the account's composition settings (FetchCompositionSettings). */
    get: { operationId: "FetchCompositionSettings", method: "get", path: "/v1/CompositionSettings/Default", shape: "singleton-fetch" },
    /** Set the account's composition settings (CreateCompositionSettings). */
    update: { operationId: "CreateCompositionSettings", method: "post", path: "/v1/CompositionSettings/Default", shape: "singleton-update" },
  },
  recordingSettings: {
    /** Fetch the account's recording settings (FetchRecordingSettings). */
    get: { operationId: "FetchRecordingSettings", method: "get", path: "/v1/RecordingSettings/Default", shape: "singleton-fetch" },
    /** Set the account's recording settings (CreateRecordingSettings). */
    update: { operationId: "CreateRecordingSettings", method: "post", path: "/v1/RecordingSettings/Default", shape: "singleton-update" },
  },
} as const;
