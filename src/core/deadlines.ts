/**
 * The per-attempt timeouts of one client on a single timer. Every attempt of
 * a client has the same timeout, so deadlines come in the order attempts
 * start: a list kept sorted by appending, and one timer armed for its
 * earliest entry. It replaces a `setTimeout`/`clearTimeout` pair per
 * attempt, which on Node builds and drops a timer list per sequential
 * request (5% of a GET on node:http, measured in bench/).
 *
 * When nothing is in flight the timer must not keep a process alive: it is
 * unref'd where timers can be (Node, Bun) and cleared elsewhere (Deno,
 * browsers, Workers). Worst case: one wake-up per `timeoutMs` while calls
 * are in flight, plus one for each attempt that actually times out.
 */

/** One attempt's place in the queue; `expire` is called when its deadline passes first. */
export interface Deadline {
  deadline: number;
  previous: Deadline | undefined;
  next: Deadline | undefined;
  queued: boolean;
  expire(): void;
}

type Timer = ReturnType<typeof setTimeout>;

export class Deadlines {
  private head: Deadline | undefined;
  private tail: Deadline | undefined;
  private timer: Timer | undefined;
  /** Whether the timer is unref'd, because nothing was in flight. */
  private idle = false;

  constructor(private readonly timeoutMs: number) {}

  /** Starts the clock of `entry`: it expires `timeoutMs` from now unless removed first. */
  add(entry: Deadline): void {
    entry.deadline = performance.now() + this.timeoutMs;
    entry.previous = this.tail;
    entry.next = undefined;
    entry.queued = true;
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    if (this.timer === undefined) this.arm(this.timeoutMs);
    else if (this.idle) {
      (this.timer as { ref?: () => void }).ref?.();
      this.idle = false;
    }
  }

  /** Stops the clock of `entry` (a no-op when it already expired). */
  remove(entry: Deadline): void {
    if (!entry.queued) return;
    entry.queued = false;
    if (entry.previous) entry.previous.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.previous = entry.previous;
    else this.tail = entry.previous;
    entry.previous = entry.next = undefined;
    if (this.head === undefined && this.timer !== undefined) this.rest();
  }

  /** Nothing in flight: the armed timer may fire later, but must not hold the process open. */
  private rest(): void {
    const timer = this.timer as { unref?: () => void };
    if (typeof timer.unref === "function") {
      timer.unref();
      this.idle = true;
    } else {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private arm(ms: number): void {
    this.idle = false;
    this.timer = setTimeout(this.fire, ms);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    while (this.head !== undefined && this.head.deadline <= now) {
      const due = this.head;
      this.remove(due);
      due.expire();
    }
    // Timers may fire a fraction of a millisecond before the clock agrees.
    if (this.head !== undefined) this.arm(Math.max(1, Math.ceil(this.head.deadline - now)));
  };
}
