// Unknown option names are refused with a TwilioConfigError that suggests
// the nearest known one (issue 30 item 4): a misspelt `baseURL` used to be
// ignored, and with credentials in the environment the client then created
// real rooms on https://video.twilio.com.
import { describe, expect, it } from "vitest";
import {
  createAccessToken,
  createStatusCallbackHandler,
  TwilioConfigError,
  verifyStatusCallback,
  type VideoClientOptions,
} from "../../src/index.js";
import { createVideoClient as createNodeClient } from "../../src/node.js";
import { nearestName, refuseUnknownOptions } from "../../src/core/options.js";
import { API_KEY_SECRET, API_KEY_SID, client, json, ROOM_SID, scriptedFetch } from "./helpers.js";

function configError(run: () => unknown): TwilioConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TwilioConfigError);
    return error as TwilioConfigError;
  }
  throw new Error("expected a TwilioConfigError");
}

async function rejection(promise: Promise<unknown>): Promise<TwilioConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TwilioConfigError);
  return error as TwilioConfigError;
}

describe("createVideoClient refuses option names it does not know", () => {
  it.each([
    ["baseURL", "baseUrl"],
    ["timeout", "timeoutMs"],
    ["retries", "maxRetries"],
    ["apikeysid", "apiKeySid"],
    ["maxResponseByte", "maxResponseBytes"],
    ["onWarn", "onWarning"],
  ])("%s: suggests %s, and nothing is sent", (name, suggestion) => {
    const { fetch, calls } = scriptedFetch(json(200, {}));
    const error = configError(() => client(fetch, { [name]: "http://127.0.0.1:1" } as VideoClientOptions));
    expect(error.message).toContain(`unknown option "${name}"`);
    expect(error.message).toContain(`did you mean "${suggestion}"?`);
    expect(calls).toHaveLength(0);
  });

  it("a name near nothing lists the known options instead of guessing", () => {
    const error = configError(() => client(scriptedFetch().fetch, { zzzzqqq: 1 } as VideoClientOptions));
    expect(error.message).not.toContain("did you mean");
    expect(error.message).toContain("known options: ");
    expect(error.message).toContain("baseUrl");
  });

  it("an unknown option is refused even when its value is undefined (a typo is a typo)", () => {
    configError(() => client(scriptedFetch().fetch, { baseURL: undefined } as VideoClientOptions));
  });

  it("the Node entry point takes `agent` and checks its names; the core one refuses `agent`", () => {
    const base = { apiKeySid: API_KEY_SID, apiKeySecret: API_KEY_SECRET };
    expect(() => createNodeClient({ ...base, agent: { maxSockets: 4, idleSocketMs: 1000 } })).not.toThrow();
    expect(configError(() => createNodeClient({ ...base, agent: { maxSocket: 4 } as never })).message).toContain(
      '"maxSockets"',
    );
    expect(configError(() => createNodeClient({ ...base, agents: {} } as never)).message).toContain('"agent"');
    expect(configError(() => client(scriptedFetch().fetch, { agent: {} } as VideoClientOptions)).message).toContain(
      'unknown option "agent"',
    );
  });

  it("options that are not an object are a TwilioConfigError, not a TypeError", () => {
    configError(() => client(scriptedFetch().fetch, "SK…" as never));
    configError(() => createNodeClient([] as never));
  });

  it("validateResponses takes off, warn or throw only", () => {
    expect(configError(() => client(scriptedFetch().fetch, { validateResponses: "warm" as never })).message).toContain(
      'got "warm"',
    );
  });

  it("a numeric option holding an object without a prototype is a TwilioConfigError (regression: String() of it threw a TypeError)", () => {
    const error = configError(() => client(scriptedFetch().fetch, { timeoutMs: Object.create(null) as never }));
    expect(error.message).toBe("timeoutMs must be a whole number from 1 to 2147483647, got an object");
  });

  it("a huge option name with control characters is quoted short and escaped, in bounded time", () => {
    const name = `\u001b[31m${"x".repeat(1_000_000)}`;
    const started = performance.now();
    const error = configError(() => client(scriptedFetch().fetch, { [name]: 1 } as VideoClientOptions));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.message).not.toContain("\u001b");
    expect(error.message).toContain("\\u001b[31m");
    expect(error.message.length).toBeLessThan(600);
  });
});

describe("per-call options", () => {
  const room = json(200, { sid: ROOM_SID });

  it("a client-level name in a call is refused before anything is sent, with the call's own name suggested", async () => {
    const { fetch, calls } = scriptedFetch(room);
    const error = await rejection(client(fetch).rooms.get(ROOM_SID, { timeoutMs: 5 } as never));
    expect(error.message).toContain('did you mean "timeout"?');
    expect(calls).toHaveLength(0);
  });

  it("null options count as none (regression: reading options.headers of null threw a TypeError)", async () => {
    const { fetch } = scriptedFetch(room);
    await expect(client(fetch).rooms.get(ROOM_SID, null as never)).resolves.toEqual({ sid: ROOM_SID });
  });

  it("through middleware too", async () => {
    const { fetch, calls } = scriptedFetch(room);
    const video = client(fetch, { middleware: [{ onRequest: () => undefined }] });
    const error = await rejection(video.rooms.get(ROOM_SID, { header: {} } as never));
    expect(error.message).toContain('did you mean "headers"?');
    expect(calls).toHaveLength(0);
  });

  it("iterate() and all() take limit and pageSize besides the call options", async () => {
    const { fetch, calls } = scriptedFetch(json(200, { rooms: [], meta: { key: "rooms", next_page_url: null } }));
    const video = client(fetch);
    expect(configError(() => video.rooms.iterate({}, { page_size: 5 } as never)).message).toContain(
      'did you mean "pageSize"?',
    );
    expect((await rejection(video.rooms.all({}, { limt: 5 } as never))).message).toContain('did you mean "limit"?');
    expect(calls).toHaveLength(0);
    await expect(video.rooms.all({}, { limit: 5, pageSize: 5, timeout: 1000 })).resolves.toEqual([]);
  });

  it("media options", async () => {
    const { fetch, calls } = scriptedFetch(json(302, { redirect_to: "https://media.example/x" }));
    const error = await rejection(
      client(fetch).recordings.media("RT2d4f6a8c0e1f3a5b7d9c1e2f4a6b8d0c", { TTL: 60 } as never),
    );
    expect(error.message).toContain('did you mean "ttl"?');
    expect(calls).toHaveLength(0);
  });
});

describe("the server helpers' options", () => {
  const TOKEN = "auth-token-value";

  it("createAccessToken", async () => {
    const options = {
      accountSid: `AC${"0".repeat(32)}`,
      apiKeySid: API_KEY_SID,
      apiKeySecret: API_KEY_SECRET,
      identity: "alice",
      roomName: "standup",
    };
    const error = await rejection(createAccessToken(options as never));
    expect(error.message).toContain('did you mean "room"?');
    expect(error.message).not.toContain(API_KEY_SECRET);
  });

  it("createStatusCallbackHandler, and its bad values are TwilioConfigError too (was TypeError)", () => {
    expect(
      configError(() => createStatusCallbackHandler({ authToken: TOKEN, on: {}, onerror: () => {} } as never)).message,
    ).toContain('did you mean "onError"?');
    configError(() => createStatusCallbackHandler({ authToken: "", on: {} }));
    configError(() => createStatusCallbackHandler({ authToken: TOKEN, url: "/relative", on: {} }));
    configError(() => createStatusCallbackHandler({ authToken: TOKEN, maxBodyBytes: 0, on: {} }));
    configError(() => createStatusCallbackHandler(undefined as never));
  });

  it("verifyStatusCallback", async () => {
    const request = new Request("https://example.com/cb", { method: "POST", body: "" });
    const error = await rejection(
      verifyStatusCallback(request, { authToken: TOKEN, URL: "https://example.com/cb" } as never),
    );
    expect(error.message).toContain('did you mean "url"?');
  });
});

describe("nearestName", () => {
  const known = ["baseUrl", "timeoutMs", "maxRetries", "maxDelayMs", "baseDelayMs", "apiKeySid", "apiKeySecret"];

  it("prefers the same name in another case, then the fewest edits", () => {
    expect(nearestName("BASEURL", known)).toBe("baseUrl");
    expect(nearestName("maxDelyMs", known)).toBe("maxDelayMs");
    expect(nearestName("apiKey", known)).toBe("apiKeySid");
  });

  it("suggests a name that contains the given one only when it is at least four characters", () => {
    expect(nearestName("delay", known)).toBe("maxDelayMs");
    expect(nearestName("max", known)).toBeUndefined();
  });

  it("suggests nothing for a distant name or one longer than any option", () => {
    expect(nearestName("colour", known)).toBeUndefined();
    expect(nearestName("b".repeat(65), ["b".repeat(65)])).toBeUndefined();
  });

  it("refuseUnknownOptions ignores inherited names and accepts known ones", () => {
    const inherited = Object.create({ baseURL: 1 }) as object;
    expect(() => refuseUnknownOptions("x", inherited, new Set(known))).not.toThrow();
    expect(() => refuseUnknownOptions("x", { baseUrl: 1, timeoutMs: 2 }, new Set(known))).not.toThrow();
  });
});
