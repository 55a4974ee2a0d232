/**
 * twilio-video-ts/emulator: a local, stateful emulator of the Twilio Video v1
 * REST API for tests and demos. It listens on 127.0.0.1, answers every
 * operation of the spec with in-memory state, plays the service's lifecycle on
 * a controllable clock, sends signed status callbacks, and offers a control
 * API (/_emulator/) for what happens outside the REST API.
 *
 * @example
 * const emulator = await startEmulator();
 * const video = createVideoClient({ ...emulator.clientOptions });
 * const room = await video.rooms.create({ UniqueName: "standup" });
 * emulator.connectParticipant(room.sid, "alice");
 * await emulator.stop();
 *
 * @module twilio-video-ts/emulator
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createContractValidator } from "../contract/index.js";
import { CallbackDispatcher, type CallbackDelivery } from "./callbacks.js";
import { DEFAULT_ACCOUNT_SID, DEFAULT_CREDENTIALS } from "./defaults.js";
import { EmulatorClock, type ClockMode, type ClockOptions } from "./clock.js";
import * as actions from "./control.js";
import { createController, type ClockState, type ControlDeps, type PublishOptions } from "./control.js";
import { Faults, type FaultSpec } from "./faults.js";
import { createLifecycle, DEFAULT_TIMINGS, type Timings } from "./lifecycle.js";
import { MediaHost } from "./media.js";
import { DEFAULT_MAX_BODY_BYTES } from "./body.js";
import {
  badTarget,
  closingSockets,
  guarded,
  parseTarget,
  sendError,
  serverTimeoutOptions,
  type ServerTimeouts,
} from "./guard.js";
import { createApiHandler } from "./server.js";
import type { Credentials } from "./credentials.js";
import { settleClock, standingTimers, type SettleOptions, type SettleResult } from "./settle.js";
import { Store, type StateLimits } from "./store.js";
import { TokenJoin, type AdHocRoomOptions } from "./token-join.js";
import { TrafficLog, type TrafficLogOptions, type TrafficRecording, type WriteRecordingsOptions } from "./traffic.js";
import { Views } from "./views.js";
import type { components } from "../../generated/openapi.js";

export type {
  AdHocRoomOptions,
  CallbackDelivery,
  ClockMode,
  ClockOptions,
  ClockState,
  Credentials,
  FaultSpec,
  PublishOptions,
  ServerTimeouts,
  Timings,
  TrafficLogOptions,
  TrafficRecording,
  WriteRecordingsOptions,
};
export { DEFAULT_SERVER_TIMEOUTS } from "./guard.js";
export { DEFAULT_STATE_LIMITS, type StateLimits } from "./store.js";
export { DEFAULT_SETTLE, type SettleOptions, type SettleResult } from "./settle.js";
export { DEFAULT_MAX_BODY_BYTES };
export { DEFAULT_TRAFFIC_LOG } from "./traffic.js";
export type { FaultKind } from "./faults.js";
/** What the emulator's in-code methods throw: Twilio's error `code` and the HTTP `status` the API would answer. */
export { EmulatorError } from "./errors.js";

type S = components["schemas"];

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /**
   * Address both listeners bind to (default `127.0.0.1`). The REST API's only
   * access control is its fixed credentials; the control API has none, and
   * answers only requests whose `Host` is loopback (403 otherwise). Bind
   * beyond loopback only inside a container, publishing the port to the
   * host's loopback (`-p 127.0.0.1:4010:4010`): a client that reaches the
   * emulator by another name gets the REST API but not the control API.
   */
  host?: string | undefined;
  /** Port of the API listener (default 0: an ephemeral port). */
  port?: number | undefined;
  /** Port of the media (storage) listener (default 0). */
  mediaPort?: number | undefined;
  /** The emulated account (default {@link DEFAULT_ACCOUNT_SID}). */
  accountSid?: string | undefined;
  /** Accepted credentials; the auth token also signs status callbacks (default {@link DEFAULT_CREDENTIALS}). */
  credentials?: Credentials | undefined;
  /** Deliver status callbacks (default true). */
  statusCallbacks?: boolean | undefined;
  /**
   * Hosts besides loopback that status callbacks may be sent to (default
   * none), as hostnames (`hooks.example.com`) or host:port; `"*"` allows
   * any. A callback to another host is not sent: it is kept in
   * `callbacks()` with an `error` starting `refused:` and logged once per host.
   */
  callbackHosts?: readonly string[] | undefined;
  /** "real" (default: time flows, plus whatever is advanced) or "manual" (time moves only on advance). */
  clock?: ClockMode | ClockOptions | undefined;
  /** How long background work takes, in emulated ms. */
  timings?: Partial<Timings> | undefined;
  /**
   * Token joins to a room that does not exist create it, as Twilio's
   * client-side ("ad-hoc") room creation does (default true, type group).
   * `false` answers 53106 Room not found instead.
   */
  adHocRooms?: boolean | AdHocRoomOptions | undefined;
  /**
   * Largest request body accepted, API and control API alike (default
   * {@link DEFAULT_MAX_BODY_BYTES}, 1 MiB). A larger one is answered 413.
   */
  maxBodyBytes?: number | undefined;
  /**
   * Bounds of the traffic log, a ring buffer of the latest authenticated API
   * exchanges (default {@link DEFAULT_TRAFFIC_LOG}: 1,000 exchanges, 32 MiB of
   * recordings). The oldest are dropped first; `GET /_emulator/state` counts them.
   */
  trafficLog?: TrafficLogOptions | undefined;
  /**
   * The folder `POST /_emulator/traffic/write` writes under (its `dir` is a
   * path inside it). Unset, that route answers 403, so no request can choose
   * where files go. `writeRecordings()` on this handle writes anywhere.
   */
  recordingsDir?: string | undefined;
  /**
   * Time limits of both listeners (default {@link DEFAULT_SERVER_TIMEOUTS}:
   * headers 10 s, whole request 30 s, idle keep-alive 5 s). A client that
   * sends slower is answered 408 and disconnected.
   */
  timeouts?: ServerTimeouts | undefined;
  /**
   * Bounds of the emulated state until `reset()` (default
   * {@link DEFAULT_STATE_LIMITS}: 250,000 records, 256 MiB of accepted
   * request bodies). Past either, creating anything answers 507 with code 20500.
   */
  stateLimits?: StateLimits | undefined;
}

/**
 * A running emulator: its URLs and credentials, control methods for what happens outside the REST API, and `stop()`.
 */
export interface Emulator {
  /** API base URL, e.g. `http://127.0.0.1:54321`: pass it as the client's `baseUrl`. */
  readonly url: string;
  /** Origin of the media host the media subresources redirect to. */
  readonly mediaUrl: string;
  readonly accountSid: string;
  readonly credentials: Credentials;
  /** Ready to spread into `createVideoClient({...})`. */
  readonly clientOptions: { baseUrl: string; apiKeySid: string; apiKeySecret: string };
  /** The emulated time. */
  now(): Date;
  /** Moves emulated time forward, running every lifecycle step that falls due. */
  advance(ms: number): ClockState;
  /**
   * Advances the clock from one pending timer to the next until no timed
   * work is left (recordings, compositions, transcriptions, …), then waits
   * for the status callbacks. Rooms' empty/unused timeouts and participants'
   * maximum durations do not count as work: they fire only when they fall
   * due before the work is done. Throws an {@link EmulatorError} (409) when
   * that takes more than `maxMs` of emulated time (default 24 h) or
   * `maxSteps` timer instants (default 10,000).
   */
  settle(options?: SettleOptions): Promise<SettleResult>;
  /** A participant joins `room` as `identity` (no token involved). */
  connectParticipant(room: string, identity: string): S["Participant"];
  /**
   * A client SDK connects with an access token: verified against the
   * emulator's API key (signature, exp/nbf, video grant), then the token's
   * identity joins `options.room` or the token's room grant. Refusals throw an
   * error whose `code` is the SDK's (20101–20107, 20157, 53106, …).
   */
  connectParticipant(token: string, options?: { room?: string | undefined }): S["Participant"];
  disconnectParticipant(room: string, participant: string): S["Participant"];
  publishTrack(room: string, participant: string, options: PublishOptions): S["PublishedTrack"];
  unpublishTrack(room: string, participant: string, track: string): void;
  setTrackEnabled(room: string, participant: string, track: string, enabled: boolean): S["PublishedTrack"];
  /** The next matching API requests fail as described. */
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /**
   * The latest authenticated API exchanges, oldest first, as contract
   * recordings. A ring buffer bounded by {@link EmulatorOptions.trafficLog}:
   * past its bounds the oldest are dropped.
   */
  traffic(): TrafficRecording[];
  clearTraffic(): void;
  /**
   * Writes the traffic log as recording files into `dir` (any folder: this is the in-process API); answers with their
   * paths.
   */
  writeRecordings(dir: string, options?: WriteRecordingsOptions): Promise<string[]>;
  /** Status callbacks attempted so far. */
  callbacks(): CallbackDelivery[];
  /** Resolves when every queued status callback has been attempted. */
  callbacksSettled(): Promise<void>;
  /** Forgets all state, faults, traffic and callbacks, and cancels every pending lifecycle timer. */
  reset(): void;
  /** Closes both listeners and cancels every timer; calling it again is harmless. */
  stop(): Promise<void>;
}

export { DEFAULT_ACCOUNT_SID, DEFAULT_CREDENTIALS };

const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);

/** The host part of a URL that reaches `host`: a wildcard address is reached over loopback; IPv6 goes in brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(`http://${urlHost(host)}:${(server.address() as AddressInfo).port}`);
    });
  });
}

/** A request Node could not parse (bad header bytes, …): a 400 in the API's shape, then the connection closes. */
function answerClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  // After an answer that closes the connection, the bytes are the rest of a body sent without a length: not a request.
  if (error.code === "ECONNRESET" || !socket.writable || closingSockets.has(socket)) {
    socket.destroy();
    return;
  }
  const timedOut = error.code === "ERR_HTTP_REQUEST_TIMEOUT";
  const [status, reason, message] = timedOut
    ? [408, "Request Timeout", "Request not received in time"]
    : [400, "Bad Request", "Malformed HTTP request"];
  const body = JSON.stringify({ code: 20001, message, more_info: "https://www.twilio.com/docs/errors/20001", status });
  // A HEAD answer has no body, even when the request around it was malformed.
  const head = error.rawPacket?.subarray(0, 5).toString("latin1") === "HEAD ";
  const length = Buffer.byteLength(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n` +
      `Connection: close\r\n\r\n${head ? "" : body}`,
  );
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections would hold close() open.
    server.closeAllConnections();
  });
}

interface Checked {
  accountSid: string;
  credentials: Credentials;
  maxBodyBytes: number;
}

function checkOptions(options: EmulatorOptions): Checked {
  const accountSid = options.accountSid ?? DEFAULT_ACCOUNT_SID;
  const credentials = { ...(options.credentials ?? DEFAULT_CREDENTIALS) };
  if (!SID("AC").test(accountSid)) throw new TypeError("accountSid must be AC followed by 32 hex digits");
  if (!credentials.apiKeySid || !credentials.apiKeySecret || !credentials.authToken) {
    throw new TypeError("credentials need apiKeySid, apiKeySecret and authToken");
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new TypeError("maxBodyBytes must be a whole number of bytes, 1 or more");
  }
  return { accountSid, credentials, maxBodyBytes };
}

interface Parts {
  c: ControlDeps;
  accountSid: string;
  credentials: Credentials;
  tokenJoin: TokenJoin;
  mediaUrl: string;
  stop: () => Promise<void>;
}

/** The emulator's handle: its URLs, and the control actions as methods. */
function handle({ c, accountSid, credentials, tokenJoin, mediaUrl, stop }: Parts): Emulator {
  const url = c.apiOrigin;
  return {
    url,
    mediaUrl,
    accountSid,
    credentials,
    clientOptions: { baseUrl: url, apiKeySid: credentials.apiKeySid, apiKeySecret: credentials.apiKeySecret },
    now: () => new Date(c.life.clock.now()),
    advance: (ms) => actions.advanceClock(c, ms),
    settle: async (settleOptions) => {
      const result = settleClock(c.life.clock, () => standingTimers(c.store), settleOptions);
      await c.callbacks.settled();
      return result;
    },
    connectParticipant: (first: string, second?: string | { room?: string | undefined }) =>
      typeof second === "string"
        ? actions.connectParticipant(c, first, second)
        : tokenJoin.connect(first, second?.room),
    disconnectParticipant: (room, participant) => actions.disconnectParticipant(c, room, participant),
    publishTrack: (room, participant, publish) => actions.publishTrack(c, room, participant, publish),
    unpublishTrack: (room, participant, track) => actions.unpublishTrack(c, room, participant, track),
    setTrackEnabled: (room, participant, track, enabled) =>
      actions.setTrackEnabled(c, room, participant, track, enabled),
    injectFault: (fault) => actions.injectFault(c, fault),
    clearFaults: () => c.faults.clear(),
    traffic: () => c.traffic.list(),
    clearTraffic: () => c.traffic.clear(),
    writeRecordings: (dir, writeOptions) => c.traffic.write(dir, url, writeOptions),
    callbacks: () => actions.deliveries(c),
    callbacksSettled: () => c.callbacks.settled(),
    reset: () => actions.reset(c),
    stop,
  };
}

/** Starts an emulator (on 127.0.0.1 unless `host` says otherwise). Stop it with `stop()`. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const { accountSid, credentials, maxBodyBytes } = checkOptions(options);
  const clock = new EmulatorClock(typeof options.clock === "string" ? { mode: options.clock } : options.clock);
  const traffic = new TrafficLog(options.trafficLog);
  const store = new Store(options.stateLimits);
  const media = new MediaHost(store, clock);
  const limits = serverTimeoutOptions(options.timeouts);
  const apiServer = createServer(limits);
  const mediaServer = createServer(
    limits,
    guarded("media request", (req, res) => {
      if (!parseTarget(req.url, media.origin)) return sendError(res, badTarget(), true);
      media.handle(req, res);
    }),
  );
  for (const server of [apiServer, mediaServer]) server.on("clientError", answerClientError);
  let url: string;
  try {
    const host = options.host ?? "127.0.0.1";
    url = await listen(apiServer, options.port ?? 0, host);
    media.origin = await listen(mediaServer, options.mediaPort ?? 0, host);
  } catch (error) {
    await Promise.all([close(apiServer), close(mediaServer)]);
    clock.stop();
    throw error;
  }

  const callbacks = new CallbackDispatcher({
    enabled: options.statusCallbacks ?? true,
    authToken: credentials.authToken,
    allowedHosts: options.callbackHosts,
  });
  const views = new Views(url, accountSid);
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const life = createLifecycle({ store, clock, callbacks, accountSid, apiBase: url, timings });
  const adHoc =
    options.adHocRooms === false
      ? false
      : options.adHocRooms === true || options.adHocRooms === undefined
        ? {}
        : options.adHocRooms;
  const tokenJoin = new TokenJoin(store, life, views, clock, accountSid, credentials, adHoc);
  const faults = new Faults();
  const c: ControlDeps = { store, life, views, faults, traffic, callbacks, apiOrigin: url, tokenJoin };
  c.recordingsDir = options.recordingsDir;
  const api = createApiHandler({
    origin: () => url,
    accountSid,
    credentials,
    validator: createContractValidator({ baseUrls: [url] }),
    ctx: { store, life, views, media, base: url },
    clock,
    faults,
    traffic,
    control: createController(c),
    maxBodyBytes,
    charge: (bytes) => store.charge(bytes),
  });
  apiServer.on("request", api.handle);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      clock.stop();
      api.stop();
      callbacks.stop();
      await Promise.all([close(apiServer), close(mediaServer)]);
    })();
    return stopped;
  };
  return handle({ c, accountSid, credentials, tokenJoin, mediaUrl: media.origin, stop });
}
