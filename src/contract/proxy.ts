/**
 * A recording, validating HTTP proxy for the Video API (`twilio-video-conformance
 * proxy`): a client points its base URL at it, each request is streamed to the
 * upstream (Twilio, or an emulator) and its response streamed back (a 302 is
 * passed through, never followed), while a bounded copy of both bodies is
 * validated against the spec (the same verdicts as the CLI check) and
 * written, redacted, to an out file.
 *
 * URL rewriting (`rewriteUrls`, on by default): the API answers with absolute
 * URLs on its own origin (`meta.next_page_url`, `url`, `links.*`, a
 * `Location`), which would send a client's next request past the proxy. In
 * JSON bodies and `Location` headers the client receives, a URL on the
 * upstream origin (and under its path prefix) is rewritten to the origin the
 * client addressed; nothing else is touched (a media 302 to a storage host
 * stays as it came). Validation and the out file see the upstream's original
 * bytes. A JSON body is held (up to `maxBodyBytes`) to be rewritten and sent
 * with an exact Content-Length; a larger one streams through unmodified and
 * its `body-too-large` finding says so.
 *
 * Guarantees:
 * - Memory per exchange is bounded by `maxBodyBytes` (twice: request and
 *   response) plus stream buffers; larger bodies are forwarded whole, not
 *   recorded, and reported as a `body-too-large` finding.
 * - Credentials never reach the out file or the findings: only an allow-list
 *   of headers is kept (never Authorization), URLs and bodies go through
 *   redact.ts, signed media URLs (Location headers, `redirect_to`) lose every
 *   query value, and any value removed once (the Basic auth secret included)
 *   is scrubbed wherever it appears again.
 * - An exchange is in the out file before the client sees the end of its
 *   response, so whatever a client was fully answered is recorded.
 * - Bad input never crashes it: a malformed request gets 400, an unreachable
 *   upstream 502, each with a finding.
 *
 * Node-only (node:http); index.ts reaches it through a dynamic import.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream, mkdirSync, renameSync, writeFileSync, type WriteStream } from "node:fs";
import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import document from "../../generated/openapi.json" with { type: "json" };
import { ItemChecker } from "./check.js";
import { Redactor, REDACTED } from "./redact.js";
import type { Problem, Recording, RecordingResult } from "./types.js";
import { createValidatorFor } from "./validator.js";

/** Output formats of the proxy's traffic file. */
export type ProxyFormat = "ndjson" | "har" | "recordings";

/** Kinds of proxy finding; every kind but `warning` and `spec-too-strict` fails (those two fail when strict). */
export type ProxyFindingKind = "error" | "warning" | "spec-too-strict" | "body-too-large" | "upstream-unreachable" | "bad-request";

/** One finding, reported as it happens. Redacted: it never quotes a credential. */
export interface ProxyFinding {
  kind: ProxyFindingKind;
  /** 1-based number of the exchange (every request the proxy received counts). */
  exchange: number;
  method?: string;
  /** The upstream URL, redacted. */
  url?: string;
  operationId?: string | null;
  where: string;
  message: string;
  expected?: string;
  found?: string;
  /** Whether it makes the run fail (the CLI check's rule: errors always, drift and spec-too-strict when strict). */
  fails: boolean;
}

/** One exchange the proxy forwarded and recorded. */
export interface ProxyExchange {
  exchange: number;
  /** The redacted recording, as written to the out file. */
  recording: Recording;
  /** The verdict, or undefined when a body was over the cap and the exchange was not validated. */
  result: RecordingResult | undefined;
}

/** What a proxy run saw, returned by `close()`. */
export interface ProxySummary {
  /** Requests received (malformed ones included). */
  exchanges: number;
  /** Exchanges written to the out file (or that would be, without one). */
  recorded: number;
  /** Exchanges cut short: by the client hanging up, the upstream breaking, or close() aborting them. */
  aborted: number;
  /** Findings by kind. */
  findings: Partial<Record<ProxyFindingKind, number>>;
  /** Findings that fail the run. */
  failed: number;
  strict: boolean;
}

/** Options of {@link startProxy}. */
export interface ProxyOptions {
  /** Where requests go (default `https://video.twilio.com`); a path prefix is kept. */
  upstream?: string | undefined;
  /** Port to listen on (default 0: an ephemeral port). */
  port?: number | undefined;
  /** Address to listen on (default 127.0.0.1). */
  host?: string | undefined;
  /** Traffic file (ndjson, har) or directory (recordings); unset, nothing is written. */
  out?: string | undefined;
  /** Format of `out` (default ndjson: one recording per line). */
  format?: ProxyFormat | undefined;
  /** Largest body recorded and validated, per direction (default 1 MiB); larger ones are forwarded, not recorded. */
  maxBodyBytes?: number | undefined;
  /** Drift and spec-too-strict findings fail, as the CLI's `--strict`. */
  strict?: boolean | undefined;
  /** More parameter names to redact (see redact.ts). */
  sensitiveNames?: readonly string[] | undefined;
  /** How long close() lets in-flight exchanges finish before aborting them (default 5,000 ms). */
  drainMs?: number | undefined;
  /**
   * Rewrite absolute URLs on the upstream origin, in JSON response bodies and
   * `Location` headers sent to the client, to the proxy's origin (default
   * true). The recordings and the validation keep the upstream's bytes.
   */
  rewriteUrls?: boolean | undefined;
  /** Called with each finding as it happens. */
  onFinding?: ((finding: ProxyFinding) => void) | undefined;
  /** Called with each exchange once it is recorded. */
  onExchange?: ((exchange: ProxyExchange) => void) | undefined;
}

/** A running proxy. */
export interface RunningProxy {
  /** Base URL to point a client at, e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** The counts so far. */
  summary(): ProxySummary;
  /** Stops accepting, lets in-flight exchanges finish (up to `drainMs`, then aborts them), closes the out file. Idempotent. */
  close(): Promise<ProxySummary>;
}

/** The default cap on recorded bodies, the emulator's request cap. */
export const DEFAULT_PROXY_MAX_BODY_BYTES = 1024 * 1024;

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade", "host"]);
/** Headers that carry contract facts and never credentials (the recorder's allow-list). */
const KEPT_REQUEST_HEADERS = ["content-type"];
const KEPT_RESPONSE_HEADERS = ["content-type", "location", "retry-after", "twilio-request-id"];

const oneLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 300);

/** Collects up to `cap` bytes of a stream; past it, drops what it had and only counts. */
class Capture {
  private chunks: Buffer[] = [];
  size = 0;
  over = false;
  constructor(private readonly cap: number) {}
  /** Adds a chunk; on the one that goes over the cap, returns what it held (that chunk included) as it lets go of it. */
  add(chunk: Buffer): Buffer[] | undefined {
    this.size += chunk.length;
    if (this.over) return undefined;
    if (this.size > this.cap) {
      this.over = true;
      const held = [...this.chunks, chunk];
      this.chunks = [];
      return held;
    }
    this.chunks.push(chunk);
    return undefined;
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

/** The out file, appended one exchange at a time; writes are serialized and each resolves once handed to the OS. */
class OutFile {
  private stream: WriteStream | undefined;
  private count = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  private constructor(
    private readonly path: string,
    private readonly format: ProxyFormat,
  ) {}

  static async open(path: string, format: ProxyFormat): Promise<OutFile> {
    const out = new OutFile(path, format);
    if (format === "recordings") {
      mkdirSync(path, { recursive: true });
      return out;
    }
    const stream = createWriteStream(path, { flags: "w" });
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", reject);
    });
    stream.on("error", (e) => (out.failure ??= e));
    out.stream = stream;
    // HAR is written incrementally: the head now, entries as they come, the tail on close.
    if (format === "har") await out.write(`{"log":{"version":"1.2","creator":{"name":"twilio-video-conformance proxy","version":"1"},"entries":[\n`);
    return out;
  }

  private write(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.stream!.write(text, (e) => (e ? reject(e) : resolve()));
    });
  }

  append(exchange: number, recording: Recording, har: () => unknown): Promise<void> {
    const run = async (): Promise<void> => {
      const n = this.count++;
      if (this.format === "ndjson") return this.write(`${JSON.stringify(recording)}\n`);
      if (this.format === "har") return this.write(`${n === 0 ? "" : ",\n"}${JSON.stringify(har())}`);
      // One file per exchange, written beside and renamed, so a reader never sees half of one.
      const name = `${String(exchange).padStart(6, "0")}-${recording.request.method}.json`;
      const tmp = join(this.path, `.${name}.${randomUUID()}.tmp`);
      writeFileSync(tmp, `${JSON.stringify(recording, null, 2)}\n`);
      renameSync(tmp, join(this.path, name));
    };
    const next = this.chain.then(run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    if (!this.stream) return;
    if (this.format === "har") await this.write(`\n]}}\n`).catch(() => undefined);
    await new Promise<void>((resolve) => this.stream!.end(() => resolve()));
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Rewrites absolute URLs on `from` (an origin, with the upstream's path prefix
 * if it has one) to another origin: in a `Location` value, and in JSON text
 * wherever a string starts with one (`"https://host/…"`, slashes escaped as
 * `\/` or not). Works on bytes as latin1, so everything but the rewritten
 * prefixes is passed on byte for byte, valid UTF-8 or not.
 */
export function urlRewriter(from: string): { location: (value: string, to: string) => string; json: (body: Buffer, to: string) => Buffer | undefined } {
  const base = from.replace(/\/+$/, "");
  const location = new RegExp(`^${escapeRegExp(base)}(?=[/?#]|$)`, "i");
  const slash = "(?:/|\\\\/)";
  const json = new RegExp(`"${base.split("/").map(escapeRegExp).join(slash)}(?=[/"?#]|\\\\/)`, "gi");
  return {
    location: (value, to) => value.replace(location, () => to),
    json: (body, to) => {
      const text = body.toString("latin1");
      json.lastIndex = 0;
      if (!json.test(text)) return undefined;
      json.lastIndex = 0;
      return Buffer.from(text.replace(json, () => `"${to}`), "latin1");
    },
  };
}

/** The origin a client addressed the proxy by: its Host header when that is a plain host[:port], else the listening URL. */
function addressedOrigin(host: string | undefined, fallback: string): string {
  if (host && /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/.test(host)) return `http://${host}`;
  return fallback;
}

/** Decodes a held body for rewriting: the bytes, or undefined when its Content-Encoding cannot be undone within the cap. */
function decodedForRewrite(bytes: Buffer, encoding: string | undefined, cap: number): Buffer | undefined {
  const e = (encoding ?? "").trim().toLowerCase();
  if (e === "" || e === "identity") return bytes;
  try {
    const options = { maxOutputLength: Math.max(1, cap) };
    if (e === "gzip" || e === "x-gzip") return gunzipSync(bytes, options);
    if (e === "deflate") return inflateSync(bytes, options);
    if (e === "br") return brotliDecompressSync(bytes, options);
  } catch {
    return undefined;
  }
  return undefined;
}

/** Parses a recorded body the way recordings store it: JSON, a string, or null when empty. */
function recordedBody(bytes: Buffer, contentType: string | undefined): unknown {
  if (bytes.length === 0) return null;
  const text = bytes.toString("utf8");
  if (/json/i.test(contentType ?? "")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Undoes Content-Encoding on a captured body, within the cap (a decompression bomb is just "too large"). */
function decoded(bytes: Buffer, encoding: string | undefined, cap: number): Buffer | "too-large" {
  const e = (encoding ?? "").trim().toLowerCase();
  if (e === "" || e === "identity" || bytes.length === 0) return bytes;
  try {
    const options = { maxOutputLength: cap };
    if (e === "gzip" || e === "x-gzip") return gunzipSync(bytes, options);
    if (e === "deflate") return inflateSync(bytes, options);
    if (e === "br") return brotliDecompressSync(bytes, options);
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return "too-large";
    return bytes; // recorded as sent; the check then reports a body it cannot read
  }
  return bytes;
}

/**
 * Starts the proxy. Rejects (with one clear line) on a bad upstream URL or an
 * out file that cannot be opened; after that, nothing a client or the
 * upstream does makes it throw.
 */
export async function startProxy(options: ProxyOptions = {}): Promise<RunningProxy> {
  let upstream: URL;
  try {
    upstream = new URL(options.upstream ?? "https://video.twilio.com");
  } catch {
    throw new Error(`upstream ${JSON.stringify(options.upstream)} is not a URL`);
  }
  if (upstream.protocol !== "http:" && upstream.protocol !== "https:") throw new Error(`upstream must be http: or https: (got ${upstream.protocol})`);
  if (upstream.username || upstream.password) throw new Error("upstream must not carry credentials in the URL; the client sends them");
  const cap = options.maxBodyBytes ?? DEFAULT_PROXY_MAX_BODY_BYTES;
  if (!Number.isInteger(cap) || cap < 0) throw new Error(`maxBodyBytes must be a whole number of bytes (got ${cap})`);
  const format = options.format ?? "ndjson";
  if (!["ndjson", "har", "recordings"].includes(format)) throw new Error(`format must be ndjson, har or recordings (got ${String(format)})`);
  const strict = options.strict === true;
  const rewriteUrls = options.rewriteUrls !== false;
  const drainMs = options.drainMs ?? 5000;
  const prefix = upstream.pathname.replace(/\/+$/, "");
  const origin = upstream.origin;
  // The upstream is accepted as an API host, so an emulator's traffic validates too.
  const baseUrls = [`${origin}${prefix}`];
  const validator = createValidatorFor(document, { strict, baseUrls });
  const checker = new ItemChecker(validator, baseUrls);
  const rewriter = urlRewriter(`${origin}${prefix}`);
  let listeningUrl = "";
  // One redactor for the run: a secret seen in one exchange is removed from every later one.
  const redactor = new Redactor(options.sensitiveNames);
  let out: OutFile | undefined;
  if (options.out !== undefined) {
    try {
      out = await OutFile.open(options.out, format);
    } catch (e) {
      throw new Error(`cannot open --out ${options.out}: ${oneLine(e)}`);
    }
  }

  const counts: ProxySummary = { exchanges: 0, recorded: 0, aborted: 0, findings: {}, failed: 0, strict };
  const report = (finding: ProxyFinding): void => {
    const clean = redactor.scrub(finding);
    counts.findings[clean.kind] = (counts.findings[clean.kind] ?? 0) + 1;
    if (clean.fails) counts.failed++;
    try {
      options.onFinding?.(clean);
    } catch {
      // A throwing listener must not take an exchange down with it.
    }
  };

  /** Teaches the redactor a secret it did not find by rule; handing it over under a sensitive key is the public way to. */
  const remember = (value: string): void => void redactor.json({ secret: value });
  const learnAuthorization = (value: string | undefined): void => {
    if (!value) return;
    remember(value);
    const [scheme, token = ""] = value.split(/\s+/, 2);
    remember(token);
    if (/^basic$/i.test(scheme ?? "")) {
      const plain = Buffer.from(token, "base64").toString("utf8");
      const colon = plain.indexOf(":");
      if (colon !== -1) remember(plain.slice(colon + 1));
    }
  };
  /** A signed URL's query is its credential: every value goes, names stay. */
  const signedUrl = (value: string): string => {
    const q = value.indexOf("?");
    if (q === -1) return redactor.text(value);
    const hash = value.indexOf("#", q);
    const query = value.slice(q + 1, hash === -1 ? undefined : hash);
    const params = query.split("&").map((pair) => {
      const eq = pair.indexOf("=");
      if (eq === -1) return pair;
      const raw = pair.slice(eq + 1);
      // Long values (signatures, tokens, credentials) are hunted elsewhere too; short ones (an expiry) are not.
      if (raw.length >= 16) {
        remember(raw);
        try {
          remember(decodeURIComponent(raw.replace(/\+/g, " ")));
        } catch {
          // not percent-encoded text; the raw form is remembered
        }
      }
      return `${pair.slice(0, eq)}=${REDACTED}`;
    });
    return `${redactor.url(value.slice(0, q))}?${params.join("&")}`;
  };
  const redactRedirects = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(redactRedirects);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "redirect_to" && typeof v === "string" ? signedUrl(v) : redactRedirects(v)]));
    return value;
  };

  const inflight = new Set<{ abort: () => void; done: Promise<void> }>();
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const exchange = ++counts.exchanges;
    const method = req.method ?? "GET";
    const started = new Date();
    const fail = (kind: ProxyFindingKind, status: number, message: string, url?: string): void => {
      report({ kind, exchange, method, ...(url ? { url } : {}), where: kind === "bad-request" ? "request" : "upstream", message, fails: true });
      if (!res.headersSent) {
        res.writeHead(status, { "Content-Type": "application/json", Connection: "close" });
        res.end(JSON.stringify({ code: status, message: `twilio-video-conformance proxy: ${message}`, status }));
      } else res.destroy();
    };
    // Origin-form only ("/v1/Rooms"): this is a reverse proxy, not a forward one.
    const target = req.url ?? "";
    if (!target.startsWith("/") || target.startsWith("//")) return fail("bad-request", 400, "invalid request target: expected an absolute path such as /v1/Rooms");
    let url: URL;
    try {
      url = new URL(`${origin}${prefix}${target}`);
      if (url.origin !== origin) throw new Error("escapes the upstream");
    } catch {
      return fail("bad-request", 400, "invalid request target: not a valid path");
    }
    const shownUrl = redactor.url(url.href);
    learnAuthorization(headerValue(req.headers, "authorization"));

    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    headers.host = url.host;
    const requestCapture = new Capture(cap);
    const responseCapture = new Capture(cap);
    // Set when a JSON body was too large to hold for rewriting and went to the client as it came.
    let notRewritten = false;
    let finished = false;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const entry = {
      done,
      abort: () => {
        // Counted as aborted whatever the destroyed sockets report next (a held response has sent no headers yet).
        settle(true);
        upstreamReq.destroy();
        res.destroy();
      },
    };
    inflight.add(entry);
    const settle = (aborted: boolean): void => {
      if (finished) return;
      finished = true;
      if (aborted) counts.aborted++;
      inflight.delete(entry);
      resolveDone();
    };

    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const upstreamReq = send(url, { method, headers });
    upstreamReq.on("error", (e) => {
      if (finished) return;
      if (!res.headersSent) {
        fail("upstream-unreachable", 502, `upstream ${origin} unreachable: ${oneLine(e)}`, shownUrl);
        settle(false);
      } else {
        report({ kind: "upstream-unreachable", exchange, method, url: shownUrl, where: "upstream", message: `upstream broke off the response: ${oneLine(e)}`, fails: true });
        res.destroy();
        settle(true);
      }
      req.resume();
    });
    // The request body: streamed with backpressure, a bounded copy kept.
    req.on("data", (chunk: Buffer) => {
      requestCapture.add(chunk);
      if (!upstreamReq.write(chunk)) {
        req.pause();
        upstreamReq.once("drain", () => req.resume());
      }
    });
    req.on("end", () => upstreamReq.end());
    req.on("error", () => undefined);
    res.on("close", () => {
      // The client hung up before the whole response: stop the upstream side too.
      if (!res.writableFinished) {
        upstreamReq.destroy();
        settle(true);
      }
    });

    upstreamReq.on("response", (up) => {
      const status = up.statusCode ?? 502;
      const resHeaders: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(name) && name !== "content-length" && value !== undefined) resHeaders[name] = value;
      // Content-Length is kept exact; without it the body goes chunked, as it came.
      if (up.headers["content-length"] !== undefined) resHeaders["content-length"] = up.headers["content-length"];
      const to = rewriteUrls ? addressedOrigin(headerValue(req.headers, "host"), listeningUrl) : "";
      const location = headerValue(up.headers, "location");
      if (rewriteUrls && location !== undefined) resHeaders.location = rewriter.location(location, to);
      // A JSON body is held (within the cap) so its URLs can be rewritten; everything else streams.
      const hold = rewriteUrls && method !== "HEAD" && status !== 204 && status !== 304 && /json/i.test(headerValue(up.headers, "content-type") ?? "");
      let streaming = !hold;
      const forward = (chunk: Buffer): void => {
        if (!res.write(chunk)) {
          up.pause();
          res.once("drain", () => up.resume());
        }
      };
      if (streaming) res.writeHead(status, up.statusMessage, resHeaders);
      up.on("data", (chunk: Buffer) => {
        const released = responseCapture.add(chunk);
        if (streaming) return forward(chunk);
        if (!released) return;
        // Over the cap: from here on the body goes through unmodified, and the finding says so.
        notRewritten = true;
        streaming = true;
        res.writeHead(status, up.statusMessage, resHeaders);
        for (const c of released.slice(0, -1)) res.write(c);
        forward(released.at(-1)!);
      });
      up.on("error", () => undefined);
      up.on("aborted", () => {
        if (finished) return;
        report({ kind: "upstream-unreachable", exchange, method, url: shownUrl, where: "upstream", message: "upstream broke off the response", fails: true });
        res.destroy();
        settle(true);
      });
      up.on("end", () => {
        if (finished) return;
        const reply = streaming ? undefined : heldReply(up, resHeaders, to);
        void record(up)
          .catch((e) => {
            // The out file failed (disk full, say): the client still gets its answer, and the run fails.
            report({ kind: "error", exchange, method, url: shownUrl, where: "out", message: `could not write the exchange: ${oneLine(e)}`, fails: true });
          })
          .finally(() => {
            if (reply) {
              res.writeHead(status, up.statusMessage, resHeaders);
              res.end(reply);
            } else res.end();
            settle(false);
          });
      });
    });

    /**
     * What to send for a held JSON body: rewritten (decoded, with its exact
     * Content-Length) when it names the upstream, else the bytes as they came
     * with the upstream's headers. Adjusts `resHeaders` to match.
     */
    const heldReply = (up: IncomingMessage, resHeaders: OutgoingHttpHeaders, to: string): Buffer => {
      const held = responseCapture.bytes();
      if (held.length === 0) return held;
      const plain = decodedForRewrite(held, headerValue(up.headers, "content-encoding"), cap);
      if (!plain) {
        notRewritten = true;
        return held;
      }
      const rewritten = rewriter.json(plain, to);
      if (!rewritten) return held;
      delete resHeaders["content-encoding"];
      resHeaders["content-length"] = String(rewritten.length);
      return rewritten;
    };

    const record = async (up: IncomingMessage): Promise<void> => {
      const status = up.statusCode ?? 0;
      const reqType = headerValue(req.headers, "content-type");
      const resType = headerValue(up.headers, "content-type");
      const keep = (source: IncomingHttpHeaders, names: string[], redact: (name: string, v: string) => string): Record<string, string> => {
        const kept: Record<string, string> = {};
        for (const name of names) {
          const v = headerValue(source, name);
          if (v !== undefined) kept[name] = redact(name, v);
        }
        return kept;
      };
      const raw = responseCapture.over ? "too-large" : decoded(responseCapture.bytes(), headerValue(up.headers, "content-encoding"), cap);
      const tooLarge: string[] = [];
      if (requestCapture.over) tooLarge.push(`request body of ${requestCapture.size} bytes`);
      if (raw === "too-large") tooLarge.push(`response body of ${responseCapture.over ? `${responseCapture.size} bytes` : `over ${cap} bytes decoded`}`);
      const rawRequestBody = requestCapture.over ? undefined : requestCapture.bytes().toString("utf8");
      const rawResponseBody = raw === "too-large" ? `[not recorded: over ${cap} bytes]` : recordedBody(raw, resType);
      const full: Recording = {
        description: `${method} ${url.pathname}`,
        request: { method, url: url.href, ...(rawRequestBody ? { headers: reqType !== undefined ? { "content-type": reqType } : {}, body: rawRequestBody } : {}) },
        response: { status, headers: keep(up.headers, KEPT_RESPONSE_HEADERS, (_, v) => v), body: rawResponseBody },
      };
      // Validated as sent; recorded redacted. A body over the cap is not validated at all (half a body would give false findings).
      const result = tooLarge.length > 0 ? undefined : checker.validate(full, `exchange ${exchange}`);
      const recording: Recording = {
        description: `${method} ${url.pathname}${tooLarge.length > 0 ? ` (not validated: ${tooLarge.join(", ")} over the ${cap}-byte cap)` : ""}`,
        source: `proxied ${started.toISOString()}`,
        request: {
          method,
          url: redactor.url(url.href),
          ...(rawRequestBody ? { headers: keep(req.headers, KEPT_REQUEST_HEADERS, (_, v) => redactor.text(v)), body: redactor.params(rawRequestBody) } : {}),
        },
        response: {
          status,
          headers: keep(up.headers, KEPT_RESPONSE_HEADERS, (name, v) => (name === "location" ? signedUrl(v) : redactor.text(v))),
          body: redactor.json(redactRedirects(rawResponseBody)),
        },
      };
      // Last: anything that repeats a removed value (an error message quoting a secret).
      const clean = redactor.scrub(recording);
      const opId = result?.operationId ?? validator.matchOperation(method, url.href)?.operationId ?? null;
      if (tooLarge.length > 0) report({ kind: "body-too-large", exchange, method, url: clean.request.url, operationId: opId, where: requestCapture.over ? "request.body" : "response.body", message: `${tooLarge.join(" and ")} forwarded but not recorded or validated (cap ${cap} bytes)${notRewritten ? "; the response went to the client unmodified, its URLs not rewritten" : ""}`, fails: true });
      if (result) {
        const base = { exchange, method, url: clean.request.url, operationId: result.operationId };
        for (const p of result.errors) report({ kind: "error", ...base, ...problem(p), fails: true });
        for (const p of result.warnings) report({ kind: "warning", ...base, ...problem(p), fails: strict });
        for (const p of result.specTooStrict) report({ kind: "spec-too-strict", ...base, ...problem(p), fails: strict });
      }
      const har = () => harEntry(clean, started, up.httpVersion);
      if (out) await out.append(exchange, clean, har);
      counts.recorded++;
      try {
        options.onExchange?.({ exchange, recording: clean, result: result && redactor.scrub(result) });
      } catch {
        // A throwing listener must not take an exchange down with it.
      }
    };
  };

  const server = createServer({ requestTimeout: 0 }, (req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      // Nothing above should throw; if it does, one exchange fails, not the proxy.
      report({ kind: "bad-request", exchange: counts.exchanges, where: "request", message: `could not be proxied: ${oneLine(e)}`, fails: true });
      if (!res.headersSent) res.writeHead(400, { Connection: "close" }).end();
      else res.destroy();
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // Bytes that are not HTTP (bad request line, invalid header, garbage): 400 and hang up.
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    counts.exchanges++;
    report({ kind: "bad-request", exchange: counts.exchanges, where: "request", message: `malformed HTTP request: ${err.code ?? oneLine(err)}`, fails: true });
    socket.end("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 12\r\n\r\nBad Request\n");
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  listeningUrl = `http://${shownHost}:${address.port}`;

  let closed: Promise<ProxySummary> | undefined;
  const close = (): Promise<ProxySummary> =>
    (closed ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const pending = [...inflight];
      if (pending.length > 0) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
        await Promise.race([Promise.all(pending.map((p) => p.done)), timeout]);
        clearTimeout(timer);
        for (const p of inflight) p.abort();
      }
      for (const socket of sockets) socket.destroy();
      await stopped;
      await out?.close();
      return { ...counts, findings: { ...counts.findings } };
    })());

  return { url: listeningUrl, summary: () => ({ ...counts, findings: { ...counts.findings } }), close };
}

function problem(p: Problem): Pick<ProxyFinding, "where" | "message" | "expected" | "found"> {
  return { where: p.where, message: p.message, ...(p.expected !== undefined ? { expected: p.expected } : {}), ...(p.found !== undefined ? { found: p.found } : {}) };
}

/** A recording as a HAR 1.2 entry (the fields the conformance CLI reads, and the ones HAR requires). */
function harEntry(recording: Recording, started: Date, httpVersion: string): unknown {
  const headers = (h: Record<string, string> | undefined) => Object.entries(h ?? {}).map(([name, value]) => ({ name, value }));
  const body = recording.response.body;
  const text = body === null ? "" : typeof body === "string" ? body : JSON.stringify(body);
  const location = recording.response.headers?.location ?? "";
  return {
    startedDateTime: started.toISOString(),
    time: Math.max(0, Date.now() - started.getTime()),
    request: {
      method: recording.request.method,
      url: recording.request.url,
      httpVersion: `HTTP/${httpVersion}`,
      cookies: [],
      headers: headers(recording.request.headers),
      queryString: [...new URL(recording.request.url).searchParams].map(([name, value]) => ({ name, value })),
      ...(recording.request.body !== undefined ? { postData: { mimeType: recording.request.headers?.["content-type"] ?? "", text: recording.request.body } } : {}),
      headersSize: -1,
      bodySize: recording.request.body === undefined ? 0 : Buffer.byteLength(recording.request.body),
    },
    response: {
      status: recording.response.status,
      statusText: "",
      httpVersion: `HTTP/${httpVersion}`,
      cookies: [],
      headers: headers(recording.response.headers),
      content: { size: Buffer.byteLength(text), mimeType: recording.response.headers?.["content-type"] ?? "", text },
      redirectURL: location,
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
    comment: recording.description,
  };
}
