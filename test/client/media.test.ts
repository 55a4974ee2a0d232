import { describe, expect, it } from "vitest";
import { TwilioApiError, TwilioArgumentError, TwilioProtocolError } from "../../src/index.js";
import { client, json, scriptedFetch, twilioError, type Call } from "./helpers.js";

const RT = "RT2d4f6a8c0e1b3d5f7a9c1e2b4d6f8a0c";
const SIGNED = "https://media.example-storage.test/RT2d4f/media.mka?Expires=1764014400&Signature=c2VjcmV0LXNpZ25hdHVyZQ&Key-Pair-Id=APKA";

const redirect = (body: unknown, location = SIGNED) => json(302, body, { location });

describe("media subresources", () => {
  it("asks with redirects off and returns the signed URL from redirect_to with its expiry", async () => {
    const { fetch, calls } = scriptedFetch(redirect({ redirect_to: SIGNED }, "https://elsewhere.test/ignored"));
    const before = Date.now();
    const link = await client(fetch).recordings.media(RT, { ttl: 60, contentDisposition: "inline" });
    expect(link.url).toBe(SIGNED);
    expect(link.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    expect(link.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url.search).toBe("?Ttl=60&ContentDisposition=inline");
  });

  it("falls back to the Location header", async () => {
    const { fetch } = scriptedFetch(new Response("", { status: 302, headers: { location: SIGNED } }));
    expect((await client(fetch).compositions.media("CJ3e5a7c9e1f2b4d6a8c0e2f3a5b7d9c1e")).url).toBe(SIGNED);
  });

  it("a 302 without any URL is a protocol error", async () => {
    const { fetch } = scriptedFetch(new Response("", { status: 302 }));
    await expect(client(fetch).recordings.media(RT)).rejects.toBeInstanceOf(TwilioProtocolError);
  });

  it("media that is not ready yet is a typed 404", async () => {
    const { fetch } = scriptedFetch(twilioError(404, 20404, "Media not available"));
    const error = (await client(fetch).recordings.media(RT).catch((e: unknown) => e)) as TwilioApiError;
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error.status).toBe(404);
    expect(error.code).toBe(20404);
  });

  it("refuses a TTL or Content-Disposition the API would reject", async () => {
    const { fetch, calls } = scriptedFetch(redirect({ redirect_to: SIGNED }));
    await expect(client(fetch).recordings.media(RT, { ttl: 0 })).rejects.toBeInstanceOf(TwilioArgumentError);
    await expect(client(fetch).recordings.media(RT, { ttl: 3601 })).rejects.toBeInstanceOf(TwilioArgumentError);
    await expect(client(fetch).recordings.media(RT, { contentDisposition: "download" })).rejects.toBeInstanceOf(TwilioArgumentError);
    expect(calls).toHaveLength(0);
  });

  it("download streams the file from the signed URL without the Authorization header", async () => {
    const bytes = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3]);
    const { fetch, calls } = scriptedFetch((call: Call) =>
      call.url.origin === "https://video.twilio.com" ? redirect({ redirect_to: SIGNED }) : new Response(bytes, { status: 200, headers: { "content-type": "audio/x-matroska" } }),
    );
    const response = await client(fetch).rooms.recordings("RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c").download(RT);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.headers.get("authorization")).toMatch(/^Basic /);
    expect(calls[1]!.url.toString()).toBe(SIGNED);
    expect(calls[1]!.headers.get("authorization")).toBeNull();
  });

  it("a failed download names the media URL without its signature", async () => {
    const { fetch } = scriptedFetch((call: Call) => (call.url.origin === "https://video.twilio.com" ? redirect({ redirect_to: SIGNED }) : new Response("AccessDenied", { status: 403 })));
    const error = (await client(fetch).recordings.download(RT).catch((e: unknown) => e)) as TwilioApiError;
    expect(error.status).toBe(403);
    expect(error.url).toBe("https://media.example-storage.test/RT2d4f/media.mka");
    expect(JSON.stringify(error)).not.toContain("Signature=");
  });
});
