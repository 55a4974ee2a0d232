/**
 * One handler per operationId of the spec. The table's type requires a
 * handler for every operation and holds each handler's answer to that
 * operation's documented success status and body; each handler reads its
 * query and form through readQuery/readBody, typed from the same operation
 * (requests.ts), so the compiler keeps the emulator and the spec in step.
 * Handlers look records up and call the lifecycle module of the resource
 * they change (lifecycle.ts): they never write the store themselves.
 */
import type { operations } from "../../generated/openapi.js";
import { badRequest, notFound } from "./errors.js";
import {
  bySid,
  fail,
  page,
  participant,
  room,
  roomRecording,
  transcription,
  type HandlerContext,
} from "./handler-kit.js";
import {
  compositionInput,
  hookInput,
  readBody,
  readQuery,
  roomInput,
  settingsInput,
  type ApiRequest,
  type OperationId,
} from "./requests.js";
import { ruleList } from "./rules.js";

export type { HandlerContext } from "./handler-kit.js";
export type { ApiRequest, OperationId } from "./requests.js";

type Responses<Id extends OperationId> = operations[Id]["responses"];
type SuccessStatus<Id extends OperationId> = Extract<keyof Responses<Id>, 200 | 201 | 202 | 204 | 302>;
type ReplyFor<R, St> = St extends keyof R
  ? {
      status: St;
      body: R[St] extends { content: { "application/json": infer J } } ? J : null;
      headers?: Record<string, string>;
    }
  : never;
/** What a handler answers: one of the operation's documented success statuses, with its body. */
export type Reply<Id extends OperationId> = ReplyFor<Responses<Id>, SuccessStatus<Id>>;

type Handler<Id extends OperationId> = (ctx: HandlerContext, req: ApiRequest) => Reply<Id>;

type MediaId = "FetchRoomRecordingMedia" | "FetchRecordingMedia" | "FetchCompositionMedia";

function mediaRedirect(
  ctx: HandlerContext,
  req: ApiRequest,
  id: MediaId,
  media: { kind: "recording" | "composition"; sid: string; status: string; external: string | null },
) {
  // Media that is not ready, deleted, or kept in the account's own bucket has no Twilio download URL.
  if (media.status !== "completed" || media.external) throw notFound(req.url.pathname.replace(/^\/v1/, ""));
  const q = readQuery(id, req);
  const location = ctx.media.signedUrl(media.kind, media.sid, q.Ttl ?? 600, q.ContentDisposition);
  return { status: 302 as const, body: { redirect_to: location }, headers: { Location: location } };
}

const recordingMedia = (r: { sid: string; status: string; mediaExternalLocation: string | null }) =>
  ({ kind: "recording", sid: r.sid, status: r.status, external: r.mediaExternalLocation }) as const;

/** Whether a recording passes a list's Status filter (deleted ones only when asked for). */
const statusMatches = (status: string | undefined, actual: string) =>
  status === undefined ? actual !== "deleted" : actual === status;

const rooms: { [Id in "CreateRoom" | "FetchRoom" | "UpdateRoom" | "ListRoom"]: Handler<Id> } = {
  CreateRoom: (ctx, req) => {
    const r = ctx.life.rooms.create(roomInput(readBody("CreateRoom", req)));
    return { status: 201, body: ctx.views.room(r) };
  },
  FetchRoom: (ctx, req) => ({ status: 200, body: ctx.views.room(room(ctx, req, "Sid")) }),
  UpdateRoom: (ctx, req) => {
    const r = room(ctx, req, "Sid");
    ctx.life.rooms.complete(r);
    return { status: 202, body: ctx.views.room(r) };
  },
  ListRoom: (ctx, req) => {
    const q = readQuery("ListRoom", req);
    // Without Status the real API lists in-progress rooms only.
    const status = q.Status ?? "in-progress";
    // Indexed both ways: by name (few rooms), else by status (already in order).
    const items =
      q.UniqueName === undefined
        ? ctx.store.roomsWithStatus(status)
        : ctx.store.roomsNamed(q.UniqueName).filter((r) => r.status === status);
    return {
      status: 200,
      body: page(ctx, req, { key: "rooms", items, order: "desc", dates: q }, (r) => ctx.views.room(r)),
    };
  },
};

type ParticipantOps =
  | "ListRoomParticipant"
  | "FetchRoomParticipant"
  | "UpdateRoomParticipant"
  | "UpdateRoomParticipantAnonymize"
  | "ListRoomParticipantPublishedTrack"
  | "FetchRoomParticipantPublishedTrack"
  | "ListRoomParticipantSubscribedTrack"
  | "FetchRoomParticipantSubscribedTrack"
  | "FetchRoomParticipantSubscribeRule"
  | "UpdateRoomParticipantSubscribeRule";

const participants: { [Id in ParticipantOps]: Handler<Id> } = {
  ListRoomParticipant: (ctx, req) => {
    const q = readQuery("ListRoomParticipant", req);
    const items = ctx.store
      .participantsOf(room(ctx, req))
      .filter(
        (p) =>
          (q.Status === undefined || p.status === q.Status) && (q.Identity === undefined || p.identity === q.Identity),
      );
    const list = { key: "participants" as const, items, order: "asc" as const, dates: q };
    return { status: 200, body: page(ctx, req, list, (p) => ctx.views.participant(p)) };
  },
  FetchRoomParticipant: (ctx, req) => ({ status: 200, body: ctx.views.participant(participant(ctx, req, "Sid")) }),
  UpdateRoomParticipant: (ctx, req) => {
    const p = participant(ctx, req, "Sid");
    if (readBody("UpdateRoomParticipant", req).Status === "disconnected") ctx.life.rooms.disconnect(p);
    return { status: 202, body: ctx.views.participant(p) };
  },
  UpdateRoomParticipantAnonymize: (ctx, req) => {
    const p = participant(ctx, req, "Sid");
    ctx.life.rooms.anonymize(p);
    return { status: 200, body: ctx.views.anonymized(p) };
  },
  ListRoomParticipantPublishedTrack: (ctx, req) => {
    const items = ctx.store.tracksOf(participant(ctx, req, "ParticipantSid"));
    const list = { key: "published_tracks" as const, items, order: "asc" as const };
    return { status: 200, body: page(ctx, req, list, (t) => ctx.views.publishedTrack(t)) };
  },
  FetchRoomParticipantPublishedTrack: (ctx, req) => {
    const p = participant(ctx, req, "ParticipantSid");
    const track =
      ctx.store.findTrack(p, req.path.Sid!) ??
      fail(`${ctx.views.participantPath(p).slice(3)}/PublishedTracks/${req.path.Sid}`);
    return { status: 200, body: ctx.views.publishedTrack(track) };
  },
  ListRoomParticipantSubscribedTrack: (ctx, req) => {
    const p = participant(ctx, req, "ParticipantSid");
    const list = { key: "subscribed_tracks" as const, items: ctx.life.rooms.subscriptions(p), order: "asc" as const };
    const render = (t: Parameters<HandlerContext["views"]["subscribedTrack"]>[0]) =>
      ctx.views.subscribedTrack(t, p, Math.max(t.created, p.rulesUpdated ?? 0));
    return { status: 200, body: page(ctx, req, list, render) };
  },
  FetchRoomParticipantSubscribedTrack: (ctx, req) => {
    const p = participant(ctx, req, "ParticipantSid");
    const track =
      ctx.life.rooms.subscriptions(p).find((t) => t.sid === req.path.Sid) ??
      fail(`${ctx.views.participantPath(p).slice(3)}/SubscribedTracks/${req.path.Sid}`);
    return { status: 200, body: ctx.views.subscribedTrack(track, p, Math.max(track.created, p.rulesUpdated ?? 0)) };
  },
  FetchRoomParticipantSubscribeRule: (ctx, req) => ({
    status: 200,
    body: ctx.views.subscribeRules(participant(ctx, req, "ParticipantSid")),
  }),
  UpdateRoomParticipantSubscribeRule: (ctx, req) => {
    const p = participant(ctx, req, "ParticipantSid");
    const rules = ruleList(readBody("UpdateRoomParticipantSubscribeRule", req).Rules);
    if (rules) ctx.life.rooms.setSubscribeRules(p, rules);
    return { status: 200, body: ctx.views.subscribeRules(p) };
  },
};

type RoomChildOps =
  | "FetchRoomRecordingRule"
  | "UpdateRoomRecordingRule"
  | "ListRoomRecording"
  | "FetchRoomRecording"
  | "DeleteRoomRecording"
  | "FetchRoomRecordingMedia"
  | "CreateRoomTranscriptions"
  | "ListRoomTranscriptions"
  | "FetchRoomTranscriptions"
  | "UpdateRoomTranscriptions";

const roomChildren: { [Id in RoomChildOps]: Handler<Id> } = {
  FetchRoomRecordingRule: (ctx, req) => ({ status: 200, body: ctx.views.recordingRules(room(ctx, req)) }),
  UpdateRoomRecordingRule: (ctx, req) => {
    const r = room(ctx, req);
    const rules = ruleList(readBody("UpdateRoomRecordingRule", req).Rules);
    if (rules) {
      if (r.status !== "in-progress") {
        throw badRequest(53120, `Room ${r.sid} is ${r.status}; its recording rules can no longer change`);
      }
      ctx.life.recordings.setRules(r, rules);
    }
    return { status: 200, body: ctx.views.recordingRules(r) };
  },
  ListRoomRecording: (ctx, req) => {
    const q = readQuery("ListRoomRecording", req);
    const items = ctx.store
      .recordingsOf(room(ctx, req))
      .filter((r) => statusMatches(q.Status, r.status) && (q.SourceSid === undefined || r.trackSid === q.SourceSid));
    const list = { key: "recordings" as const, items, order: "desc" as const, dates: q };
    return { status: 200, body: page(ctx, req, list, (r) => ctx.views.roomRecording(r)) };
  },
  FetchRoomRecording: (ctx, req) => ({ status: 200, body: ctx.views.roomRecording(roomRecording(ctx, req)) }),
  DeleteRoomRecording: (ctx, req) => {
    ctx.life.recordings.delete(roomRecording(ctx, req));
    return { status: 204, body: null };
  },
  FetchRoomRecordingMedia: (ctx, req) =>
    mediaRedirect(ctx, req, "FetchRoomRecordingMedia", recordingMedia(roomRecording(ctx, req))),
  CreateRoomTranscriptions: (ctx, req) => {
    const configuration = readBody("CreateRoomTranscriptions", req).Configuration;
    const t = ctx.life.transcriptions.create(room(ctx, req), configuration);
    return { status: 202, body: ctx.views.transcription(t) };
  },
  ListRoomTranscriptions: (ctx, req) => {
    const list = {
      key: "transcriptions" as const,
      items: ctx.store.transcriptionsOf(room(ctx, req)),
      order: "asc" as const,
    };
    return { status: 200, body: page(ctx, req, list, (t) => ctx.views.transcription(t)) };
  },
  FetchRoomTranscriptions: (ctx, req) => ({ status: 200, body: ctx.views.transcription(transcription(ctx, req)) }),
  UpdateRoomTranscriptions: (ctx, req) => {
    const t = transcription(ctx, req);
    const b = readBody("UpdateRoomTranscriptions", req);
    ctx.life.transcriptions.update(t, b.Status, b.Configuration);
    return { status: 202, body: ctx.views.transcription(t) };
  },
};

type AccountOps =
  | "ListRecording"
  | "FetchRecording"
  | "DeleteRecording"
  | "FetchRecordingMedia"
  | "CreateComposition"
  | "ListComposition"
  | "FetchComposition"
  | "DeleteComposition"
  | "FetchCompositionMedia";

const account: { [Id in AccountOps]: Handler<Id> } = {
  ListRecording: (ctx, req) => {
    const q = readQuery("ListRecording", req);
    const grouping = q.GroupingSid ?? [];
    // A GroupingSid names a room or a participant: start from that room's recordings when it is a room.
    const groupRoom = grouping.map((sid) => ctx.store.rooms.get(sid)).find((r) => r !== undefined);
    const all = groupRoom ? ctx.store.recordingsOf(groupRoom) : [...ctx.store.recordings.values()];
    const items = all.filter(
      (r) =>
        statusMatches(q.Status, r.status) &&
        (q.SourceSid === undefined || r.trackSid === q.SourceSid) &&
        (q.MediaType === undefined || r.kind === q.MediaType) &&
        grouping.every((sid) => sid === r.roomSid || sid === r.participantSid),
    );
    const list = { key: "recordings" as const, items, order: "desc" as const, dates: q };
    return { status: 200, body: page(ctx, req, list, (r) => ctx.views.recording(r)) };
  },
  FetchRecording: (ctx, req) => ({ status: 200, body: ctx.views.recording(bySid(ctx.store.recordings, req)) }),
  DeleteRecording: (ctx, req) => {
    ctx.life.recordings.delete(bySid(ctx.store.recordings, req));
    return { status: 204, body: null };
  },
  FetchRecordingMedia: (ctx, req) =>
    mediaRedirect(ctx, req, "FetchRecordingMedia", recordingMedia(bySid(ctx.store.recordings, req))),
  CreateComposition: (ctx, req) => {
    const b = readBody("CreateComposition", req);
    // This operation documents no 404: an unknown room is a bad parameter.
    const r = b.RoomSid === undefined ? undefined : ctx.store.rooms.get(b.RoomSid);
    if (!r) throw badRequest(53106, `Room ${b.RoomSid} not found`);
    const c = ctx.life.compositions.create(r, compositionInput(b));
    return { status: 201, body: ctx.views.composition(c) };
  },
  ListComposition: (ctx, req) => {
    const q = readQuery("ListComposition", req);
    const all = q.RoomSid === undefined ? [...ctx.store.compositions.values()] : ctx.store.compositionsOf(q.RoomSid);
    const items = all.filter((c) => statusMatches(q.Status, c.status));
    const list = { key: "compositions" as const, items, order: "desc" as const, dates: q };
    return { status: 200, body: page(ctx, req, list, (c) => ctx.views.composition(c)) };
  },
  FetchComposition: (ctx, req) => ({ status: 200, body: ctx.views.composition(bySid(ctx.store.compositions, req)) }),
  DeleteComposition: (ctx, req) => {
    ctx.life.compositions.delete(bySid(ctx.store.compositions, req));
    return { status: 204, body: null };
  },
  FetchCompositionMedia: (ctx, req) => {
    const c = bySid(ctx.store.compositions, req);
    const media = { kind: "composition", sid: c.sid, status: c.status, external: c.mediaExternalLocation } as const;
    return mediaRedirect(ctx, req, "FetchCompositionMedia", media);
  },
};

type HookOps =
  | "CreateCompositionHook"
  | "ListCompositionHook"
  | "FetchCompositionHook"
  | "UpdateCompositionHook"
  | "DeleteCompositionHook"
  | "FetchCompositionSettings"
  | "CreateCompositionSettings"
  | "FetchRecordingSettings"
  | "CreateRecordingSettings";

const hooksAndSettings: { [Id in HookOps]: Handler<Id> } = {
  CreateCompositionHook: (ctx, req) => {
    const hook = ctx.life.hooks.create(hookInput(readBody("CreateCompositionHook", req)));
    return { status: 201, body: ctx.views.hook(hook) };
  },
  ListCompositionHook: (ctx, req) => {
    const q = readQuery("ListCompositionHook", req);
    const items = [...ctx.store.hooks.values()].filter(
      (h) =>
        (q.Enabled === undefined || h.enabled === q.Enabled) &&
        (q.FriendlyName === undefined || h.friendlyName === q.FriendlyName),
    );
    const list = { key: "composition_hooks" as const, items, order: "desc" as const, dates: q };
    return { status: 200, body: page(ctx, req, list, (h) => ctx.views.hook(h)) };
  },
  FetchCompositionHook: (ctx, req) => ({ status: 200, body: ctx.views.hook(bySid(ctx.store.hooks, req)) }),
  UpdateCompositionHook: (ctx, req) => {
    const hook = bySid(ctx.store.hooks, req);
    ctx.life.hooks.update(hook, hookInput(readBody("UpdateCompositionHook", req)));
    return { status: 200, body: ctx.views.hook(hook) };
  },
  DeleteCompositionHook: (ctx, req) => {
    ctx.life.hooks.delete(req.path.Sid!, req.url.pathname.slice(3));
    return { status: 204, body: null };
  },
  FetchCompositionSettings: (ctx) => ({
    status: 200,
    body: ctx.views.settings("CompositionSettings", ctx.store.compositionSettings),
  }),
  CreateCompositionSettings: (ctx, req) => {
    const settings = settingsInput(readBody("CreateCompositionSettings", req));
    return {
      status: 200,
      body: ctx.views.settings("CompositionSettings", ctx.life.hooks.setSettings("compositionSettings", settings)),
    };
  },
  FetchRecordingSettings: (ctx) => ({
    status: 200,
    body: ctx.views.settings("RecordingSettings", ctx.store.recordingSettings),
  }),
  CreateRecordingSettings: (ctx, req) => {
    const settings = settingsInput(readBody("CreateRecordingSettings", req));
    return {
      status: 200,
      body: ctx.views.settings("RecordingSettings", ctx.life.hooks.setSettings("recordingSettings", settings)),
    };
  },
};

/** Every operation's handler, grouped by resource above. */
export const handlers: { [Id in OperationId]: Handler<Id> } = {
  ...rooms,
  ...participants,
  ...roomChildren,
  ...account,
  ...hooksAndSettings,
};
