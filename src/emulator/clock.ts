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

import { logLine } from "./log.js";

/** "real": time flows and can be advanced; "manual": time moves only when advanced. */
export type ClockMode = "real" | "manual";

/** How the emulator's clock runs: `mode` and the emulated start time. */
export interface ClockOptions {
  mode?: ClockMode | undefined;
  /** Emulated time at start (default: now). */
  start?: Date | number | string | undefined;
}

export interface TimerHandle {
  cancel(): void;
  readonly at: number;
  /** Still waiting to fire (not fired, not cancelled). */
  readonly pending: boolean;
}

interface Timer {
  id: number;
  at: number;
  run: () => void;
  cancelled: boolean;
}

/** (at, id) order: due time, then scheduling order. */
const before = (a: Timer, b: Timer): boolean => a.at < b.at || (a.at === b.at && a.id < b.id);

/**
 * Pending timers in a binary min-heap, so scheduling and firing cost
 * O(log n) however many rooms hold a timeout. Cancelled timers stay in the
 * heap, marked, until they surface or a compaction drops them.
 */
class TimerHeap {
  private items: Timer[] = [];
  private cancelledCount = 0;

  get live(): number {
    return this.items.length - this.cancelledCount;
  }

  push(timer: Timer): void {
    this.items.push(timer);
    this.up(this.items.length - 1);
  }

  /** The earliest live timer, without removing it. */
  peek(): Timer | undefined {
    while (this.items[0]?.cancelled) {
      this.pop();
      this.cancelledCount--;
    }
    return this.items[0];
  }

  pop(): Timer | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (top && last && top !== last) {
      this.items[0] = last;
      this.down(0);
    }
    return top;
  }

  cancel(timer: Timer): void {
    if (timer.cancelled) return;
    timer.cancelled = true;
    this.cancelledCount++;
    // Rooms re-arm their timeout on every join and leave: drop the dead weight now and then.
    if (this.cancelledCount > 1024 && this.cancelledCount > this.live) {
      this.items = this.items.filter((t) => !t.cancelled);
      this.cancelledCount = 0;
      for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.down(i);
    }
  }

  clear(): void {
    for (const timer of this.items) timer.cancelled = true;
    this.items = [];
    this.cancelledCount = 0;
  }

  private up(i: number): void {
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const items = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < items.length && before(items[l]!, items[min]!)) min = l;
      if (r < items.length && before(items[r]!, items[min]!)) min = r;
      if (min === i) return;
      [items[i], items[min]] = [items[min]!, items[i]!];
      i = min;
    }
  }
}

export class EmulatorClock {
  readonly mode: ClockMode;
  private readonly base: number;
  private readonly realBase = Date.now();
  private offset = 0;
  private readonly timers = new TimerHeap();
  private nextId = 0;
  private wake: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(options: ClockOptions = {}) {
    this.mode = options.mode ?? "real";
    this.base = options.start === undefined ? Date.now() : new Date(options.start).getTime();
    if (Number.isNaN(this.base)) throw new TypeError("clock.start is not a valid date");
  }

  /** Wall-clock time (ms) when this clock was made: when the emulator started. */
  get wallStart(): number {
    return this.realBase;
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
    this.arm();
    return {
      at: timer.at,
      cancel: () => this.timers.cancel(timer),
      get pending() {
        return !timer.cancelled;
      },
    };
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way
   * at its own instant, so a timer scheduled by another timer inside the
   * window fires too.
   */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError("advance() takes a finite, non-negative number of ms");
    const target = this.now() + ms;
    // Timers can schedule timers; the cap only guards against a runaway loop.
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = this.timers.peek();
      if (!next || next.at > target) break;
      if (next.at > this.now()) this.offset += next.at - this.now();
      this.fire();
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
        const next = this.timers.peek();
        if (!next || next.at > this.now()) break;
        this.fire();
      }
    } finally {
      this.running = false;
    }
    this.arm();
  }

  /** When the earliest pending timer falls due (emulated ms), or undefined when none is pending. */
  nextAt(): number | undefined {
    return this.timers.peek()?.at;
  }

  /** Number of pending timers (for tests and the control API). */
  pending(): number {
    return this.timers.live;
  }

  /** Cancels every pending timer (reset: the records they would act on are gone). */
  cancelAll(): void {
    this.timers.clear();
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
  }

  stop(): void {
    this.stopped = true;
    this.cancelAll();
  }

  /** Runs the earliest timer. A step that throws is logged, never thrown into advance() or the event loop. */
  private fire(): void {
    const timer = this.timers.pop();
    if (!timer || timer.cancelled) return;
    timer.cancelled = true;
    try {
      timer.run();
    } catch (error) {
      console.error(
        logLine(
          `a lifecycle step failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        ),
      );
    }
  }

  /** In real mode, wakes up for the next timer so callbacks go out without any request arriving. */
  private arm(): void {
    if (this.mode !== "real" || this.stopped) return;
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    const next = this.timers.peek();
    if (!next) return;
    // setTimeout's limit is ~24.8 days; re-arming handles anything longer.
    const delay = Math.min(Math.max(0, next.at - this.now()), 2 ** 31 - 1);
    this.wake = setTimeout(() => this.runDue(), delay);
    this.wake.unref();
  }
}
