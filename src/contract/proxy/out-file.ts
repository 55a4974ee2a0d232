/**
 * The proxy's out file: NDJSON (one recording per line), HAR 1.2, or a
 * directory of recordings. Whatever stops the proxy (close, a signal, SIGKILL
 * of it or of its parent), what it wrote is valid: every NDJSON line and
 * every HAR entry goes out in one positioned write, and the HAR is complete
 * JSON after each entry (the entry is written over the previous `]}}` tail,
 * and a new tail after it); a recording file is written beside its name and
 * renamed.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Recording } from "../types.js";
import type { ProxyFormat } from "./options.js";

const HAR_HEAD =
  '{"log":{"version":"1.2","creator":{"name":"twilio-video-conformance proxy","version":"1"},"entries":[';
const HAR_TAIL = "\n]}}\n";

/** The out file, appended one exchange at a time; writes are serialized and each resolves once handed to the OS. */
export class OutFile {
  private file: FileHandle | undefined;
  /** Where the next write starts (HAR: where its tail starts). */
  private position = 0;
  /** Whether an entry was written (HAR: the next one needs a comma). */
  private wrote = false;
  private chain: Promise<void> = Promise.resolve();

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
    try {
      out.file = await open(path, "w");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EISDIR") throw e;
      throw new Error(
        `${path} is a directory: pass --format recordings (format: "recordings") to write one file per exchange ` +
          "there, or name a file",
      );
    }
    if (format === "har") await out.put(`${HAR_HEAD}${HAR_TAIL}`, HAR_HEAD.length);
    return out;
  }

  /** Writes `text` at the current position in one call, then moves the position `advance` bytes on. */
  private async put(text: string, advance?: number): Promise<void> {
    const bytes = Buffer.from(text);
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.file!.write(bytes, done, bytes.length - done, this.position + done);
      done += bytesWritten;
    }
    this.position += advance ?? bytes.length;
  }

  /** Appends one exchange; `har` builds its HAR entry (only called for HAR). */
  append(exchange: number, recording: Recording, har: () => unknown): Promise<void> {
    const run = async (): Promise<void> => {
      const first = !this.wrote;
      this.wrote = true;
      if (this.format === "ndjson") return this.put(`${JSON.stringify(recording)}\n`);
      if (this.format === "har") {
        const entry = `${first ? "\n" : ",\n"}${JSON.stringify(har())}`;
        return this.put(`${entry}${HAR_TAIL}`, Buffer.byteLength(entry));
      }
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
    const file = this.file;
    this.file = undefined;
    await file?.close();
  }
}

/** A recording as a HAR 1.2 entry (the fields the conformance CLI reads, and the ones HAR requires). */
export function harEntry(recording: Recording, started: Date, httpVersion: string): unknown {
  const headers = (h: Record<string, string> | undefined) =>
    Object.entries(h ?? {}).map(([name, value]) => ({ name, value }));
  const body = recording.response.body;
  const text = body === null ? "" : typeof body === "string" ? body : JSON.stringify(body);
  const { request, response } = recording;
  return {
    startedDateTime: started.toISOString(),
    time: Math.max(0, Date.now() - started.getTime()),
    request: {
      method: request.method,
      url: request.url,
      httpVersion: `HTTP/${httpVersion}`,
      cookies: [],
      headers: headers(request.headers),
      queryString: [...new URL(request.url).searchParams].map(([name, value]) => ({ name, value })),
      ...(request.body !== undefined
        ? { postData: { mimeType: request.headers?.["content-type"] ?? "", text: request.body } }
        : {}),
      headersSize: -1,
      bodySize: request.body === undefined ? 0 : Buffer.byteLength(request.body),
    },
    response: {
      status: response.status,
      statusText: "",
      httpVersion: `HTTP/${httpVersion}`,
      cookies: [],
      headers: headers(response.headers),
      content: { size: Buffer.byteLength(text), mimeType: response.headers?.["content-type"] ?? "", text },
      redirectURL: response.headers?.location ?? "",
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
    comment: recording.description,
  };
}
