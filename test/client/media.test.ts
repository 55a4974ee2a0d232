import { afterEach, describe, expect, it, vi } from "vitest";
import { TwilioApiError, TwilioArgumentError, TwilioProtocolError } from "../../src/index.js";
import { json, twilioError, type Call } from "./helpers.js";
import { HANG, TRANSPORTS, scripted, type Reply, type Scripted } from "./transports.js";

const RT = "RT2d4f6a8c0e1b3d5f7a9c1e2b4d6f8a0c";
const SIGNED_PATH = "/RT2d4f/media.mka";
const SIGNED_QUERY = "?Expires=1764014400&Signature=c2VjcmV0LXNpZ25hdHVyZQ&Key-Pair-Id=APKA";

const redirect = (body: unknown, location: string) => json(302, body, { location });
const isApi = (call: Call) => call.url.pathname.startsWith("/v1/");

describe.each(TRANSPORTS)("media subresources over %s", (kind) => {
  let s: Scripted | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });
  /** The media host: another origin than the API's (the loopback server under another name for node). */
  const mediaOrigin = (on: Scripted) =>
    kind === "fetch" ? "https://media.example-storage.test" : on.origin.replace("127.0.0.1", "localhost");
  const signed = (on: Scripted) => `${mediaOrigin(on)}${SIGNED_PATH}${SIGNED_QUERY}`;
  /** Replies computed once the origin is known. */
  async function script(make: (signedUrl: string) => Reply) {
    let url = "";
    s = await scripted(kind, (call, index) => {
      const reply = make(url);
      return typeof reply === "function" ? reply(call, index) : reply;
    });
    url = signed(s);
    return s;
  }
  // Media downloads use the caller's fetch; for node that is the global one, talking to the loopback server.
  const clientOf = (on: Scripted) => on.client();

  it("asks with redirects off and returns the signed URL from redirect_to with its expiry", async () => {
    const on = await script((url) => redirect({ redirect_to: url }, "https://elsewhere.test/ignored"));
    const before = Date.now();
    const link = await clientOf(on).recordings.media(RT, { ttl: 60, contentDisposition: "inline" });
    expect(link.url).toBe(signed(on));
    expect(link.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    expect(link.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(on.calls).toHaveLength(1);
    expect(on.calls[0]!.url.search).toBe("?Ttl=60&ContentDisposition=inline");
  });

  it("falls back to the Location header", async () => {
    const on = await script((url) => new Response("", { status: 302, headers: { location: url } }));
    expect((await clientOf(on).compositions.media("CJ3e5a7c9e1f2b4d6a8c0e2f3a5b7d9c1e")).url).toBe(signed(on));
  });

  it("a 302 without any URL is a protocol error", async () => {
    const on = await script(() => new Response("", { status: 302 }));
    await expect(clientOf(on).recordings.media(RT)).rejects.toBeInstanceOf(TwilioProtocolError);
  });

  it("media that is not ready yet is a typed 404", async () => {
    const on = await script(() => twilioError(404, 20404, "Media not available"));
    const error = (await clientOf(on)
      .recordings.media(RT)
      .catch((e: unknown) => e)) as TwilioApiError;
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error.status).toBe(404);
    expect(error.code).toBe(20404);
  });

  it("refuses a TTL or Content-Disposition the API would reject", async () => {
    const on = await script((url) => redirect({ redirect_to: url }, url));
    await expect(clientOf(on).recordings.media(RT, { ttl: 0 })).rejects.toBeInstanceOf(TwilioArgumentError);
    await expect(clientOf(on).recordings.media(RT, { ttl: 3601 })).rejects.toBeInstanceOf(TwilioArgumentError);
    await expect(clientOf(on).recordings.media(RT, { contentDisposition: "download" })).rejects.toBeInstanceOf(
      TwilioArgumentError,
    );
    expect(on.calls).toHaveLength(0);
  });

  it("download streams the file from the signed URL without the Authorization header", async () => {
    const bytes = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3]);
    const on = await script(
      (url) => (call: Call) =>
        isApi(call)
          ? redirect({ redirect_to: url }, url)
          : new Response(bytes, { status: 200, headers: { "content-type": "audio/x-matroska" } }),
    );
    const response = await clientOf(on).rooms.recordings("RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c").download(RT);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    expect(on.calls).toHaveLength(2);
    expect(on.calls[0]!.headers.get("authorization")).toMatch(/^Basic /);
    expect(on.calls[1]!.url.pathname + on.calls[1]!.url.search).toBe(SIGNED_PATH + SIGNED_QUERY);
    expect(on.calls[1]!.headers.get("authorization")).toBeNull();
  });

  it("a failed download names the media URL without its signature", async () => {
    const on = await script(
      (url) => (call: Call) =>
        isApi(call) ? redirect({ redirect_to: url }, url) : new Response("AccessDenied", { status: 403 }),
    );
    const error = (await clientOf(on)
      .recordings.download(RT)
      .catch((e: unknown) => e)) as TwilioApiError;
    expect(error.status).toBe(403);
    expect(error.url).toBe(`${mediaOrigin(on)}${SIGNED_PATH}`);
    expect(JSON.stringify(error)).not.toContain("Signature=");
  });

  it("regression: download() stops when the caller's signal aborts while the file is requested", async () => {
    const on = await script((url) => (call: Call) => (isApi(call) ? redirect({ redirect_to: url }, url) : HANG));
    const controller = new AbortController();
    const reason = new Error("user gave up");
    const outcome = clientOf(on)
      .recordings.download(RT, {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    await vi.waitFor(() => expect(on.calls).toHaveLength(2));
    controller.abort(reason);
    expect(await outcome).toBe(reason);
  });
});
