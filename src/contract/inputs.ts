/**
 * What the conformance CLI reads: the paths it is given, walked into input
 * files, and the streams that turn HAR captures and NDJSON into work items.
 *
 * - Only regular files are read: a FIFO, socket or device named *.json is
 *   skipped (reading one would block forever), and counted with its reason.
 * - Directory entries are walked as bytes, so a file name that is not UTF-8
 *   is still opened (by its bytes) and shown with its odd bytes escaped.
 * - HAR captures (*.har, and *.json files over the size read whole) and NDJSON
 *   (*.ndjson, *.jsonl, `-` for stdin) are streamed: a HAR is split into
 *   entries by a byte scanner (har-scan.ts), NDJSON into lines, so memory does
 *   not grow with the input.
 */
import { type Dirent, lstatSync, readdirSync, statSync, type Stats } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";

export { DEFAULT_MAX_ITEM_BYTES, harItems } from "./har-stream.js";
export { ndjsonItems, SKIP_EMPTY_LINE } from "./ndjson.js";

export type InputKind = "json" | "har" | "ndjson";

export interface InputFile {
  kind: InputKind;
  /** Bytes when the name is not valid UTF-8 (so the file can still be opened). */
  path: string | Buffer;
  /** Relative to the working directory, odd bytes escaped. */
  name: string;
  size: number;
}

export interface Collected {
  files: InputFile[];
  /** Whether `-` (stdin, NDJSON) was named. */
  stdin: boolean;
  skipped: Record<string, number>;
  /** Paths given that do not exist. */
  missing: string[];
}

/** A *.json file above this size is streamed as HAR instead of read whole (V8 cannot hold a string over ~512 MB). */
const STREAM_JSON_ABOVE = 64 * 1024 * 1024;

export const SKIP_NOT_REGULAR = "not a regular file (FIFO, socket or device)";
export const SKIP_OTHER_TYPE = "not *.json, *.har, *.ndjson or *.jsonl";
export const SKIP_SCHEMA = "a JSON Schema (*.schema.json)";
export const SKIP_HIDDEN = "hidden or node_modules (not walked)";
export const SKIP_UNREADABLE = "unreadable (broken link or no permission)";
export const SKIP_WALKED = "a directory already walked (symlink loop)";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A file name for reports: valid UTF-8 sequences as text, every other byte as \xNN. */
export function displayName(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    let out = "";
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i]!;
      const length =
        b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      if (length > 0 && i + length <= bytes.length) {
        try {
          out += utf8.decode(bytes.subarray(i, i + length));
          i += length;
          continue;
        } catch {
          // not a valid sequence after all: escape the lead byte
        }
      }
      out += `\\x${b.toString(16).padStart(2, "0")}`;
      i++;
    }
    return out;
  }
}

/** `maxItemBytes`: a *.json larger than this (or than 64 MB) is streamed, never read whole. */
export function kindOf(name: string, size: number, maxItemBytes = STREAM_JSON_ABOVE): InputKind | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith(".har")) return "har";
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) return "ndjson";
  if (lower.endsWith(".schema.json")) return undefined;
  if (lower.endsWith(".json")) return size > Math.min(STREAM_JSON_ABOVE, maxItemBytes) ? "har" : "json";
  return undefined;
}

export function collectInputs(paths: string[], cwd: string, options: { maxItemBytes?: number } = {}): Collected {
  const wholeUpTo = Math.min(STREAM_JSON_ABOVE, options.maxItemBytes ?? STREAM_JSON_ABOVE);
  const out: Collected = { files: [], stdin: false, skipped: {}, missing: [] };
  const skip = (reason: string): void => {
    out.skipped[reason] = (out.skipped[reason] ?? 0) + 1;
  };
  const show = (full: string): string => {
    const rel = relative(cwd, full);
    return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? full : rel;
  };
  const consider = (path: string | Buffer, name: string, stat: Stats, explicit: boolean): void => {
    if (!stat.isFile()) return skip(SKIP_NOT_REGULAR);
    const base = name.slice(name.lastIndexOf("/") + 1);
    const kind = kindOf(base, stat.size, wholeUpTo);
    if (kind === undefined) {
      // A file named explicitly is read whatever its extension; in a walk, only known extensions are.
      if (explicit && !base.toLowerCase().endsWith(".schema.json")) {
        out.files.push({ kind: stat.size > wholeUpTo ? "har" : "json", path, name, size: stat.size });
      } else skip(base.toLowerCase().endsWith(".schema.json") ? SKIP_SCHEMA : SKIP_OTHER_TYPE);
      return;
    }
    out.files.push({ kind, path, name, size: stat.size });
  };
  const walked = new Set<string>();
  const walk = (dir: Buffer, dirName: string, stat: Stats): void => {
    // A symlink back up the tree would otherwise be walked forever.
    const id = `${stat.dev}:${stat.ino}`;
    if (walked.has(id)) return skip(SKIP_WALKED);
    walked.add(id);
    let entries: Dirent<Buffer>[];
    try {
      entries = readdirSync(dir, { withFileTypes: true, encoding: "buffer" }).sort((a, b) =>
        Buffer.compare(a.name, b.name),
      );
    } catch {
      return skip(SKIP_UNREADABLE);
    }
    for (const entry of entries) {
      const name = displayName(entry.name);
      if (name.startsWith(".") || name === "node_modules") {
        skip(SKIP_HIDDEN);
        continue;
      }
      const full = Buffer.concat([dir, Buffer.from("/"), entry.name]);
      const shown = `${dirName}/${name}`;
      let stat: Stats;
      try {
        // lstat: a symlink is followed only if it points at a regular file or a directory we then walk.
        stat = lstatSync(full);
        if (stat.isSymbolicLink()) stat = statSync(full);
      } catch {
        skip(SKIP_UNREADABLE);
        continue;
      }
      if (stat.isDirectory()) walk(full, shown, stat);
      else consider(utf8Safe(full), shown, stat, false);
    }
  };
  for (const path of paths) {
    if (path === "-") {
      out.stdin = true;
      continue;
    }
    const full = resolve(cwd, path);
    let stat: Stats;
    try {
      stat = statSync(full);
    } catch {
      out.missing.push(path);
      continue;
    }
    if (stat.isDirectory()) walk(Buffer.from(full), show(full), stat);
    else consider(full, show(full), stat, true);
  }
  return out;
}

/** A path as a string when its bytes are UTF-8 (the common case, cheaper to pass around), else the bytes. */
function utf8Safe(bytes: Buffer): string | Buffer {
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes;
  }
}

/** An optional peer is not installed: the run cannot go on, and the message says what to install. */
export class MissingPeerError extends Error {}

export interface StreamContext {
  baseUrls: string[];
  /** Called with each chunk's byte length as the input is read (progress). */
  onBytes?: (n: number) => void;
  onSkip: (reason: string) => void;
  /** The largest HAR entry, NDJSON line or recording file read (default 64 MiB); a larger one is one failing result. */
  maxItemBytes?: number;
}

/**
 * A file's bytes, read in turn into one reused buffer: each chunk is valid only until the next is asked for (the
 * readers copy what they keep). A stream would allocate a buffer per read, and on a fast path that allocates
 * little else, the garbage collector lets those pile up far past the bytes in use.
 */
export class FileChunks implements AsyncIterable<Buffer> {
  private handle: FileHandle | undefined;
  private closed = false;
  constructor(
    private readonly path: string | Buffer,
    private readonly size = 1 << 20,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    const handle = await open(this.path, "r");
    this.handle = handle;
    const buffer = Buffer.allocUnsafeSlow(this.size);
    try {
      while (!this.closed) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) return;
        yield buffer.subarray(0, bytesRead);
      }
    } finally {
      this.destroy();
    }
  }

  destroy(): void {
    this.closed = true;
    const handle = this.handle;
    this.handle = undefined;
    handle?.close().catch(() => {});
  }
}

export function openInput(file: InputFile): FileChunks {
  return new FileChunks(file.path);
}
