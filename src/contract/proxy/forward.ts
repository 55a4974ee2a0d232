/**
 * One exchange on the wire: the request streamed to the upstream and its
 * response streamed back, each with backpressure, while a bounded copy of
 * both bodies is kept for the record step. A JSON response is held (within
 * the cap) so its upstream URLs can be rewritten; past the cap it streams
 * through unmodified.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Redactor } from "../redact.js";
import type { ProxyFindingKind, ProxySummary, Settings } from "./options.js";
import { Capture, headerValue, oneLine } from "./capture.js";
import type { Finished, Recorder } from "./record.js";
import { addressedOrigin, decodeBody, type urlRewriter } from "./rewrite.js";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "trailers",
  "transfer-encoding",
  "upgrade",
  "host",
]);

/** What an exchange needs from the running proxy. */
export interface Wiring {
  settings: Settings;
  rewriter: ReturnType<typeof urlRewriter>;
  recorder: Recorder;
  counts: ProxySummary;
  listeningUrl: () => string;
  /** In-flight exchanges, for close() to wait for or abort. */
  inflight: Set<{ abort: () => void; done: Promise<void> }>;
}

/** Answers a request the proxy will not forward, with a finding; called before any of its response is sent. */
export function refuse(
  w: Wiring,
  res: ServerResponse,
  redactor: Redactor,
  f: { exchange: number; method: string; kind: ProxyFindingKind; status: number; message: string; url?: string },
): void {
  const where = f.kind === "bad-request" ? "request" : "upstream";
  w.recorder.report(
    {
      kind: f.kind,
      exchange: f.exchange,
      method: f.method,
      ...(f.url ? { url: f.url } : {}),
      where,
      message: f.message,
      fails: true,
    },
    redactor,
  );
  res.writeHead(f.status, { "Content-Type": "application/json", Connection: "close" });
  res.end(
    JSON.stringify({ code: f.status, message: `twilio-video-conformance proxy: ${f.message}`, status: f.status }),
  );
}

/** One exchange in flight: what every step of it needs. */
interface Job {
  w: Wiring;
  req: IncomingMessage;
  res: ServerResponse;
  exchange: number;
  method: string;
  url: URL;
  /** The upstream URL as findings show it (redacted). */
  shownUrl: string;
  redactor: Redactor;
  started: Date;
  request: Capture;
  response: Capture;
  state: { finished: boolean; notRewritten: boolean };
  /** Ends the exchange once (counted as aborted or not) and lets close() stop waiting for it. */
  settle: (aborted: boolean) => void;
}

/** Registers an exchange with close(): returns its settle function and a setter for how to abort it. */
function track(
  w: Wiring,
  state: { finished: boolean },
): { settle: Job["settle"]; onAbort: (abort: () => void) => void } {
  let resolveDone!: () => void;
  const entry = { done: new Promise<void>((r) => (resolveDone = r)), abort: (): void => undefined };
  w.inflight.add(entry);
  const settle = (aborted: boolean): void => {
    if (state.finished) return;
    state.finished = true;
    if (aborted) w.counts.aborted++;
    w.inflight.delete(entry);
    resolveDone();
  };
  return { settle, onAbort: (abort) => (entry.abort = abort) };
}

/** Reports a failure of the upstream side of a job. */
function upstreamFinding(
  job: Job,
  where: string,
  message: string,
  kind: ProxyFindingKind = "upstream-unreachable",
): void {
  const { exchange, method, shownUrl: url } = job;
  job.w.recorder.report({ kind, exchange, method, url, where, message, fails: true }, job.redactor);
}

/** Forwards one admitted request to `url`, records it when it completes. */
export function forward(
  w: Wiring,
  req: IncomingMessage,
  res: ServerResponse,
  exchange: number,
  url: URL,
  redactor: Redactor,
): void {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
  headers.host = url.host;
  const state = { finished: false, notRewritten: false };
  const { settle, onAbort } = track(w, state);
  const job: Job = {
    ...{ w, req, res, exchange, method: String(req.method), url, shownUrl: redactor.url(url.href), redactor },
    ...{ started: new Date(), request: new Capture(w.settings.cap), response: new Capture(w.settings.cap) },
    ...{ state, settle },
  };
  const upstreamReq = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, { method: job.method, headers });
  onAbort(() => {
    // Counted as aborted whatever the destroyed sockets report next (a held response has sent no headers yet).
    settle(true);
    upstreamReq.destroy();
    res.destroy();
  });
  const brokeOff = (detail: string): void => {
    upstreamFinding(job, "upstream", `upstream broke off the response${detail}`);
    res.destroy();
    settle(true);
  };
  upstreamReq.on("error", (e) => {
    if (state.finished) return;
    if (res.headersSent) brokeOff(`: ${oneLine(e)}`);
    else {
      const message = `upstream ${w.settings.upstream.origin} unreachable: ${oneLine(e)}`;
      const kind = "upstream-unreachable";
      refuse(w, res, redactor, { exchange, method: job.method, kind, status: 502, message, url: job.shownUrl });
      settle(false);
    }
    req.resume();
  });
  pipeRequest(req, upstreamReq, job.request);
  res.on("close", () => {
    // The client hung up before the whole response: stop the upstream side too.
    if (!res.writableFinished) {
      upstreamReq.destroy();
      settle(true);
    }
  });
  upstreamReq.on("response", (up) => {
    const finish = (reply: Buffer | undefined, status: number, resHeaders: OutgoingHttpHeaders): void =>
      finishJob(job, up, () => {
        if (reply) res.writeHead(status, up.statusMessage, resHeaders).end(reply);
        else res.end();
      });
    relayResponse(w, req, res, up, job.response, state, { finish, brokeOff: () => brokeOff("") });
  });
}

/** Records a finished exchange, then lets the client have the end of its response. */
function finishJob(job: Job, up: IncomingMessage, answer: () => void): void {
  const { exchange, method, url, started, req, request, response, state } = job;
  const x: Finished = {
    ...{ exchange, method, url, started, requestHeaders: req.headers, request, response },
    ...{ status: Number(up.statusCode), responseHeaders: up.headers, httpVersion: up.httpVersion },
    notRewritten: state.notRewritten,
  };
  void job.w.recorder
    .record(x, job.redactor)
    // The out file failed (disk full, say): the client still gets its answer, and the run fails.
    .catch((e) => upstreamFinding(job, "out", `could not write the exchange: ${oneLine(e)}`, "error"))
    .finally(() => {
      answer();
      job.settle(false);
    });
}

/** The request body: streamed with backpressure, a bounded copy kept. */
function pipeRequest(req: IncomingMessage, upstreamReq: ReturnType<typeof httpRequest>, capture: Capture): void {
  req.on("data", (chunk: Buffer) => {
    capture.add(chunk);
    if (!upstreamReq.write(chunk)) {
      req.pause();
      upstreamReq.once("drain", () => req.resume());
    }
  });
  req.on("end", () => upstreamReq.end());
  req.on("error", () => undefined);
}

type Ends = {
  finish: (reply: Buffer | undefined, status: number, headers: OutgoingHttpHeaders) => void;
  brokeOff: () => void;
};

/** The response: headers filtered, a Location rewritten, a JSON body held for rewriting, anything else streamed. */
function relayResponse(
  w: Wiring,
  req: IncomingMessage,
  res: ServerResponse,
  up: IncomingMessage,
  capture: Capture,
  state: { finished: boolean; notRewritten: boolean },
  ends: Ends,
): void {
  // A client's response always has a status (node:http types it optional).
  const status = Number(up.statusCode);
  const resHeaders: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(name)) resHeaders[name] = value;
  // Content-Length passes as it came (a held body that is rewritten gets its new one); without it the body goes
  // chunked, as it came.
  const rewrite = w.settings.rewriteUrls;
  const to = addressedOrigin(headerValue(req.headers, "host"), w.listeningUrl());
  const location = headerValue(up.headers, "location");
  if (rewrite && location !== undefined) resHeaders.location = w.rewriter.location(location, to);
  // A JSON body is held to be rewritten. An answer with no body (HEAD, 204, 304) is held too: its head then goes out
  // at its end, which comes at once, byte for byte as if streamed.
  const hold = rewrite && /json/i.test(String(headerValue(up.headers, "content-type")));
  let streaming = !hold;
  const writeDownstream = (chunk: Buffer): void => {
    if (!res.write(chunk)) {
      up.pause();
      res.once("drain", () => up.resume());
    }
  };
  if (streaming) res.writeHead(status, up.statusMessage, resHeaders);
  up.on("data", (chunk: Buffer) => {
    const released = capture.add(chunk);
    if (streaming) return writeDownstream(chunk);
    if (!released) return;
    // Over the cap: from here on the body goes through unmodified, and the finding says so.
    state.notRewritten = true;
    streaming = true;
    res.writeHead(status, up.statusMessage, resHeaders);
    for (const c of released.slice(0, -1)) res.write(c);
    writeDownstream(released.at(-1)!);
  });
  up.on("error", () => undefined);
  up.on("aborted", () => {
    if (!state.finished) ends.brokeOff();
  });
  up.on("end", () => {
    if (state.finished) return;
    ends.finish(streaming ? undefined : heldReply(w, capture, up, resHeaders, to, state), status, resHeaders);
  });
}

/**
 * What to send for a held JSON body: rewritten (decoded, with its exact
 * Content-Length) when it names the upstream, else the bytes as they came
 * with the upstream's headers. Adjusts `resHeaders` to match.
 */
function heldReply(
  w: Wiring,
  capture: Capture,
  up: IncomingMessage,
  resHeaders: OutgoingHttpHeaders,
  to: string,
  state: { notRewritten: boolean },
): Buffer {
  const held = capture.bytes();
  const plain = decodeBody(held, headerValue(up.headers, "content-encoding"), w.settings.cap);
  if (typeof plain === "string") {
    state.notRewritten = true;
    return held;
  }
  const rewritten = w.rewriter.json(plain, to);
  if (!rewritten) return held;
  delete resHeaders["content-encoding"];
  resHeaders["content-length"] = String(rewritten.length);
  return rewritten;
}
