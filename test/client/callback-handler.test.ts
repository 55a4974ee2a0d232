import fc from "fast-check";
import { describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  CallbackBodyTooLargeError,
  InvalidSignatureError,
  InvalidStatusCallbackError,
  computeSignature,
  createStatusCallbackHandler,
  type StatusCallbackOf,
  type UnknownCallback,
} from "../../src/index.js";
import { ROOM_CALLBACK } from "../fixtures/callbacks.js";

const TOKEN = "handler-test-auth-token";
const PUBLIC = "https://app.example.com/video/events";
const PARTICIPANT = {
  ...ROOM_CALLBACK,
  SequenceNumber: "1",
  ParticipantSid: "PA8b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e",
  ParticipantStatus: "disconnected",
  ParticipantIdentity: "alice",
  ParticipantDuration: "61",
  StatusCallbackEvent: "participant-disconnected",
};

async function signedPost(
  fields: Record<string, string>,
  options: { signedUrl?: string; requestUrl?: string; headers?: Record<string, string> } = {},
): Promise<Request> {
  const form = new URLSearchParams(fields);
  const signature = await computeSignature(TOKEN, options.signedUrl ?? PUBLIC, form);
  return new Request(options.requestUrl ?? PUBLIC, {
    method: "POST",
    body: form.toString(),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Twilio-Signature": signature,
      ...options.headers,
    },
  });
}

function setup(extra: Partial<Parameters<typeof createStatusCallbackHandler>[0]> = {}) {
  const disconnected = vi.fn<(e: StatusCallbackOf<"participant-disconnected">) => void>();
  const unknown = vi.fn<(e: UnknownCallback) => void>();
  const onError = vi.fn();
  const handle = createStatusCallbackHandler({
    authToken: TOKEN,
    on: { "participant-disconnected": disconnected, unknown },
    onError,
    ...extra,
  });
  return { handle, disconnected, unknown, onError };
}

describe("createStatusCallbackHandler (Web standard)", () => {
  it("a genuine callback reaches its typed listener, then 204", async () => {
    const { handle, disconnected } = setup();
    const response = await handle(await signedPost(PARTICIPANT));
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(disconnected).toHaveBeenCalledTimes(1);
    expect(disconnected.mock.calls[0]![0]).toMatchObject({
      kind: "participant",
      ParticipantIdentity: "alice",
      ParticipantDuration: 61,
      SequenceNumber: 1,
    });
  });

  it("a bad signature is 403 and no listener runs", async () => {
    const { handle, disconnected, unknown, onError } = setup();
    const request = await signedPost(PARTICIPANT);
    const forged = new Request(request, {
      headers: { ...Object.fromEntries(request.headers), "x-twilio-signature": "Zm9yZ2VkLXNpZ25hdHVyZS1oZXJl" },
    });
    expect((await handle(forged)).status).toBe(403);
    const unsigned = new Request(PUBLIC, { method: "POST", body: new URLSearchParams(PARTICIPANT) });
    expect((await handle(unsigned)).status).toBe(403);
    expect(disconnected).not.toHaveBeenCalled();
    expect(unknown).not.toHaveBeenCalled();
    expect(onError.mock.calls.map(([e, c]) => [e instanceof InvalidSignatureError, c])).toEqual([
      [true, { status: 403 }],
      [true, { status: 403 }],
    ]);
  });

  it("a body over the cap is 413 before anything else, declared or streamed", async () => {
    const { handle, disconnected, onError } = setup({ maxBodyBytes: 512 });
    const big = await signedPost({ ...PARTICIPANT, Padding: "x".repeat(600) });
    expect((await handle(big)).status).toBe(413);
    // No Content-Length: a stream that never ends would be read forever without the cap.
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(100).fill(0x61));
      },
    });
    const streamed = new Request(PUBLIC, { method: "POST", body: endless, duplex: "half" } as RequestInit);
    expect((await handle(streamed)).status).toBe(413);
    expect(pulled).toBeLessThan(20);
    expect(disconnected).not.toHaveBeenCalled();
    expect(onError.mock.calls.every(([e]) => e instanceof CallbackBodyTooLargeError)).toBe(true);
  });

  it("a listener that throws gives a bare 500: the details go to onError only", async () => {
    const secret = "db password is hunter2";
    const onError = vi.fn();
    const handle = createStatusCallbackHandler({
      authToken: TOKEN,
      onError,
      on: {
        "participant-disconnected": async () => {
          throw new Error(secret);
        },
      },
    });
    const response = await handle(await signedPost(PARTICIPANT));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("hunter2");
    expect([...response.headers].join()).not.toContain("hunter2");
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: secret }), { status: 500 });
  });

  it("a throwing onError does not change the answer", async () => {
    const handle = createStatusCallbackHandler({
      authToken: TOKEN,
      onError: () => {
        throw new Error("logger down");
      },
      on: {},
    });
    const request = await signedPost(PARTICIPANT);
    expect((await handle(new Request(request, { headers: { "x-twilio-signature": "bad" } }))).status).toBe(403);
  });

  it("the public URL from the url option, when the server sees another (proxy, tunnel)", async () => {
    const inside = "http://127.0.0.1:8080/internal/events";
    const withOption = setup({ url: PUBLIC });
    expect((await withOption.handle(await signedPost(PARTICIPANT, { requestUrl: inside }))).status).toBe(204);
    expect(withOption.disconnected).toHaveBeenCalledTimes(1);
    const without = setup();
    expect((await without.handle(await signedPost(PARTICIPANT, { requestUrl: inside }))).status).toBe(403);
  });

  it("X-Forwarded-Proto/Host count only with trustProxy", async () => {
    const inside = "http://10.0.0.5:3000/video/events";
    const forwarded = { "X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example.com" };
    const trusting = setup({ trustProxy: true });
    expect(
      (await trusting.handle(await signedPost(PARTICIPANT, { requestUrl: inside, headers: forwarded }))).status,
    ).toBe(204);
    const strict = setup();
    expect(
      (await strict.handle(await signedPost(PARTICIPANT, { requestUrl: inside, headers: forwarded }))).status,
    ).toBe(403);
    // Signed for the inside URL: trusting the headers moves it away, so it fails; not trusting, it passes.
    expect(
      (
        await trusting.handle(
          await signedPost(PARTICIPANT, { requestUrl: inside, signedUrl: inside, headers: forwarded }),
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await strict.handle(
          await signedPost(PARTICIPANT, { requestUrl: inside, signedUrl: inside, headers: forwarded }),
        )
      ).status,
    ).toBe(204);
    // A garbage forwarded host is a refusal, not a crash.
    expect(
      (
        await trusting.handle(
          await signedPost(PARTICIPANT, { requestUrl: inside, headers: { "X-Forwarded-Host": "a b/[" } }),
        )
      ).status,
    ).toBe(403);
  });

  it("GET callbacks (StatusCallbackMethod=GET) are read from the query string", async () => {
    const { handle, disconnected } = setup({ url: PUBLIC });
    const url = `${PUBLIC}?${new URLSearchParams(PARTICIPANT)}`;
    const request = new Request(`http://127.0.0.1/video/events?${new URLSearchParams(PARTICIPANT)}`, {
      headers: { "X-Twilio-Signature": await computeSignature(TOKEN, url) },
    });
    expect((await handle(request)).status).toBe(204);
    expect(disconnected.mock.calls[0]![0]).toMatchObject({ ParticipantDuration: 61 });
  });

  it("unknown events go to the unknown listener; events without a listener still get 204", async () => {
    const { handle, unknown, disconnected } = setup();
    expect(
      (await handle(await signedPost({ StatusCallbackEvent: "room-teleported", RoomSid: PARTICIPANT.RoomSid }))).status,
    ).toBe(204);
    expect(unknown).toHaveBeenCalledWith({
      kind: "unknown",
      StatusCallbackEvent: "room-teleported",
      RoomSid: PARTICIPANT.RoomSid,
    });
    expect(
      (await handle(await signedPost({ ...PARTICIPANT, StatusCallbackEvent: "participant-connected" }))).status,
    ).toBe(204);
    expect(disconnected).not.toHaveBeenCalled();
  });

  it("a genuine but malformed callback is 400 and reported; other methods 405", async () => {
    const { handle, onError, disconnected } = setup();
    const { ParticipantIdentity: _, ...incomplete } = PARTICIPANT;
    expect((await handle(await signedPost(incomplete))).status).toBe(400);
    expect(onError.mock.calls[0]![0]).toBeInstanceOf(InvalidStatusCallbackError);
    expect((await handle(new Request(PUBLIC, { method: "PUT", body: "x" }))).status).toBe(405);
    expect(disconnected).not.toHaveBeenCalled();
  });

  it("misconfiguration fails at construction", () => {
    expect(() => createStatusCallbackHandler({ authToken: "", on: {} })).toThrow(/authToken/);
    expect(() => createStatusCallbackHandler({ authToken: TOKEN, url: "/relative", on: {} })).toThrow(/absolute URL/);
    expect(() => createStatusCallbackHandler({ authToken: TOKEN, maxBodyBytes: 0, on: {} })).toThrow(/maxBodyBytes/);
  });

  it("types: each listener gets its event's type", () => {
    createStatusCallbackHandler({
      authToken: TOKEN,
      on: {
        "room-ended": (e) => {
          expectTypeOf(e.StatusCallbackEvent).toEqualTypeOf<"room-ended">();
          expectTypeOf(e.RoomDuration).toEqualTypeOf<number | undefined>();
        },
        "recording-completed": (e) => {
          expectTypeOf(e.RecordingSid).toEqualTypeOf<string>();
        },
        unknown: (e) => {
          expectTypeOf(e.StatusCallbackEvent).toEqualTypeOf<string>();
        },
        // @ts-expect-error not an event the spec documents
        "room-exploded": () => undefined,
      },
    });
  });
});

describe("what a stranger sends (property-based)", () => {
  it("any method, URL, headers and body: an answer from the documented set, never a throw, never a listener", async () => {
    const listener = vi.fn();
    const handle = createStatusCallbackHandler({
      authToken: TOKEN,
      maxBodyBytes: 256,
      trustProxy: true,
      on: { "room-created": listener, "participant-disconnected": listener, unknown: listener },
    });
    const header = fc.tuple(
      fc.constantFrom(
        "x-twilio-signature",
        "x-forwarded-host",
        "x-forwarded-proto",
        "content-length",
        "content-type",
        "x-other",
      ),
      fc.string({ maxLength: 40 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
        fc.webPath(),
        fc.webQueryParameters(),
        fc.array(header, { maxLength: 4 }),
        fc.oneof(
          fc.string({ maxLength: 400 }),
          fc.constantFrom(new URLSearchParams(PARTICIPANT).toString(), '{"StatusCallbackEvent":"room-created"}'),
        ),
        async (method, path, query, headers, body) => {
          const init: RequestInit = { method, headers: new Headers() };
          for (const [name, value] of headers) {
            try {
              (init.headers as Headers).set(name, value);
            } catch {
              // Not a legal header value: a real server would not receive it either.
            }
          }
          if (method !== "GET") init.body = body;
          const response = await handle(new Request(`https://app.example.com${path}?${query}`, init));
          expect([400, 403, 405, 413]).toContain(response.status);
        },
      ),
      { numRuns: 300 },
    );
    expect(listener).not.toHaveBeenCalled();
  });
});
