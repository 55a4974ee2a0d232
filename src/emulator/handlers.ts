/**
 * The 39 operations and 3 media subresources, one handler per operationId.
 * The table's type requires a handler for every operation in the spec and
 * holds each handler's answer to that operation's documented success status
 * and body, so the compiler keeps the emulator and the spec in step.
 */
import type { components, operations } from "../../generated/openapi.js";
import { badRequest, notFound } from "./errors.js";
import type { Fields } from "./form.js";
import { compositionSpec, type CompositionInput, type Lifecycle, type RoomInput } from "./lifecycle.js";
import type { MediaHost } from "./media.js";
import { paginate } from "./paging.js";
import { ruleList } from "./rules.js";
import type { HookRecord, ParticipantRecord, RecordingRecord, RoomRecord, StorageSettings, Store, TranscriptionRecord } from "./store.js";
import { arrayView, SeqList, type ListView } from "./seqlist.js";
import type { Views } from "./views.js";

type S = components["schemas"];
/** Every REST operation of the spec (the webhooks are requests Twilio sends, not ones it answers). */
export type OperationId = Exclude<keyof operations, `${string}StatusCallback`>;

type Responses<Id extends OperationId> = operations[Id]["responses"];
type SuccessStatus<Id extends OperationId> = Extract<keyof Responses<Id>, 200 | 201 | 202 | 204 | 302>;
type ReplyFor<R, St> = St extends keyof R
  ? { status: St; body: R[St] extends { content: { "application/json": infer J } } ? J : null; headers?: Record<string, string> }
  : never;
/** What a handler answers: one of the operation's documented success statuses, with its body. */
export type Reply<Id extends OperationId> = ReplyFor<Responses<Id>, SuccessStatus<Id>>;

export interface ApiRequest {
  url: URL;
  /** Percent-decoded path parameters of the matched template. */
  path: Record<string, string>;
  query: URLSearchParams;
  form: Fields;
}

export interface HandlerContext {
  store: Store;
  life: Lifecycle;
  views: Views;
  media: MediaHost;
  /** API origin for list URLs. */
  base: string;
}

type Handler<Id extends OperationId> = (ctx: HandlerContext, req: ApiRequest) => Reply<Id>;

// ---- lookups: 404 in the real API's words -----------------------------------------

function room(ctx: HandlerContext, req: ApiRequest, param = "RoomSid"): RoomRecord {
  const id = req.path[param]!;
  return ctx.store.findRoom(id) ?? fail(`/Rooms/${id}`);
}

function participant(ctx: HandlerContext, req: ApiRequest, param: string): ParticipantRecord {
  const r = room(ctx, req);
  const id = req.path[param]!;
  return ctx.store.findParticipant(r, id) ?? fail(`/Rooms/${r.sid}/Participants/${id}`);
}

/** An account-level resource by the `Sid` in the path (recordings, compositions, hooks). */
function bySid<T>(map: Map<string, T>, req: ApiRequest): T {
  return map.get(req.path.Sid!) ?? fail(req.url.pathname.slice(3));
}

/** A recording reached through its room: one of another room is as unknown as a missing one. */
function roomRecording(ctx: HandlerContext, req: ApiRequest): RecordingRecord {
  const rec = ctx.store.recordings.get(req.path.Sid!);
  if (!rec || rec.roomSid !== req.path.RoomSid) fail(req.url.pathname.slice(3));
  return rec;
}

function transcription(ctx: HandlerContext, req: ApiRequest): TranscriptionRecord {
  const r = room(ctx, req);
  const t = ctx.store.transcriptions.get(req.path.Ttid!);
  if (!t || t.roomSid !== r.sid) fail(`/Rooms/${r.sid}/Transcriptions/${req.path.Ttid}`);
  return t;
}

function fail(path: string): never {
  throw notFound(path);
}

// ---- lists -----------------------------------------------------------------------

interface Listed {
  sid: string;
  seq: number;
  created: number;
}

/**
 * One page of a list. `items` are in creation order (ascending seq), as the
 * store's indexes keep them, so paging reads only the page: no copy, no sort,
 * unless a date filter has to look at every item.
 */
function page<K extends string, T extends Listed, V>(
  ctx: HandlerContext,
  req: ApiRequest,
  key: K,
  items: SeqList<T> | readonly T[],
  render: (item: T) => V,
  order: "asc" | "desc",
): Record<K, V[]> & { meta: S["PageMeta"] } {
  const after = req.query.get("DateCreatedAfter");
  const before = req.query.get("DateCreatedBefore");
  let source: SeqList<T> | readonly T[] = items;
  if (after !== null || before !== null) {
    const from = after === null ? -Infinity : Date.parse(after);
    const to = before === null ? Infinity : Date.parse(before);
    source = (items instanceof SeqList ? items.toArray() : items).filter((i) => i.created >= from && i.created < to);
  }
  let view: ListView<T>;
  if (source instanceof SeqList) view = order === "desc" ? source.descending() : source;
  else view = arrayView(order === "desc" ? [...source].reverse() : source);
  const result = paginate({ base: ctx.base, path: req.url.pathname, query: req.query, items: view, seqOfSid: (sid) => ctx.store.seqOf(sid), order });
  return { [key]: result.items.map(render), meta: { ...result.meta, key } } as Record<K, V[]> & { meta: S["PageMeta"] };
}

// ---- request bodies ----------------------------------------------------------------

function roomInput(form: Fields): RoomInput {
  const input: RoomInput = {};
  const set = <K extends keyof RoomInput>(key: K, value: RoomInput[K] | undefined) => {
    if (value !== undefined) input[key] = value;
  };
  set("uniqueName", form.str("UniqueName"));
  set("type", form.str("Type") as S["RoomType"] | undefined);
  set("statusCallback", form.str("StatusCallback"));
  set("statusCallbackMethod", form.str("StatusCallbackMethod") as S["HttpMethod"] | undefined);
  set("maxParticipants", form.int("MaxParticipants"));
  set("maxParticipantDuration", form.int("MaxParticipantDuration"));
  set("recordParticipantsOnConnect", form.bool("RecordParticipantsOnConnect"));
  set("transcribeParticipantsOnConnect", form.bool("TranscribeParticipantsOnConnect"));
  set("transcriptionsConfiguration", form.json<Record<string, unknown>>("TranscriptionsConfiguration"));
  set("videoCodecs", form.list("VideoCodecs") as S["VideoCodec"][] | undefined);
  set("mediaRegion", form.str("MediaRegion"));
  set("audioOnly", form.bool("AudioOnly"));
  set("enableTurn", form.bool("EnableTurn"));
  set("emptyRoomTimeout", form.int("EmptyRoomTimeout"));
  set("unusedRoomTimeout", form.int("UnusedRoomTimeout"));
  set("largeRoom", form.bool("LargeRoom"));
  set("recordingRules", ruleList(form.json("RecordingRules")));
  return input;
}

/** `{w}x{h}` within 921,600 pixels, the one limit the schema cannot say. */
function checkResolution(resolution: string | undefined): void {
  if (!resolution) return;
  const [w, h] = resolution.split("x").map(Number);
  if (w! * h! > 921_600) throw badRequest(20001, `Resolution ${resolution} exceeds 921600 pixels`);
}

function compositionInput(form: Fields): CompositionInput {
  const input: CompositionInput = {};
  const set = <K extends keyof CompositionInput>(key: K, value: CompositionInput[K] | undefined) => {
    if (value !== undefined) input[key] = value;
  };
  set("audioSources", form.list("AudioSources"));
  set("audioSourcesExcluded", form.list("AudioSourcesExcluded"));
  set("videoLayout", form.json<S["VideoLayout"]>("VideoLayout"));
  set("resolution", form.str("Resolution"));
  set("format", form.str("Format") as S["MediaFormat"] | undefined);
  set("trim", form.bool("Trim"));
  set("statusCallback", form.str("StatusCallback"));
  set("statusCallbackMethod", form.str("StatusCallbackMethod") as S["HttpMethod"] | undefined);
  checkResolution(input.resolution);
  return input;
}

/** Applies a hook create/update body; fields left out keep their value. */
function applyHook(hook: HookRecord, form: Fields): void {
  const input = compositionInput(form);
  hook.friendlyName = form.str("FriendlyName") ?? hook.friendlyName;
  hook.enabled = form.bool("Enabled") ?? hook.enabled;
  hook.audioSources = input.audioSources ?? hook.audioSources;
  hook.audioSourcesExcluded = input.audioSourcesExcluded ?? hook.audioSourcesExcluded;
  hook.videoLayout = input.videoLayout ?? hook.videoLayout;
  hook.resolution = input.resolution ?? hook.resolution;
  hook.format = input.format ?? hook.format;
  hook.trim = input.trim ?? hook.trim;
  if (input.statusCallback !== undefined) {
    hook.statusCallback = input.statusCallback;
    hook.statusCallbackMethod = input.statusCallbackMethod ?? "POST";
  } else if (input.statusCallbackMethod !== undefined && hook.statusCallback) {
    hook.statusCallbackMethod = input.statusCallbackMethod;
  }
}

function settingsFrom(form: Fields): StorageSettings {
  // Each POST replaces the settings as a whole.
  return {
    friendlyName: form.str("FriendlyName") ?? null,
    awsCredentialsSid: form.str("AwsCredentialsSid") ?? null,
    awsS3Url: form.str("AwsS3Url") ?? null,
    awsStorageEnabled: form.bool("AwsStorageEnabled") ?? false,
    encryptionKeySid: form.str("EncryptionKeySid") ?? null,
    encryptionEnabled: form.bool("EncryptionEnabled") ?? false,
  };
}

function mediaRedirect(ctx: HandlerContext, req: ApiRequest, kind: "recording" | "composition", sid: string, status: string, external: string | null) {
  // Media that is not ready, deleted, or kept in the account's own bucket has no Twilio download URL.
  if (status !== "completed" || external) throw notFound(req.url.pathname.replace(/^\/v1/, ""));
  const ttl = req.query.has("Ttl") ? Number(req.query.get("Ttl")) : 600;
  const location = ctx.media.signedUrl(kind, sid, ttl, req.query.get("ContentDisposition") ?? undefined);
  return { status: 302 as const, body: { redirect_to: location }, headers: { Location: location } };
}

// ---- the table -----------------------------------------------------------------------

export const handlers: { [Id in OperationId]: Handler<Id> } = {
  // Rooms
  CreateRoom: (ctx, req) => ({ status: 201, body: ctx.views.room(ctx.life.createRoom(roomInput(req.form))) }),
  FetchRoom: (ctx, req) => ({ status: 200, body: ctx.views.room(room(ctx, req, "Sid")) }),
  UpdateRoom: (ctx, req) => {
    const r = room(ctx, req, "Sid");
    ctx.life.completeRoom(r);
    return { status: 202, body: ctx.views.room(r) };
  },
  ListRoom: (ctx, req) => {
    // Without Status the real API lists in-progress rooms only.
    const status = (req.query.get("Status") ?? "in-progress") as RoomRecord["status"];
    const name = req.query.get("UniqueName");
    // Indexed both ways: by name (few rooms), else by status (already in order).
    const rooms = name === null ? ctx.store.roomsWithStatus(status) : ctx.store.roomsNamed(name).filter((r) => r.status === status);
    return { status: 200, body: page(ctx, req, "rooms", rooms, (r) => ctx.views.room(r), "desc") };
  },

  // Participants
  ListRoomParticipant: (ctx, req) => {
    const status = req.query.get("Status");
    const identity = req.query.get("Identity");
    const list = ctx.store.participantsOf(room(ctx, req)).filter((p) => (status === null || p.status === status) && (identity === null || p.identity === identity));
    return { status: 200, body: page(ctx, req, "participants", list, (p) => ctx.views.participant(p), "asc") };
  },
  FetchRoomParticipant: (ctx, req) => ({ status: 200, body: ctx.views.participant(participant(ctx, req, "Sid")) }),
  UpdateRoomParticipant: (ctx, req) => {
    const p = participant(ctx, req, "Sid");
    if (req.form.str("Status") === "disconnected") ctx.life.disconnect(p);
    return { status: 202, body: ctx.views.participant(p) };
  },
  UpdateRoomParticipantAnonymize: (ctx, req) => {
    const p = participant(ctx, req, "Sid");
    ctx.life.anonymize(p);
    return { status: 200, body: ctx.views.anonymized(p) };
  },

  // Published and subscribed tracks, subscribe rules
  ListRoomParticipantPublishedTrack: (ctx, req) => {
    const p = participant(ctx, req, "ParticipantSid");
    return { status: 200, body: page(ctx, req, "published_tracks", ctx.store.tracksOf(p), (t) => ctx.views.publishedTrack(t), "asc") };
  },
  FetchRoomParticipantPublishedTrack: (ctx, req) => {
    const p = participant(ctx, req, "ParticipantSid");
    const track = ctx.store.findTrack(p, req.path.Sid!) ?? fail(`${ctx.views.participantPath(p).slice(3)}/PublishedTracks/${req.path.Sid}`);
    return { status: 200, body: ctx.views.publishedTrack(track) };
  },
  ListRoomParticipantSubscribedTrack: (ctx, req) => {
    const p = participant(ctx, req, "ParticipantSid");
    const tracks = ctx.life.subscriptions(p);
    return { status: 200, body: page(ctx, req, "subscribed_tracks", tracks, (t) => ctx.views.subscribedTrack(t, p, Math.max(t.created, p.rulesUpdated ?? 0)), "asc") };
  },
  FetchRoomParticipantSubscribedTrack: (ctx, req) => {
    const p = participant(ctx, req, "ParticipantSid");
    const track = ctx.life.subscriptions(p).find((t) => t.sid === req.path.Sid) ?? fail(`${ctx.views.participantPath(p).slice(3)}/SubscribedTracks/${req.path.Sid}`);
    return { status: 200, body: ctx.views.subscribedTrack(track, p, Math.max(track.created, p.rulesUpdated ?? 0)) };
  },
  FetchRoomParticipantSubscribeRule: (ctx, req) => ({ status: 200, body: ctx.views.subscribeRules(participant(ctx, req, "ParticipantSid")) }),
  UpdateRoomParticipantSubscribeRule: (ctx, req) => {
    const p = participant(ctx, req, "ParticipantSid");
    const rules = ruleList(req.form.json("Rules"));
    if (rules) ctx.life.setSubscribeRules(p, rules);
    return { status: 200, body: ctx.views.subscribeRules(p) };
  },

  // Recording rules and room recordings
  FetchRoomRecordingRule: (ctx, req) => ({ status: 200, body: ctx.views.recordingRules(room(ctx, req)) }),
  UpdateRoomRecordingRule: (ctx, req) => {
    const r = room(ctx, req);
    const rules = ruleList(req.form.json("Rules"));
    if (rules) {
      if (r.status !== "in-progress") throw badRequest(53120, `Room ${r.sid} is ${r.status}; its recording rules can no longer change`);
      ctx.life.setRecordingRules(r, rules);
    }
    return { status: 200, body: ctx.views.recordingRules(r) };
  },
  ListRoomRecording: (ctx, req) => {
    const status = req.query.get("Status");
    const source = req.query.get("SourceSid");
    const list = ctx.store
      .recordingsOf(room(ctx, req))
      .filter((r) => (status === null ? r.status !== "deleted" : r.status === status) && (source === null || r.trackSid === source));
    return { status: 200, body: page(ctx, req, "recordings", list, (r) => ctx.views.roomRecording(r), "desc") };
  },
  FetchRoomRecording: (ctx, req) => ({ status: 200, body: ctx.views.roomRecording(roomRecording(ctx, req)) }),
  DeleteRoomRecording: (ctx, req) => {
    ctx.life.deleteRecording(roomRecording(ctx, req));
    return { status: 204, body: null };
  },
  FetchRoomRecordingMedia: (ctx, req) => {
    const rec = roomRecording(ctx, req);
    return mediaRedirect(ctx, req, "recording", rec.sid, rec.status, rec.mediaExternalLocation);
  },

  // Transcriptions
  CreateRoomTranscriptions: (ctx, req) => {
    const t = ctx.life.createTranscription(room(ctx, req), req.form.json<Record<string, unknown>>("Configuration"));
    return { status: 202, body: ctx.views.transcription(t) };
  },
  ListRoomTranscriptions: (ctx, req) => {
    const r = room(ctx, req);
    const list = ctx.store.transcriptionsOf(r);
    return { status: 200, body: page(ctx, req, "transcriptions", list, (t) => ctx.views.transcription(t), "asc") };
  },
  FetchRoomTranscriptions: (ctx, req) => ({ status: 200, body: ctx.views.transcription(transcription(ctx, req)) }),
  UpdateRoomTranscriptions: (ctx, req) => {
    const t = transcription(ctx, req);
    ctx.life.updateTranscription(t, req.form.str("Status") as "started" | "stopped" | undefined, req.form.json<Record<string, unknown>>("Configuration"));
    return { status: 202, body: ctx.views.transcription(t) };
  },

  // Recordings of the account
  ListRecording: (ctx, req) => {
    const q = req.query;
    const status = q.get("Status");
    const source = q.get("SourceSid");
    const mediaType = q.get("MediaType");
    const grouping = q.getAll("GroupingSid");
    // A GroupingSid names a room or a participant: start from that room's recordings when it is a room.
    const groupRoom = grouping.map((sid) => ctx.store.rooms.get(sid)).find((r) => r !== undefined);
    const all = groupRoom ? ctx.store.recordingsOf(groupRoom) : [...ctx.store.recordings.values()];
    const list = all.filter(
      (r) =>
        (status === null ? r.status !== "deleted" : r.status === status) &&
        (source === null || r.trackSid === source) &&
        (mediaType === null || r.kind === mediaType) &&
        grouping.every((sid) => sid === r.roomSid || sid === r.participantSid),
    );
    return { status: 200, body: page(ctx, req, "recordings", list, (r) => ctx.views.recording(r), "desc") };
  },
  FetchRecording: (ctx, req) => ({ status: 200, body: ctx.views.recording(bySid(ctx.store.recordings, req)) }),
  DeleteRecording: (ctx, req) => {
    ctx.life.deleteRecording(bySid(ctx.store.recordings, req));
    return { status: 204, body: null };
  },
  FetchRecordingMedia: (ctx, req) => {
    const rec = bySid(ctx.store.recordings, req);
    return mediaRedirect(ctx, req, "recording", rec.sid, rec.status, rec.mediaExternalLocation);
  },

  // Compositions
  CreateComposition: (ctx, req) => {
    const roomSid = req.form.str("RoomSid")!;
    // This operation documents no 404: an unknown room is a bad parameter.
    const r = ctx.store.rooms.get(roomSid);
    if (!r) throw badRequest(53106, `Room ${roomSid} not found`);
    const c = ctx.life.createComposition(r, compositionInput(req.form));
    return { status: 201, body: ctx.views.composition(c) };
  },
  ListComposition: (ctx, req) => {
    const status = req.query.get("Status");
    const roomSid = req.query.get("RoomSid");
    const all = roomSid === null ? [...ctx.store.compositions.values()] : ctx.store.compositionsOf(roomSid);
    const list = all.filter((c) => (status === null ? c.status !== "deleted" : c.status === status));
    return { status: 200, body: page(ctx, req, "compositions", list, (c) => ctx.views.composition(c), "desc") };
  },
  FetchComposition: (ctx, req) => ({ status: 200, body: ctx.views.composition(bySid(ctx.store.compositions, req)) }),
  DeleteComposition: (ctx, req) => {
    ctx.life.deleteComposition(bySid(ctx.store.compositions, req));
    return { status: 204, body: null };
  },
  FetchCompositionMedia: (ctx, req) => {
    const c = bySid(ctx.store.compositions, req);
    return mediaRedirect(ctx, req, "composition", c.sid, c.status, c.mediaExternalLocation);
  },

  // Composition hooks
  CreateCompositionHook: (ctx, req) => {
    // A hook starts from a composition's defaults; the body then sets what it names.
    const hook: HookRecord = { ...ctx.store.newRecord("HK", ctx.life.now()), friendlyName: "", enabled: true, ...compositionSpec({}) };
    applyHook(hook, req.form);
    if ([...ctx.store.hooks.values()].some((h) => h.friendlyName === hook.friendlyName)) {
      throw badRequest(20001, `A composition hook named '${hook.friendlyName}' already exists`);
    }
    ctx.store.hooks.set(hook.sid, hook);
    return { status: 201, body: ctx.views.hook(hook) };
  },
  ListCompositionHook: (ctx, req) => {
    const enabled = req.query.get("Enabled");
    const name = req.query.get("FriendlyName");
    const list = [...ctx.store.hooks.values()].filter((h) => (enabled === null || String(h.enabled) === enabled.toLowerCase()) && (name === null || h.friendlyName === name));
    return { status: 200, body: page(ctx, req, "composition_hooks", list, (h) => ctx.views.hook(h), "desc") };
  },
  FetchCompositionHook: (ctx, req) => ({ status: 200, body: ctx.views.hook(bySid(ctx.store.hooks, req)) }),
  UpdateCompositionHook: (ctx, req) => {
    const hook = bySid(ctx.store.hooks, req);
    applyHook(hook, req.form);
    hook.updated = ctx.life.now();
    return { status: 200, body: ctx.views.hook(hook) };
  },
  DeleteCompositionHook: (ctx, req) => {
    if (!ctx.store.hooks.delete(req.path.Sid!)) fail(req.url.pathname.slice(3));
    return { status: 204, body: null };
  },

  // Settings
  FetchCompositionSettings: (ctx) => ({ status: 200, body: ctx.views.settings("CompositionSettings", ctx.store.compositionSettings) }),
  CreateCompositionSettings: (ctx, req) => {
    ctx.store.compositionSettings = settingsFrom(req.form);
    return { status: 200, body: ctx.views.settings("CompositionSettings", ctx.store.compositionSettings) };
  },
  FetchRecordingSettings: (ctx) => ({ status: 200, body: ctx.views.settings("RecordingSettings", ctx.store.recordingSettings) }),
  CreateRecordingSettings: (ctx, req) => {
    ctx.store.recordingSettings = settingsFrom(req.form);
    return { status: 200, body: ctx.views.settings("RecordingSettings", ctx.store.recordingSettings) };
  },
};

