/**
 * One unit of conformance work, the same in the main thread and in a worker:
 * a recording file to read, an NDJSON line to parse, or a recording already
 * extracted from a HAR stream. Whatever the input holds, the outcome is a
 * list of results (a failure with one clear line for unreadable, malformed or
 * hostile input), never an exception.
 */
import { readFileSync, statSync } from "node:fs";
import { harEntryToRecording, isHar } from "./har.js";
import { parseBaseUrls, type BaseUrl } from "./operations.js";
import { failedResult } from "./result.js";
import { SpecSchemaError } from "./spec-compile.js";
import type { ContractValidator, Recording, RecordingResult } from "./types.js";

export interface FileResult extends RecordingResult {
  /** The recording file, or `file.har#/log/entries/3`, or `file.ndjson:12` (1-based line). */
  file: string;
}

export type WorkItem =
  /** A recording file (or a whole-document HAR named *.json). `path` is bytes when the name is not UTF-8. */
  | { t: "file"; path: string | Uint8Array; name: string }
  /** One NDJSON line. */
  | { t: "line"; text: string; name: string }
  /** A recording extracted from a streamed HAR. */
  | { t: "rec"; recording: Recording; name: string }
  /**
   * Consecutive entries of a streamed HAR, as raw JSON packed in one buffer of its own (transferred to a worker,
   * not copied): entry k is `bytes[ends[k-1] ?? 0, ends[k])`, number `indices[k]` in `log.entries`.
   */
  | { t: "har"; bytes: Uint8Array; ends: number[]; indices: number[]; name: string }
  /** A result decided without validation (an unreadable entry, say). */
  | { t: "res"; result: FileResult };

export interface Outcome {
  results: FileResult[];
  /** Entries inside the item that were skipped, by reason. */
  skipped?: Record<string, number>;
}

/** The `where` of a result that is a problem of the spec, not of the recording (a schema that does not compile). */
export const SPEC_PROBLEM = "spec";

/** Deeper than any Twilio body by far; deep enough nesting overflows the stack of any recursive checker. */
export const MAX_DEPTH = 256;

export function failure(file: string, message: string, where = "file"): FileResult {
  return { file, ...failedResult([{ where, message }]) };
}

/** Whether a parsed JSON value nests deeper than `limit` (iterative: deep input must not overflow here either). */
export function tooDeep(value: unknown, limit = MAX_DEPTH): boolean {
  if (value === null || typeof value !== "object") return false;
  // Two flat stacks, not one of pairs: this runs on every recording, and pairs cost an allocation per node.
  const nodes: object[] = [value];
  const depths: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth >= limit) return true;
    if (Array.isArray(node)) {
      for (const child of node) {
        if (child !== null && typeof child === "object") {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key in node) {
      const child = (node as Record<string, unknown>)[key];
      if (child !== null && typeof child === "object") {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function oneLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split("\n")[0]!.slice(0, 300);
}

/** The largest entry, NDJSON line or recording file read by default. */
export const DEFAULT_MAX_ITEM_BYTES = 64 * 1024 * 1024;

/** The end of the message for an item over --max-item-mb. */
export const overLimit = (max: number): string => `larger than the ${mib(max)} limit (--max-item-mb); not read`;

/** A size for messages: `2 MiB`, `0.50 MiB`. */
export function mib(bytes: number): string {
  const value = bytes / (1024 * 1024);
  return `${Number.isInteger(value) ? value : value.toFixed(2)} MiB`;
}

const TOO_DEEP = `JSON nested deeper than ${MAX_DEPTH} levels; not checked`;

/** Texts this long are measured for depth before JSON.parse (which would build every level first). */
const PRESCAN_ABOVE = 1 << 20;

/** Whether JSON text nests deeper than `limit` (strings followed, so brackets in them do not count). */
export function textTooDeep(text: string, limit = MAX_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Jump to the closing quote, past escaped ones.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export class ItemChecker {
  private readonly bases: BaseUrl[];
  private readonly maxItemBytes: number;
  constructor(
    private readonly validator: ContractValidator,
    baseUrls: string[],
    limits: { maxItemBytes?: number } = {},
  ) {
    this.bases = parseBaseUrls(baseUrls);
    this.maxItemBytes = limits.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES;
  }

  /** JSON.parse, unless the text is large and nests too deep: then the failure to report. */
  private parse(text: string, name: string, what: string): { value: unknown } | { result: FileResult } {
    if (text.length > PRESCAN_ABOVE && textTooDeep(text)) return { result: failure(name, TOO_DEEP) };
    try {
      return { value: JSON.parse(text) };
    } catch (e) {
      return { result: failure(name, `${what}: ${oneLine(e)}`) };
    }
  }

  validate(recording: unknown, file: string): FileResult {
    if (tooDeep(recording)) return failure(file, `JSON nested deeper than ${MAX_DEPTH} levels; not checked`);
    try {
      return { file, ...this.validator.validateRecording(recording as Recording) };
    } catch (e) {
      // A schema of the spec that does not compile is the spec's problem: the CLI reports it once (see SPEC_PROBLEM).
      if (e instanceof SpecSchemaError) return failure(file, e.message, SPEC_PROBLEM);
      // A validator bug must cost one result, not the run.
      return failure(file, `could not be checked: ${oneLine(e)}`);
    }
  }

  check(item: WorkItem): Outcome {
    switch (item.t) {
      case "res":
        return { results: [item.result] };
      case "rec":
        return { results: [this.validate(item.recording, item.name)] };
      case "line": {
        const parsed = this.parse(item.text, item.name, "not valid JSON");
        return { results: ["result" in parsed ? parsed.result : this.validate(parsed.value, item.name)] };
      }
      case "file":
        return this.checkFile(item.path, item.name);
      case "har":
        return this.checkHarEntries(item);
    }
  }

  private checkHarEntries(item: Extract<WorkItem, { t: "har" }>): Outcome {
    const bytes = Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength);
    const results: FileResult[] = [];
    const skipped: Record<string, number> = {};
    let start = 0;
    item.ends.forEach((end, k) => {
      const index = item.indices[k]!;
      const at = `${item.name}#/log/entries/${index}`;
      const text = bytes.toString("utf8", start, end);
      start = end;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        results.push(failure(at, `entry is not valid JSON: ${oneLine(e)}`, "entry"));
        return;
      }
      // The scanner already refused entries nested too deep (har-scan.ts).
      const outcome = this.entry(value, index, at, false);
      if ("skip" in outcome) skipped[outcome.skip] = (skipped[outcome.skip] ?? 0) + 1;
      else results.push(outcome.result);
    });
    return { results, skipped };
  }

  private checkFile(path: string | Uint8Array, name: string): Outcome {
    let text: string;
    try {
      const file = typeof path === "string" ? path : Buffer.from(path);
      // Files over the limit are streamed as HAR (inputs.ts); this holds if one grew since it was listed.
      const size = statSync(file).size;
      if (size > this.maxItemBytes) {
        return { results: [failure(name, `file of ${size} bytes is ${overLimit(this.maxItemBytes)}`)] };
      }
      text = readFileSync(file, "utf8");
    } catch (e) {
      const code = (e as { code?: string }).code;
      return {
        results: [
          failure(
            name,
            code === "ERR_STRING_TOO_LONG"
              ? "too large to read whole; name a HAR capture *.har to stream it"
              : `cannot read file: ${oneLine(e)}`,
          ),
        ],
      };
    }
    const parsed = this.parse(text, name, "not valid JSON");
    if ("result" in parsed) return { results: [parsed.result] };
    const value = parsed.value;
    if (!isHar(value)) return { results: [this.validate(value, name)] };
    // A whole-document HAR saved as *.json: small by construction (it was read whole).
    const results: FileResult[] = [];
    const skipped: Record<string, number> = {};
    (value as { log: { entries: unknown[] } }).log.entries.forEach((entry, index) => {
      const at = `${name}#/log/entries/${index}`;
      const outcome = this.entry(entry, index, at);
      if ("skip" in outcome) skipped[outcome.skip] = (skipped[outcome.skip] ?? 0) + 1;
      else results.push(outcome.result);
    });
    return { results, skipped };
  }

  /** A HAR entry → its result, or why it was skipped. */
  entry(entry: unknown, index: number, at: string, measure = true): { result: FileResult } | { skip: string } {
    if (measure && tooDeep(entry)) return { result: failure(at, TOO_DEEP) };
    const outcome = harEntryToRecording(entry, index, this.bases);
    if ("skip" in outcome) return outcome;
    if ("failure" in outcome) return { result: failure(at, outcome.failure, "entry") };
    return { result: this.validate(outcome.recording, at) };
  }
}
