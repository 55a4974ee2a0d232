// Everything the package throws extends TwilioVideoError, with a `kind` from
// one union (issue 31 item 6, issue 32 item 10). Each regression below is
// named after the raw error that used to escape.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AccessTokenError,
  CallbackBodyTooLargeError,
  computeSignature,
  createAccessToken,
  createStatusCallbackHandler,
  InvalidSignatureError,
  TwilioArgumentError,
  TwilioConfigError,
  TwilioNetworkError,
  TwilioProtocolError,
  TwilioVideoError,
  validateJsonSignature,
  validateSignature,
  verifyStatusCallback,
  type TwilioErrorKind,
} from "../../src/index.js";
import { createNodeStatusCallbackHandler } from "../../src/node/handler.js";
import { API_KEY_SECRET, API_KEY_SID, client, json, ROOM_SID, scriptedFetch } from "./helpers.js";

const BASE = "https://video.twilio.com";
const RECORDING = "RT2d4f6a8c0e1f3a5b7d9c1e2f4a6b8d0c";

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the server helpers' errors are TwilioVideoErrors", () => {
  const cases: Array<[string, TwilioVideoError, TwilioErrorKind]> = [
    ["AccessTokenError", new AccessTokenError("ttl", "bad"), "argument"],
    ["InvalidSignatureError", new InvalidSignatureError("bad"), "signature"],
    ["CallbackBodyTooLargeError", new CallbackBodyTooLargeError("big"), "callback"],
  ];

  it.each(cases)("%s keeps its name, has its kind, and serialises like the others", (name, error, kind) => {
    expect(error).toBeInstanceOf(TwilioVideoError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.kind).toBe(kind);
    expect(error.toJSON()).toMatchObject({ name, kind, message: error.message });
    expect(String(error.stack)).toContain(name);
  });

  it("AccessTokenError is a TwilioArgumentError and still names the option", () => {
    const error = new AccessTokenError("identity", "must be a non-empty string");
    expect(error).toBeInstanceOf(TwilioArgumentError);
    expect(error.option).toBe("identity");
    expect(error.message).toBe("identity: must be a non-empty string");
  });
});

describe("pagination", () => {
  const page = (next: unknown) =>
    json(200, { rooms: [{ sid: ROOM_SID }], meta: { key: "rooms", next_page_url: next } });

  it("a malformed %-escape in a next_page_url is a TwilioProtocolError (regression: a raw URIError escaped)", async () => {
    const next = `${BASE}/v1/Rooms/%E0%A4%A/Participants?PageToken=PT1`;
    const { fetch } = scriptedFetch(
      json(200, { participants: [{}], meta: { key: "participants", next_page_url: next } }),
    );
    const error = await failure(client(fetch).rooms.participants(ROOM_SID).all());
    expect(error).toBeInstanceOf(TwilioProtocolError);
    expect((error as Error).message).toContain("malformed %-escape");
  });

  it("a next_page_url that does not parse is a TwilioProtocolError (regression: a TypeError from new URL)", async () => {
    const { fetch, calls } = scriptedFetch(page("http://[not-a-host/v1/Rooms"));
    expect(await failure(client(fetch).rooms.all())).toBeInstanceOf(TwilioProtocolError);
    expect(calls).toHaveLength(1);
  });

  it("a next_page_url that is not a string is a TwilioProtocolError", async () => {
    const { fetch } = scriptedFetch(page({ href: "/v1/Rooms" }));
    expect(await failure(client(fetch).rooms.all())).toBeInstanceOf(TwilioProtocolError);
  });

  it("a page whose own meta.url does not parse is still read", async () => {
    const { fetch } = scriptedFetch(
      json(200, { rooms: [{ sid: ROOM_SID }], meta: { key: "rooms", next_page_url: null, url: "http://[x" } }),
    );
    await expect(client(fetch).rooms.all()).resolves.toHaveLength(1);
  });
});

describe("the client", () => {
  it("a redirect whose Location does not parse is a TwilioProtocolError (regression: a TypeError from new URL)", async () => {
    const { fetch } = scriptedFetch(new Response(null, { status: 302, headers: { location: "http://[::1" } }));
    const error = await failure(client(fetch).rooms.get(ROOM_SID));
    expect(error).toBeInstanceOf(TwilioProtocolError);
    expect((error as Error).message).toContain("never follow redirects");
  });

  it.each([
    ["NaN", { MaxParticipants: Number.NaN }],
    ["an Invalid Date", { When: new Date("nope") }],
    ["a BigInt", { MaxParticipants: 10n }],
    ["a BigInt inside a JSON field", { RecordingRules: { rules: [{ n: 1n }] } }],
    ["a function", { Type: () => "group" }],
  ])("a body with %s rejects with TwilioArgumentError, nothing sent (regression: a raw TypeError)", async (_, body) => {
    for (const middleware of [[], [{ onRequest: () => undefined }]]) {
      const { fetch, calls } = scriptedFetch(json(201, { sid: ROOM_SID }));
      const error = await failure(client(fetch, { middleware }).rooms.create(body as never));
      expect(error).toBeInstanceOf(TwilioArgumentError);
      expect(calls).toHaveLength(0);
    }
  });

  it("a circular JSON field rejects with TwilioArgumentError (regression: a raw TypeError)", async () => {
    const rules: Record<string, unknown> = {};
    rules.self = rules;
    const { fetch } = scriptedFetch(json(201, { sid: ROOM_SID }));
    expect(await failure(client(fetch).rooms.create({ RecordingRules: rules } as never))).toBeInstanceOf(
      TwilioArgumentError,
    );
  });

  it("a JSON field nested deeper than the stack rejects with TwilioArgumentError (regression: a raw RangeError)", async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 200_000; i++) deep = { d: deep };
    const { fetch } = scriptedFetch(json(201, { sid: ROOM_SID }));
    expect(await failure(client(fetch).rooms.create({ RecordingRules: deep } as never))).toBeInstanceOf(
      TwilioArgumentError,
    );
  });

  it("a per-call header with CR/LF or a bad name is refused before anything is sent (regression: a fetch TypeError, retried as a network error)", async () => {
    for (const headers of [{ "X-Trace": "a\r\nAuthorization: Basic x" }, { "Bad Name": "v" }, { "X-N": 1 }]) {
      const { fetch, calls } = scriptedFetch(json(200, { sid: ROOM_SID }));
      expect(await failure(client(fetch).rooms.get(ROOM_SID, { headers } as never))).toBeInstanceOf(
        TwilioArgumentError,
      );
      expect(calls).toHaveLength(0);
    }
  });

  it("a media download whose fetch fails is a TwilioNetworkError without the URL's signature (regression: a raw TypeError)", async () => {
    const signed = "https://media.example-storage.test/RT/media.mka?Expires=1&Signature=SECRET-SIG";
    const api = scriptedFetch(json(302, { redirect_to: signed }));
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).startsWith("https://media.")) throw new TypeError("fetch failed");
      return api.fetch(input, init);
    }) as typeof globalThis.fetch;
    const error = await failure(client(fetch).recordings.download(RECORDING));
    expect(error).toBeInstanceOf(TwilioNetworkError);
    expect(JSON.stringify((error as TwilioNetworkError).toJSON())).not.toContain("SECRET-SIG");
    expect((error as Error).message).not.toContain("SECRET-SIG");
  });

  it("a media download aborted by the caller rejects with the caller's reason", async () => {
    const controller = new AbortController();
    const api = scriptedFetch(json(302, { redirect_to: "https://media.example/x.mka" }));
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).startsWith("https://media.")) {
        controller.abort(new Error("stop"));
        throw new DOMException("aborted", "AbortError");
      }
      return api.fetch(input, init);
    }) as typeof globalThis.fetch;
    const error = await failure(client(fetch).recordings.download(RECORDING, {}, { signal: controller.signal }));
    expect((error as Error).message).toBe("stop");
  });
});

describe("Web Crypto missing", () => {
  it("createAccessToken is a TwilioConfigError (regression: a TypeError from undefined.subtle)", async () => {
    vi.stubGlobal("crypto", undefined);
    const options = {
      accountSid: `AC${"0".repeat(32)}`,
      apiKeySid: API_KEY_SID,
      apiKeySecret: API_KEY_SECRET,
      identity: "a",
    };
    const error = await failure(createAccessToken(options));
    expect(error).toBeInstanceOf(TwilioConfigError);
    expect((error as Error).message).not.toContain(API_KEY_SECRET);
  });

  it("computeSignature is a TwilioConfigError (regression: a TypeError from undefined.subtle)", async () => {
    vi.stubGlobal("crypto", undefined);
    expect(await failure(computeSignature("token", "https://example.com/cb", {}))).toBeInstanceOf(TwilioConfigError);
  });
});

describe("signatures", () => {
  it("computeSignature refuses a token that is not a string (regression: it signed with the text 'undefined')", async () => {
    expect(await failure(computeSignature(undefined as never, "https://example.com/cb"))).toBeInstanceOf(
      TwilioArgumentError,
    );
  });

  it("computeSignature refuses params that are not strings (regression: a TypeError from value.map)", async () => {
    expect(await failure(computeSignature("t", "https://example.com/cb", { A: 1 } as never))).toBeInstanceOf(
      TwilioArgumentError,
    );
  });

  it("validateSignature and validateJsonSignature answer false for a token or signature that is not a string", async () => {
    expect(await validateSignature(42 as never, "sig", "https://example.com/cb")).toBe(false);
    expect(await validateSignature("token", { length: 3 } as never, "https://example.com/cb")).toBe(false);
    expect(await validateJsonSignature("token", 7 as never, "https://example.com/cb?bodySHA256=ab", "{}")).toBe(false);
  });

  it("verifyStatusCallback on a request whose body was already read is a TwilioArgumentError naming options.body (regression: TypeError: Body is unusable)", async () => {
    const request = new Request("https://example.com/cb", { method: "POST", body: "RoomSid=RM1" });
    await request.text();
    const error = await failure(verifyStatusCallback(request, { authToken: "token" }));
    expect(error).toBeInstanceOf(TwilioArgumentError);
    expect((error as Error).message).toContain("options.body");
  });
});

describe("the Node callback handler", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it("a Host that does not form a URL is 403, not a 500 from a TypeError in the fallback", async () => {
    const errors: number[] = [];
    const handler = createNodeStatusCallbackHandler({
      authToken: "token",
      on: {},
      onError: (_, { status }) => void errors.push(status),
    });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end(
          "POST http://[bad/cb HTTP/1.1\r\nHost: [bad\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\nA=1",
        );
      });
      let text = "";
      socket.on("data", (chunk) => (text += chunk.toString("latin1")));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 403/);
    expect(errors).toEqual([403]);
  });

  it("createStatusCallbackHandler's misconfiguration is a TwilioConfigError (regression: a bare TypeError)", () => {
    expect(() => createStatusCallbackHandler({ authToken: "", on: {} })).toThrow(TwilioConfigError);
  });
});
