/**
 * The emulator's clock. Every lifecycle step (room timeouts, recordings
 * finishing, compositions progressing) is a timer on this clock rather than a
 * bare setTimeout, so tests can jump minutes ahead in one call and still see
 * the steps happen in the order and at the instants the real service would.
 *
 * "real" mode: time flows with the wall clock (plus whatever was advanced) and
 * due timers fire by themselves. "manual" mode: time stands still until
 * `advance()` is called, which makes timestamps fully deterministic.
 */

export type ClockMode = "real" | "manual";

/** How the emulator's clock runs: `mode` and the emulated start time. */
export interface ClockOptions {
  mode?: ClockMode;
  /** Emulated time at start (default: now). */
  start?: Date | number | string;
}

export interface TimerHandle {
  cancel(): void;
  readonly at: number;
}

interface Timer {
  id: number;
  at: number;
  run: () => void;
  cancelled: boolean;
}

export class EmulatorClock {
  readonly mode: ClockMode;
  private readonly base: number;
  private readonly realBase = Date.now();
  private offset = 0;
  private timers: Timer[] = [];
  private nextId = 0;
  private wake: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(options: ClockOptions = {}) {
    this.mode = options.mode ?? "real";
    this.base = options.start === undefined ? Date.now() : new Date(options.start).getTime();
    if (Number.isNaN(this.base)) throw new TypeError("clock.start is not a valid date");
  }

  /** Emulated time in ms since the epoch. */
  now(): number {
    const elapsed = this.mode === "real" ? Date.now() - this.realBase : 0;
    return this.base + elapsed + this.offset;
  }

  /** Runs `run` once the emulated clock reaches now + delayMs. */
  schedule(delayMs: number, run: () => void): TimerHandle {
    const timer: Timer = { id: this.nextId++, at: this.now() + Math.max(0, delayMs), run, cancelled: false };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
    this.arm();
    return {
      at: timer.at,
      cancel: () => {
        timer.cancelled = true;
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way
   * at its own instant, so a timer scheduled by another timer inside the
   * window fires too.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError("advance() takes a non-negative number of ms");
    const target = this.now() + ms;
    // Timers can schedule timers; the cap only guards against a runaway loop.
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = this.timers[0];
      if (!next || next.at > target) break;
      if (next.at > this.now()) this.offset += next.at - this.now();
      this.fire(next);
    }
    if (target > this.now()) this.offset += target - this.now();
    this.arm();
  }

  /** Fires the timers that are already due (the wall clock moved in real mode). */
  runDue(): void {
    if (this.running) return;
    this.running = true;
    try {
      for (let guard = 0; guard < 1_000_000; guard++) {
        const next = this.timers[0];
        if (!next || next.at > this.now()) break;
        this.fire(next);
      }
    } finally {
      this.running = false;
    }
    this.arm();
  }

  /** Number of pending timers (for tests and the control API). */
  pending(): number {
    return this.timers.length;
  }

  stop(): void {
    this.stopped = true;
    if (this.wake) clearTimeout(this.wake);
    this.timers = [];
  }

  private fire(timer: Timer): void {
    this.timers.shift();
    if (!timer.cancelled) timer.run();
  }

  /** In real mode, wakes up for the next timer so callbacks go out without any request arriving. */
  private arm(): void {
    if (this.mode !== "real" || this.stopped) return;
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    const next = this.timers[0];
    if (!next) return;
    // setTimeout's limit is ~24.8 days; re-arming handles anything longer.
    const delay = Math.min(Math.max(0, next.at - this.now()), 2 ** 31 - 1);
    this.wake = setTimeout(() => this.runDue(), delay);
    this.wake.unref();
  }
}
