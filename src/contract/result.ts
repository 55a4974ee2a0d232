/**
 * The one place a {@link RecordingResult} is assembled. Every check returns
 * its findings by bucket; this fills the buckets it left out and decides
 * `ok`, so a new bucket is added here and in types.ts, not at every return.
 */
import type { Problem, RecordingResult } from "./types.js";

export type Buckets = Pick<RecordingResult, "errors" | "warnings" | "specTooStrict">;

/** Whether a recording with these findings passes: no errors, and when strict no spec-too-strict findings either. */
export function passes(found: Partial<Buckets>, strict: boolean): boolean {
  return (found.errors?.length ?? 0) === 0 && (!strict || (found.specTooStrict?.length ?? 0) === 0);
}

export function recordingResult(operationId: string | null, found: Partial<Buckets>, strict = false): RecordingResult {
  return {
    operationId,
    ok: passes(found, strict),
    errors: found.errors ?? [],
    warnings: found.warnings ?? [],
    specTooStrict: found.specTooStrict ?? [],
  };
}

/** A result that failed before any spec check (unreadable input, a broken recording). */
export function failedResult(errors: Problem[]): RecordingResult {
  return recordingResult(null, { errors });
}
