// The shared deadline timer (src/core/deadlines.ts) driven by hand: a fake
// timer seam and a fake clock pin when it is armed, for how long, when it
// is unref'd (nothing in flight) and ref'd again, and when it is cleared.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Deadlines, type Deadline, type Timers } from "../../src/core/deadlines.js";

interface FakeTimer {
  id: number;
  ms: number;
  callback: () => void;
  refs: number;
  unrefs: number;
  cleared: boolean;
}

/** Timers that record every call; `unrefable: false` is Deno's kind (numbers, no unref). */
function fakeTimers(processWide: boolean, unrefable = true) {
  const armed: FakeTimer[] = [];
  const timers: Timers = {
    processWide,
    setTimeout(callback, ms) {
      const timer: FakeTimer = { id: armed.length, ms, callback, refs: 0, unrefs: 0, cleared: false };
      armed.push(timer);
      if (!unrefable) return timer.id;
      return Object.assign(timer, {
        ref: () => void timer.refs++,
        unref: () => void timer.unrefs++,
      });
    },
    clearTimeout(handle) {
      const timer = typeof handle === "number" ? armed[handle] : (handle as FakeTimer);
      if (timer) timer.cleared = true;
    },
  };
  return { timers, armed };
}

function entry(log: string[], name: string): Deadline {
  return { deadline: 0, previous: undefined, next: undefined, queued: false, expire: () => log.push(name) };
}

let clock = 1000;
function useClock() {
  clock = 1000;
  vi.spyOn(performance, "now").mockImplementation(() => clock);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the shared timer of a client (wheel mode)", () => {
  it("is armed once for the first attempt, for the client's timeout, and not again for attempts with later deadlines", () => {
    useClock();
    const { timers, armed } = fakeTimers(true);
    const queue = new Deadlines(500, timers);
    const log: string[] = [];
    queue.add(entry(log, "a"));
    clock += 10;
    queue.add(entry(log, "b"));
    expect(armed.map((t) => t.ms)).toEqual([500]);
    expect(armed[0]!.unrefs).toBe(0);
  });

  it("is unref'd when the last attempt leaves, and ref'd again (not re-armed) when the next one comes", () => {
    useClock();
    const { timers, armed } = fakeTimers(true);
    const queue = new Deadlines(500, timers);
    const log: string[] = [];
    const a = entry(log, "a");
    const b = entry(log, "b");
    queue.add(a);
    queue.add(b);
    queue.remove(a);
    expect(armed[0]!.unrefs).toBe(0); // b is still in flight
    queue.remove(b);
    expect(armed[0]!.unrefs).toBe(1);
    expect(armed[0]!.cleared).toBe(false);
    clock += 5;
    queue.add(entry(log, "c"));
    expect(armed[0]!.refs).toBe(1);
    expect(armed).toHaveLength(1);
    // Busy again: a further attempt neither refs nor arms anything.
    queue.add(entry(log, "d"));
    expect(armed[0]!.refs).toBe(1);
    expect(armed).toHaveLength(1);
  });

  it("where timers cannot be unref'd (Deno), an idle queue clears its timer and the next attempt arms a new one", () => {
    useClock();
    const { timers, armed } = fakeTimers(true, false);
    const queue = new Deadlines(500, timers);
    const log: string[] = [];
    const a = entry(log, "a");
    queue.add(a);
    queue.remove(a);
    expect(armed[0]!.cleared).toBe(true);
    clock += 100;
    queue.add(entry(log, "b"));
    expect(armed.map((t) => t.ms)).toEqual([500, 500]);
    expect(armed[1]!.cleared).toBe(false);
  });

  it("an idle unref'd timer that fires finds nothing due, and the next attempt arms a fresh one", () => {
    useClock();
    const { timers, armed } = fakeTimers(true);
    const queue = new Deadlines(500, timers);
    const log: string[] = [];
    const a = entry(log, "a");
    queue.add(a);
    queue.remove(a);
    clock += 500;
    armed[0]!.callback();
    expect(log).toEqual([]);
    expect(armed).toHaveLength(1);
    queue.add(entry(log, "b"));
    expect(armed).toHaveLength(2);
    expect(armed[1]!.ms).toBe(500);
  });

  it("a shorter timeout than the one armed clears the timer and arms one for the shorter deadline", () => {
    useClock();
    const { timers, armed } = fakeTimers(true);
    const queue = new Deadlines(500, timers);
    const log: string[] = [];
    queue.add(entry(log, "long"));
    queue.add(entry(log, "short"), 50);
    expect(armed[0]!.cleared).toBe(true);
    expect(armed.map((t) => t.ms)).toEqual([500, 50]);
    clock += 50;
    armed[1]!.callback();
    expect(log).toEqual(["short"]);
    // Re-armed for what is left of the long one.
    expect(armed[2]!.ms).toBe(450);
  });

  it("an equal or later deadline while the timer waits does not re-arm it", () => {
    useClock();
    const { timers, armed } = fakeTimers(true);
    const queue = new Deadlines(500, timers);
    const log: string[] = [];
    queue.add(entry(log, "a"));
    queue.add(entry(log, "same"), 500);
    queue.add(entry(log, "later"), 900);
    expect(armed).toHaveLength(1);
    expect(armed[0]!.cleared).toBe(false);
  });

  it("fires every due attempt in deadline order, leaves the others, and re-arms for the earliest one left", () => {
    useClock();
    const { timers, armed } = fakeTimers(true);
    const queue = new Deadlines(300, timers);
    const log: string[] = [];
    queue.add(entry(log, "t300"));
    queue.add(entry(log, "t100"), 100);
    queue.add(entry(log, "t200"), 200);
    queue.add(entry(log, "t1000"), 1000);
    clock += 200;
    armed.at(-1)!.callback();
    expect(log).toEqual(["t100", "t200"]);
    expect(armed.at(-1)!.ms).toBe(100);
    clock += 100;
    armed.at(-1)!.callback();
    expect(log).toEqual(["t100", "t200", "t300"]);
    expect(armed.at(-1)!.ms).toBe(700);
  });

  it("a timer that fires a fraction of a millisecond early re-arms for at least 1 ms, rounded up", () => {
    useClock();
    const { timers, armed } = fakeTimers(true);
    const queue = new Deadlines(100, timers);
    const log: string[] = [];
    queue.add(entry(log, "a"));
    clock += 99.7;
    armed[0]!.callback();
    expect(log).toEqual([]);
    expect(armed[1]!.ms).toBe(1);
    clock += 0.1; // still 0.2 ms early
    armed[1]!.callback();
    expect(armed[2]!.ms).toBe(1);
    clock += 0.2;
    armed[2]!.callback();
    expect(log).toEqual(["a"]);
    expect(armed).toHaveLength(3);
  });

  it("rounds a re-arm up to the next whole millisecond, so it never fires before the deadline", () => {
    useClock();
    const { timers, armed } = fakeTimers(true);
    const queue = new Deadlines(100, timers);
    const log: string[] = [];
    queue.add(entry(log, "a"));
    clock += 10.5;
    queue.add(entry(log, "b"));
    clock += 89.5;
    armed[0]!.callback();
    expect(log).toEqual(["a"]);
    expect(armed[1]!.ms).toBe(11);
  });

  it("an attempt removed before its deadline is never expired, and the entries around it stay linked", () => {
    useClock();
    const { timers, armed } = fakeTimers(true);
    const queue = new Deadlines(100, timers);
    const log: string[] = [];
    const a = entry(log, "a");
    const b = entry(log, "b");
    const c = entry(log, "c");
    queue.add(a);
    queue.add(b);
    queue.add(c);
    queue.remove(b);
    expect(b.queued).toBe(false);
    expect(b.previous).toBeUndefined();
    expect(b.next).toBeUndefined();
    expect(a.next).toBe(c);
    expect(c.previous).toBe(a);
    queue.remove(c);
    expect(a.next).toBeUndefined();
    clock += 100;
    armed[0]!.callback();
    expect(log).toEqual(["a"]);
    // The head left: the queue is empty and the timer is not re-armed.
    expect(armed).toHaveLength(1);
  });

  it("removing the head links the queue to the next entry, which then expires alone", () => {
    useClock();
    const { timers, armed } = fakeTimers(true);
    const queue = new Deadlines(100, timers);
    const log: string[] = [];
    const a = entry(log, "a");
    const b = entry(log, "b");
    queue.add(a);
    clock += 1;
    queue.add(b);
    queue.remove(a);
    expect(b.previous).toBeUndefined();
    clock += 100;
    armed[0]!.callback();
    expect(log).toEqual(["b"]);
    expect(armed[0]!.unrefs).toBe(0);
  });
});

describe("own timers (Workers and unknown runtimes)", () => {
  it("each attempt arms its own timer for its timeout and clears it when it leaves", () => {
    const { timers, armed } = fakeTimers(false);
    const queue = new Deadlines(250, timers);
    expect(queue.wheel).toBe(false);
    const log: string[] = [];
    const a = entry(log, "a");
    const b = entry(log, "b");
    queue.add(a);
    queue.add(b, 40);
    expect(armed.map((t) => t.ms)).toEqual([250, 40]);
    queue.remove(a);
    expect(armed[0]!.cleared).toBe(true);
    expect(a.timer).toBeUndefined();
    armed[1]!.callback();
    expect(log).toEqual(["b"]);
    expect(b.queued).toBe(false);
    expect(b.timer).toBeUndefined();
    // Removing an expired attempt clears nothing more.
    queue.remove(b);
    expect(armed[1]!.cleared).toBe(false);
  });

  it("a timer that fires after its attempt left does not expire it", () => {
    const { timers, armed } = fakeTimers(false);
    const queue = new Deadlines(250, timers);
    const log: string[] = [];
    const a = entry(log, "a");
    queue.add(a);
    queue.remove(a);
    armed[0]!.callback();
    expect(log).toEqual([]);
  });
});
