// Per-attempt timeouts on the client's one timer (src/core/deadlines.ts): each
// attempt still times out at its own deadline, and an idle client holds no
// process open.
import { AsyncLocalStorage } from "node:async_hooks";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { TwilioTimeoutError } from "../../src/index.js";
import { Deadlines, processWideTimers, type Deadline, type Timers } from "../../src/core/deadlines.js";
import { createTransport, type Exchange } from "../../src/core/transport.js";

const ORIGIN = "https://video.twilio.com";

/** An exchange whose answers the test releases (or never does); aborts reject, as a real exchange's do. */
function controlled() {
  const releases: Array<() => void> = [];
  const exchange: Exchange = (request, attempt) =>
    new Promise((resolve, reject) => {
      attempt.onabort = () => reject(attempt.reason);
      releases.push(() => resolve({ status: 200, headers: new Headers(), body: "{}", url: request.url }));
    });
  return { exchange, releases };
}

function send(exchange: Exchange, timeoutMs: number) {
  const transport = createTransport({
    exchange,
    authorization: "Basic x",
    origin: ORIGIN,
    userAgent: "t",
    timeoutMs,
    maxResponseBytes: 1024,
    maxRetries: 0,
  });
  return () => {
    const started = performance.now();
    return transport({ method: "GET", url: `${ORIGIN}/v1/Rooms`, headers: {} }).then(
      () => ({ ok: true, after: performance.now() - started }),
      (error: unknown) => ({ ok: false, error, after: performance.now() - started }),
    );
  };
}

describe("attempt deadlines on one timer", () => {
  it("a later attempt times out at its own deadline after the earlier one, whose deadline the timer was armed for, succeeded", async () => {
    const { exchange, releases } = controlled();
    const call = send(exchange, 120);
    const first = call();
    await new Promise((resolve) => setTimeout(resolve, 40));
    const second = call();
    releases[0]!();
    expect(await first).toMatchObject({ ok: true });
    const outcome = await second;
    expect(outcome.ok).toBe(false);
    expect((outcome as { error: unknown }).error).toBeInstanceOf(TwilioTimeoutError);
    // Not at the first deadline (80 ms into the second call), and not much later than its own.
    expect(outcome.after).toBeGreaterThanOrEqual(115);
    expect(outcome.after).toBeLessThan(1000);
  });

  it("many attempts in flight each time out, in order, and those answered in time are not touched", async () => {
    const { exchange, releases } = controlled();
    // Deadlines far beyond the 30 ms the six starts take, so a loaded machine
    // (or Stryker's instrumented run) cannot time out the two answered ones.
    const call = send(exchange, 600);
    const calls = [];
    for (let i = 0; i < 6; i++) {
      calls.push(call());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    releases[1]!();
    releases[4]!();
    const outcomes = await Promise.all(calls);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, false, false, true, false]);
    for (const o of outcomes.filter((o) => !o.ok))
      expect((o as { error: unknown }).error).toBeInstanceOf(TwilioTimeoutError);
  });

  it("removing an entry that already expired, or twice, changes nothing", () => {
    const queue = new Deadlines(1000);
    const entry: Deadline = { deadline: 0, previous: undefined, next: undefined, queued: false, expire: () => {} };
    queue.add(entry);
    queue.remove(entry);
    queue.remove(entry);
    expect(entry.queued).toBe(false);
  });

  it("a process that made one call exits when it is done, not when the call's 30 s timeout would have passed", () => {
    const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
    const program = `
      import { createServer } from "node:http";
      import { createVideoClient } from ${JSON.stringify(entry)};
      const server = createServer((req, res) => { res.writeHead(200, { "content-type": "application/json" }); res.end('{"sid":"RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c"}'); });
      server.listen(0, "127.0.0.1", async () => {
        const video = createVideoClient({ apiKeySid: "SK0123456789abcdef0123456789abcdef", apiKeySecret: "s", baseUrl: "http://127.0.0.1:" + server.address().port, timeoutMs: 30000 });
        await video.rooms.get("RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c");
        server.closeAllConnections();
        server.close();
        console.log("done");
      });`;
    const started = Date.now();
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", program], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(child.stdout.trim()).toBe("done");
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

/**
 * Timers as Cloudflare Workers (workerd) schedules them: each belongs to the
 * request whose code armed it and is cancelled when that request finishes. A
 * request is a `request(fn)` call; AsyncLocalStorage follows it through its
 * awaits the way workerd's I/O context does. Clearing another request's timer
 * is counted (workerd's timer ids are per request) and ignored.
 */
function requestScopedTimers(processWide: boolean) {
  const current = new AsyncLocalStorage<Set<ReturnType<typeof setTimeout>>>();
  let crossRequest = 0;
  let live = 0;
  const owners = new Map<ReturnType<typeof setTimeout>, Set<ReturnType<typeof setTimeout>>>();
  const timers: Timers = {
    processWide,
    setTimeout(callback, ms) {
      const owner = current.getStore();
      if (!owner) throw new Error("a timer armed outside any request");
      const timer = setTimeout(() => {
        owner.delete(timer);
        owners.delete(timer);
        live--;
        callback();
      }, ms);
      owner.add(timer);
      owners.set(timer, owner);
      live++;
      return timer;
    },
    clearTimeout(timer) {
      const owner = owners.get(timer as ReturnType<typeof setTimeout>);
      if (!owner) return;
      if (owner !== current.getStore()) return void crossRequest++;
      clearTimeout(timer as ReturnType<typeof setTimeout>);
      owner.delete(timer as ReturnType<typeof setTimeout>);
      owners.delete(timer as ReturnType<typeof setTimeout>);
      live--;
    },
  };
  async function request<T>(body: () => Promise<T>): Promise<T> {
    const own = new Set<ReturnType<typeof setTimeout>>();
    try {
      return await current.run(own, body);
    } finally {
      // The request is over: workerd drops whatever timers it still had.
      for (const timer of own) {
        clearTimeout(timer);
        owners.delete(timer);
        live--;
      }
    }
  }
  return { timers, request, crossRequest: () => crossRequest, live: () => live };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function entry(): Deadline & { expiredAt: number | undefined } {
  const started = performance.now();
  const e: Deadline & { expiredAt: number | undefined } = {
    deadline: 0,
    previous: undefined,
    next: undefined,
    queued: false,
    expiredAt: undefined,
    expire: () => {
      e.expiredAt = performance.now() - started;
    },
  };
  return e;
}

/** Request A answers after 20 ms; request B, started 10 ms in, never gets an answer and waits up to `waitMs` for its deadline. */
async function overlapping(queue: Deadlines, request: <T>(body: () => Promise<T>) => Promise<T>, waitMs: number) {
  const a = entry();
  const b = entry();
  const first = request(async () => {
    queue.add(a);
    await sleep(20);
    queue.remove(a);
  });
  await sleep(10);
  const second = request(async () => {
    queue.add(b);
    const until = performance.now() + waitMs;
    while (b.expiredAt === undefined && performance.now() < until) await sleep(10);
    queue.remove(b);
  });
  await Promise.all([first, second]);
  return { a, b };
}

describe("deadlines on request-scoped timers (Cloudflare Workers)", () => {
  it("the second of two overlapping requests on one client still times out after the first request finished and took its timers with it", async () => {
    const workerd = requestScopedTimers(false);
    const { a, b } = await overlapping(new Deadlines(100, workerd.timers), workerd.request, 1000);
    expect(a.expiredAt).toBeUndefined();
    expect(b.expiredAt).toBeGreaterThanOrEqual(95);
    expect(b.expiredAt).toBeLessThan(1000);
    // Every timer was armed and cleared by its own request, and none is left.
    expect(workerd.crossRequest()).toBe(0);
    expect(workerd.live()).toBe(0);
  });

  it("the simulation reproduces issue #21: the shared timer, armed by the first request, dies with it and the second never times out", async () => {
    const workerd = requestScopedTimers(true);
    const { b } = await overlapping(new Deadlines(100, workerd.timers), workerd.request, 400);
    expect(b.expiredAt).toBeUndefined();
  });

  it("an attempt answered in time on request-scoped timers leaves no timer behind and is never expired", async () => {
    const workerd = requestScopedTimers(false);
    const queue = new Deadlines(50, workerd.timers);
    const e = entry();
    await workerd.request(async () => {
      queue.add(e);
      expect(workerd.live()).toBe(1);
      queue.remove(e);
      expect(workerd.live()).toBe(0);
      await sleep(80);
    });
    expect(e.expiredAt).toBeUndefined();
  });

  it("Node's timers are recognised as process-wide, so Node keeps the shared timer", () => {
    expect(processWideTimers()).toBe(true);
  });

  it("Workers get their own timers even with a `process` (nodejs_compat), and so does a runtime nobody recognises", () => {
    // `process` is Node's own here, as nodejs_compat adds one on Workers; only navigator differs.
    const before = (globalThis as { navigator?: unknown }).navigator;
    try {
      vi.stubGlobal("navigator", { userAgent: "Cloudflare-Workers" });
      expect(processWideTimers()).toBe(false);
      vi.stubGlobal("navigator", { userAgent: "Mozilla/5.0 (X11; Linux x86_64)" });
      expect(processWideTimers()).toBe(false);
      vi.stubGlobal("navigator", { userAgent: "Bun/1.4.5" });
      expect(processWideTimers()).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
    expect((globalThis as { navigator?: unknown }).navigator).toBe(before);
  });
});

describe("attempt deadlines of different lengths on the shared timer", () => {
  it("a shorter timeout added after a longer one expires first, at its own deadline, and the longer one still expires later", async () => {
    const queue = new Deadlines(400);
    const long = entry();
    queue.add(long);
    const short = entry();
    queue.add(short, 60);
    while (long.expiredAt === undefined) await sleep(10);
    expect(short.expiredAt).toBeGreaterThanOrEqual(55);
    expect(short.expiredAt).toBeLessThan(300);
    expect(long.expiredAt).toBeGreaterThanOrEqual(395);
  });
});
