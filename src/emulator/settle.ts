/**
 * "Wait until the emulator has finished": advance the clock from one
 * pending timer to the next until only standing timers are left, so a test
 * gets its recordings and compositions to `completed` in one call instead of
 * `advance()` and a polling loop. Standing timers are the ones that wait for
 * something to happen rather than for work to finish (a room's empty or
 * unused timeout, a participant's maximum duration): settling does not end
 * rooms or disconnect people by itself. Bounded in simulated time and in
 * steps, since a schedule that keeps re-arming would otherwise never settle.
 */
import type { EmulatorClock } from "./clock.js";
import { EmulatorError } from "./errors.js";
import type { Store } from "./store.js";

/** Bounds of one `settle()`. */
export interface SettleOptions {
  /** Most emulated time to advance, ms (default 24 h). */
  maxMs?: number | undefined;
  /** Most timer instants to step through (default 10,000). */
  maxSteps?: number | undefined;
}

/** What one `settle()` did. */
export interface SettleResult {
  /** Emulated ms advanced. */
  advancedMs: number;
  /** Timer instants stepped through. */
  steps: number;
  /** Standing timers still pending (room timeouts, participants' maximum durations). */
  standingTimers: number;
}

/** The bounds `settle()` uses when none are given: 24 h of emulated time, 10,000 timer instants. */
export const DEFAULT_SETTLE: { readonly maxMs: number; readonly maxSteps: number } = {
  maxMs: 24 * 3_600_000,
  maxSteps: 10_000,
};

/**
 * Pending timers that wait for an event rather than for work: in-progress
 * rooms' timeouts, participants' maximum durations.
 */
export function standingTimers(store: Store): number {
  let count = 0;
  for (const room of store.roomsWithStatus("in-progress").toArray()) {
    if (room.timeout?.pending) count++;
    for (const p of store.participantsOf(room)) if (p.maxDurationTimer?.pending) count++;
  }
  return count;
}

/** A control API body's settle bounds; a non-number is refused by settleClock's checks. */
export function settleOptions(body: Record<string, unknown>): SettleOptions {
  const number = (v: unknown) => (v === undefined ? undefined : typeof v === "number" ? v : Number.NaN);
  return { maxMs: number(body.maxMs), maxSteps: number(body.maxSteps) };
}

function bound(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 0)
    throw new EmulatorError(400, 20001, `settle: ${name} must be a whole number, 0 or more (got ${String(value)})`);
  return v;
}

/**
 * Advances `clock` timer by timer until no more than `standing()` timers are
 * pending. Throws a 409 EmulatorError, clock left where it stopped, when that
 * takes more than maxMs of emulated time or maxSteps timer instants.
 */
export function settleClock(clock: EmulatorClock, standing: () => number, options: SettleOptions = {}): SettleResult {
  const maxMs = bound(options.maxMs, DEFAULT_SETTLE.maxMs, "maxMs");
  const maxSteps = bound(options.maxSteps, DEFAULT_SETTLE.maxSteps, "maxSteps");
  const start = clock.now();
  for (let steps = 0; ; steps++) {
    const left = standing();
    const next = clock.nextAt();
    if (next === undefined || clock.pending() <= left)
      return { advancedMs: clock.now() - start, steps, standingTimers: left };
    if (steps >= maxSteps || next - start > maxMs) {
      const why = steps >= maxSteps ? `${maxSteps} timer steps` : `${maxMs} ms of emulated time`;
      throw new EmulatorError(
        409,
        20001,
        `settle: still ${clock.pending() - left} timers of pending work after ${why} ` +
          `(advanced ${clock.now() - start} ms); ` +
          "something keeps scheduling work, or needs a larger maxMs/maxSteps",
      );
    }
    clock.advance(Math.max(0, next - clock.now()));
  }
}
