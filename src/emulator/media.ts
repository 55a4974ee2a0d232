/**
 * The storage host the media subresources redirect to. It is a separate
 * loopback listener (another origin, as the real storage host is another
 * host), its URLs are signed and expire on the emulator's clock, and like a
 * real pre-signed URL it refuses requests that carry an Authorization header,
 * so a client that leaks Twilio credentials to it fails loudly.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { EmulatorClock } from "./clock.js";
import { encodeContentDisposition } from "./disposition.js";
import type { Store } from "./store.js";

export type MediaKind = "recording" | "composition";

/**
 * The bytes of a file are generated, never stored: byte `i` is `i % 251`,
 * overwritten at the start by a line naming the resource. A download is
 * exactly the `size` the resource declares (a client that checks the length
 * or streams to disk sees what it would see with real media; no Range support), costs
 * no memory beyond one chunk, and is the same on every download. 251 (a prime)
 * keeps the pattern from lining up with power-of-two buffer sizes, so a lost
 * or repeated chunk changes the bytes; the chunk length is a multiple of it so
 * every chunk starts at phase 0.
 */
const PATTERN_PERIOD = 251;
const CHUNK = Buffer.from(Array.from({ length: PATTERN_PERIOD * 256 }, (_, i) => i % PATTERN_PERIOD));

/** The deterministic content of a media file of `size` bytes, in chunks. */
export function* mediaBytes(sid: string, size: number): Generator<Buffer> {
  const header = Buffer.from(`twilio-video-ts emulator media ${sid}\n`);
  for (let offset = 0; offset < size; offset += CHUNK.length) {
    const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, size - offset));
    if (offset > 0) {
      yield chunk;
      continue;
    }
    const first = Buffer.from(chunk);
    header.copy(first, 0, 0, Math.min(header.length, first.length));
    yield first;
  }
}

export class MediaHost {
  private readonly key = randomBytes(32);
  /** Origin of the media listener, set once it listens. */
  origin = "";

  constructor(
    private readonly store: Store,
    private readonly clock: EmulatorClock,
  ) {}

  private sign(path: string, expires: number, disposition: string): string {
    return createHmac("sha256", this.key).update(`${path}\n${expires}\n${disposition}`).digest("hex");
  }

  /** A signed URL valid for `ttlSeconds` of emulated time. */
  signedUrl(kind: MediaKind, sid: string, ttlSeconds: number, contentDisposition: string | undefined): string {
    const path = `/media/${kind}/${sid}`;
    const expires = Math.floor(this.clock.now() / 1000) + ttlSeconds;
    const disposition = contentDisposition ?? "";
    const query = new URLSearchParams({ Expires: String(expires) });
    if (disposition) query.set("Disposition", disposition);
    query.set("Signature", this.sign(path, expires, disposition));
    return `${this.origin}${path}?${query.toString()}`;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", this.origin);
    const reply = (status: number, text: string) => {
      res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(text);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return reply(405, "Method not allowed");
    if (req.headers.authorization)
      return reply(
        400,
        "InvalidArgument: only one authentication mechanism allowed; the URL is already signed, send no " +
          "Authorization header",
      );
    const m = /^\/media\/(recording|composition)\/([A-Z]{2}[0-9a-f]{32})$/.exec(url.pathname);
    const expires = Number(url.searchParams.get("Expires"));
    const disposition = url.searchParams.get("Disposition") ?? "";
    const given = Buffer.from(url.searchParams.get("Signature") ?? "", "hex");
    const wanted = Buffer.from(this.sign(url.pathname, expires, disposition), "hex");
    if (!m || given.length !== wanted.length || !timingSafeEqual(given, wanted))
      return reply(403, "AccessDenied: signature does not match");
    if (Math.floor(this.clock.now() / 1000) > expires) return reply(403, "AccessDenied: request has expired");
    const [, kind, sid] = m as unknown as [string, MediaKind, string];
    const file = this.describe(kind, sid);
    if (!file) return reply(404, "NoSuchKey");
    res.writeHead(200, {
      "Content-Type": file.contentType,
      "Content-Length": String(file.size),
      // Non-ASCII file names go out RFC 5987-encoded; as is, Node would throw on them.
      ...(disposition ? { "Content-Disposition": encodeContentDisposition(disposition) } : {}),
    });
    if (req.method === "HEAD" || file.size === 0) {
      res.end();
      return;
    }
    // Streamed with backpressure; a client that hangs up ends the stream (the
    // rejection only says the download was cut short, nothing to report).
    pipeline(Readable.from(mediaBytes(sid, file.size), { objectMode: false }), res).catch(() => undefined);
  }

  private describe(kind: MediaKind, sid: string): { size: number; contentType: string } | undefined {
    if (kind === "recording") {
      const r = this.store.recordings.get(sid);
      if (r?.status !== "completed") return undefined;
      return { size: r.size ?? 0, contentType: r.kind === "audio" ? "audio/x-matroska" : "video/x-matroska" };
    }
    const c = this.store.compositions.get(sid);
    if (c?.status !== "completed") return undefined;
    return { size: c.size ?? 0, contentType: c.format === "mp4" ? "video/mp4" : "video/webm" };
  }
}
