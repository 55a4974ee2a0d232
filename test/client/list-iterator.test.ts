// The list iterator (src/core/paginate.ts) edge by edge: what counts as a
// page, which next_page_url is followed, how the limit sizes the first page,
// and how return(), throw() and calls made while a page loads behave.
import { describe, expect, it } from "vitest";
import { TwilioArgumentError, TwilioProtocolError } from "../../src/index.js";
import { client, json, ROOM_SID, scriptedFetch, type Call } from "./helpers.js";

const BASE = "https://video.twilio.com";

function room(i: number) {
  return { sid: `RM${i.toString(16).padStart(32, "0")}` };
}

function page(items: unknown[], next: string | null, extra: Record<string, unknown> = {}) {
  return json(200, { rooms: items, meta: { key: "rooms", next_page_url: next, ...extra } });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe("what counts as a page", () => {
  it.each([
    ["null", null],
    ["an array", []],
    ["no meta", { rooms: [] }],
    ["a key that is not a string", { rooms: [], meta: { key: 1, next_page_url: null } }],
    ["a key whose field is not an array", { rooms: {}, meta: { key: "rooms", next_page_url: null } }],
    ["a key naming a missing field", { meta: { key: "rooms", next_page_url: null } }],
  ])("%s is a TwilioProtocolError", async (_, body) => {
    const { fetch } = scriptedFetch(json(200, body));
    const error = await failure(client(fetch).rooms.all());
    expect(error).toBeInstanceOf(TwilioProtocolError);
    expect((error as Error).message).toContain("without a list page");
  });

  it("an empty next_page_url ends the list like null", async () => {
    const { fetch, calls } = scriptedFetch(page([room(1)], ""));
    expect(await client(fetch).rooms.all()).toEqual([room(1)]);
    expect(calls).toHaveLength(1);
  });
});

describe("the first page's size", () => {
  const sizes = async (options: object) => {
    const { fetch, calls } = scriptedFetch(page([room(1)], null));
    await client(fetch).rooms.all({}, options);
    return calls[0]!.url.searchParams.get("PageSize");
  };

  it("a limit under 50 asks for that many; 50 and more leave Twilio's default", async () => {
    expect(await sizes({ limit: 1 })).toBe("1");
    expect(await sizes({ limit: 49 })).toBe("49");
    expect(await sizes({ limit: 50 })).toBeNull();
    expect(await sizes({})).toBeNull();
  });

  it("pageSize wins over the limit", async () => {
    expect(await sizes({ limit: 3, pageSize: 20 })).toBe("20");
  });

  it("limit 0 sends nothing; a negative or NaN limit is a TwilioArgumentError", async () => {
    const { fetch, calls } = scriptedFetch(page([room(1)], null));
    expect(await client(fetch).rooms.all({}, { limit: 0 })).toEqual([]);
    expect(calls).toHaveLength(0);
    expect(await failure(client(fetch).rooms.all({}, { limit: -1 }))).toBeInstanceOf(TwilioArgumentError);
    expect(await failure(client(fetch).rooms.all({}, { limit: Number.NaN }))).toBeInstanceOf(TwilioArgumentError);
    expect(calls).toHaveLength(0);
  });

  it("stops exactly at the limit across pages", async () => {
    const { fetch, calls } = scriptedFetch(
      page([room(1), room(2)], `${BASE}/v1/Rooms?PageToken=PT1`),
      page([room(3), room(4)], `${BASE}/v1/Rooms?PageToken=PT2`),
    );
    expect(await client(fetch).rooms.all({}, { limit: 3, pageSize: 2 })).toEqual([room(1), room(2), room(3)]);
    expect(calls).toHaveLength(2);
  });
});

describe("which next_page_url is followed", () => {
  it("a relative next_page_url is read against the base URL", async () => {
    const { fetch, calls } = scriptedFetch(page([room(1)], "/v1/Rooms?PageToken=PT1"), page([room(2)], null));
    expect(await client(fetch).rooms.all()).toEqual([room(1), room(2)]);
    expect(calls[1]!.url.href).toBe(`${BASE}/v1/Rooms?PageToken=PT1`);
  });

  it("repeated query parameters travel as they came, in order", async () => {
    const { fetch, calls } = scriptedFetch(
      page([room(1)], `${BASE}/v1/Rooms?Status=a&Status=b&Status=c&PageToken=PT1`),
      page([], null),
    );
    await client(fetch).rooms.all();
    expect(calls[1]!.url.searchParams.getAll("Status")).toEqual(["a", "b", "c"]);
    expect(calls[1]!.url.searchParams.get("PageToken")).toBe("PT1");
  });

  it("a path one segment longer or shorter than the list's is refused", async () => {
    for (const next of [
      `${BASE}/v1/Rooms/extra?PageToken=1`,
      `${BASE}/v1?PageToken=1`,
      `${BASE}/v2/Rooms?PageToken=1`,
    ]) {
      const { fetch, calls } = scriptedFetch(page([room(1)], next));
      const error = await failure(client(fetch).rooms.all());
      expect(error).toBeInstanceOf(TwilioProtocolError);
      expect((error as Error).message).toContain("refusing next_page_url");
      expect(calls).toHaveLength(1);
    }
  });

  it("the next page's path parameters are decoded before they are sent again", async () => {
    const list = `/v1/Rooms/${encodeURIComponent("stand up")}/Participants`;
    const { fetch, calls } = scriptedFetch(
      json(200, { participants: [{}], meta: { key: "participants", next_page_url: `${BASE}${list}?PageToken=PT1` } }),
      json(200, { participants: [{}], meta: { key: "participants", next_page_url: null } }),
    );
    expect(await client(fetch).rooms.participants("stand up").all()).toHaveLength(2);
    expect(calls[1]!.url.pathname).toBe(list);
  });

  it("under a base URL with a path (a proxy), only pages under that path are followed", async () => {
    const base = "https://proxy.example/twilio";
    const ok = scriptedFetch(page([room(1)], `${base}/v1/Rooms?PageToken=PT1`), page([room(2)], null));
    expect(await client(ok.fetch, { baseUrl: base }).rooms.all()).toHaveLength(2);
    expect(ok.calls[1]!.url.pathname).toBe("/twilio/v1/Rooms");
    const outside = scriptedFetch(page([room(1)], "https://proxy.example/other/v1/Rooms?PageToken=PT1"));
    expect(await failure(client(outside.fetch, { baseUrl: base }).rooms.all())).toBeInstanceOf(TwilioProtocolError);
  });

  it("a page already read is a loop, whatever the order of its query parameters", async () => {
    const { fetch, calls } = scriptedFetch(
      page([room(1)], `${BASE}/v1/Rooms?PageToken=PT1&PageSize=1`),
      page([room(2)], `${BASE}/v1/Rooms?PageSize=1&PageToken=PT1`),
    );
    const error = await failure(client(fetch).rooms.all());
    expect((error as Error).message).toContain("already read (a loop); stopped after 2 items");
    expect(calls).toHaveLength(2);
  });

  it("a next_page_url equal to the first page's own meta.url is a loop", async () => {
    const own = `${BASE}/v1/Rooms?PageSize=1&Page=0`;
    const { fetch, calls } = scriptedFetch(page([room(1)], own, { url: own }));
    expect(await failure(client(fetch).rooms.all())).toBeInstanceOf(TwilioProtocolError);
    expect(calls).toHaveLength(1);
  });
});

describe("the iterator protocol", () => {
  it("return() while a page loads waits for it, then ends the iteration", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { fetch } = scriptedFetch(async () => {
      await gate;
      return page([room(1), room(2)], null);
    });
    const iterator = client(fetch).rooms.iterate();
    const first = iterator.next();
    const done = iterator.return();
    release();
    expect(await first).toEqual({ value: room(1), done: false });
    expect(await done).toEqual({ value: undefined, done: true });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it("return() while a page load fails still ends the iteration", async () => {
    const { fetch } = scriptedFetch(json(200, null));
    const iterator = client(fetch).rooms.iterate();
    const first = iterator.next().catch((e: unknown) => e);
    expect(await iterator.return()).toEqual({ value: undefined, done: true });
    expect(await first).toBeInstanceOf(TwilioProtocolError);
  });

  it("throw() rejects with the given error and finishes the iterator", async () => {
    const { fetch, calls } = scriptedFetch(page([room(1), room(2)], null));
    const iterator = client(fetch).rooms.iterate();
    expect(await iterator.next()).toEqual({ value: room(1), done: false });
    const boom = new Error("stop");
    await expect(iterator.throw(boom)).rejects.toBe(boom);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(calls).toHaveLength(1);
  });

  it("after an error the iterator is finished and sends nothing more", async () => {
    let n = 0;
    const { fetch, calls } = scriptedFetch((_call: Call) =>
      n++ === 0 ? json(500, { code: 20500, message: "x" }) : page([room(1)], null),
    );
    const iterator = client(fetch, { maxRetries: 0 }).rooms.iterate();
    await expect(iterator.next()).rejects.toThrow("20500");
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(calls).toHaveLength(1);
  });

  it("is its own async iterator", () => {
    const iterator = client(scriptedFetch().fetch).rooms.iterate();
    expect(iterator[Symbol.asyncIterator]()).toBe(iterator);
  });

  it("starts only on the first next(): creating it sends nothing", async () => {
    const { fetch, calls } = scriptedFetch(page([room(1)], null));
    client(fetch).rooms.iterate();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toHaveLength(0);
  });

  it("per-call options reach every page's request", async () => {
    const { fetch, calls } = scriptedFetch(page([room(1)], `${BASE}/v1/Rooms?PageToken=PT1`), page([room(2)], null));
    await client(fetch).rooms.all({}, { headers: { "x-trace": "t1" } });
    expect(calls.map((c) => c.headers.get("x-trace"))).toEqual(["t1", "t1"]);
  });
});

describe("a list under a path parameter", () => {
  it("keeps the room's SID in every page's path", async () => {
    const next = `${BASE}/v1/Rooms/${ROOM_SID}/Participants?PageToken=PT1`;
    const { fetch, calls } = scriptedFetch(
      json(200, { participants: [{}], meta: { key: "participants", next_page_url: next } }),
      json(200, { participants: [{}], meta: { key: "participants", next_page_url: null } }),
    );
    await client(fetch).rooms.participants(ROOM_SID).all();
    expect(calls.map((c) => c.url.pathname)).toEqual([
      `/v1/Rooms/${ROOM_SID}/Participants`,
      `/v1/Rooms/${ROOM_SID}/Participants`,
    ]);
  });
});
