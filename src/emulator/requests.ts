/**
 * What the handlers read from a request, typed from the spec: for each
 * operation, every query parameter and form field the spec declares with the
 * kind it is read as, and for each list, what each filter does.
 *
 * The tables' types are computed from generated/openapi.ts, so a parameter
 * the spec adds, removes or retypes (integer → string enum, say) fails `tsc`
 * here, and scripts/derived-checks.ts names it too (the drill runs that
 * check without tsc). Handlers get the values through {@link readQuery} and
 * {@link readBody}, typed as the spec types them.
 */
import type { components, operations } from "../../generated/openapi.js";
import { badRequest } from "./errors.js";
import type { Fields } from "./form.js";
import type { CompositionInput, HookInput, RoomInput } from "./lifecycle.js";
import { ruleList } from "./rules.js";
import type { StorageSettings } from "./store.js";

type S = components["schemas"];

/** Every REST operation of the spec (the webhooks are requests Twilio sends, not ones it answers). */
export type OperationId = Exclude<keyof operations, `${string}StatusCallback`>;

/** A request as the server hands it to a handler, after the contract validator accepted it. */
export interface ApiRequest {
  url: URL;
  /** Percent-decoded path parameters of the matched template. */
  path: Record<string, string>;
  query: URLSearchParams;
  form: Fields;
}

/** How a field arrives: one value, a number, "true"/"false", repeated keys, or a JSON document. */
export type FieldKind = "string" | "integer" | "boolean" | "list" | "json";

/** The kind a field of TypeScript type T is read as (the same rule as `specKind` in scripts/derived-checks.ts). */
export type KindOf<T> = [T] extends [boolean]
  ? "boolean"
  : [T] extends [number]
    ? "integer"
    : [T] extends [string]
      ? "string"
      : [T] extends [readonly string[]]
        ? "list"
        : "json";

type Kinds<T> = { readonly [K in keyof T]-?: KindOf<NonNullable<T[K]>> };

/** The operation's query parameters (`never` when it has none). */
export type Query<Id extends OperationId> = NonNullable<operations[Id]["parameters"]["query"]>;
/** The operation's form body (`never` when it has none). */
export type Body<Id extends OperationId> = operations[Id] extends {
  requestBody?: { content: { "application/x-www-form-urlencoded": infer B } };
}
  ? B
  : never;

/** Paging is read by paging.ts for every list alike. */
export type PagingParam = "PageSize" | "Page" | "PageToken";

/** A declared filter the emulator does not apply, with the reason it may. */
export interface Ignored {
  ignored: string;
}
type Filters<Q> = { readonly [K in Exclude<keyof Q, PagingParam>]-?: "implemented" | Ignored };

type HasKeys<T> = [T] extends [never] ? false : keyof T extends never ? false : true;
/** The list operations: the ones that page. */
export type ListId = {
  [Id in OperationId]: [Query<Id>] extends [never] ? never : PagingParam extends keyof Query<Id> ? Id : never;
}[OperationId];

/** One operation's row: the query, body and filter tables it must have, and no others. */
export type RequestRow<Id extends OperationId> = (HasKeys<Query<Id>> extends true
  ? { query: Kinds<Query<Id>> }
  : { query?: never }) &
  (HasKeys<Body<Id>> extends true ? { body: Kinds<Body<Id>> } : { body?: never }) &
  (Id extends ListId ? { filters: Filters<Query<Id>> } : { filters?: never });

const PAGING = { PageSize: "integer", Page: "integer", PageToken: "string" } as const;
const DATES = { DateCreatedAfter: "string", DateCreatedBefore: "string" } as const;
const DATE_FILTERS = { DateCreatedAfter: "implemented", DateCreatedBefore: "implemented" } as const;
const MEDIA = { query: { Ttl: "integer", ContentDisposition: "string" } } as const;
const COMPOSITION_BODY = {
  VideoLayout: "json",
  AudioSources: "list",
  AudioSourcesExcluded: "list",
  Resolution: "string",
  Format: "string",
  StatusCallback: "string",
  StatusCallbackMethod: "string",
  Trim: "boolean",
} as const;
const HOOK_BODY = { ...COMPOSITION_BODY, FriendlyName: "string", Enabled: "boolean" } as const;
const SETTINGS_BODY = {
  FriendlyName: "string",
  AwsCredentialsSid: "string",
  EncryptionKeySid: "string",
  AwsS3Url: "string",
  AwsStorageEnabled: "boolean",
  EncryptionEnabled: "boolean",
} as const;

const ROOM_BODY = {
  Type: "string",
  UniqueName: "string",
  EnableTurn: "boolean",
  StatusCallback: "string",
  StatusCallbackMethod: "string",
  MaxParticipants: "integer",
  RecordParticipantsOnConnect: "boolean",
  TranscribeParticipantsOnConnect: "boolean",
  VideoCodecs: "list",
  MediaRegion: "string",
  RecordingRules: "json",
  TranscriptionsConfiguration: "json",
  AudioOnly: "boolean",
  MaxParticipantDuration: "integer",
  EmptyRoomTimeout: "integer",
  UnusedRoomTimeout: "integer",
  LargeRoom: "boolean",
} as const;

/** Every operation's reads. Operations that read nothing beyond their path have an empty row. */
export const REQUESTS = {
  ListRoom: {
    query: { Status: "string", UniqueName: "string", ...DATES, ...PAGING },
    filters: { Status: "implemented", UniqueName: "implemented", ...DATE_FILTERS },
  },
  CreateRoom: { body: ROOM_BODY },
  FetchRoom: {},
  UpdateRoom: { body: { Status: "string" } },
  ListRoomParticipant: {
    query: { Status: "string", Identity: "string", ...DATES, ...PAGING },
    filters: { Status: "implemented", Identity: "implemented", ...DATE_FILTERS },
  },
  FetchRoomParticipant: {},
  UpdateRoomParticipant: { body: { Status: "string" } },
  UpdateRoomParticipantAnonymize: {},
  ListRoomParticipantPublishedTrack: { query: PAGING, filters: {} },
  FetchRoomParticipantPublishedTrack: {},
  ListRoomParticipantSubscribedTrack: { query: PAGING, filters: {} },
  FetchRoomParticipantSubscribedTrack: {},
  FetchRoomParticipantSubscribeRule: {},
  UpdateRoomParticipantSubscribeRule: { body: { Rules: "json" } },
  FetchRoomRecordingRule: {},
  UpdateRoomRecordingRule: { body: { Rules: "json" } },
  ListRoomRecording: {
    query: { Status: "string", SourceSid: "string", ...DATES, ...PAGING },
    filters: { Status: "implemented", SourceSid: "implemented", ...DATE_FILTERS },
  },
  FetchRoomRecording: {},
  DeleteRoomRecording: {},
  FetchRoomRecordingMedia: MEDIA,
  ListRoomTranscriptions: { query: PAGING, filters: {} },
  CreateRoomTranscriptions: { body: { Configuration: "json" } },
  FetchRoomTranscriptions: {},
  UpdateRoomTranscriptions: { body: { Status: "string", Configuration: "json" } },
  ListRecording: {
    query: { Status: "string", SourceSid: "string", GroupingSid: "list", ...DATES, MediaType: "string", ...PAGING },
    filters: {
      Status: "implemented",
      SourceSid: "implemented",
      GroupingSid: "implemented",
      MediaType: "implemented",
      ...DATE_FILTERS,
    },
  },
  FetchRecording: {},
  DeleteRecording: {},
  FetchRecordingMedia: MEDIA,
  ListComposition: {
    query: { Status: "string", ...DATES, RoomSid: "string", ...PAGING },
    filters: { Status: "implemented", RoomSid: "implemented", ...DATE_FILTERS },
  },
  CreateComposition: { body: { RoomSid: "string", ...COMPOSITION_BODY } },
  FetchComposition: {},
  DeleteComposition: {},
  FetchCompositionMedia: MEDIA,
  ListCompositionHook: {
    query: { Enabled: "boolean", ...DATES, FriendlyName: "string", ...PAGING },
    filters: { Enabled: "implemented", FriendlyName: "implemented", ...DATE_FILTERS },
  },
  CreateCompositionHook: { body: HOOK_BODY },
  FetchCompositionHook: {},
  UpdateCompositionHook: { body: HOOK_BODY },
  DeleteCompositionHook: {},
  FetchCompositionSettings: {},
  CreateCompositionSettings: { body: SETTINGS_BODY },
  FetchRecordingSettings: {},
  CreateRecordingSettings: { body: SETTINGS_BODY },
} as const satisfies { [Id in OperationId]: RequestRow<Id> };

type Table = Readonly<Record<string, FieldKind>>;

function read(table: Table | undefined, get: (name: string, kind: FieldKind) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(table ?? {})) {
    const value = get(name, kind);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(20001, `Invalid parameter ${name}: not a JSON document`);
  }
}

/**
 * The operation's query parameters that are present, converted to the spec's
 * types (the contract validator has already accepted them).
 */
export function readQuery<Id extends OperationId>(id: Id, req: ApiRequest): Partial<Query<Id>> {
  const table = (REQUESTS[id] as { query?: Table }).query;
  return read(table, (name, kind) => {
    if (kind === "list") return req.query.has(name) ? req.query.getAll(name) : undefined;
    const v = req.query.get(name);
    if (v === null) return undefined;
    if (kind === "integer") return Number(v);
    if (kind === "boolean") return v.toLowerCase() === "true";
    return kind === "json" ? parseJson(name, v) : v;
  }) as Partial<Query<Id>>;
}

/** The operation's form fields that are present, converted to the spec's types. */
export function readBody<Id extends OperationId>(id: Id, req: ApiRequest): Partial<Body<Id>> {
  const table = (REQUESTS[id] as { body?: Table }).body;
  const form = req.form;
  return read(table, (name, kind) => {
    if (kind === "integer") return form.int(name);
    if (kind === "boolean") return form.bool(name);
    if (kind === "list") return form.list(name);
    if (kind === "json") return form.json(name);
    return form.str(name);
  }) as Partial<Body<Id>>;
}

// ---- bodies as lifecycle inputs ------------------------------------------------------

/** Copies the fields that are set (the lifecycle's inputs leave out what the request left out). */
function defined<T extends object>(input: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as T;
}

export function roomInput(b: Partial<Body<"CreateRoom">>): RoomInput {
  return defined<RoomInput>({
    uniqueName: b.UniqueName,
    type: b.Type,
    statusCallback: b.StatusCallback,
    statusCallbackMethod: b.StatusCallbackMethod,
    maxParticipants: b.MaxParticipants,
    maxParticipantDuration: b.MaxParticipantDuration,
    recordParticipantsOnConnect: b.RecordParticipantsOnConnect,
    transcribeParticipantsOnConnect: b.TranscribeParticipantsOnConnect,
    transcriptionsConfiguration: b.TranscriptionsConfiguration,
    videoCodecs: b.VideoCodecs,
    mediaRegion: b.MediaRegion,
    audioOnly: b.AudioOnly,
    enableTurn: b.EnableTurn,
    emptyRoomTimeout: b.EmptyRoomTimeout,
    unusedRoomTimeout: b.UnusedRoomTimeout,
    largeRoom: b.LargeRoom,
    recordingRules: ruleList(b.RecordingRules),
  });
}

/** `{w}x{h}` within 921,600 pixels, the one limit the schema cannot say. */
function checkResolution(resolution: string | undefined): void {
  if (!resolution) return;
  const [w, h] = resolution.split("x").map(Number);
  if (w! * h! > 921_600) throw badRequest(20001, `Resolution ${resolution} exceeds 921600 pixels`);
}

type CompositionBody = Partial<
  Body<"CreateComposition"> | Body<"CreateCompositionHook"> | Body<"UpdateCompositionHook">
>;

export function compositionInput(b: CompositionBody): CompositionInput {
  checkResolution(b.Resolution);
  return defined<CompositionInput>({
    audioSources: b.AudioSources,
    audioSourcesExcluded: b.AudioSourcesExcluded,
    videoLayout: b.VideoLayout as S["VideoLayout"] | undefined,
    resolution: b.Resolution,
    format: b.Format,
    trim: b.Trim,
    statusCallback: b.StatusCallback,
    statusCallbackMethod: b.StatusCallbackMethod,
  });
}

export function hookInput(b: Partial<Body<"CreateCompositionHook"> | Body<"UpdateCompositionHook">>): HookInput {
  return { ...compositionInput(b), ...defined<HookInput>({ friendlyName: b.FriendlyName, enabled: b.Enabled }) };
}

/** Settings as a POST states them: each replaces the whole, so what it leaves out is reset. */
export function settingsInput(
  b: Partial<Body<"CreateCompositionSettings"> | Body<"CreateRecordingSettings">>,
): StorageSettings {
  return {
    friendlyName: b.FriendlyName ?? null,
    awsCredentialsSid: b.AwsCredentialsSid ?? null,
    awsS3Url: b.AwsS3Url ?? null,
    awsStorageEnabled: b.AwsStorageEnabled ?? false,
    encryptionKeySid: b.EncryptionKeySid ?? null,
    encryptionEnabled: b.EncryptionEnabled ?? false,
  };
}
