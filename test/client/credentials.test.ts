import { afterEach, describe, expect, it, vi } from "vitest";
import { TwilioConfigError, createVideoClient } from "../../src/index.js";
import { API_KEY_SECRET, API_KEY_SID, ROOM_SID, scriptedFetch, json } from "./helpers.js";

const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";

describe("credentials", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  function noEnv() {
    for (const name of ["TWILIO_API_KEY_SID", "TWILIO_API_KEY_SECRET", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"])
      vi.stubEnv(name, "");
  }

  it("sends Basic auth with the API key, a User-Agent with the suffix, to the base URL only", async () => {
    const { fetch, calls } = scriptedFetch(json(200, { sid: ROOM_SID }));
    await createVideoClient({
      apiKeySid: API_KEY_SID,
      apiKeySecret: API_KEY_SECRET,
      fetch,
      userAgent: "standup-bot/2.0",
    }).rooms.get(ROOM_SID);
    expect(calls[0]!.headers.get("authorization")).toBe(`Basic ${btoa(`${API_KEY_SID}:${API_KEY_SECRET}`)}`);
    expect(calls[0]!.headers.get("user-agent")).toMatch(
      /^twilio-video-ts\/\d+\.\d+\.\d+ \(node\/[\d.]+\) standup-bot\/2\.0$/,
    );
  });

  it("accepts account SID + auth token", async () => {
    const { fetch, calls } = scriptedFetch(json(200, { sid: ROOM_SID }));
    await createVideoClient({ accountSid: ACCOUNT_SID, authToken: "token", fetch }).rooms.get(ROOM_SID);
    expect(calls[0]!.headers.get("authorization")).toBe(`Basic ${btoa(`${ACCOUNT_SID}:token`)}`);
  });

  it("falls back to the environment", async () => {
    noEnv();
    vi.stubEnv("TWILIO_API_KEY_SID", API_KEY_SID);
    vi.stubEnv("TWILIO_API_KEY_SECRET", "from-env");
    const { fetch, calls } = scriptedFetch(json(200, { sid: ROOM_SID }));
    await createVideoClient({ fetch }).rooms.get(ROOM_SID);
    expect(calls[0]!.headers.get("authorization")).toBe(`Basic ${btoa(`${API_KEY_SID}:from-env`)}`);
  });

  it("names what is missing, at construction", () => {
    noEnv();
    expect(() => createVideoClient({})).toThrow(/No Twilio credentials.*TWILIO_API_KEY_SID/);
    expect(() => createVideoClient({ apiKeySid: API_KEY_SID })).toThrow(/Missing option apiKeySecret/);
    expect(() => createVideoClient({ accountSid: ACCOUNT_SID })).toThrow(/Missing option authToken/);
    vi.stubEnv("TWILIO_API_KEY_SID", API_KEY_SID);
    expect(() => createVideoClient({})).toThrow(/Missing environment variable TWILIO_API_KEY_SECRET/);
  });

  it("rejects malformed SIDs without echoing the secret", () => {
    noEnv();
    for (const options of [
      { apiKeySid: "AC123", apiKeySecret: API_KEY_SECRET },
      { accountSid: "SK123", authToken: API_KEY_SECRET },
    ]) {
      let error: unknown;
      try {
        createVideoClient(options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TwilioConfigError);
      expect(String(error)).not.toContain(API_KEY_SECRET);
      expect(JSON.stringify(error)).not.toContain(API_KEY_SECRET);
    }
  });

  it("rejects a base URL that is not http(s) or carries a query", () => {
    expect(() =>
      createVideoClient({ apiKeySid: API_KEY_SID, apiKeySecret: "s", baseUrl: "ftp://video.twilio.com" }),
    ).toThrow(TwilioConfigError);
    expect(() =>
      createVideoClient({ apiKeySid: API_KEY_SID, apiKeySecret: "s", baseUrl: "https://video.twilio.com/?x=1" }),
    ).toThrow(/query/);
    expect(() => createVideoClient({ apiKeySid: API_KEY_SID, apiKeySecret: "s", baseUrl: "not a url" })).toThrow(
      /absolute/,
    );
  });
});
