/**
 * Per-attempt timeouts of one client, in one of two modes chosen once per
 * runtime, because whether a timer outlives the request that armed it is a
 * property of the runtime:
 *
 * - **Wheel** (Node, Bun, Deno: one event loop per process, timers are
 *   process-wide). All attempts of a client share one timer, armed for the
 *   earliest deadline and re-armed from its own callback for the next. It
 *   replaces a `setTimeout`/`clearTimeout` pair per attempt, which on Node
 *   builds and drops a timer list per sequential request (a measurable share
 *   of a GET on node:http; bench/ measures it). When nothing is in flight the
 *   timer must not keep a process alive: it is unref'd where timers can be
 *   (Node, Bun) and cleared elsewhere (Deno). Worst case: one wake-up per
 *   `timeoutMs` while calls are in flight, plus one per attempt that times out.
 *
 * - **Own timer** (everywhere else: Cloudflare Workers, browsers, runtimes we
 *   do not recognise). Each attempt arms its own timer in `add` and clears it
 *   in `remove`. On Workers a timer belongs to the I/O context of the request
 *   that armed it and is cancelled when that request finishes, so the wheel
 *   armed by request A stops covering request B the moment A returns (issue
 *   #21: B then never timed out). Here no attempt relies on a timer another
 *   request armed, and no request clears another's timer: `add` and `remove`
 *   both run in the attempt's own request (the transport calls them around
 *   its own `await`), so the timer lives as long as the attempt does. That is
 *   correct on any runtime, which is why it is the default for unknown ones.
 *   Worst case: one `setTimeout` + `clearTimeout` per attempt.
 *
 * The wheel is picked only on positive identification (`navigator.userAgent`
 * of Node 21+, Bun and Deno; on Node 20, which has no `navigator`,
 * `process.release.name === "node"`). Workers always report
 * `navigator.userAgent === "Cloudflare-Workers"` and get their own timers even
 * under `nodejs_compat`, which adds a `process`.
 *
 * Timeouts may differ per attempt: the wheel's list is kept sorted by
 * deadline, inserting from the tail, which is O(1) when they are all equal.
 */

/** One attempt's place in the queue; `expire` is called when its deadline passes first. */
export interface Deadline {
  deadline: number;
  previous: Deadline | undefined;
  next: Deadline | undefined;
  queued: boolean;
  /** Own-timer mode: the attempt's timer. */
  timer?: unknown;
  expire(): void;
}

/** The timer functions used, and whether they are process-wide (a test seam; defaults to the globals). */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  /** Whether a timer keeps working after the request that armed it finished, so attempts may share one. */
  processWide: boolean;
}

type Unrefable = { ref?: () => void; unref?: () => void };

/** True only where timers are known to belong to the process, not to a request (see header). */
export function processWideTimers(): boolean {
  const agent = (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent;
  if (typeof agent === "string") return /^(Node\.js|Bun|Deno)\//.test(agent);
  return (globalThis as { process?: { release?: { name?: unknown } } }).process?.release?.name === "node";
}

let globalTimers: Timers | undefined;
function defaultTimers(): Timers {
  globalTimers ??= {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
    processWide: processWideTimers(),
  };
  return globalTimers;
}

export class Deadlines {
  private head: Deadline | undefined;
  private tail: Deadline | undefined;
  /** Wheel mode: the shared timer and the deadline it was armed for. */
  private timer: unknown;
  private armedFor = Infinity;
  /** Whether the timer is unref'd, because nothing was in flight. */
  private idle = false;
  /** Wheel mode: timers are process-wide, so attempts of this client may share resources across requests. */
  readonly wheel: boolean;

  constructor(
    private readonly timeoutMs: number,
    private readonly timers: Timers = defaultTimers(),
  ) {
    this.wheel = timers.processWide;
  }

  /** Starts the clock of `entry`: it expires `timeoutMs` (default: the client's) from now unless removed first. */
  add(entry: Deadline, timeoutMs = this.timeoutMs): void {
    entry.deadline = performance.now() + timeoutMs;
    entry.queued = true;
    if (!this.wheel) {
      entry.timer = this.timers.setTimeout(() => {
        if (!entry.queued) return;
        entry.queued = false;
        entry.timer = undefined;
        entry.expire();
      }, timeoutMs);
      return;
    }
    // Sorted insert from the tail: equal timeouts append.
    let after = this.tail;
    while (after !== undefined && after.deadline > entry.deadline) after = after.previous;
    entry.previous = after;
    entry.next = after ? after.next : this.head;
    if (entry.next) entry.next.previous = entry;
    else this.tail = entry;
    if (after) after.next = entry;
    else this.head = entry;

    if (this.timer === undefined) this.arm(timeoutMs, entry.deadline);
    else if (entry.deadline < this.armedFor) {
      // A shorter timeout than the one the timer waits for.
      this.timers.clearTimeout(this.timer);
      this.arm(timeoutMs, entry.deadline);
    } else if (this.idle) {
      (this.timer as Unrefable).ref?.();
      this.idle = false;
    }
  }

  /** Stops the clock of `entry` (a no-op when it already expired). */
  remove(entry: Deadline): void {
    if (!entry.queued) return;
    entry.queued = false;
    if (!this.wheel) {
      this.timers.clearTimeout(entry.timer);
      entry.timer = undefined;
      return;
    }
    if (entry.previous) entry.previous.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.previous = entry.previous;
    else this.tail = entry.previous;
    entry.previous = entry.next = undefined;
    if (this.head === undefined && this.timer !== undefined) this.rest();
  }

  /** Nothing in flight: the armed timer may fire later, but must not hold the process open. */
  private rest(): void {
    const timer = this.timer as Unrefable;
    if (typeof timer.unref === "function") {
      timer.unref();
      this.idle = true;
    } else {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
      this.armedFor = Infinity;
    }
  }

  private arm(ms: number, deadline: number): void {
    this.idle = false;
    this.armedFor = deadline;
    this.timer = this.timers.setTimeout(this.fire, ms);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = performance.now();
    while (this.head !== undefined && this.head.deadline <= now) {
      const due = this.head;
      this.remove(due);
      due.expire();
    }
    // Timers may fire a fraction of a millisecond before the clock agrees.
    if (this.head !== undefined) this.arm(Math.max(1, Math.ceil(this.head.deadline - now)), this.head.deadline);
  };
}
