// The hook helpers (src/core/hooks.ts) on their own: what a hook may see of a
// URL and of headers, how two sets of hooks combine, and when debug output
// is on.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  combineHooks,
  debugFromEnvironment,
  debugHooks,
  redactHeaders,
  redactUrl,
  type ClientEvent,
} from "../../src/core/hooks.js";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe("redactUrl", () => {
  it("leaves a URL without user-info or query alone", () => {
    expect(redactUrl("https://video.twilio.com/v1/Rooms")).toBe("https://video.twilio.com/v1/Rooms");
  });

  it("drops user-info", () => {
    expect(redactUrl("https://user:pass@video.twilio.com/v1/Rooms")).toBe("https://video.twilio.com/v1/Rooms");
  });

  it("replaces the value of every sensitive query parameter, keeps the others, and keeps repeated names", () => {
    const shown = new URL(redactUrl("https://x.example/a?Signature=abc&PageSize=5&Signature=def&Token=t"));
    expect(shown.searchParams.getAll("Signature")).toEqual(["[redacted]"]);
    expect(shown.searchParams.get("Token")).toBe("[redacted]");
    expect(shown.searchParams.get("PageSize")).toBe("5");
  });

  it("answers a query without sensitive names unchanged, character for character", () => {
    const url = "https://x.example/a?PageSize=5&Status=in-progress";
    expect(redactUrl(url)).toBe(url);
  });

  it("answers an unparsable URL with the placeholder, never the text", () => {
    expect(redactUrl("not a url ?Signature=secret")).toBe("(invalid URL)");
  });
});

describe("redactHeaders", () => {
  it("lower-cases names and redacts credential headers from a plain object", () => {
    const shown = redactHeaders({
      Authorization: "Basic abc",
      "X-Twilio-Signature": "sig",
      Cookie: "c",
      Accept: "application/json",
    });
    expect(shown).toEqual({
      authorization: "[redacted]",
      "x-twilio-signature": "[redacted]",
      cookie: "[redacted]",
      accept: "application/json",
    });
  });

  it("reads a Headers object through forEach, redacting set-cookie, proxy-authorization and x-api-key", () => {
    const headers = new Headers({
      "set-cookie": "s",
      "proxy-authorization": "p",
      "x-api-key": "k",
      "twilio-request-id": "RQ1",
    });
    expect(redactHeaders(headers)).toEqual({
      "set-cookie": "[redacted]",
      "proxy-authorization": "[redacted]",
      "x-api-key": "[redacted]",
      "twilio-request-id": "RQ1",
    });
  });
});

describe("combineHooks", () => {
  const event = { type: "request", method: "GET", url: "u", headers: {}, attempt: 0 } as const;

  it("answers one side when the other is absent", () => {
    const a = { onRequest: () => {} };
    expect(combineHooks(a, undefined)).toBe(a);
    expect(combineHooks(undefined, a)).toBe(a);
    expect(combineHooks(undefined, undefined)).toBeUndefined();
  });

  it("runs both, first then second, and the second even when the first throws", () => {
    const seen: string[] = [];
    const both = combineHooks(
      {
        onRequest: () => {
          seen.push("a");
          throw new Error("a failed");
        },
      },
      { onRequest: () => void seen.push("b") },
    )!;
    expect(() => both.onRequest!(event)).toThrow("a failed");
    expect(seen).toEqual(["a", "b"]);
  });

  it("keeps a hook that only one side has, as it is", () => {
    const onRetry = () => {};
    const onResponse = () => {};
    const both = combineHooks({ onRetry }, { onResponse })!;
    expect(both.onRetry).toBe(onRetry);
    expect(both.onResponse).toBe(onResponse);
    expect(both.onRequest).toBeUndefined();
  });
});

describe("debug output", () => {
  it("prints every event as JSON with the package's prefix", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const hooks = debugHooks();
    const events: ClientEvent[] = [
      { type: "request", method: "GET", url: "u", headers: {}, attempt: 0 },
      {
        type: "response",
        method: "GET",
        url: "u",
        status: 200,
        headers: {},
        attempt: 0,
        durationMs: 1,
        requestId: null,
      },
      {
        type: "retry",
        method: "GET",
        url: "u",
        attempt: 0,
        status: 503,
        error: null,
        durationMs: 1,
        delayMs: 2,
        retryAfter: false,
      },
    ];
    hooks.onRequest(events[0] as never);
    hooks.onResponse(events[1] as never);
    hooks.onRetry(events[2] as never);
    expect(error.mock.calls).toEqual(events.map((e) => ["[twilio-video-ts]", JSON.stringify(e)]));
  });

  it.each([
    [undefined, false],
    ["", false],
    ["0", false],
    ["false", false],
    ["FALSE", false],
    ["1", true],
    ["true", true],
    ["yes", true],
  ])("TWILIO_VIDEO_DEBUG=%j turns debug output %s", (value, on) => {
    if (value === undefined) vi.stubEnv("TWILIO_VIDEO_DEBUG", undefined as unknown as string);
    else vi.stubEnv("TWILIO_VIDEO_DEBUG", value);
    if (value === undefined) delete process.env.TWILIO_VIDEO_DEBUG;
    expect(debugFromEnvironment()).toBe(on);
  });
});
