/**
 * The Node fast path's HTTP stack: node:http / node:https with keep-alive
 * agents, under the same transport (retries, timeouts, abort, credentials,
 * size cap) as the fetch default. It skips what makes fetch costly on Node:
 * WHATWG Request/Response/Headers objects and web streams for every call.
 *
 * Like the fetch exchange it never follows redirects, reads the whole body
 * inside the attempt through a byte counter (so the per-attempt timeout
 * covers it), and stops when the attempt's signal aborts.
 *
 * Idle kept-alive sockets are closed after `idleSocketMs` (4 s, by a sweep
 * every eighth of that), before common server idle timeouts, so a request
 * rarely meets a socket the server has just closed. A reset on a reused socket is not retried for POST: the
 * server may have received the request, and a duplicate room is worse than
 * an error. Only imported by `src/node.ts` (and the tests): the core stays free of Node
 * built-ins.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { Socket } from "node:net";
import { TwilioResponseTooLargeError } from "../core/errors.js";
import { optionBag, optionNames, refuseUnknownOptions } from "../core/options.js";
import type { Attempt, Exchange, ResponseHeaders, WireRequest, WireResponse } from "../core/transport.js";

/**
 * Connection pool settings of the Node client's node:http / node:https
 * agents (the `agent` option of the `twilio-video-ts/node` client). The
 * defaults suit most servers; lower `maxSockets` to cap concurrent
 * connections to the API.
 */
export interface NodeExchangeOptions {
  /** Sockets per host (default: no limit, like fetch's). */
  maxSockets?: number;
  /** How long an idle kept-alive socket stays open, in ms (default 4000: below common server idle timeouts of 5 s). */
  idleSocketMs?: number;
}

const EXCHANGE_OPTION_NAMES = optionNames<NodeExchangeOptions>({ maxSockets: true, idleSocketMs: true });

/** Refuses unknown names and out-of-range values in the `agent` options (TwilioConfigError). */
export function checkExchangeOptions(given: NodeExchangeOptions | undefined): void {
  const options = optionBag("agent", given);
  if (options === undefined) return;
  refuseUnknownOptions("agent", options, EXCHANGE_OPTION_NAMES);
}

/**
 * Response headers over node:http's `rawHeaders` (`[name, value, …]` as
 * received). `res.headers` is built lazily by Node on first access, and a
 * successful call reads no header at all, so the name → value map is only
 * made when something asks. Repeated headers are joined with ", ", as a
 * fetch `Headers` does.
 */
class NodeHeaders implements ResponseHeaders {
  private map: Map<string, string> | undefined;
  constructor(private readonly raw: string[]) {}
  private entries(): Map<string, string> {
    if (this.map) return this.map;
    const map = new Map<string, string>();
    for (let i = 0; i + 1 < this.raw.length; i += 2) {
      const name = this.raw[i]!.toLowerCase();
      const seen = map.get(name);
      map.set(name, seen === undefined ? this.raw[i + 1]! : `${seen}, ${this.raw[i + 1]!}`);
    }
    this.map = map;
    return map;
  }
  get(name: string): string | null {
    return this.entries().get(name.toLowerCase()) ?? null;
  }
  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.entries()) callback(value, name);
  }
}

interface Target {
  origin: string;
  secure: boolean;
  hostname: string;
  port: string;
}

/**
 * Closes an agent's kept-alive sockets once idle for `idleMs`, or sooner
 * when the server announced a shorter `Keep-Alive: timeout=N` (one second
 * early, as Node does), so a request rarely meets a socket the server is
 * closing. Node's own agent `timeout` option keeps a timer on every socket,
 * reset for every request (a visible share of a sequential GET, measured in
 * bench/), and
 * reads the hint through `res.headers`, which builds the header object a
 * call otherwise never needs. Here the agent's documented hooks stamp a
 * socket when it goes back to the pool, and one unref'd sweep closes the
 * stale ones.
 */
class IdleSockets {
  /** Free socket → when it stops being reusable. */
  private readonly expiry = new Map<Socket, number>();
  private readonly hints = new WeakMap<Socket, number>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private period = Infinity;

  constructor(
    agent: http.Agent,
    private readonly idleMs: number,
  ) {
    const reuse = agent.reuseSocket.bind(agent);
    agent.keepSocketAlive = (socket) => this.keep(socket as Socket);
    agent.reuseSocket = (socket, request) => {
      this.expiry.delete(socket as Socket);
      reuse(socket, request);
    };
  }

  /** The server's `Keep-Alive: timeout` for this socket, in ms, from its latest response. */
  hint(socket: Socket, ms: number): void {
    this.hints.set(socket, ms);
  }

  /** What the agent's default does (TCP keep-alive, unref), plus the stamp. False: close it now. */
  private keep(socket: Socket): boolean {
    const hinted = this.hints.get(socket);
    const idle = hinted === undefined ? this.idleMs : Math.min(this.idleMs, hinted - 1000);
    if (idle <= 0) return false;
    socket.setKeepAlive(true, 1000);
    socket.unref();
    this.expiry.set(socket, performance.now() + idle);
    // Sweeps every eighth of the shortest idle time in use, so a socket is closed at most 12.5% late.
    const period = Math.max(10, idle / 8);
    if (this.sweeper === undefined || period < this.period) {
      clearInterval(this.sweeper);
      this.sweeper = setInterval(this.sweep, period).unref();
      this.period = period;
    }
    return true;
  }

  private readonly sweep = (): void => {
    const now = performance.now();
    for (const [socket, expires] of this.expiry) {
      if (expires > now && !socket.destroyed) continue;
      this.expiry.delete(socket);
      socket.destroy();
    }
    if (this.expiry.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      this.period = Infinity;
    }
  };
}

const KEEP_ALIVE_TIMEOUT = /^timeout=(\d+)/;

/**
 * Reads one response: refuses a declared length over `maxBytes`, notes the
 * server's keep-alive hint, and collects the body, failing as soon as it
 * passes `maxBytes`. `finish` gets the answer (built only if still wanted).
 */
function readResponse(
  res: http.IncomingMessage,
  request: WireRequest,
  maxBytes: number,
  idle: IdleSockets,
  fail: (error: unknown) => void,
  finish: (answer: () => WireResponse) => void,
): void {
  // One pass over the raw headers: the declared length, and the server's keep-alive hint.
  let length = -1;
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 14 && name.toLowerCase() === "content-length") length = Number(raw[i + 1]);
    else if (name.length === 10 && name.toLowerCase() === "keep-alive") {
      const seconds = KEEP_ALIVE_TIMEOUT.exec(raw[i + 1]!)?.[1];
      if (seconds !== undefined) idle.hint(res.socket as Socket, Number(seconds) * 1000);
    }
  }
  if (length > maxBytes) return fail(new TwilioResponseTooLargeError(request.method, request.url, maxBytes));
  // With a Content-Length the body is copied once into a buffer of that
  // size; otherwise chunks are kept and joined at the end.
  let whole = length > 0 && Number.isSafeInteger(length) ? Buffer.allocUnsafe(length) : undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  res.on("data", (chunk: Buffer) => {
    if (size + chunk.length > maxBytes)
      return fail(new TwilioResponseTooLargeError(request.method, request.url, maxBytes));
    if (whole && size + chunk.length <= whole.length) chunk.copy(whole, size);
    else {
      // More than declared (node's parser never delivers it; kept correct anyway).
      if (whole) chunks.push(whole.subarray(0, size));
      whole = undefined;
      chunks.push(chunk);
    }
    size += chunk.length;
  });
  // A connection that closes mid-body emits "error" (ECONNRESET, "aborted") on the response.
  res.on("error", fail);
  res.on("end", () =>
    finish(() => {
      const body = whole
        ? whole.toString("utf8", 0, size)
        : size === 0
          ? ""
          : chunks.length === 1
            ? chunks[0]!.toString("utf8")
            : Buffer.concat(chunks, size).toString("utf8");
      return { status: res.statusCode!, headers: new NodeHeaders(res.rawHeaders), body, url: request.url };
    }),
  );
}

export function nodeExchange(options: NodeExchangeOptions = {}): Exchange {
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    scheduling: "lifo", // the warmest socket first, so idle ones expire
    ...(options.maxSockets ? { maxSockets: options.maxSockets } : {}),
  };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const idleMs = options.idleSocketMs ?? 4000;
  const idleHttp = new IdleSockets(httpAgent, idleMs);
  const idleHttps = new IdleSockets(httpsAgent, idleMs);

  // The request target split once per origin: calls go to the client's own
  // origin (redirects are not followed), so one remembered origin means a call
  // parses no URL.
  let last: Target | undefined;
  const target = (url: string): Target => {
    if (
      last !== undefined &&
      url.startsWith(last.origin) &&
      (url.length === last.origin.length || url.charCodeAt(last.origin.length) === 47) /* "/" */
    )
      return last;
    const end = url.indexOf("/", url.indexOf("//") + 2);
    const origin = end < 0 ? url : url.slice(0, end);
    const u = new URL(origin);
    last = { origin, secure: u.protocol === "https:", hostname: u.hostname.replace(/^\[|\]$/g, ""), port: u.port };
    return last;
  };

  return (request: WireRequest, attempt: Attempt, maxBytes: number) =>
    new Promise<WireResponse>((resolve, reject) => {
      if (attempt.aborted) return reject(attempt.reason);
      const { origin, secure, hostname, port } = target(request.url);
      const path = request.url.length === origin.length ? "/" : request.url.slice(origin.length);
      const headers =
        request.body === undefined
          ? request.headers
          : { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) };
      const req = (secure ? https : http).request({
        method: request.method,
        hostname,
        port,
        path,
        headers,
        agent: secure ? httpsAgent : httpAgent,
      });
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        attempt.onabort = null;
        req.destroy();
        reject(error);
      };
      attempt.onabort = () => fail(attempt.reason);

      req.on("error", fail);
      req.on("response", (res) =>
        readResponse(res, request, maxBytes, secure ? idleHttps : idleHttp, fail, (answer) => {
          if (settled) return;
          settled = true;
          attempt.onabort = null;
          resolve(answer());
        }),
      );
      req.end(request.body);
    });
}
