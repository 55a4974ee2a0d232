/**
 * What the REST handlers (handlers.ts) share: the context they run in,
 * lookups that answer 404 in the real API's words, and one page of a list.
 * Reads only: records change through the lifecycle modules (lifecycle.ts).
 */
import type { components } from "../../generated/openapi.js";
import { notFound } from "./errors.js";
import type { Lifecycle } from "./lifecycle.js";
import type { MediaHost } from "./media.js";
import { paginate } from "./paging.js";
import type { ApiRequest } from "./requests.js";
import { arrayView, SeqList, type ListView } from "./seqlist.js";
import type { ParticipantRecord, RecordingRecord, RoomRecord, Store, TranscriptionRecord } from "./store.js";
import type { Views } from "./views.js";

type S = components["schemas"];

export interface HandlerContext {
  store: Store;
  life: Lifecycle;
  views: Views;
  media: MediaHost;
  /** API origin for list URLs. */
  base: string;
}

export function fail(path: string): never {
  throw notFound(path);
}

export function room(ctx: HandlerContext, req: ApiRequest, param = "RoomSid"): RoomRecord {
  const id = req.path[param]!;
  return ctx.store.findRoom(id) ?? fail(`/Rooms/${id}`);
}

export function participant(ctx: HandlerContext, req: ApiRequest, param: string): ParticipantRecord {
  const r = room(ctx, req);
  const id = req.path[param]!;
  return ctx.store.findParticipant(r, id) ?? fail(`/Rooms/${r.sid}/Participants/${id}`);
}

/** An account-level resource by the `Sid` in the path (recordings, compositions, hooks). */
export function bySid<T>(map: Map<string, T>, req: ApiRequest): T {
  return map.get(req.path.Sid!) ?? fail(req.url.pathname.slice(3));
}

/** A recording reached through its room: one of another room is as unknown as a missing one. */
export function roomRecording(ctx: HandlerContext, req: ApiRequest): RecordingRecord {
  const rec = ctx.store.recordings.get(req.path.Sid!);
  if (!rec || rec.roomSid !== req.path.RoomSid) fail(req.url.pathname.slice(3));
  return rec;
}

export function transcription(ctx: HandlerContext, req: ApiRequest): TranscriptionRecord {
  const r = room(ctx, req);
  const t = ctx.store.transcriptions.get(req.path.Ttid!);
  if (!t || t.roomSid !== r.sid) fail(`/Rooms/${r.sid}/Transcriptions/${req.path.Ttid}`);
  return t;
}

interface Listed {
  sid: string;
  seq: number;
  created: number;
}

/** The date filters most lists declare (`YYYY-MM-DD` or a date-time; created on or after / before). */
export interface DateFilters {
  DateCreatedAfter?: string;
  DateCreatedBefore?: string;
}

/**
 * One page of a list. `items` are in creation order (ascending seq), as the
 * store's indexes keep them, so paging reads only the page: no copy, no sort,
 * unless a date filter has to look at every item.
 */
export function page<K extends string, T extends Listed, V>(
  ctx: HandlerContext,
  req: ApiRequest,
  list: { key: K; items: SeqList<T> | readonly T[]; order: "asc" | "desc"; dates?: DateFilters },
  render: (item: T) => V,
): Record<K, V[]> & { meta: S["PageMeta"] } {
  const { key, items, order, dates = {} } = list;
  const after = dates.DateCreatedAfter;
  const before = dates.DateCreatedBefore;
  let source: SeqList<T> | readonly T[] = items;
  if (after !== undefined || before !== undefined) {
    const from = after === undefined ? -Infinity : Date.parse(after);
    const to = before === undefined ? Infinity : Date.parse(before);
    source = (items instanceof SeqList ? items.toArray() : items).filter((i) => i.created >= from && i.created < to);
  }
  let view: ListView<T>;
  if (source instanceof SeqList) view = order === "desc" ? source.descending() : source;
  else view = arrayView(order === "desc" ? [...source].reverse() : source);
  const result = paginate({
    base: ctx.base,
    path: req.url.pathname,
    query: req.query,
    items: view,
    seqOfSid: (sid) => ctx.store.seqOf(sid),
    order,
  });
  return { [key]: result.items.map(render), meta: { ...result.meta, key } } as Record<K, V[]> & { meta: S["PageMeta"] };
}
