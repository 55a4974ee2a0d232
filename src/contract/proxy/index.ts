/**
 * A recording, validating HTTP proxy for the Video API (`twilio-video-conformance
 * proxy`): a client points its base URL at it, each request is streamed to the
 * upstream (Twilio, or an emulator) and its response streamed back (a 302 is
 * passed through, never followed), while a bounded copy of both bodies is
 * validated against the spec (the same verdicts as the CLI check) and
 * written, redacted, to an out file.
 *
 * Each request goes through named steps: admit (rewrite.ts: the Host must
 * name the proxy or an --allow-host name, the target must stay under the
 * upstream's path), forward (forward.ts: streaming with backpressure, URL
 * rewriting), record
 * (record.ts: validation, redaction, findings) and out (out-file.ts).
 *
 * URL rewriting (`rewriteUrls`, on by default): in JSON bodies and `Location`
 * headers the client receives, a URL on the upstream origin (and under its
 * path prefix) is rewritten to the origin the client addressed; nothing else
 * is touched (a media 302 to a storage host stays as it came). Validation and
 * the out file see the upstream's original bytes.
 *
 * Guarantees (SECURITY.md lists each with its test):
 * - Memory per exchange is bounded by `maxBodyBytes` (twice: request and
 *   response) plus stream buffers; larger bodies are forwarded whole, not
 *   recorded, and reported as a `body-too-large` finding.
 * - Credentials never reach the out file or the findings (see record.ts).
 * - A client must send its headers within `headersTimeoutMs` and its whole
 *   request within `requestTimeoutMs`; idle keep-alive connections close.
 * - Bad input never crashes it: a malformed request gets 400, a foreign Host
 *   421, an unreachable upstream 502, each with a finding.
 *
 * Node-only (node:http); the package entry reaches it through a dynamic import.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import document from "../../../generated/openapi.json" with { type: "json" };
import { ItemChecker } from "../check.js";
import { createValidatorFor } from "../validator.js";
import { headerValue, oneLine } from "./capture.js";
import { forward, refuse, type Wiring } from "./forward.js";
import {
  emptySummary,
  settingsOf,
  type ProxyOptions,
  type ProxySummary,
  type RunningProxy,
  type Settings,
} from "./options.js";
import { OutFile } from "./out-file.js";
import { Recorder } from "./record.js";
import { foreignHostMessage, isOwnHost, Refusal, targetUrl, urlRewriter } from "./rewrite.js";

export { DEFAULT_PROXY_MAX_BODY_BYTES, DEFAULT_PROXY_TIMEOUTS, inferFormat } from "./options.js";
export type {
  ProxyExchange,
  ProxyFinding,
  ProxyFindingKind,
  ProxyFormat,
  ProxyOptions,
  ProxySummary,
  RunningProxy,
} from "./options.js";
export { urlRewriter } from "./rewrite.js";

async function openOut(path: string | undefined, settings: Settings): Promise<OutFile | undefined> {
  if (path === undefined) return undefined;
  try {
    return await OutFile.open(path, settings.format);
  } catch (e) {
    throw new Error(`cannot open --out ${path}: ${oneLine(e)}`);
  }
}

/** The steps of one request: count it, admit it (Host, target), forward it. */
function handler(w: Wiring, host: string): (req: IncomingMessage, res: ServerResponse) => void {
  const { recorder, counts, settings } = w;
  return (req, res) => {
    const exchange = ++counts.exchanges;
    const method = String(req.method); // always set on a server's request
    const redactor = recorder.redactorFor(headerValue(req.headers, "authorization"));
    try {
      const url = targetUrl(String(req.url), settings.upstream, settings.prefix);
      if (url instanceof Refusal)
        return refuse(w, res, redactor, {
          exchange,
          method,
          kind: "bad-request",
          status: url.status,
          message: url.message,
        });
      if (!isOwnHost(req.headers.host, host, settings.allowHosts)) {
        const message = foreignHostMessage(req.headers.host);
        return refuse(w, res, redactor, { exchange, method, kind: "bad-request", status: 421, message });
      }
      forward(w, req, res, exchange, url, redactor);
    } catch (e) {
      // Nothing above should throw; if it does, one exchange fails, not the proxy.
      refuse(w, res, redactor, {
        exchange,
        method,
        kind: "bad-request",
        status: 400,
        message: `could not be proxied: ${oneLine(e)}`,
      });
    }
  };
}

/** Bytes that are not HTTP (bad request line, invalid header, garbage): 400 and hang up; a slow client: 408. */
function onClientError(w: Wiring, err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset (ECONNRESET) or a client already gone: nothing to answer, nothing to report.
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const exchange = ++w.counts.exchanges;
  const slow = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
  const message = slow
    ? "request timed out: headers or body not received in time"
    : `malformed HTTP request: ${err.code ?? oneLine(err)}`;
  w.recorder.report(
    { kind: "bad-request", exchange, where: "request", message, fails: true },
    w.recorder.redactorFor(undefined),
  );
  const status = slow ? "408 Request Timeout" : "400 Bad Request";
  const text = slow ? "Request Timeout\n" : "Bad Request\n";
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${text.length}\r\n\r\n` +
      `${text}`,
  );
  // A client that reads nothing back must not hold the socket either.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * Starts the proxy. Rejects (with one clear line) on a bad option or an out
 * file that cannot be opened; after that, nothing a client or the upstream
 * does makes it throw.
 */
export async function startProxy(options: ProxyOptions = {}): Promise<RunningProxy> {
  const settings = settingsOf(options);
  const base = `${settings.upstream.origin}${settings.prefix}`;
  // The upstream is accepted as an API host, so an emulator's traffic validates too.
  const validator = createValidatorFor(document, { strict: settings.strict, baseUrls: [base] });
  const out = await openOut(options.out, settings);
  const counts = emptySummary(settings.strict);
  // Stryker disable next-line ArrayDeclaration: validate() does not read the base URLs (only HAR file checks do).
  const recorder = new Recorder(settings, validator, new ItemChecker(validator, [base]), options, counts, out);
  // Set once listening, before the first request can arrive.
  let listeningUrl!: string;
  const w: Wiring = {
    settings,
    rewriter: urlRewriter(base),
    recorder,
    counts,
    listeningUrl: () => listeningUrl,
    inflight: new Set(),
  };
  const host = options.host ?? "127.0.0.1";
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      // Node checks the two timeouts above on this interval (30 s by default): often enough to honour short ones.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(settings.headersTimeoutMs / 4))),
    },
    handler(w, host),
  );
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => onClientError(w, err, socket));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  listeningUrl = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  const snapshot = (): ProxySummary => ({ ...counts, findings: { ...counts.findings } });
  let closed: Promise<ProxySummary> | undefined;
  const close = (): Promise<ProxySummary> =>
    (closed ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // With nothing in flight the race below ends at once.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, settings.drainMs)));
      await Promise.race([Promise.all([...w.inflight].map((p) => p.done)), timeout]);
      clearTimeout(timer);
      for (const p of w.inflight) p.abort();
      for (const socket of sockets) socket.destroy();
      await stopped;
      await out?.close();
      return snapshot();
    })());
  return { url: listeningUrl, summary: snapshot, close };
}
