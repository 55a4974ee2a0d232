/**
 * What stands between a stranger's bytes and the emulator's code: request
 * targets parsed without throwing, a last-resort catch around every request
 * so no request can end the process, and the control API's checks against
 * cross-site requests (a web page open in the developer's browser can reach
 * 127.0.0.1 too).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { EmulatorError } from "./errors.js";
import { logLine } from "./log.js";

/**
 * The request target as a URL on `origin`, or undefined when it is not a
 * usable origin-form target (`//[`, `*`, absolute-form, …). A target starting
 * with `//` would be read as another host, so it is refused too.
 */
export function parseTarget(target: string | undefined, origin: string): URL | undefined {
  if (target?.[0] !== "/" || target[1] === "/") return undefined;
  try {
    const url = new URL(target, origin);
    return url.origin === origin ? url : undefined;
  } catch {
    return undefined;
  }
}

export const badTarget = (): EmulatorError =>
  new EmulatorError(400, 20001, "Invalid request target: expected an absolute path such as /v1/Rooms");

/**
 * Connections whose last answer said `Connection: close`: whatever else
 * arrives on them (the unread rest of a body) is not a new request to answer.
 */
export const closingSockets = new WeakSet<object>();

/** Writes a Twilio-shaped error unless an answer already started; then the connection is closed instead. */
export function sendError(res: ServerResponse, error: EmulatorError, close = false): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(error.body());
  if (close && res.socket) closingSockets.add(res.socket);
  res.writeHead(error.status, {
    "Content-Type": "application/json",
    "Content-Length": String(Buffer.byteLength(text)),
    ...error.headers,
    ...(close ? { Connection: "close" } : {}),
  });
  res.end(text);
}

/**
 * Runs a request handler so that nothing it throws or rejects with reaches
 * the process: the client gets a 500 (or its connection closed when an answer
 * had already started) and the error is logged by name and message only.
 */
export function guarded(
  name: string,
  handle: (req: IncomingMessage, res: ServerResponse) => unknown,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // Stream errors (client resets) must not become unhandled 'error' events.
    req.on("error", () => undefined);
    res.on("error", () => undefined);
    const fail = (error: unknown) => {
      console.error(
        logLine(`${name} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`),
      );
      try {
        sendError(res, new EmulatorError(500, 20500, "Internal Server Error"));
      } catch {
        res.destroy();
      }
    };
    try {
      const result = handle(req, res);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Why a control API request is refused, or undefined. The control API
 * changes state and writes files, so it only takes requests a web page
 * cannot forge: no foreign `Origin`, a loopback `Host` (defeats DNS
 * rebinding), and a JSON content type for any body (a page can send
 * `text/plain` or form bodies cross-site without a preflight, but not JSON).
 */
export function controlRequestProblem(
  req: IncomingMessage,
  apiOrigin: string,
  hasBody: boolean,
): EmulatorError | undefined {
  const api = new URL(apiOrigin);
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let foreign = true;
    try {
      const o = new URL(origin);
      foreign = !(o.protocol === "http:" && LOOPBACK_HOSTS.has(o.hostname) && o.port === api.port);
    } catch {
      // "null" and other opaque origins are foreign.
    }
    if (foreign)
      return new EmulatorError(
        403,
        20403,
        `The control API refuses cross-origin requests (Origin: ${origin.slice(0, 100)})`,
      );
  }
  const host = req.headers.host;
  if (host !== undefined) {
    const hostname = host.replace(/:\d*$/, "").toLowerCase();
    if (!LOOPBACK_HOSTS.has(hostname))
      return new EmulatorError(403, 20403, `The control API answers loopback hosts only (Host: ${host.slice(0, 100)})`);
  }
  const contentType = req.headers["content-type"];
  if (hasBody || contentType !== undefined) {
    const base = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
    if (base !== "application/json")
      return new EmulatorError(415, 20001, "Control API bodies must be sent as Content-Type: application/json");
  }
  return undefined;
}

/** Time limits of the emulator's listeners, in ms (0 turns one off). */
export interface ServerTimeouts {
  /** Longest time to receive a request's headers (default 10,000). */
  headersMs?: number | undefined;
  /** Longest time to receive a whole request, headers and body (default 30,000). */
  requestMs?: number | undefined;
  /** How long an idle keep-alive connection stays open (default 5,000). */
  keepAliveMs?: number | undefined;
}

/**
 * The defaults: a local tool has no business waiting Node's 300 s for a
 * request, and a client that dribbles bytes (slow loris) holds a socket and
 * memory for as long as it is allowed to.
 */
export const DEFAULT_SERVER_TIMEOUTS: Readonly<Required<ServerTimeouts>> = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
};

/** `createServer` options enforcing `timeouts`; throws a TypeError naming a bad value. */
export function serverTimeoutOptions(timeouts: ServerTimeouts = {}): {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
} {
  const t = {
    headersMs: timeouts.headersMs ?? DEFAULT_SERVER_TIMEOUTS.headersMs,
    requestMs: timeouts.requestMs ?? DEFAULT_SERVER_TIMEOUTS.requestMs,
    keepAliveMs: timeouts.keepAliveMs ?? DEFAULT_SERVER_TIMEOUTS.keepAliveMs,
  };
  for (const [name, value] of Object.entries(t)) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new TypeError(`timeouts.${name} must be a whole number of ms, 0 or more`);
  }
  // Node refuses a headers limit above the request limit; say so in our terms.
  if (t.requestMs > 0 && t.headersMs > t.requestMs)
    throw new TypeError("timeouts.headersMs must not exceed timeouts.requestMs");
  const limits = [t.headersMs, t.requestMs].filter((ms) => ms > 0);
  // Node checks the limits on this interval (default 30 s), so a cut-off comes late by up to one interval.
  const interval = Math.max(25, Math.min(1_000, ...limits.map((ms) => Math.floor(ms / 4))));
  return {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    connectionsCheckingInterval: interval,
  };
}
