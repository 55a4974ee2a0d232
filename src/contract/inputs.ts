/**
 * What the conformance CLI reads: the paths it is given, walked into input
 * files, and the streams that turn HAR captures and NDJSON into work items.
 *
 * - Only regular files are read: a FIFO, socket or device named *.json is
 *   skipped (reading one would block forever), and counted with its reason.
 * - Directory entries are walked as bytes, so a file name that is not UTF-8
 *   is still opened (by its bytes) and shown with its odd bytes escaped.
 * - HAR captures (*.har, and *.json files too large to read whole) and NDJSON
 *   (*.ndjson, *.jsonl, `-` for stdin) are streamed: a HAR is parsed with
 *   stream-json one entry at a time, NDJSON one line at a time, so memory does
 *   not grow with the input.
 */
import { createReadStream, lstatSync, readdirSync, statSync, type Stats } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { createInterface } from "node:readline";
import { pipeline as streamPipeline, type Readable } from "node:stream";
import { failure, MAX_DEPTH, tooDeep, type WorkItem } from "./check.js";
import { harEntryToRecording } from "./har.js";
import { parseBaseUrls } from "./operations.js";

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
export const SKIP_EMPTY_LINE = "empty NDJSON line";
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
      const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
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

export function kindOf(name: string, size: number): InputKind | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith(".har")) return "har";
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) return "ndjson";
  if (lower.endsWith(".schema.json")) return undefined;
  if (lower.endsWith(".json")) return size > STREAM_JSON_ABOVE ? "har" : "json";
  return undefined;
}

export function collectInputs(paths: string[], cwd: string): Collected {
  const out: Collected = { files: [], stdin: false, skipped: {}, missing: [] };
  const skip = (reason: string): void => void (out.skipped[reason] = (out.skipped[reason] ?? 0) + 1);
  const show = (full: string): string => {
    const rel = relative(cwd, full);
    return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? full : rel;
  };
  const consider = (path: string | Buffer, name: string, stat: Stats, explicit: boolean): void => {
    if (!stat.isFile()) return skip(SKIP_NOT_REGULAR);
    const base = name.slice(name.lastIndexOf("/") + 1);
    const kind = kindOf(base, stat.size);
    if (kind === undefined) {
      // A file named explicitly is read whatever its extension; in a walk, only known extensions are.
      if (explicit && !base.toLowerCase().endsWith(".schema.json")) out.files.push({ kind: stat.size > STREAM_JSON_ABOVE ? "har" : "json", path, name, size: stat.size });
      else skip(base.toLowerCase().endsWith(".schema.json") ? SKIP_SCHEMA : SKIP_OTHER_TYPE);
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
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true, encoding: "buffer" }).sort((a, b) => Buffer.compare(a.name, b.name));
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
}

/** NDJSON: one recording per line (blank lines skipped); `name:line` names each. */
export async function* ndjsonItems(stream: Readable, name: string, context: StreamContext): AsyncGenerator<WorkItem> {
  if (context.onBytes) stream.on("data", (chunk: Buffer | string) => context.onBytes!(typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === "") {
      context.onSkip(SKIP_EMPTY_LINE);
      continue;
    }
    yield { t: "line", text: line, name: `${name}:${n}` };
  }
}

/**
 * A HAR capture, streamed: stream-json picks `log.entries` and assembles one
 * entry at a time. A HAR that is not JSON, or has no `log.entries`, yields one
 * failure for the file; entries already yielded stay checked.
 */
export async function* harItems(stream: Readable, name: string, context: StreamContext): AsyncGenerator<WorkItem> {
  // Loaded here, not at the top: stream-json is an optional peer, needed only for HAR captures.
  const [{ parser }, { pick }, { streamArray }] = await Promise.all([
    import("stream-json"),
    import("stream-json/filters/pick.js"),
    import("stream-json/streamers/stream-array.js"),
  ]).catch((e: unknown) => {
    throw (e as { code?: string }).code === "ERR_MODULE_NOT_FOUND" ? new MissingPeerError("reading HAR captures needs stream-json: npm install --save-dev stream-json") : e;
  });
  const bases = parseBaseUrls(context.baseUrls);
  if (context.onBytes) stream.on("data", (chunk: Buffer | string) => context.onBytes!(typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length));
  // The filter is anchored to the top level, so `log.entries` nested elsewhere never matches.
  const picked = pick.asStream({ filter: "log.entries", once: true });
  let sawEntries = false;
  picked.once("data", () => (sawEntries = true));
  // pipeline() destroys every stage on an error, which then ends the loop below with that error.
  const pipeline = streamPipeline(stream, parser.asStream({ streamValues: false }), picked, streamArray.asStream(), () => {});
  try {
    for await (const item of pipeline as AsyncIterable<{ key: number; value: unknown }>) {
      const at = `${name}#/log/entries/${item.key}`;
      if (tooDeep(item.value)) {
        yield { t: "res", result: failure(at, `JSON nested deeper than ${MAX_DEPTH} levels; not checked`) };
        continue;
      }
      const outcome = harEntryToRecording(item.value, item.key, bases);
      if ("skip" in outcome) context.onSkip(outcome.skip);
      else if ("failure" in outcome) yield { t: "res", result: failure(at, outcome.failure, "entry") };
      else yield { t: "rec", recording: outcome.recording, name: at };
    }
  } catch (e) {
    stream.destroy();
    const message = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    yield { t: "res", result: failure(name, `cannot read HAR: ${message}`) };
    return;
  }
  if (!sawEntries) yield { t: "res", result: failure(name, "not a HAR file (expected log.entries)") };
}

export function openInput(file: InputFile): Readable {
  return createReadStream(file.path, { highWaterMark: 1 << 20 });
}
