import { describe, expect, it } from "vitest";
import {
  createVideoClient,
  TwilioApiError,
  TwilioArgumentError,
  TwilioConfigError,
  TwilioNetworkError,
  TwilioVideoError,
} from "../../src/index.js";
import { API_KEY_SECRET, API_KEY_SID, ROOM_SID, client, scriptedFetch, twilioError } from "./helpers.js";

const BASIC = btoa(`${API_KEY_SID}:${API_KEY_SECRET}`);

function leaks(error: unknown): string[] {
  const e = error as Error;
  const surfaces = [String(e), e.message, e.stack ?? "", JSON.stringify(e)];
  return surfaces.filter((text) => text.includes(API_KEY_SECRET) || text.includes(BASIC));
}

describe("error mapping", () => {
  it("maps a Twilio JSON error to TwilioApiError with code, moreInfo and request id", async () => {
    const { fetch } = scriptedFetch(
      twilioError(404, 20404, "The requested resource was not found", {
        "twilio-request-id": "RQ0123456789abcdef0123456789abcdef",
      }),
    );
    const error = await client(fetch)
      .rooms.get(ROOM_SID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error).toBeInstanceOf(TwilioVideoError);
    const api = error as TwilioApiError;
    expect(api).toMatchObject({
      kind: "api",
      status: 404,
      code: 20404,
      moreInfo: "https://www.twilio.com/docs/errors/20404",
      requestId: "RQ0123456789abcdef0123456789abcdef",
      method: "GET",
      bodyExcerpt: null,
    });
    expect(api.url).toBe(`https://video.twilio.com/v1/Rooms/${ROOM_SID}`);
    expect(api.message).toContain("20404: The requested resource was not found");
  });

  it("keeps details of errors that carry them", async () => {
    const { fetch } = scriptedFetch(
      new Response(
        JSON.stringify({
          code: 53120,
          message: "Invalid Recording Rule(s)",
          more_info: "https://www.twilio.com/docs/errors/53120",
          status: 400,
          details: { rule: 0 },
        }),
        { status: 400 },
      ),
    );
    const error = (await client(fetch)
      .rooms.create({ RecordingRules: [{ type: "include", all: true }] })
      .catch((e: unknown) => e)) as TwilioApiError;
    expect(error.code).toBe(53120);
    expect(error.details).toEqual({ rule: 0 });
  });

  it("gives a TwilioApiError with status and excerpt for an HTML page from a proxy", async () => {
    const html = `<html><head><title>502 Bad Gateway</title></head><body>${"x".repeat(500)}</body></html>`;
    const { fetch } = scriptedFetch(new Response(html, { status: 502, headers: { "content-type": "text/html" } }));
    const error = (await client(fetch, { maxRetries: 0 })
      .rooms.get(ROOM_SID)
      .catch((e: unknown) => e)) as TwilioApiError;
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error.status).toBe(502);
    expect(error.code).toBeNull();
    expect(error.bodyExcerpt).toMatch(/^<html><head><title>502 Bad Gateway/);
    expect(error.bodyExcerpt!.length).toBeLessThanOrEqual(201);
  });

  it("gives a TwilioApiError for an empty 502 (openapi-fetch reports it as error: '')", async () => {
    const { fetch } = scriptedFetch(new Response(null, { status: 502 }));
    const error = (await client(fetch, { maxRetries: 0 })
      .rooms.get(ROOM_SID)
      .catch((e: unknown) => e)) as TwilioApiError;
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error.status).toBe(502);
    expect(error.message).toContain("empty body");
  });

  it("wraps transport failures in TwilioNetworkError", async () => {
    const { fetch } = scriptedFetch(() => Promise.reject(new TypeError("fetch failed")));
    const error = await client(fetch, { maxRetries: 0 })
      .rooms.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioNetworkError);
    expect((error as TwilioNetworkError).kind).toBe("network");
  });

  it("never puts the secret or the Authorization header in String(err), JSON or the stack", async () => {
    const failures = [
      scriptedFetch(twilioError(401, 20003, "Authenticate")),
      scriptedFetch(() => Promise.reject(new TypeError("fetch failed"))),
      scriptedFetch(new Response("<html>oops</html>", { status: 500 })),
    ];
    for (const { fetch } of failures) {
      const error = await client(fetch, { maxRetries: 0 })
        .rooms.get(ROOM_SID)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TwilioVideoError);
      expect(leaks(error)).toEqual([]);
    }
  });

  it("strips credentials from a base URL error instead of echoing them", () => {
    expect(() =>
      createVideoClient({
        apiKeySid: API_KEY_SID,
        apiKeySecret: API_KEY_SECRET,
        baseUrl: `https://u:${API_KEY_SECRET}@video.twilio.com`,
      }),
    ).toThrow(TwilioConfigError);
    try {
      createVideoClient({
        apiKeySid: API_KEY_SID,
        apiKeySecret: API_KEY_SECRET,
        baseUrl: `https://u:${API_KEY_SECRET}@video.twilio.com`,
      });
    } catch (error) {
      expect(leaks(error)).toEqual([]);
    }
  });
});

describe("arguments are checked before any request is sent", () => {
  const bad = [
    "",
    "a/b",
    "room?x=1",
    "room#frag",
    "..",
    "a/../b",
    "line\nbreak",
    "nul\u0000",
    "x".repeat(129),
    "back\\slash",
  ];
  it.each(bad)("refuses room id %j", async (id) => {
    const { fetch, calls } = scriptedFetch(twilioError(500, 20500));
    await expect(client(fetch).rooms.get(id)).rejects.toBeInstanceOf(TwilioArgumentError);
    expect(calls).toHaveLength(0);
  });

  it("refuses a non-SID where only a SID is allowed", async () => {
    const { fetch, calls } = scriptedFetch(twilioError(500, 20500));
    const video = client(fetch);
    await expect(video.recordings.get("daily-standup")).rejects.toThrow(/RT SID/);
    await expect(video.compositions.delete("RT2d4f6a8c0e1b3d5f7a9c1e2b4d6f8a0c")).rejects.toThrow(/CJ SID/);
    expect(() => video.rooms.recordings("daily-standup")).toThrow(/RM SID/);
    expect(calls).toHaveLength(0);
  });

  it("percent-encodes unique names and identities with reserved characters", async () => {
    const { fetch, calls } = scriptedFetch(new Response(JSON.stringify({}), { status: 200 }));
    await client(fetch).rooms.participants("Team Standup: 9am").get("alice+bob@example.com");
    expect(calls[0]!.url.pathname).toBe("/v1/Rooms/Team%20Standup%3A%209am/Participants/alice%2Bbob%40example.com");
  });
});
