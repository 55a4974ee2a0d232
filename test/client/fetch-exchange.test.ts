// The fetch exchange shares abort signals between attempts (src/core/fetch-exchange.ts):
// fewer signals, and still no attempt stopped that has not timed out.
import { describe, expect, it } from "vitest";
import { TwilioTimeoutError } from "../../src/index.js";
import { fetchExchange, GROUP_SIZE, GROUP_SPREAD_MS } from "../../src/core/fetch-exchange.js";
import { createTransport } from "../../src/core/transport.js";

const ORIGIN = "https://video.twilio.com";
const ROOM = JSON.stringify({ sid: "RM00000000000000000000000000000000" });

interface Held {
  signal: AbortSignal;
  /** Answers with headers and a whole body. */
  answer(): void;
  /** Answers with headers and a body that never ends; `cancelled` is the reason it was cancelled with, once it was. */
  stall(): { cancelled: unknown };
}

/** A fetch that holds every request until the test answers it, and rejects on its signal as a real fetch does. */
function heldFetch() {
  const held: Held[] = [];
  const fetch = ((_url: string, init: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init.signal!;
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      held.push({
        signal,
        answer: () => resolve(new Response(ROOM, { status: 200, headers: { "content-type": "application/json" } })),
        stall() {
          const state: { cancelled: unknown } = { cancelled: undefined };
          const body = new ReadableStream<Uint8Array>({
            start: (c) => c.enqueue(new TextEncoder().encode('{"sid":')),
            cancel: (reason) => {
              state.cancelled = reason ?? "cancelled without a reason";
            },
          });
          resolve(new Response(body, { status: 200 }));
          return state;
        },
      });
    })) as unknown as typeof globalThis.fetch;
  return { fetch, held };
}

function transport(fetch: typeof globalThis.fetch, timeoutMs = 30_000) {
  return createTransport({
    exchange: fetchExchange(fetch),
    authorization: "Basic x",
    origin: ORIGIN,
    userAgent: "t",
    timeoutMs,
    maxResponseBytes: 1 << 20,
    maxRetries: 0,
  });
}

const get = (send: ReturnType<typeof transport>, options: { signal?: AbortSignal; timeout?: number } = {}) =>
  send(
    { method: "GET", url: `${ORIGIN}/v1/Rooms`, headers: {} },
    options.signal,
    options.timeout === undefined ? undefined : { timeout: options.timeout },
  ).then(
    (response) => ({ ok: true as const, body: response.body }),
    (error: unknown) => ({ ok: false as const, error }),
  );

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two GETs 60 ms apart on a client with a 200 ms timeout: the second outlives the first's deadline, on the same signal. */
async function staggeredPair() {
  const { fetch, held } = heldFetch();
  const send = transport(fetch, 200);
  const first = get(send);
  await sleep(60);
  const second = get(send);
  await tick();
  expect(held[1]!.signal).toBe(held[0]!.signal);
  return { held, first, second };
}

describe("fetch exchange: shared abort signals", () => {
  it(`concurrent attempts share one signal, at most ${GROUP_SIZE} per signal`, async () => {
    const { fetch, held } = heldFetch();
    const send = transport(fetch);
    const calls = Array.from({ length: GROUP_SIZE + 8 }, () => get(send));
    await tick();
    expect(held).toHaveLength(GROUP_SIZE + 8);
    expect(new Set(held.map((h) => h.signal)).size).toBe(2);
    expect(held.slice(0, GROUP_SIZE).every((h) => h.signal === held[0]!.signal)).toBe(true);
    for (const h of held) h.answer();
    const results = await Promise.all(calls);
    expect(results.every((r) => r.ok && r.body === ROOM)).toBe(true);
    // Finished attempts never abort the signal they shared.
    expect(held.some((h) => h.signal.aborted)).toBe(false);
  });

  it("an attempt that times out does not stop the requests sharing its signal; the signal aborts once none is active", async () => {
    const { held, first, second } = await staggeredPair();
    const failed = await first;
    expect(failed.ok).toBe(false);
    expect((failed as { error: unknown }).error).toBeInstanceOf(TwilioTimeoutError);
    // The first request still runs (its connection is kept) while the second is within its own deadline.
    expect(held[0]!.signal.aborted).toBe(false);
    held[1]!.answer();
    expect(await second).toEqual({ ok: true, body: ROOM });
    await tick();
    expect(held[0]!.signal.aborted).toBe(true);
  });

  it("a timed-out attempt alone on its signal aborts its request at once", async () => {
    const { fetch, held } = heldFetch();
    const result = await get(transport(fetch, 20));
    expect((result as { error: unknown }).error).toBeInstanceOf(TwilioTimeoutError);
    await tick();
    expect(held[0]!.signal.aborted).toBe(true);
  });

  it("an attempt with a caller signal gets a signal of its own, and the caller's abort reaches only its request", async () => {
    const { fetch, held } = heldFetch();
    const send = transport(fetch);
    const caller = new AbortController();
    const plain = get(send);
    const own = get(send, { signal: caller.signal });
    await tick();
    expect(held[1]!.signal).not.toBe(held[0]!.signal);
    caller.abort(new Error("user gave up"));
    const aborted = await own;
    expect((aborted as { error: Error }).error.message).toBe("user gave up");
    await tick();
    expect(held[1]!.signal.aborted).toBe(true);
    expect(held[0]!.signal.aborted).toBe(false);
    held[0]!.answer();
    expect((await plain).ok).toBe(true);
  });

  it("an attempt with its own timeout gets a signal of its own", async () => {
    const { fetch, held } = heldFetch();
    const send = transport(fetch);
    const plain = get(send);
    const quick = get(send, { timeout: 20 });
    await tick();
    expect(held[1]!.signal).not.toBe(held[0]!.signal);
    expect(((await quick) as { error: unknown }).error).toBeInstanceOf(TwilioTimeoutError);
    held[0]!.answer();
    expect((await plain).ok).toBe(true);
  });

  it(`attempts whose deadlines lie more than ${GROUP_SPREAD_MS} ms apart do not share`, async () => {
    const { fetch, held } = heldFetch();
    const send = transport(fetch);
    const first = get(send);
    await sleep(GROUP_SPREAD_MS + 30);
    const later = get(send);
    await tick();
    expect(held[1]!.signal).not.toBe(held[0]!.signal);
    for (const h of held) h.answer();
    await Promise.all([first, later]);
  });

  it("a body that stalls past the deadline is cancelled on its own and the attempt times out; a sibling on the same signal is untouched", async () => {
    const { held, first: stalled, second: sibling } = await staggeredPair();
    const body = held[0]!.stall();
    const result = await stalled;
    expect((result as { error: unknown }).error).toBeInstanceOf(TwilioTimeoutError);
    expect(body.cancelled).toBeInstanceOf(TwilioTimeoutError);
    expect(held[1]!.signal.aborted).toBe(false);
    held[1]!.answer();
    expect(await sibling).toEqual({ ok: true, body: ROOM });
  });

  it("headers that arrive after their attempt gave up are not read: the body is cancelled at once", async () => {
    const { held, first: abandoned, second: sibling } = await staggeredPair();
    expect(((await abandoned) as { error: unknown }).error).toBeInstanceOf(TwilioTimeoutError);
    // The sibling keeps the shared signal live, so the abandoned request is still running: its answer comes in late.
    expect(held[0]!.signal.aborted).toBe(false);
    const late = held[0]!.stall();
    await tick();
    expect(late.cancelled).toBeDefined();
    held[1]!.answer();
    expect(await sibling).toEqual({ ok: true, body: ROOM });
  });
});
