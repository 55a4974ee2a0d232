/**
 * The control API: what happens outside the REST API in real life
 * (participants joining through the client SDKs, tracks being published,
 * time passing) plus test hooks (faults, the traffic log, callbacks). Served
 * under /_emulator/ with JSON bodies, and offered as methods on the emulator
 * handle; both go through this class.
 *
 * The routes are documented for other languages in spec/emulator-control.yaml
 * (OpenAPI) and docs/emulator-control.md (curl). A route added to `route()`
 * needs both: test/emulator/control-spec.test.ts reads the `case` labels
 * below and fails until the spec and the docs have it.
 */
import type { components } from "../../generated/openapi.js";
import type { CallbackDelivery, CallbackDispatcher } from "./callbacks.js";
import type { EmulatorClock } from "./clock.js";
import { ApiError, badRequest, notFound } from "./errors.js";
import type { TokenJoin } from "./token-join.js";
import { isoDate } from "./ids.js";
import type { Lifecycle } from "./lifecycle.js";
import { Faults, type FaultSpec } from "./faults.js";
import type { ParticipantRecord, RoomRecord, Store, TrackKind, TrackRecord } from "./store.js";
import { folderUnder, type TrafficLog, type TrafficRecording, type WriteRecordingsOptions } from "./traffic.js";
import type { Views } from "./views.js";
import { settleClock, settleOptions, standingTimers } from "./settle.js";

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

const TRACK_KINDS = new Set<string>(["audio", "video", "data"]);
/** The latest instant a JavaScript Date can hold; the clock never moves past it. */
const MAX_DATE_MS = 8.64e15;

export interface ControllerOptions {
  /** The only folder `POST /_emulator/traffic/write` may write under; unset, that route is refused. */
  recordingsDir?: string | undefined;
}

export class Controller {
  constructor(
    private readonly store: Store,
    private readonly life: Lifecycle,
    private readonly views: Views,
    private readonly clock: EmulatorClock,
    readonly faults: Faults,
    private readonly traffic: TrafficLog,
    private readonly callbacks: CallbackDispatcher,
    private readonly apiOrigin: string,
    private readonly options: ControllerOptions = {},
  ) {}

  private room(sidOrName: string): RoomRecord {
    return this.store.findRoom(sidOrName) ?? (() => { throw notFound(`/Rooms/${sidOrName}`); })();
  }

  private participant(room: string, sidOrIdentity: string): ParticipantRecord {
    const r = this.room(room);
    return this.store.findParticipant(r, sidOrIdentity) ?? (() => { throw notFound(`/Rooms/${r.sid}/Participants/${sidOrIdentity}`); })();
  }

  private track(room: string, participant: string, sidOrName: string): TrackRecord {
    const p = this.participant(room, participant);
    return this.store.findTrack(p, sidOrName) ?? (() => { throw notFound(`/Rooms/${p.roomSid}/Participants/${p.sid}/PublishedTracks/${sidOrName}`); })();
  }

  /** A participant joins the room (as a client SDK with an access token would). */
  connectParticipant(room: string, identity: string): S["Participant"] {
    return this.views.participant(this.life.connect(this.room(room), identity));
  }

  private tokenJoin?: TokenJoin;
  /** Serves POST /_emulator/connect (joins with an access token) through `join`. */
  serveTokenJoins(join: TokenJoin): void {
    this.tokenJoin = join;
  }

  /** The participant leaves (closes the SDK connection). */
  disconnectParticipant(room: string, participant: string): S["Participant"] {
    const p = this.participant(room, participant);
    this.life.disconnect(p);
    return this.views.participant(p);
  }

  publishTrack(room: string, participant: string, options: PublishOptions): S["PublishedTrack"] {
    if (!TRACK_KINDS.has(options.kind)) throw badRequest(20001, "kind must be audio, video or data");
    return this.views.publishedTrack(this.life.publish(this.participant(room, participant), options));
  }

  unpublishTrack(room: string, participant: string, track: string): void {
    this.life.unpublish(this.track(room, participant, track));
  }

  /** Mutes (false) or unmutes a published track. */
  setTrackEnabled(room: string, participant: string, track: string, enabled: boolean): S["PublishedTrack"] {
    const t = this.track(room, participant, track);
    this.life.setTrackEnabled(t, enabled);
    return this.views.publishedTrack(t);
  }

  clockState(): ClockState {
    return { now: isoDate(this.clock.now()), mode: this.clock.mode, pendingTimers: this.clock.pending() };
  }

  advanceClock(ms: number): ClockState {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) throw badRequest(20001, `Advance the clock by a finite number of ms, 0 or more (got ${String(ms)})`);
    if (this.clock.now() + ms > MAX_DATE_MS) throw badRequest(20001, `Advancing by ${ms} ms would move the clock past the last date JavaScript can represent`);
    this.clock.advance(ms);
    return this.clockState();
  }

  injectFault(spec: FaultSpec): void {
    const problem = Faults.problem(spec);
    if (problem) throw badRequest(20001, `Invalid fault: ${problem}`);
    this.faults.inject(spec);
  }

  trafficLog(): TrafficRecording[] {
    return this.traffic.list();
  }

  writeRecordings(dir: string, options?: WriteRecordingsOptions): Promise<string[]> {
    return this.traffic.write(dir, this.apiOrigin, options);
  }

  deliveries(): CallbackDelivery[] {
    return this.callbacks.deliveries.map((d) => ({ ...d, params: { ...d.params } }));
  }

  reset(): void {
    // Timers first: a recording or composition step must not fire on records that are gone.
    this.clock.cancelAll();
    this.store.clear();
    this.faults.clear();
    this.traffic.clear();
    this.callbacks.clear();
  }

  // ---- over HTTP ------------------------------------------------------------------

  /** Routes a /_emulator/ request; `body` is the parsed JSON body ({} when none). */
  async route(method: string, path: string, body: Record<string, unknown>): Promise<ControlReply> {
    let parts: string[];
    try {
      parts = path.split("/").slice(2).map(decodeURIComponent); // after "", "_emulator"
    } catch {
      throw badRequest(20001, `Invalid percent-encoding in control path ${path.slice(0, 200)}`);
    }
    const [, b, , d, , f] = parts;
    const route = `${method} ${parts.map((p, i) => (["rooms", "participants", "tracks"].includes(parts[i - 1] ?? "") && i % 2 === 1 ? ":id" : p)).join("/")}`;
    const str = (name: string): string => {
      const v = body[name];
      if (typeof v !== "string" || !v) throw badRequest(20001, `"${name}" must be a non-empty string`);
      return v;
    };
    switch (route) {
      case "GET ":
      case "GET state":
        return { status: 200, body: { api: this.apiOrigin, clock: this.clockState(), faults: this.faults.pending(), rooms: this.store.rooms.size, traffic: { kept: this.traffic.size, dropped: this.traffic.dropped } } };
      case "POST rooms/:id/participants":
        return { status: 201, body: this.connectParticipant(b!, str("identity")) };
      case "POST connect": {
        // A client SDK connecting with an access token: {"token": "...", "room"?: "name or SID"}.
        if (!this.tokenJoin) break;
        if (body.room !== undefined && (typeof body.room !== "string" || !body.room)) throw badRequest(20001, '"room" must be a non-empty string when given');
        return { status: 201, body: this.tokenJoin.connect(str("token"), body.room as string | undefined) };
      }
      case "POST tokens": {
        // An access token signed with this emulator's key: {"identity": "...", "room"?: "...", "ttl"?: seconds}.
        if (!this.tokenJoin) break;
        return { status: 201, body: { token: await this.tokenJoin.mint(body.identity, body.room, body.ttl) } };
      }
      case "POST rooms/:id/participants/:id/disconnect":
        return { status: 200, body: this.disconnectParticipant(b!, d!) };
      case "POST rooms/:id/participants/:id/tracks":
        return {
          status: 201,
          body: this.publishTrack(b!, d!, {
            kind: str("kind") as TrackKind,
            ...(typeof body.name === "string" ? { name: body.name } : {}),
            ...(typeof body.enabled === "boolean" ? { enabled: body.enabled } : {}),
          }),
        };
      case "POST rooms/:id/participants/:id/tracks/:id":
        if (typeof body.enabled !== "boolean") throw badRequest(20001, '"enabled" must be true or false');
        return { status: 200, body: this.setTrackEnabled(b!, d!, f!, body.enabled) };
      case "DELETE rooms/:id/participants/:id/tracks/:id":
        this.unpublishTrack(b!, d!, f!);
        return { status: 204, body: null };
      case "GET clock":
        return { status: 200, body: this.clockState() };
      case "POST clock/advance": {
        const ms = typeof body.ms === "number" ? body.ms : typeof body.seconds === "number" ? body.seconds * 1000 : NaN;
        if (!(ms >= 0) || !Number.isFinite(ms)) throw badRequest(20001, 'Give "ms" or "seconds": a finite number, 0 or more');
        return { status: 200, body: this.advanceClock(ms) };
      }
      case "POST clock/settle": {
        // {maxMs?, maxSteps?}: the emulator's settle(), over HTTP (see settle.ts).
        const result = settleClock(this.clock, () => standingTimers(this.store), settleOptions(body));
        await this.callbacks.settled();
        return { status: 200, body: { ...this.clockState(), ...result } };
      }
      case "GET faults":
        return { status: 200, body: { faults: this.faults.pending() } };
      case "POST faults":
        this.injectFault(body as unknown as FaultSpec);
        return { status: 201, body: { faults: this.faults.pending() } };
      case "DELETE faults":
        this.faults.clear();
        return { status: 204, body: null };
      case "GET traffic":
        return { status: 200, body: { recordings: this.trafficLog() } };
      case "DELETE traffic":
        this.traffic.clear();
        return { status: 204, body: null };
      case "POST traffic/write": {
        // Over HTTP, files go only under the folder chosen at start: a request must not pick where to write.
        const root = this.options.recordingsDir;
        if (!root) throw new ApiError(403, 20403, "traffic/write is off: start the emulator with recordingsDir to allow writing recordings over HTTP");
        const options: WriteRecordingsOptions = body.baseUrl === null || typeof body.baseUrl === "string" ? { baseUrl: body.baseUrl } : {};
        const dir = body.dir === undefined ? "." : str("dir");
        return { status: 200, body: { files: await this.writeRecordings(await folderUnder(root, dir), options) } };
      }
      case "GET callbacks":
        return { status: 200, body: { deliveries: this.deliveries() } };
      case "POST reset":
        this.reset();
        return { status: 204, body: null };
    }
    throw new ApiError(404, 20404, `No control route ${method} ${path}`);
  }
}
