// The fetch exchange (src/core/fetch-exchange.ts) called directly, with
// hand-made attempts: the size cap, bodiless answers, what fetch is asked,
// and exactly which attempts share a signal.
import { describe, expect, it } from "vitest";
import { TwilioResponseTooLargeError } from "../../src/index.js";
import { fetchExchange, GROUP_SPREAD_MS } from "../../src/core/fetch-exchange.js";
import type { Attempt, WireRequest } from "../../src/core/transport.js";

const REQUEST: WireRequest = {
  method: "GET",
  url: "https://video.twilio.com/v1/Rooms",
  headers: { accept: "application/json" },
};

interface TestAttempt extends Attempt {
  abort(reason: unknown): void;
}

function attempt(shareDeadline?: number): TestAttempt {
  const state = {
    aborted: false,
    reason: undefined as unknown,
    onabort: null as (() => void) | null,
    shareDeadline,
    abort(reason: unknown) {
      state.aborted = true;
      state.reason = reason;
      state.onabort?.();
    },
  };
  return state;
}

/** A fetch that records what it was asked and answers when the test says. */
function recordingFetch() {
  const asked: Array<{ url: string; init: RequestInit; answer(response: Response): void; fail(error: unknown): void }> =
    [];
  const fetch = ((url: string, init: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      init.signal?.addEventListener("abort", () => reject(init.signal!.reason), { once: true });
      asked.push({ url, init, answer: resolve, fail: reject });
    })) as typeof globalThis.fetch;
  return { fetch, asked };
}

function streamOf(chunks: string[], onCancel?: () => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
    cancel: onCancel,
  });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("the size cap", () => {
  it("a declared length over maxBytes is refused before a byte is read, and the body is cancelled", async () => {
    const { fetch, asked } = recordingFetch();
    let cancelled = false;
    const pending = fetchExchange(fetch)(REQUEST, attempt(), 10);
    await tick();
    asked[0]!.answer(
      new Response(
        streamOf(["x".repeat(11)], () => (cancelled = true)),
        { headers: { "content-length": "11" } },
      ),
    );
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioResponseTooLargeError);
    expect((error as TwilioResponseTooLargeError).maxBytes).toBe(10);
    expect(cancelled).toBe(true);
  });

  it("a declared length of exactly maxBytes is read", async () => {
    const { fetch, asked } = recordingFetch();
    const pending = fetchExchange(fetch)(REQUEST, attempt(), 10);
    await tick();
    asked[0]!.answer(new Response(streamOf(["0123456789"]), { headers: { "content-length": "10" } }));
    expect((await pending).body).toBe("0123456789");
  });

  it("an undeclared body that grows past maxBytes is cut off", async () => {
    const { fetch, asked } = recordingFetch();
    const pending = fetchExchange(fetch)(REQUEST, attempt(), 10);
    await tick();
    asked[0]!.answer(new Response(streamOf(["01234", "56789", "X"])));
    expect(await pending.catch((e: unknown) => e)).toBeInstanceOf(TwilioResponseTooLargeError);
  });
});

describe("answers", () => {
  it("a bodiless answer (204) is an empty body with its status, headers and the request's URL", async () => {
    const { fetch, asked } = recordingFetch();
    const pending = fetchExchange(fetch)(REQUEST, attempt(), 10);
    await tick();
    asked[0]!.answer(new Response(null, { status: 204, headers: { "twilio-request-id": "RQ1" } }));
    const response = await pending;
    expect(response).toMatchObject({ status: 204, body: "", url: REQUEST.url });
    expect(response.headers.get("twilio-request-id")).toBe("RQ1");
  });

  it("asks fetch for the request as it is, never following redirects", async () => {
    const { fetch, asked } = recordingFetch();
    const request: WireRequest = { method: "POST", url: REQUEST.url, headers: { "content-type": "x" }, body: "A=1" };
    void fetchExchange(fetch)(request, attempt(), 10).catch(() => {});
    await tick();
    expect(asked[0]!.url).toBe(REQUEST.url);
    expect(asked[0]!.init).toMatchObject({
      method: "POST",
      headers: { "content-type": "x" },
      body: "A=1",
      redirect: "manual",
    });
    expect(asked[0]!.init.signal).toBeInstanceOf(AbortSignal);
  });

  it("an attempt aborted before it starts rejects with its reason and asks fetch nothing", async () => {
    const { fetch, asked } = recordingFetch();
    const early = attempt();
    early.abort(new Error("too late"));
    await expect(fetchExchange(fetch)(REQUEST, early, 10)).rejects.toThrow("too late");
    expect(asked).toHaveLength(0);
  });

  it("a fetch that fails rejects with its own error when the attempt was not aborted", async () => {
    const { fetch, asked } = recordingFetch();
    const pending = fetchExchange(fetch)(REQUEST, attempt(), 10);
    await tick();
    const failure = new TypeError("fetch failed");
    asked[0]!.fail(failure);
    await expect(pending).rejects.toBe(failure);
  });
});

describe("which attempts share a signal", () => {
  it("deadlines exactly GROUP_SPREAD_MS apart share one; one more millisecond starts another group", async () => {
    const { fetch, asked } = recordingFetch();
    const exchange = fetchExchange(fetch);
    for (const deadline of [0, GROUP_SPREAD_MS, GROUP_SPREAD_MS + 1])
      void exchange(REQUEST, attempt(deadline), 10).catch(() => {});
    await tick();
    expect(asked[1]!.init.signal).toBe(asked[0]!.init.signal);
    expect(asked[2]!.init.signal).not.toBe(asked[0]!.init.signal);
  });

  it("an attempt that may not share gets a signal of its own and does not become the open group", async () => {
    const { fetch, asked } = recordingFetch();
    const exchange = fetchExchange(fetch);
    void exchange(REQUEST, attempt(0), 10).catch(() => {});
    void exchange(REQUEST, attempt(undefined), 10).catch(() => {});
    void exchange(REQUEST, attempt(5), 10).catch(() => {});
    await tick();
    expect(asked[1]!.init.signal).not.toBe(asked[0]!.init.signal);
    expect(asked[2]!.init.signal).toBe(asked[0]!.init.signal);
  });

  it("an unshared attempt that is abandoned aborts its own signal only, and the open group stays open", async () => {
    const { fetch, asked } = recordingFetch();
    const exchange = fetchExchange(fetch);
    void exchange(REQUEST, attempt(0), 10).catch(() => {});
    const alone = attempt(undefined);
    const abandoned = exchange(REQUEST, alone, 10).catch((e: unknown) => e);
    await tick();
    alone.abort(new Error("caller gave up"));
    expect(((await abandoned) as Error).message).toBe("caller gave up");
    expect(asked[1]!.init.signal!.aborted).toBe(true);
    expect(asked[0]!.init.signal!.aborted).toBe(false);
    void exchange(REQUEST, attempt(5), 10).catch(() => {});
    await tick();
    expect(asked[2]!.init.signal).toBe(asked[0]!.init.signal);
  });

  it("once a group's last attempt leaves after one was abandoned, its signal aborts and new attempts get a fresh one", async () => {
    const { fetch, asked } = recordingFetch();
    const exchange = fetchExchange(fetch);
    const first = attempt(0);
    const firstDone = exchange(REQUEST, first, 10).catch((e: unknown) => e);
    const second = exchange(REQUEST, attempt(1), 10);
    await tick();
    first.abort(new Error("timed out"));
    await firstDone;
    expect(asked[0]!.init.signal!.aborted).toBe(false); // the second is still active
    asked[1]!.answer(new Response("{}"));
    await second;
    expect(asked[0]!.init.signal!.aborted).toBe(true);
    void exchange(REQUEST, attempt(2), 10).catch(() => {});
    await tick();
    expect(asked[2]!.init.signal).not.toBe(asked[0]!.init.signal);
    expect(asked[2]!.init.signal!.aborted).toBe(false);
  });
});
