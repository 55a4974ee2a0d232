/**
 * The status callback receiver (createStatusCallbackHandler) against hostile
 * senders: huge bodies and huge declared lengths, bodies that dribble or
 * break off, crafted signatures, control characters, thousands of fields and
 * deep JSON nesting. Each is answered with a refusal (or a 204 for a genuine
 * callback), within a time bound, without reading more than the cap, and
 * without the auth token appearing anywhere.
 */
import { describe, expect, it, vi } from "vitest";
import { computeSignature, createStatusCallbackHandler, DEFAULT_MAX_CALLBACK_BODY_BYTES } from "../../src/index.js";
import { ROOM_CALLBACK as ROOM } from "../fixtures/callbacks.js";

const TOKEN = "receiver-attack-auth-token-0123456789";
const PUBLIC = "https://app.example.com/video/events";
const MiB = 1024 * 1024;
const ROOM_CALLBACK = { ...ROOM, StatusCallbackEvent: "room-created" };

function setup(extra: Partial<Parameters<typeof createStatusCallbackHandler>[0]> = {}) {
  const seen = vi.fn();
  const onError = vi.fn();
  const handle = createStatusCallbackHandler({
    authToken: TOKEN,
    on: { "room-created": seen, unknown: seen },
    onError,
    ...extra,
  });
  return { handle, seen, onError };
}

/** A body stream of `total` bytes in `chunk`-byte pieces that counts what was pulled from it. */
function countingBody(total: number, chunk = 16 * 1024): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const piece = new Uint8Array(chunk).fill(0x61);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      sent += chunk;
      controller.enqueue(piece);
    },
  });
  return { stream, pulled: () => sent };
}

function post(body: BodyInit | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  return new Request(PUBLIC, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    duplex: "half",
  } as RequestInit);
}

async function signed(fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Request> {
  const form = new URLSearchParams(fields);
  return post(form.toString(), { "X-Twilio-Signature": await computeSignature(TOKEN, PUBLIC, form), ...headers });
}

/** Everything the handler let out: the answer's text and whatever reached onError. */
async function leaked(response: Response, onError: ReturnType<typeof vi.fn>): Promise<string> {
  const errors = onError.mock.calls.map(([e]) =>
    e instanceof Error ? `${e.name} ${e.message} ${e.stack ?? ""}` : String(e),
  );
  return `${await response.text()} ${errors.join(" ")}`;
}

describe("huge bodies", () => {
  it("a 64 MiB body without a length is refused 413 after reading just past the cap", async () => {
    const { handle, seen, onError } = setup();
    const body = countingBody(64 * MiB);
    const started = performance.now();
    const response = await handle(post(body.stream));
    expect(response.status).toBe(413);
    expect(performance.now() - started).toBeLessThan(2_000);
    // The stream is cancelled one chunk past 64 KiB, not drained.
    expect(body.pulled()).toBeLessThanOrEqual(DEFAULT_MAX_CALLBACK_BODY_BYTES + 3 * 16 * 1024);
    expect(seen).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ name: "CallbackBodyTooLargeError" }), {
      status: 413,
    });
  });

  it("a declared length over the cap is refused before any byte is read", async () => {
    const { handle } = setup({ maxBodyBytes: 1024 });
    const body = countingBody(MiB);
    const response = await handle(post(body.stream, { "Content-Length": String(MiB) }));
    expect(response.status).toBe(413);
    // At most the one chunk a stream buffers by itself once made; the handler read nothing.
    expect(body.pulled()).toBeLessThanOrEqual(16 * 1024);
  });

  it("a body exactly at the cap is read; one byte more is not", async () => {
    const { handle } = setup({ maxBodyBytes: 100 });
    expect((await handle(post("a".repeat(100)))).status).toBe(403);
    expect((await handle(post("a".repeat(101)))).status).toBe(413);
  });
});

describe("slow and broken bodies", () => {
  it("a body that dribbles past the cap is refused as soon as it crosses it, not when it ends", async () => {
    const { handle } = setup({ maxBodyBytes: 1024 });
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 5));
        sent += 256;
        controller.enqueue(new Uint8Array(256).fill(0x61));
      },
    });
    const started = performance.now();
    expect((await handle(post(stream))).status).toBe(413);
    // Five 256-byte drips cross 1 KiB; an endless body would otherwise never be answered.
    expect(sent).toBeLessThanOrEqual(6 * 256);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("a body that breaks off midway is a 400 reported to onError, never a rejection or a hang", async () => {
    const { handle, onError, seen } = setup();
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (++pulls > 3) return controller.error(new Error("connection reset"));
        controller.enqueue(new TextEncoder().encode("RoomSid=RM1&"));
      },
    });
    const response = await handle(post(stream));
    expect(response.status).toBe(400);
    expect(seen).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it("a slow but genuine callback under the cap is delivered once it ends", async () => {
    const { handle, seen } = setup();
    const form = new URLSearchParams({ ...ROOM_CALLBACK });
    const bytes = new TextEncoder().encode(form.toString());
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 2));
        if (at >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(at, at + 64));
        at += 64;
      },
    });
    const response = await handle(post(stream, { "X-Twilio-Signature": await computeSignature(TOKEN, PUBLIC, form) }));
    expect(response.status).toBe(204);
    expect(seen).toHaveBeenCalledTimes(1);
  });
});

describe("crafted signatures", () => {
  it.each([
    ["empty", ""],
    ["not base64", "!!!!"],
    ["1 MiB long", "A".repeat(MiB)],
    ["control characters", "abc\u0001\u007f"],
    ["a valid signature of other fields", "SIG-OF-OTHER"],
    ["the auth token itself", TOKEN],
  ])("%s: 403, nothing run, quickly, and the token never echoed", async (_, signature) => {
    const { handle, seen, onError } = setup();
    let value = signature;
    if (signature === "SIG-OF-OTHER")
      value = await computeSignature(TOKEN, PUBLIC, new URLSearchParams({ ...ROOM_CALLBACK, RoomName: "other" }));
    const started = performance.now();
    let response: Response;
    try {
      response = await handle(
        post(new URLSearchParams({ ...ROOM_CALLBACK }).toString(), { "X-Twilio-Signature": value }),
      );
    } catch (error) {
      // Headers refuse some bytes before the handler sees them: nothing to answer.
      expect(error).toBeInstanceOf(TypeError);
      return;
    }
    expect(response.status).toBe(403);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(seen).not.toHaveBeenCalled();
    const text = await leaked(response, onError);
    expect(text).not.toContain(TOKEN);
  });

  it("a signature checked against a forged X-Forwarded-Host is refused unless trustProxy is set", async () => {
    const { handle } = setup();
    const form = new URLSearchParams({ ...ROOM_CALLBACK });
    const forged = "https://evil.example.net/video/events";
    const request = new Request("http://internal:8080/video/events", {
      method: "POST",
      body: form.toString(),
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-Host": "evil.example.net",
        "X-Forwarded-Proto": "https",
        "X-Twilio-Signature": await computeSignature(TOKEN, forged, form),
      },
    });
    expect((await handle(request)).status).toBe(403);
  });
});

describe("crafted fields", () => {
  it("control characters and 6,000 fields in a genuine callback are passed through as data, in linear time", async () => {
    const { handle, seen } = setup();
    const evil = "x\r\n::error::forged\u001b]0;t\u0007";
    const many = Object.fromEntries(Array.from({ length: 6_000 }, (_, i) => [`F${i}`, ""]));
    const small = await signed({ ...ROOM_CALLBACK, RoomName: evil });
    let started = performance.now();
    expect((await handle(small)).status).toBe(204);
    const smallMs = performance.now() - started;
    const large = await signed({ ...ROOM_CALLBACK, RoomName: evil, ...many });
    started = performance.now();
    expect((await handle(large)).status).toBe(204);
    expect(performance.now() - started).toBeLessThan(Math.max(smallMs, 5) * 200 + 1_000);
    expect(seen.mock.calls[0]![0]).toMatchObject({ RoomName: evil });
  });

  it("a repeated field in a genuine callback is a 400, not a silent pick", async () => {
    const { handle, onError } = setup();
    const form = new URLSearchParams({ ...ROOM_CALLBACK });
    form.append("RoomSid", "RM00000000000000000000000000000000");
    const response = await handle(
      post(form.toString(), { "X-Twilio-Signature": await computeSignature(TOKEN, PUBLIC, form) }),
    );
    expect(response.status).toBe(400);
    expect(await leaked(response, onError)).not.toContain(TOKEN);
  });

  it("a genuine JSON callback nested 60,000 deep is answered (never a stack overflow or a hang)", async () => {
    const { handle } = setup();
    const body = JSON.stringify({ ...ROOM_CALLBACK }).replace(
      /}$/,
      `,"Deep":${"[".repeat(60_000)}${"]".repeat(60_000)}}`,
    );
    expect(body.length).toBeLessThan(DEFAULT_MAX_CALLBACK_BODY_BYTES * 2);
    const digest = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body))).toString("hex");
    const url = `${PUBLIC}?bodySHA256=${digest}`;
    const request = new Request(url, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", "X-Twilio-Signature": await computeSignature(TOKEN, url, {}) },
    });
    const big = createStatusCallbackHandler({
      authToken: TOKEN,
      maxBodyBytes: 2 * DEFAULT_MAX_CALLBACK_BODY_BYTES,
      on: {},
    });
    const started = performance.now();
    const response = await big(request);
    expect([204, 400]).toContain(response.status);
    expect(performance.now() - started).toBeLessThan(2_000);
    // The default cap refuses it before parsing anything.
    const again = new Request(url, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", "X-Twilio-Signature": await computeSignature(TOKEN, url, {}) },
    });
    expect((await handle(again)).status).toBe(413);
  });
});
