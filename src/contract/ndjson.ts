/**
 * NDJSON (a file or stdin) into work items, one per line, in bounded memory:
 * a line longer than the cap is never gathered. Its bytes are dropped as they
 * arrive until the next newline, and it becomes one failing result naming its
 * line, while the lines after it are read as usual. Lines end at "\n", "\r\n"
 * or a lone "\r", as readline splits them.
 */
import { DEFAULT_MAX_ITEM_BYTES, failure, mib, type WorkItem } from "./check.js";

export const SKIP_EMPTY_LINE = "empty NDJSON line";

export interface NdjsonContext {
  onBytes?: (n: number) => void;
  onSkip: (reason: string) => void;
  /** A line longer than this (in bytes) is one failing result (default 64 MiB). */
  maxItemBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;

/** NDJSON: one recording per line (blank lines skipped); `name:line` names each. */
export async function* ndjsonItems(
  stream: AsyncIterable<Buffer | string>,
  name: string,
  context: NdjsonContext,
): AsyncGenerator<WorkItem> {
  const max = context.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES;
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let n = 0;
  /** The line gathered so far ends here: answers its items (a lone "\r" inside splits it, as in readline). */
  const lineEnds = function* (): Generator<WorkItem> {
    if (tooLong) {
      n++;
      yield {
        t: "res",
        result: failure(
          `${name}:${n}`,
          `line of ${size} bytes is longer than the ${mib(max)} limit (--max-item-mb); not read`,
        ),
      };
    } else {
      let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
      if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, -1);
      if (n === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      const text = bytes.toString("utf8");
      for (const line of bytes.includes(CR) ? text.split("\r") : [text]) {
        n++;
        if (line.trim() === "") context.onSkip(SKIP_EMPTY_LINE);
        else yield { t: "line", text: line, name: `${name}:${n}` };
      }
    }
    parts = [];
    size = 0;
    tooLong = false;
  };
  for await (const raw of stream) {
    const chunk = typeof raw === "string" ? Buffer.from(raw) : raw;
    context.onBytes?.(chunk.length);
    // A "\r\n" split over two chunks needs no care: the "\r" stays with its line, which drops it at its end.
    let from = 0;
    for (;;) {
      const newline = chunk.indexOf(LF, from);
      const end = newline === -1 ? chunk.length : newline;
      size += end - from;
      if (!tooLong && size > max) {
        tooLong = true;
        parts = [];
      }
      // A line going on past the chunk outlives it (its buffer may be reused for the next read): copied.
      else if (!tooLong && end > from)
        parts.push(newline === -1 ? Buffer.from(chunk.subarray(from, end)) : chunk.subarray(from, end));
      if (newline === -1) break;
      yield* lineEnds();
      from = newline + 1;
    }
  }
  if (size > 0 || tooLong) yield* lineEnds();
}
