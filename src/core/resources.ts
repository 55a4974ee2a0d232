/**
 * The resource methods, declared as data (like Octokit's endpoint methods):
 * a tree whose leaves name the spec operation (method + path) and the shape
 * of the call, and whose branches bind a parent's path parameter
 * (`rooms.participants(roomSid)`). One generic builder turns it into methods.
 */
import type { ApiPromise, CallOptions, FormBody, HttpMethod, Operation, PageItem, Path, QueryParams, SuccessBody } from "./types.js";
import type { Endpoint, MediaLink, MediaOptions, Shape } from "./endpoint.js";

export type { Endpoint, Shape } from "./endpoint.js";

export interface Scope<C extends Node = Node> {
  /** Path parameter the branch function binds. */
  readonly param: string;
  readonly sid?: string;
  readonly children: C;
}

export type Node = { readonly [name: string]: Endpoint | Scope };

const ep = <const P extends Path, const M extends HttpMethod, const E extends Omit<Endpoint, "path" | "method">>(
  method: M,
  path: P,
  rest: E,
) => ({ method, path, ...rest });
const scope = <const C extends Node>(param: string, children: C, sid?: string): Scope<C> => ({ param, children, ...(sid ? { sid } : {}) });

/** The API's resource tree as data: each resource's operations (by spec operationId) and its nested resources. The client is built from it. */
export const resourceTree = {
  rooms: {
    /** Create a room (CreateRoom). */
    create: ep("post", "/v1/Rooms", { operationId: "CreateRoom", shape: "create" }),
    /** Fetch a room (FetchRoom). */
    get: ep("get", "/v1/Rooms/{Sid}", { operationId: "FetchRoom", shape: "fetch" }),
    /** List rooms: one page (ListRoom). See also iterate() and all(). */
    list: ep("get", "/v1/Rooms", { operationId: "ListRoom", shape: "list" }),
    /** Sets a room's status (UpdateRoom); complete() is the shortcut. */
    update: ep("post", "/v1/Rooms/{Sid}", { operationId: "UpdateRoom", shape: "update" }),
    /** Completes a room: ends it and disconnects every participant (UpdateRoom with Status=completed). */
    complete: ep("post", "/v1/Rooms/{Sid}", { operationId: "UpdateRoom", shape: "action", body: { Status: "completed" } }),
    /** The participants of a room, by room SID or unique name. */
    participants: scope("RoomSid", {
      /** Fetch a participant (FetchRoomParticipant). */
      get: ep("get", "/v1/Rooms/{RoomSid}/Participants/{Sid}", { operationId: "FetchRoomParticipant", shape: "fetch" }),
      /** List a room's participants: one page (ListRoomParticipant). See also iterate() and all(). */
      list: ep("get", "/v1/Rooms/{RoomSid}/Participants", { operationId: "ListRoomParticipant", shape: "list" }),
      /** Sets a participant's status (UpdateRoomParticipant); disconnect() is the shortcut. */
      update: ep("post", "/v1/Rooms/{RoomSid}/Participants/{Sid}", { operationId: "UpdateRoomParticipant", shape: "update" }),
      /** Disconnects a participant from the room (UpdateRoomParticipant with Status=disconnected). */
      disconnect: ep("post", "/v1/Rooms/{RoomSid}/Participants/{Sid}", {
        operationId: "UpdateRoomParticipant",
        shape: "action",
        body: { Status: "disconnected" },
      }),
      /** Anonymize a participant (UpdateRoomParticipantAnonymize). */
      anonymize: ep("post", "/v1/Rooms/{RoomSid}/Participants/{Sid}/Anonymize", { operationId: "UpdateRoomParticipantAnonymize", shape: "action" }),
      /** The tracks a participant publishes, by participant SID or identity. */
      publishedTracks: scope("ParticipantSid", {
        /** Fetch a track a participant publishes (FetchRoomParticipantPublishedTrack). */
        get: ep("get", "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/PublishedTracks/{Sid}", {
          operationId: "FetchRoomParticipantPublishedTrack",
          shape: "fetch",
        }),
        /** List the tracks a participant publishes: one page (ListRoomParticipantPublishedTrack). See also iterate() and all(). */
        list: ep("get", "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/PublishedTracks", {
          operationId: "ListRoomParticipantPublishedTrack",
          shape: "list",
        }),
      }),
      /** The tracks a participant is subscribed to, by participant SID or identity. */
      subscribedTracks: scope("ParticipantSid", {
        /** Fetch a track a participant is subscribed to (FetchRoomParticipantSubscribedTrack). */
        get: ep("get", "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribedTracks/{Sid}", {
          operationId: "FetchRoomParticipantSubscribedTrack",
          shape: "fetch",
          sid: "MT",
        }),
        /** List the tracks a participant is subscribed to: one page (ListRoomParticipantSubscribedTrack). See also iterate() and all(). */
        list: ep("get", "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribedTracks", {
          operationId: "ListRoomParticipantSubscribedTrack",
          shape: "list",
        }),
      }),
      /** A participant's subscribe rules, by participant SID or identity. */
      subscribeRules: scope("ParticipantSid", {
        /** Fetch a participant's subscribe rules (FetchRoomParticipantSubscribeRule). */
        get: ep("get", "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribeRules", {
          operationId: "FetchRoomParticipantSubscribeRule",
          shape: "singleton-fetch",
        }),
        /** Replace a participant's subscribe rules (UpdateRoomParticipantSubscribeRule). */
        update: ep("post", "/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribeRules", {
          operationId: "UpdateRoomParticipantSubscribeRule",
          shape: "singleton-update",
        }),
      }),
    }),
    /** A room's recording rules, by room SID or unique name. */
    recordingRules: scope("RoomSid", {
      /** Fetch a room's recording rules (FetchRoomRecordingRule). */
      get: ep("get", "/v1/Rooms/{RoomSid}/RecordingRules", { operationId: "FetchRoomRecordingRule", shape: "singleton-fetch" }),
      /** Replace a room's recording rules (UpdateRoomRecordingRule). */
      update: ep("post", "/v1/Rooms/{RoomSid}/RecordingRules", { operationId: "UpdateRoomRecordingRule", shape: "singleton-update" }),
    }),
    /** A room's recordings, by room SID (unique names are not accepted here). */
    recordings: scope(
      "RoomSid",
      {
        /** Fetch one of a room's recordings (FetchRoomRecording). */
        get: ep("get", "/v1/Rooms/{RoomSid}/Recordings/{Sid}", { operationId: "FetchRoomRecording", shape: "fetch", sid: "RT" }),
        /** List a room's recordings: one page (ListRoomRecording). See also iterate() and all(). */
        list: ep("get", "/v1/Rooms/{RoomSid}/Recordings", { operationId: "ListRoomRecording", shape: "list" }),
        /** Delete one of a room's recordings (DeleteRoomRecording). */
        delete: ep("delete", "/v1/Rooms/{RoomSid}/Recordings/{Sid}", { operationId: "DeleteRoomRecording", shape: "delete", sid: "RT" }),
        /** Get a signed download URL of a room recording's media (FetchRoomRecordingMedia). See also download(). */
        media: ep("get", "/v1/Rooms/{RoomSid}/Recordings/{Sid}/Media", { operationId: "FetchRoomRecordingMedia", shape: "media", sid: "RT" }),
      },
      "RM",
    ),
    /** A room's real-time transcriptions, by room SID or unique name. */
    transcriptions: scope("RoomSid", {
      /** Start transcribing a room (CreateRoomTranscriptions). */
      create: ep("post", "/v1/Rooms/{RoomSid}/Transcriptions", { operationId: "CreateRoomTranscriptions", shape: "create" }),
      /** Fetch a room's transcription (FetchRoomTranscriptions). */
      get: ep("get", "/v1/Rooms/{RoomSid}/Transcriptions/{Ttid}", { operationId: "FetchRoomTranscriptions", shape: "fetch" }),
      /** List a room's transcriptions: one page (ListRoomTranscriptions). See also iterate() and all(). */
      list: ep("get", "/v1/Rooms/{RoomSid}/Transcriptions", { operationId: "ListRoomTranscriptions", shape: "list" }),
      /** Stop, restart or reconfigure a room's transcription (UpdateRoomTranscriptions). */
      update: ep("post", "/v1/Rooms/{RoomSid}/Transcriptions/{Ttid}", { operationId: "UpdateRoomTranscriptions", shape: "update" }),
    }),
  },
  recordings: {
    /** Fetch a track recording (FetchRecording). */
    get: ep("get", "/v1/Recordings/{Sid}", { operationId: "FetchRecording", shape: "fetch", sid: "RT" }),
    /** List track recordings: one page (ListRecording). See also iterate() and all(). */
    list: ep("get", "/v1/Recordings", { operationId: "ListRecording", shape: "list" }),
    /** Delete a track recording's media (DeleteRecording). */
    delete: ep("delete", "/v1/Recordings/{Sid}", { operationId: "DeleteRecording", shape: "delete", sid: "RT" }),
    /** Get a signed download URL of a recording's media (FetchRecordingMedia). See also download(). */
    media: ep("get", "/v1/Recordings/{Sid}/Media", { operationId: "FetchRecordingMedia", shape: "media", sid: "RT" }),
  },
  compositions: {
    /** Compose a room's recordings into one media file (CreateComposition). */
    create: ep("post", "/v1/Compositions", { operationId: "CreateComposition", shape: "create" }),
    /** Fetch a composition (FetchComposition). */
    get: ep("get", "/v1/Compositions/{Sid}", { operationId: "FetchComposition", shape: "fetch", sid: "CJ" }),
    /** List compositions: one page (ListComposition). See also iterate() and all(). */
    list: ep("get", "/v1/Compositions", { operationId: "ListComposition", shape: "list" }),
    /** Delete a composition's media (DeleteComposition). */
    delete: ep("delete", "/v1/Compositions/{Sid}", { operationId: "DeleteComposition", shape: "delete", sid: "CJ" }),
    /** Get a signed download URL of a composition's media (FetchCompositionMedia). See also download(). */
    media: ep("get", "/v1/Compositions/{Sid}/Media", { operationId: "FetchCompositionMedia", shape: "media", sid: "CJ" }),
  },
  compositionHooks: {
    /** Create a composition hook (CreateCompositionHook). */
    create: ep("post", "/v1/CompositionHooks", { operationId: "CreateCompositionHook", shape: "create" }),
    /** Fetch a composition hook (FetchCompositionHook). */
    get: ep("get", "/v1/CompositionHooks/{Sid}", { operationId: "FetchCompositionHook", shape: "fetch", sid: "HK" }),
    /** List composition hooks: one page (ListCompositionHook). See also iterate() and all(). */
    list: ep("get", "/v1/CompositionHooks", { operationId: "ListCompositionHook", shape: "list" }),
    /** Update a composition hook (UpdateCompositionHook). */
    update: ep("post", "/v1/CompositionHooks/{Sid}", { operationId: "UpdateCompositionHook", shape: "update", sid: "HK" }),
    /** Delete a composition hook (DeleteCompositionHook). */
    delete: ep("delete", "/v1/CompositionHooks/{Sid}", { operationId: "DeleteCompositionHook", shape: "delete", sid: "HK" }),
  },
  compositionSettings: {
    /** Fetch the account's composition settings (FetchCompositionSettings). */
    get: ep("get", "/v1/CompositionSettings/Default", { operationId: "FetchCompositionSettings", shape: "singleton-fetch" }),
    /** Set the account's composition settings (CreateCompositionSettings). */
    update: ep("post", "/v1/CompositionSettings/Default", { operationId: "CreateCompositionSettings", shape: "singleton-update" }),
  },
  recordingSettings: {
    /** Fetch the account's recording settings (FetchRecordingSettings). */
    get: ep("get", "/v1/RecordingSettings/Default", { operationId: "FetchRecordingSettings", shape: "singleton-fetch" }),
    /** Set the account's recording settings (CreateRecordingSettings). */
    update: ep("post", "/v1/RecordingSettings/Default", { operationId: "CreateRecordingSettings", shape: "singleton-update" }),
  },
} as const satisfies Readonly<Record<string, Node>>;

export type ResourceTree = typeof resourceTree;

// ---- the types of the built methods -------------------------------------

type Op<E> = E extends { method: infer M extends HttpMethod; path: infer P extends Path } ? Operation<P, M> : never;
type Result<E> = SuccessBody<Op<E>>;
/** A body argument is optional when none of its fields is required. */
type BodyArg<B> = [B] extends [never] ? [] : {} extends B ? [body?: B] : [body: B];

/** Options of `iterate()` and `all()`. */
export interface IterateOptions extends CallOptions {
  /** Stop after this many items. */
  limit?: number | undefined;
  /** Items per request (`PageSize`). */
  pageSize?: number | undefined;
}

type ListMethods<E> = {
  /** Fetches one page (`{ <key>: items, meta }`). */
  list(query?: QueryParams<Op<E>>, options?: CallOptions): ApiPromise<Result<E>>;
  /** Iterates every item lazily, one page in memory at a time, following `meta.next_page_url`. */
  iterate(query?: QueryParams<Op<E>>, options?: IterateOptions): AsyncGenerator<PageItem<Result<E>>, void, undefined>;
  /** Collects every item (up to `limit`) into an array. */
  all(query?: QueryParams<Op<E>>, options?: IterateOptions): Promise<Array<PageItem<Result<E>>>>;
};

type MediaMethods = {
  /** Asks for the media file's short-lived signed URL, without downloading it. */
  media(sid: string, media?: MediaOptions, options?: CallOptions): Promise<MediaLink>;
  /** Fetches the media file from its signed URL (no Twilio credentials are sent there); read the body as a stream. */
  download(sid: string, media?: MediaOptions, options?: CallOptions): Promise<Response>;
};

type Method<E> = E extends { shape: "create" }
  ? (...args: [...BodyArg<FormBody<Op<E>>>, options?: CallOptions]) => ApiPromise<Result<E>>
  : E extends { shape: "fetch" | "action" }
    ? (id: string, options?: CallOptions) => ApiPromise<Result<E>>
    : E extends { shape: "update" }
      ? (id: string, ...args: [...BodyArg<FormBody<Op<E>>>, options?: CallOptions]) => ApiPromise<Result<E>>
      : E extends { shape: "delete" }
        ? (id: string, options?: CallOptions) => ApiPromise<void>
        : E extends { shape: "singleton-fetch" }
          ? (options?: CallOptions) => ApiPromise<Result<E>>
          : E extends { shape: "singleton-update" }
            ? (...args: [...BodyArg<FormBody<Op<E>>>, options?: CallOptions]) => ApiPromise<Result<E>>
            : never;

/** The methods built from a node of the tree. */
export type Resource<N> = {
  [K in keyof N as N[K] extends { shape: "list" | "media" } ? never : K]: N[K] extends Scope<infer C>
    ? (id: string) => Resource<C>
    : Method<N[K]>;
} & (N extends { list: infer L } ? ListMethods<L> : unknown) &
  (N extends { media: { shape: "media" } } ? MediaMethods : unknown);

/** The typed resource methods of a {@link VideoClient}, derived from {@link resourceTree} and the spec. */
export type Resources = { [K in keyof ResourceTree]: Resource<ResourceTree[K]> };

/** One row per resource method: which operation it calls. */
export interface OperationRow {
  operationId: string;
  method: Uppercase<HttpMethod>;
  path: Path;
  shape: Shape;
  /** Access path in the client, e.g. ["rooms", "participants", "get"]; scopes take an id. */
  resource: string[];
  body?: Readonly<Record<string, string>>;
}

/** Every resource method with its operation, flattened from the tree (for docs, replay tests and coverage checks). */
export function operationRows(): OperationRow[] {
  const rows = (node: Node, prefix: string[]): OperationRow[] =>
    Object.entries(node).flatMap(([name, entry]): OperationRow[] =>
      "children" in entry
        ? rows(entry.children, [...prefix, name])
        : [{
            operationId: entry.operationId,
            method: entry.method.toUpperCase() as Uppercase<HttpMethod>,
            path: entry.path,
            shape: entry.shape,
            resource: [...prefix, name],
            ...(entry.body ? { body: entry.body } : {}),
          }],
    );
  return Object.entries(resourceTree).flatMap(([name, node]) => rows(node, [name]));
}
