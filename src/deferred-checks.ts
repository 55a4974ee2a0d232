/**
 * The backlog of `validateResponses: "warn"` checks. A warning cannot change
 * what the caller gets, so the check runs after the call has returned, in a
 * macrotask: its CPU then overlaps with the wait for the next response instead
 * of adding to every call's latency.
 *
 * Worst case: the backlog holds at most `limit` response texts (the wire body,
 * never the object handed to the caller, so a caller mutating its result cannot
 * change the verdict). When responses arrive faster than they can be checked,
 * the newest are not checked; they are counted and one warning says how many,
 * so nothing is skipped silently and memory stays bounded.
 */

/** A check to run later; it reports through the client's onWarning itself. */
export type DeferredCheck = () => void;

export interface DeferredChecks {
  /** Queues a check; false (and counted) when the backlog is full. */
  add(check: DeferredCheck): boolean;
  /** Checks waiting now. */
  readonly pending: number;
  /** Checks dropped since the client was created. */
  readonly dropped: number;
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
  let dropped = 0;
  let unreported = 0;

  function drain(): void {
    scheduled = false;
    const start = Date.now();
    while (head < queue.length) {
      const check = queue[head]!;
      queue[head++] = undefined as unknown as DeferredCheck;
      try {
        check();
      } catch (error) {
        // A throwing onWarning or validator must not become an unhandled error in a timer.
        safeWarn(`validateResponses: a deferred response check failed: ${(error as Error)?.message ?? String(error)}`);
      }
      if (Date.now() - start >= SLICE_MS && head < queue.length) break;
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    }
    if (unreported > 0) {
      const count = unreported;
      unreported = 0;
      safeWarn(
        `validateResponses: ${count} response${count === 1 ? " was" : "s were"} not checked because ${limit} checks were already waiting (responses arrive faster than they can be validated; use "throw" to check every one)`,
      );
    }
    if (head < queue.length) schedule();
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
        dropped++;
        unreported++;
        schedule();
        return false;
      }
      queue.push(check);
      schedule();
      return true;
    },
    get pending() {
      return queue.length - head;
    },
    get dropped() {
      return dropped;
    },
  };
}
