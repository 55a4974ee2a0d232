/**
 * One unit of conformance work, the same in the main thread and in a worker:
 * a recording file to read, an NDJSON line to parse, or a recording already
 * extracted from a HAR stream. Whatever the input holds, the outcome is a
 * list of results (a failure with one clear line for unreadable, malformed or
 * hostile input), never an exception.
 */
import { readFileSync } from "node:fs";
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
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node))
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}

function oneLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split("\n")[0]!.slice(0, 300);
}

export class ItemChecker {
  private readonly bases: BaseUrl[];
  constructor(
    private readonly validator: ContractValidator,
    private readonly baseUrls: string[],
  ) {
    this.bases = parseBaseUrls(baseUrls);
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
        let value: unknown;
        try {
          value = JSON.parse(item.text);
        } catch (e) {
          return { results: [failure(item.name, `not valid JSON: ${oneLine(e)}`)] };
        }
        return { results: [this.validate(value, item.name)] };
      }
      case "file":
        return this.checkFile(item.path, item.name);
    }
  }

  private checkFile(path: string | Uint8Array, name: string): Outcome {
    let text: string;
    try {
      text = readFileSync(typeof path === "string" ? path : Buffer.from(path), "utf8");
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
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return { results: [failure(name, `not valid JSON: ${oneLine(e)}`)] };
    }
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
  entry(entry: unknown, index: number, at: string): { result: FileResult } | { skip: string } {
    if (tooDeep(entry)) return { result: failure(at, `JSON nested deeper than ${MAX_DEPTH} levels; not checked`) };
    const outcome = harEntryToRecording(entry, index, this.bases);
    if ("skip" in outcome) return outcome;
    if ("failure" in outcome) return { result: failure(at, outcome.failure, "entry") };
    return { result: this.validate(outcome.recording, at) };
  }
}
