/**
 * The control API: what happens outside the REST API in real life
 * (participants joining through the client SDKs, tracks being published,
 * time passing) plus test hooks (faults, the traffic log, callbacks). Served
 * under /_emulator/ with JSON bodies through the {@link CONTROL_ROUTES}
 * table, and offered as methods on the emulator handle (index.ts); both call
 * the actions below, which call the lifecycle modules directly (the store is
 * written by those modules only, see lifecycle.ts).
 *
 * The routes are documented for other languages in spec/emulator-control.yaml
 * (OpenAPI) and docs/emulator-control.md (curl). A route added to the table
 * needs both: test/emulator/control-spec.test.ts reads the table's keys and
 * fails until the spec and the docs have it.
 */
import type { components } from "../../generated/openapi.js";
import type { CallbackDelivery, CallbackDispatcher } from "./callbacks.js";
import { EmulatorError, badRequest, notFound } from "./errors.js";
import { Faults, type FaultSpec } from "./faults.js";
import { isoDate } from "./ids.js";
import type { Lifecycle } from "./lifecycle.js";
import type { ParticipantRecord, RoomRecord, Store, TrackKind, TrackRecord } from "./store.js";
import type { TokenJoin } from "./token-join.js";
import { folderUnder, type TrafficLog, type WriteRecordingsOptions } from "./traffic.js";
import { settleClock, settleOptions, standingTimers } from "./settle.js";
import type { Views } from "./views.js";

type S = components["schemas"];

/** A track a participant publishes through the emulator's control methods. */
export interface PublishOptions {
  kind: TrackKind;
  /** Track name (default: the track's SID). */
  name?: string | undefined;
  /** false publishes it muted (default true). */
  enabled?: boolean | undefined;
}

/** The emulated clock after a change: time, mode, and timers still pending. */
export interface ClockState {
  now: string;
  mode: string;
  pendingTimers: number;
}

export interface ControlReply {
  status: number;
  body: unknown;
}

/** What the control actions work on: one emulator's parts, by name. */
export interface ControlDeps {
  store: Store;
  life: Lifecycle;
  views: Views;
  faults: Faults;
  traffic: TrafficLog;
  callbacks: CallbackDispatcher;
  apiOrigin: string;
  /** Serves POST /_emulator/connect and /tokens; without it those routes are unknown. */
  tokenJoin?: TokenJoin | undefined;
  /** The only folder `POST /_emulator/traffic/write` may write under; unset, that route is refused. */
  recordingsDir?: string | undefined;
}

/** What the API server calls for a /_emulator/ request (`body` is the parsed JSON body, {} when none). */
export interface Controller {
  route(method: string, path: string, body: Record<string, unknown>): Promise<ControlReply>;
}

const TRACK_KINDS = new Set<string>(["audio", "video", "data"]);
/** The latest instant a JavaScript Date can hold; the clock never moves past it. */
const MAX_DATE_MS = 8.64e15;

// ---- actions: lookups, then the lifecycle module of the resource --------------------

function findRoom(c: ControlDeps, sidOrName: string): RoomRecord {
  return c.store.findRoom(sidOrName) ?? fail(`/Rooms/${sidOrName}`);
}

function findParticipant(c: ControlDeps, room: string, sidOrIdentity: string): ParticipantRecord {
  const r = findRoom(c, room);
  return c.store.findParticipant(r, sidOrIdentity) ?? fail(`/Rooms/${r.sid}/Participants/${sidOrIdentity}`);
}

function findTrack(c: ControlDeps, room: string, participant: string, sidOrName: string): TrackRecord {
  const p = findParticipant(c, room, participant);
  return (
    c.store.findTrack(p, sidOrName) ?? fail(`/Rooms/${p.roomSid}/Participants/${p.sid}/PublishedTracks/${sidOrName}`)
  );
}

function fail(path: string): never {
  throw notFound(path);
}

/** A participant joins the room (as a client SDK with an access token would). */
export function connectParticipant(c: ControlDeps, room: string, identity: string): S["Participant"] {
  return c.views.participant(c.life.rooms.connect(findRoom(c, room), identity));
}

/** The participant leaves (closes the SDK connection). */
export function disconnectParticipant(c: ControlDeps, room: string, participant: string): S["Participant"] {
  const p = findParticipant(c, room, participant);
  c.life.rooms.disconnect(p);
  return c.views.participant(p);
}

export function publishTrack(
  c: ControlDeps,
  room: string,
  participant: string,
  options: PublishOptions,
): S["PublishedTrack"] {
  if (!TRACK_KINDS.has(options.kind)) throw badRequest(20001, "kind must be audio, video or data");
  return c.views.publishedTrack(c.life.rooms.publish(findParticipant(c, room, participant), options));
}

export function unpublishTrack(c: ControlDeps, room: string, participant: string, track: string): void {
  c.life.rooms.unpublish(findTrack(c, room, participant, track));
}

/** Mutes (false) or unmutes a published track. */
export function setTrackEnabled(
  c: ControlDeps,
  room: string,
  participant: string,
  track: string,
  enabled: boolean,
): S["PublishedTrack"] {
  const t = findTrack(c, room, participant, track);
  c.life.rooms.setTrackEnabled(t, enabled);
  return c.views.publishedTrack(t);
}

export function clockState(c: ControlDeps): ClockState {
  const clock = c.life.clock;
  return { now: isoDate(clock.now()), mode: clock.mode, pendingTimers: clock.pending() };
}

export function advanceClock(c: ControlDeps, ms: number): ClockState {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw badRequest(20001, `Advance the clock by a finite number of ms, 0 or more (got ${String(ms)})`);
  }
  if (c.life.clock.now() + ms > MAX_DATE_MS) {
    throw badRequest(20001, `Advancing by ${ms} ms would move the clock past the last date JavaScript can represent`);
  }
  c.life.clock.advance(ms);
  return clockState(c);
}

export function injectFault(c: ControlDeps, spec: FaultSpec): void {
  const problem = Faults.problem(spec);
  if (problem) throw badRequest(20001, `Invalid fault: ${problem}`);
  c.faults.inject(spec);
}

/** Status callbacks attempted so far, as copies (a caller's edits cannot reach the log). */
export function deliveries(c: ControlDeps): CallbackDelivery[] {
  return c.callbacks.deliveries.map((d) => ({ ...d, params: { ...d.params } }));
}

export function reset(c: ControlDeps): void {
  c.life.reset();
  c.faults.clear();
  c.traffic.clear();
  c.callbacks.clear();
}

// ---- over HTTP ------------------------------------------------------------------

type Json = Record<string, unknown>;
/** `rooms/:room/participants` → `{ room: string }`. */
type Params<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & Params<Rest>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<string, never>;
type RouteHandler<P extends string> = (
  c: ControlDeps,
  params: Params<P>,
  body: Json,
) => ControlReply | Promise<ControlReply>;
/** Route keys are `METHOD path`, the path after /_emulator/ with `:name` for a path parameter. */
type RouteTable<T> = { [K in keyof T]: K extends `${string} ${infer P}` ? RouteHandler<P> : never };

const routes = <T extends RouteTable<T>>(table: T): T => table;

/** A non-empty string field of a JSON body, or a 400 naming it. */
function str(body: Json, name: string): string {
  const v = body[name];
  if (typeof v !== "string" || !v) throw badRequest(20001, `"${name}" must be a non-empty string`);
  return v;
}

function tokenJoin(c: ControlDeps): TokenJoin {
  // Without token joins the route does not exist.
  if (!c.tokenJoin) throw new UnknownRoute();
  return c.tokenJoin;
}

class UnknownRoute extends Error {}

const ok = (body: unknown, status = 200): ControlReply => ({ status, body });
const NO_CONTENT: ControlReply = { status: 204, body: null };

// Bodies: each route's JSON body checked into its type before the action runs (spec/emulator-control.yaml).

/** `{"identity": "..."}`: who joins. */
function joinBody(body: Json): { identity: string } {
  return { identity: str(body, "identity") };
}

/** `{"token": "...", "room"?: "name or SID"}`: a client SDK connecting with an access token. */
function connectBody(body: Json): { token: string; room?: string } {
  if (body.room !== undefined && (typeof body.room !== "string" || !body.room)) {
    throw badRequest(20001, '"room" must be a non-empty string when given');
  }
  return { token: str(body, "token"), ...(body.room === undefined ? {} : { room: body.room }) };
}

/** The publish body: `kind` required, `name` and `enabled` kept only when of the right type. */
function publishBody(body: Json): PublishOptions {
  return {
    kind: str(body, "kind") as TrackKind,
    ...(typeof body.name === "string" ? { name: body.name } : {}),
    ...(typeof body.enabled === "boolean" ? { enabled: body.enabled } : {}),
  };
}

/** `{"enabled": true|false}`: unmute or mute. */
function enabledBody(body: Json): { enabled: boolean } {
  if (typeof body.enabled !== "boolean") throw badRequest(20001, '"enabled" must be true or false');
  return { enabled: body.enabled };
}

/** `{"ms": n}` or `{"seconds": n}`. */
function advanceBody(body: Json): { ms: number } {
  const ms = typeof body.ms === "number" ? body.ms : typeof body.seconds === "number" ? body.seconds * 1000 : NaN;
  if (!(ms >= 0) || !Number.isFinite(ms)) throw badRequest(20001, 'Give "ms" or "seconds": a finite number, 0 or more');
  return { ms };
}

/** `{"dir"?: "...", "baseUrl"?: string | null}`: where under the recordings folder, and the recordings' base URL. */
function writeBody(body: Json): { dir: string; options: WriteRecordingsOptions } {
  const options: WriteRecordingsOptions =
    body.baseUrl === null || typeof body.baseUrl === "string" ? { baseUrl: body.baseUrl } : {};
  return { dir: body.dir === undefined ? "." : str(body, "dir"), options };
}

async function writeTraffic(c: ControlDeps, body: Json): Promise<ControlReply> {
  // Over HTTP, files go only under the folder chosen at start: a request must not pick where to write.
  const root = c.recordingsDir;
  if (!root) {
    throw new EmulatorError(
      403,
      20403,
      "traffic/write is off: start the emulator with recordingsDir to allow writing recordings over HTTP",
    );
  }
  // The body is read after the refusal: with writing off, no body earns more than a 403.
  const { dir, options } = writeBody(body);
  return ok({ files: await c.traffic.write(await folderUnder(root, dir), c.apiOrigin, options) });
}

/** Every control route: `METHOD path` → what it does, with its path parameters by name. */
export const CONTROL_ROUTES = routes({
  "GET ": (c) => ok(state(c)),
  "GET state": (c) => ok(state(c)),
  "POST rooms/:room/participants": (c, { room }, body) => ok(connectParticipant(c, room, joinBody(body).identity), 201),
  "POST connect": (c, _, body) => {
    const join = tokenJoin(c);
    const { token, room } = connectBody(body);
    return ok(join.connect(token, room), 201);
  },
  // An access token signed with this emulator's key: {"identity": "...", "room"?: "...", "ttl"?: seconds}.
  "POST tokens": async (c, _, body) => ok({ token: await tokenJoin(c).mint(body.identity, body.room, body.ttl) }, 201),
  "POST rooms/:room/participants/:participant/disconnect": (c, { room, participant }) =>
    ok(disconnectParticipant(c, room, participant)),
  "POST rooms/:room/participants/:participant/tracks": (c, { room, participant }, body) =>
    ok(publishTrack(c, room, participant, publishBody(body)), 201),
  "POST rooms/:room/participants/:participant/tracks/:track": (c, { room, participant, track }, body) =>
    ok(setTrackEnabled(c, room, participant, track, enabledBody(body).enabled)),
  "DELETE rooms/:room/participants/:participant/tracks/:track": (c, { room, participant, track }) => {
    unpublishTrack(c, room, participant, track);
    return NO_CONTENT;
  },
  "GET clock": (c) => ok(clockState(c)),
  "POST clock/advance": (c, _, body) => ok(advanceClock(c, advanceBody(body).ms)),
  // {maxMs?, maxSteps?}: the emulator's settle(), over HTTP (see settle.ts).
  "POST clock/settle": async (c, _, body) => {
    const result = settleClock(c.life.clock, () => standingTimers(c.store), settleOptions(body));
    await c.callbacks.settled();
    return ok({ ...clockState(c), ...result });
  },
  "GET faults": (c) => ok({ faults: c.faults.pending() }),
  "POST faults": (c, _, body) => {
    injectFault(c, body as unknown as FaultSpec);
    return ok({ faults: c.faults.pending() }, 201);
  },
  "DELETE faults": (c) => {
    c.faults.clear();
    return NO_CONTENT;
  },
  "GET traffic": (c) => ok({ recordings: c.traffic.list() }),
  "DELETE traffic": (c) => {
    c.traffic.clear();
    return NO_CONTENT;
  },
  "POST traffic/write": (c, _, body) => writeTraffic(c, body),
  "GET callbacks": (c) => ok({ deliveries: deliveries(c) }),
  "POST reset": (c) => {
    reset(c);
    return NO_CONTENT;
  },
});

function state(c: ControlDeps) {
  const traffic = { kept: c.traffic.size, dropped: c.traffic.dropped };
  return { api: c.apiOrigin, clock: clockState(c), faults: c.faults.pending(), rooms: c.store.rooms.size, traffic };
}

const TABLE = Object.entries(CONTROL_ROUTES).map(([key, handle]) => {
  const [method, path] = [key.slice(0, key.indexOf(" ")), key.slice(key.indexOf(" ") + 1)];
  return { method, segments: path.split("/"), handle: handle as RouteHandler<string> };
});

/** The route and path parameters a request matches, if any. */
function match(method: string, parts: string[]) {
  const segments = parts.length === 0 ? [""] : parts;
  for (const route of TABLE) {
    if (route.method !== method || route.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    if (
      route.segments.every((s, i) => {
        if (!s.startsWith(":")) return s === segments[i];
        params[s.slice(1)] = segments[i]!;
        return true;
      })
    ) {
      return { route, params };
    }
  }
  return undefined;
}

/** The control API over HTTP for one emulator. */
export function createController(deps: ControlDeps): Controller {
  return {
    async route(method, path, body) {
      let parts: string[];
      try {
        parts = path.split("/").slice(2).map(decodeURIComponent); // after "", "_emulator"
      } catch {
        throw badRequest(20001, `Invalid percent-encoding in control path ${path.slice(0, 200)}`);
      }
      const found = match(method, parts);
      try {
        if (found) return await found.route.handle(deps, found.params as never, body);
      } catch (error) {
        if (!(error instanceof UnknownRoute)) throw error;
      }
      throw new EmulatorError(404, 20404, `No control route ${method} ${path}`);
    },
  };
}
