/**
 * The backlog of `validateResponses: "warn"` checks. A warning cannot change
 * what the caller gets, so the check runs after the call has returned, in a
 * macrotask: its CPU then overlaps with the wait for the next response instead
 * of adding to every call's latency.
 *
 * Worst case: the backlog holds at most `limit` response texts (the wire body,
 * never the object handed to the caller, so a caller mutating its result cannot
 * change the verdict). When responses arrive faster than they can be checked
 * and the backlog is full, the check runs at once, before the call returns
 * (backpressure): every response is still checked, memory stays bounded, and
 * the cost shows up only when the CPU could not keep up anyway. A first bench
 * version dropped the overflow instead; with 64 requests in flight on loopback
 * it skipped about half of all responses, which is not what "warn" promises.
 */

/** A check to run later; it reports through the client's onWarning itself. */
export type DeferredCheck = () => void;

export interface DeferredChecks {
  /** Queues a check; when the backlog is full, runs it now instead and answers false. */
  add(check: DeferredCheck): boolean;
  /** Checks waiting now (never more than the limit). */
  readonly pending: number;
  /** Checks that ran at once because the backlog was full. */
  readonly inline: number;
}

/** How many checks may wait; a page of 100 rooms is ~110 KB of text, so ~3.5 MB at most. */
export const DEFAULT_BACKLOG = 32;

// setImmediate where the runtime has it (Node, Bun, Deno); a zero timeout elsewhere (Workers, browsers).
const later: (run: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === "function"
    ? (run) => (globalThis as unknown as { setImmediate(run: () => void): void }).setImmediate(run)
    : (run) => void setTimeout(run, 0);

// One drain runs at most this long before yielding to I/O, so a burst of big
// pages never blocks the event loop for more than a few milliseconds.
const SLICE_MS = 4;

export function deferredChecks(onWarning: (message: string) => void, limit = DEFAULT_BACKLOG): DeferredChecks {
  const queue: DeferredCheck[] = [];
  let head = 0;
  let scheduled = false;
  let inline = 0;

  function drain(): void {
    scheduled = false;
    const start = Date.now();
    while (head < queue.length) {
      const check = queue[head]!;
      queue[head++] = undefined as unknown as DeferredCheck;
      run(check);
      if (Date.now() - start >= SLICE_MS && head < queue.length) break;
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    }
    if (head < queue.length) schedule();
  }

  function run(check: DeferredCheck): void {
    try {
      check();
    } catch (error) {
      // A throwing onWarning or validator must not become an unhandled error
      // in a timer, nor fail the call whose check ran inline.
      safeWarn(`validateResponses: a response check failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  function safeWarn(message: string): void {
    try {
      onWarning(message);
    } catch {
      // The caller's sink failed; there is nowhere left to report to.
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    later(drain);
  }

  return {
    add(check) {
      if (queue.length - head >= limit) {
        inline++;
        run(check);
        return false;
      }
      queue.push(check);
      schedule();
      return true;
    },
    get pending() {
      return queue.length - head;
    },
    get inline() {
      return inline;
    },
  };
}
