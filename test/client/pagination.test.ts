import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { TwilioProtocolError, TwilioArgumentError } from "../../src/index.js";
import { client, json, scriptedFetch, type Call } from "./helpers.js";

const BASE = "https://video.twilio.com";
const ROOM = "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c";

function participant(i: number) {
  return { sid: `PA${i.toString(16).padStart(32, "0")}`, identity: `user-${i}` };
}

/** A fake Twilio list: `total` participants in pages of `PageSize`, linked by PageToken like the real API. */
function participantsApi(total: number, options: { nextOrigin?: string; nextPath?: string } = {}) {
  return (call: Call) => {
    const size = Number(call.url.searchParams.get("PageSize") ?? 50);
    const page = Number(call.url.searchParams.get("Page") ?? 0);
    const start = page * size;
    const items = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => participant(start + i));
    const path = `/v1/Rooms/${ROOM}/Participants`;
    const url = (p: number) => `${BASE}${path}?Status=connected&PageSize=${size}&Page=${p}`;
    const hasNext = start + size < total;
    return json(200, {
      participants: items,
      meta: {
        page,
        page_size: size,
        key: "participants",
        url: url(page),
        first_page_url: url(0),
        previous_page_url: page > 0 ? url(page - 1) : null,
        next_page_url: hasNext
          ? `${options.nextOrigin ?? BASE}${options.nextPath ?? path}?Status=connected&PageSize=${size}&Page=${page + 1}&PageToken=PT${page + 1}`
          : null,
      },
    });
  };
}

describe("pagination", () => {
  it("iterates every item across pages, following next_page_url with its token and filters", async () => {
    const { fetch, calls } = scriptedFetch(participantsApi(7));
    const seen: string[] = [];
    for await (const p of client(fetch).rooms.participants(ROOM).iterate({ Status: "connected" }, { pageSize: 3 }))
      seen.push(p.identity!);
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `user-${i}`));
    expect(calls.map((c) => c.url.search)).toEqual([
      "?Status=connected&PageSize=3",
      "?Status=connected&PageSize=3&Page=1&PageToken=PT1",
      "?Status=connected&PageSize=3&Page=2&PageToken=PT2",
    ]);
  });

  it("fetches lazily: breaking out early sends no further requests", async () => {
    const { fetch, calls } = scriptedFetch(participantsApi(100));
    for await (const p of client(fetch).rooms.participants(ROOM).iterate({}, { pageSize: 10 })) {
      if (p.identity === "user-12") break;
    }
    expect(calls).toHaveLength(2);
  });

  it("stops at limit, asking for a page no bigger than needed", async () => {
    const { fetch, calls } = scriptedFetch(participantsApi(500));
    const items = await client(fetch).rooms.participants(ROOM).all({}, { limit: 5 });
    expect(items).toHaveLength(5);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url.searchParams.get("PageSize")).toBe("5");
    const more = await client(fetch).rooms.participants(ROOM).all({}, { limit: 120, pageSize: 50 });
    expect(more.map((p) => p.identity).at(-1)).toBe("user-119");
  });

  it("handles an empty list", async () => {
    const { fetch, calls } = scriptedFetch(participantsApi(0));
    expect(await client(fetch).rooms.participants(ROOM).all()).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it("refuses a next_page_url on a foreign origin, without sending credentials there", async () => {
    const { fetch, calls } = scriptedFetch(participantsApi(10, { nextOrigin: "https://evil.example" }));
    const seen: unknown[] = [];
    const run = async () => {
      for await (const p of client(fetch).rooms.participants(ROOM).iterate({}, { pageSize: 5 })) seen.push(p);
    };
    await expect(run()).rejects.toBeInstanceOf(TwilioProtocolError);
    expect(seen).toHaveLength(5);
    expect(calls.every((c) => c.url.origin === BASE)).toBe(true);
  });

  it("refuses a next_page_url that points at another resource", async () => {
    const { fetch } = scriptedFetch(participantsApi(10, { nextPath: "/v1/Compositions" }));
    await expect(client(fetch).rooms.participants(ROOM).all({}, { pageSize: 5 })).rejects.toThrow(
      /refusing next_page_url/,
    );
  });

  it("follows a next_page_url that names the room by SID after a list by unique name", async () => {
    const { fetch, calls } = scriptedFetch(participantsApi(4));
    const items = await client(fetch).rooms.participants("daily-standup").all({}, { pageSize: 2 });
    expect(items).toHaveLength(4);
    expect(calls[1]!.url.pathname).toBe(`/v1/Rooms/${ROOM}/Participants`);
  });

  it("rejects a malformed page and a negative limit", async () => {
    const { fetch } = scriptedFetch(json(200, { rooms: [] }));
    await expect(client(fetch).rooms.all()).rejects.toBeInstanceOf(TwilioProtocolError);
    await expect(client(fetch).rooms.all({}, { limit: -1 })).rejects.toBeInstanceOf(TwilioArgumentError);
  });
});

describe("the list iterator behaves as an async generator", () => {
  it("answers concurrent next() calls with consecutive items, one request per page", async () => {
    const { fetch, calls } = scriptedFetch(participantsApi(5));
    const it = client(fetch).rooms.participants(ROOM).iterate({}, { pageSize: 2 });
    const results = await Promise.all(Array.from({ length: 7 }, () => it.next()));
    expect(results.map((r) => (r.done ? "done" : r.value.identity))).toEqual([
      "user-0",
      "user-1",
      "user-2",
      "user-3",
      "user-4",
      "done",
      "done",
    ]);
    expect(calls).toHaveLength(3);
  });

  it("starts on the first next(), and return() ends it without another request", async () => {
    const { fetch, calls } = scriptedFetch(participantsApi(10));
    const it = client(fetch).rooms.participants(ROOM).iterate({}, { pageSize: 2 });
    expect(calls).toHaveLength(0);
    expect((await it.next()).value?.identity).toBe("user-0");
    expect(await it.return()).toEqual({ value: undefined, done: true });
    expect(await it.next()).toEqual({ value: undefined, done: true });
    expect(calls).toHaveLength(1);
  });

  it("is finished after an error, and after throw()", async () => {
    const { fetch, calls } = scriptedFetch(participantsApi(10, { nextOrigin: "https://evil.example" }));
    const it = client(fetch).rooms.participants(ROOM).iterate({}, { pageSize: 5 });
    for (let i = 0; i < 5; i++) await it.next();
    await expect(it.next()).rejects.toBeInstanceOf(TwilioProtocolError);
    expect(await it.next()).toEqual({ value: undefined, done: true });
    const other = client(fetch).rooms.participants(ROOM).iterate({}, { pageSize: 5 });
    await expect(other.throw(new Error("stop"))).rejects.toThrow("stop");
    expect(await other.next()).toEqual({ value: undefined, done: true });
    expect(calls).toHaveLength(1);
  });

  it("does not keep the page just read alive while the next one loads (the pages of a long list were all copied by the collector)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    let release!: () => void;
    const second = new Promise<void>((resolve) => (release = resolve));
    const api = participantsApi(4);
    const { fetch } = scriptedFetch(async (call, index) => {
      if (index === 1) await second;
      return api(call);
    });
    const it = client(fetch).rooms.participants(ROOM).iterate({}, { pageSize: 2 });
    const first = new WeakRef((await it.next()).value as object);
    await it.next();
    const pending = it.next(); // the second page is on its way
    await new Promise((resolve) => setTimeout(resolve, 10));
    gc();
    expect(first.deref()).toBeUndefined();
    release();
    expect((await pending).value?.identity).toBe("user-2");
  });
});
