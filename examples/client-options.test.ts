/**
 * The README's "Per call" and "Hooks" sections, running against the emulator:
 * per-call options, `.withResponse()`, and hooks that watch a rate-limited
 * call wait out the server's Retry-After. (Runs as part of this repo's tests.)
 *
 * In your project the imports are "twilio-video-ts" and "twilio-video-ts/emulator".
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { createVideoClient, TwilioTimeoutError, type ClientEvent } from "../src/index.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual" });
});
afterAll(() => emulator.stop());

it("per-call options and .withResponse(), as in the README", async () => {
  const events: ClientEvent[] = [];
  const video = createVideoClient({
    ...emulator.clientOptions,
    onRequest: (e) => events.push(e),
    onResponse: (e) => events.push(e),
    onRetry: (e) => events.push(e),
  });
  await video.rooms.create({ UniqueName: "daily-standup" });

  const room = await video.rooms.get("daily-standup", { timeout: 2_000, maxRetries: 0 });
  expect(room.unique_name).toBe("daily-standup");
  const { data, response } = await video.rooms.list({ Status: "in-progress" }).withResponse();
  expect(data.rooms.map((r) => r.sid)).toEqual([room.sid]);
  expect(response.status).toBe(200);
  expect(response.requestId).toMatch(/^RQ[0-9a-f]{32}$/);

  // Each attempt was seen, and no hook saw the credentials.
  expect(events.map((e) => e.type)).toEqual(["request", "response", "request", "response", "request", "response"]);
  const seen = JSON.stringify(events);
  expect(seen).not.toContain(emulator.clientOptions.apiKeySecret);
  expect(seen).toContain('"authorization":"[redacted]"');

  // A call's own timeout: the emulator answers after 300 ms, the call allows 50.
  emulator.injectFault({ kind: "slow", delayMs: 300, path: "/v1/Rooms" });
  await expect(video.rooms.get(room.sid, { timeout: 50, maxRetries: 0 })).rejects.toBeInstanceOf(TwilioTimeoutError);
});

it("onRetry reports the wait the server asked for with Retry-After", async () => {
  const retries: Array<{ delayMs: number; retryAfter: boolean; status: number | null }> = [];
  const video = createVideoClient({
    ...emulator.clientOptions,
    onRetry: ({ delayMs, retryAfter, status }) => retries.push({ delayMs, retryAfter, status }),
  });
  emulator.injectFault({ kind: "rate-limit", retryAfter: 1, path: "/v1/Rooms" });
  const started = Date.now();
  await video.rooms.list();
  expect(retries).toEqual([{ delayMs: 1000, retryAfter: true, status: 429 }]);
  expect(Date.now() - started).toBeGreaterThanOrEqual(990);
});
