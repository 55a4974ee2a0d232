/**
 * A HAR capture, streamed into work items: the byte scanner (har-scan.ts)
 * splits `log.entries` as the file is read, and consecutive entries are packed
 * into one buffer per item, which a worker thread receives by transfer (not
 * copied) and parses there. The reading thread never parses an entry, so
 * `--jobs` scales HAR checking with the cores, and memory holds a bounded
 * window of items whatever the file's size (the caller awaits each item's
 * submission before reading on).
 */
import { DEFAULT_MAX_ITEM_BYTES, failure, MAX_DEPTH, mib, overLimit, type WorkItem } from "./check.js";
export { DEFAULT_MAX_ITEM_BYTES } from "./check.js";
import { HarScanner, HarSyntaxError, type HarPiece } from "./har-scan.js";

/** One item carries up to this many entry bytes (or one larger entry): small enough to spread over the workers. */
const PACK_BYTES = 64 * 1024;
const PACK_ENTRIES = 64;

export interface HarStreamContext {
  /** Called with each chunk's byte length as the input is read (progress). */
  onBytes?: (n: number) => void;
  /** An entry larger than this is one failing result, skipped without being kept (default 64 MiB). */
  maxItemBytes?: number;
}

/** Consecutive entries gathered into one buffer. */
class Packer {
  private parts: Buffer[] = [];
  private ends: number[] = [];
  private indices: number[] = [];
  private size = 0;

  constructor(private readonly name: string) {}

  /** Adds one piece; answers the items it completes, in order. */
  add(piece: HarPiece, maxItemBytes: number): WorkItem[] {
    const at = `${this.name}#/log/entries/${piece.index}`;
    if (piece.kind === "too-deep")
      return [
        ...this.flush(),
        { t: "res", result: failure(at, `JSON nested deeper than ${MAX_DEPTH} levels; not checked`) },
      ];
    if (piece.kind === "too-large") {
      const message = `entry of ${piece.size} bytes is ${overLimit(maxItemBytes)}`;
      return [...this.flush(), { t: "res", result: failure(at, message, "entry") }];
    }
    for (const part of piece.parts) this.parts.push(part);
    this.size += piece.size;
    this.ends.push(this.size);
    this.indices.push(piece.index);
    return this.size >= PACK_BYTES || this.ends.length >= PACK_ENTRIES ? this.flush() : [];
  }

  flush(): WorkItem[] {
    if (this.ends.length === 0) return [];
    // A buffer of its own (never a pooled slice), so it can be transferred to a worker whole.
    const bytes = new Uint8Array(new ArrayBuffer(this.size));
    let at = 0;
    for (const part of this.parts) {
      bytes.set(part, at);
      at += part.length;
    }
    const item: WorkItem = { t: "har", bytes, ends: this.ends, indices: this.indices, name: this.name };
    this.parts = [];
    this.ends = [];
    this.indices = [];
    this.size = 0;
    return [item];
  }
}

/**
 * The entries of a HAR capture as work items, in order. A capture that breaks
 * off (truncated, not JSON) keeps the entries read before the break and ends
 * with one failure for the file naming the byte where it broke; one that is
 * not HAR (no top-level `log.entries`) is one failure for the file.
 */
export async function* harItems(
  stream: AsyncIterable<Buffer | string>,
  name: string,
  context: HarStreamContext,
): AsyncGenerator<WorkItem> {
  const maxItemBytes = context.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES;
  const scanner = new HarScanner({ maxEntryBytes: maxItemBytes, maxDepth: MAX_DEPTH });
  const packer = new Packer(name);
  const broken = (e: HarSyntaxError): WorkItem => ({
    t: "res",
    result: failure(name, `cannot read HAR: ${e.message}`),
  });
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    context.onBytes?.(bytes.length);
    for (const piece of scanner.push(bytes)) for (const item of packer.add(piece, maxItemBytes)) yield item;
    // The chunk's buffer may be reused for the next read: what is kept of it is copied now.
    yield* packer.flush();
    if (scanner.error) {
      yield* packer.flush();
      yield broken(scanner.error);
      return;
    }
  }
  yield* packer.flush();
  try {
    scanner.end();
  } catch (e) {
    if (!(e instanceof HarSyntaxError)) throw e;
    yield broken(e);
    return;
  }
  if (!scanner.foundEntries) {
    const hint = name.toLowerCase().endsWith(".har")
      ? ""
      : ` (a file over ${mib(maxItemBytes)} is read as a HAR capture, never whole)`;
    yield { t: "res", result: failure(name, `not a HAR file (expected log.entries)${hint}`) };
  }
}
