/**
 * The traffic log: the latest authenticated API exchanges, kept in the
 * contract suite's recording format so the contract validator and the
 * conformance CLI can check what the emulator answered. Authorization headers
 * are never kept.
 *
 * It is a ring buffer bounded by entry count and by bytes (see
 * {@link TrafficLogOptions}): a long-running emulator keeps the newest
 * exchanges and counts the ones it dropped, so memory stays flat whatever
 * it is sent. Requests that fail authentication are never recorded.
 */
import { mkdir, realpath, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Recording } from "../contract/index.js";
import { RECORDED_RESPONSE_HEADERS } from "../contract/recording-format.js";
import { EmulatorError } from "./errors.js";
import { trimTrailingSlashes } from "./glob.js";

/** One API exchange with the emulator, in the contract recording format. */
export type TrafficRecording = Recording;

/** The response headers a traffic recording keeps: the recorder's and the proxy's allow-list. */
export function recordedResponseHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (RECORDED_RESPONSE_HEADERS.includes(name.toLowerCase())) kept[name.toLowerCase()] = value;
  return kept;
}

interface Entry {
  /** The operation the request matched, when it matched one (names the written file). */
  operationId: string | undefined;
  /**
   * The recording as UTF-8 JSON. Kept as one buffer rather than an object
   * graph: a full log of list pages would otherwise be millions of small
   * objects for the garbage collector to mark on every major collection,
   * and the byte bound counts real bytes.
   */
  json: Buffer;
}

/** Options of `Emulator.writeRecordings()`. */
export interface WriteRecordingsOptions {
  /**
   * Origin written into the recordings in place of the emulator's (default
   * `https://video.twilio.com`), so they validate like recordings of the real
   * API; pass `null` to keep the emulator's URLs.
   */
  baseUrl?: string | null | undefined;
}

/** Bounds of the traffic log. When either is reached, the oldest exchanges are dropped first. */
export interface TrafficLogOptions {
  /** Most exchanges kept (default 1,000; 0 keeps none). */
  maxEntries?: number | undefined;
  /** Most bytes kept, counted as the recordings' UTF-8 JSON (default 32 MiB). */
  maxBytes?: number | undefined;
}

/**
 * The traffic log's default bounds: the last 1,000 exchanges, and at most
 * 32 MiB of recordings (UTF-8 JSON); the oldest are dropped first. Pass
 * `trafficLog` to the emulator to keep more or less.
 */
export const DEFAULT_TRAFFIC_LOG: { readonly maxEntries: number; readonly maxBytes: number } = {
  maxEntries: 1000,
  maxBytes: 32 * 1024 * 1024,
};

export class TrafficLog {
  private entries: Entry[] = [];
  /** Index of the oldest kept entry in `entries` (the ring's head). */
  private head = 0;
  private bytes = 0;
  private droppedCount = 0;
  private readonly limits: { maxEntries: number; maxBytes: number };

  constructor(options: TrafficLogOptions = {}) {
    // Field by field: an option given as undefined means the default (a spread would copy the undefined).
    this.limits = {
      maxEntries: options.maxEntries ?? DEFAULT_TRAFFIC_LOG.maxEntries,
      maxBytes: options.maxBytes ?? DEFAULT_TRAFFIC_LOG.maxBytes,
    };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isSafeInteger(value) || value < 0)
        throw new TypeError(`trafficLog.${name} must be a whole number, 0 or more`);
    }
  }

  /** Exchanges kept now. */
  get size(): number {
    return this.entries.length - this.head;
  }

  /** Exchanges dropped to stay within the limits since the last clear. */
  get dropped(): number {
    return this.droppedCount;
  }

  add(recording: Recording, operationId?: string): void {
    this.push({ json: Buffer.from(JSON.stringify(recording)), operationId });
  }

  /** Adds a recording whose response body is given as JSON text (`bodyJson`), as the server already serialised it. */
  addSerialized(
    recording: Omit<Recording, "response"> & { response: Omit<Recording["response"], "body"> },
    bodyJson: string,
    operationId?: string,
  ): void {
    const head = JSON.stringify(recording);
    // `{…,"response":{…}}` → `{…,"response":{…,"body":<bodyJson>}}`
    this.push({ json: Buffer.from(`${head.slice(0, -2)},"body":${bodyJson}}}`), operationId });
  }

  private push(entry: Entry): void {
    this.entries.push(entry);
    this.bytes += entry.json.length;
    while (this.size > 0 && (this.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes)) {
      this.bytes -= this.entries[this.head]!.json.length;
      this.entries[this.head++] = undefined as unknown as Entry;
      this.droppedCount++;
    }
    // Compact once the dropped prefix is as long as what is kept: amortised O(1) per add.
    if (this.head > 64 && this.head >= this.size) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  private kept(): Entry[] {
    return this.entries.slice(this.head);
  }

  list(): TrafficRecording[] {
    return this.kept().map((e) => JSON.parse(e.json.toString("utf8")) as TrafficRecording);
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
    this.droppedCount = 0;
  }

  /** Writes one JSON file per exchange (`0001-CreateRoom.json`, …); answers with the paths written. */
  async write(dir: string, apiOrigin: string, options: WriteRecordingsOptions = {}): Promise<string[]> {
    const target = options.baseUrl === undefined ? "https://video.twilio.com" : options.baseUrl;
    // Trimmed once, without a regex: baseUrl comes from control requests, and /\/+$/ is quadratic on slashes.
    const origin = target ? trimTrailingSlashes(target) : "";
    await mkdir(dir, { recursive: true });
    const files: string[] = [];
    let n = 0;
    for (const { operationId, json } of this.kept()) {
      let text = JSON.stringify(JSON.parse(json.toString("utf8")), null, 2);
      if (target) text = text.replaceAll(apiOrigin, origin);
      const file = join(dir, `${String(++n).padStart(4, "0")}-${operationId ?? "unmatched"}.json`);
      await writeFile(file, `${text}\n`);
      files.push(file);
    }
    return files;
  }
}

/**
 * `dir` (relative) resolved inside `root`, created if missing. Refuses
 * absolute paths, `..` escapes and symlinks that lead out of `root`.
 */
export async function folderUnder(root: string, dir: string): Promise<string> {
  const refuse = (why: string) =>
    new EmulatorError(400, 20001, `"dir" ${why}; it names a folder inside the emulator's recordings folder`);
  if (dir.includes("\0")) throw refuse("contains a NUL character");
  if (isAbsolute(dir)) throw refuse("is an absolute path");
  const wanted = resolve(root, dir);
  const rel = relative(resolve(root), wanted);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw refuse("leads out of the recordings folder");
  const realRoot = await realpath(root);
  const inside = (path: string) => {
    const r = relative(realRoot, path);
    return !(r === ".." || r.startsWith(`..${sep}`) || isAbsolute(r));
  };
  // Check the deepest folder that exists before creating anything, so a link cannot make us create folders elsewhere.
  let existing = wanted;
  for (;;) {
    const real = await realpath(existing).catch(() => undefined);
    if (real !== undefined) {
      if (!inside(real)) throw refuse("leads out of the recordings folder through a link");
      break;
    }
    existing = dirname(existing);
  }
  await mkdir(wanted, { recursive: true });
  const realWanted = await realpath(wanted);
  if (!inside(realWanted)) throw refuse("leads out of the recordings folder through a link");
  return realWanted;
}
