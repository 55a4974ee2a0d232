/**
 * How to test your own code against the emulator: start it once, point the
 * client at it, drive what the client SDKs would do through its control
 * methods. (Runs as part of this repo's tests, so it stays true.)
 *
 * In your project the imports are "twilio-video-ts" and "twilio-video-ts/emulator".
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { createVideoClient, TwilioApiError, type VideoClient } from "../src/index.js";

let emulator: Emulator;
let video: VideoClient;

beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual" }); // 127.0.0.1, ephemeral port
  video = createVideoClient({ ...emulator.clientOptions, maxRetries: 0 });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator.stop());

// The code under test: ends a room once everybody has left.
async function endIfEmpty(client: VideoClient, room: string): Promise<boolean> {
  const { participants } = await client.rooms.participants(room).list({ Status: "connected" });
  if (participants.length > 0) return false;
  await client.rooms.complete(room);
  return true;
}

it("keeps a room with participants, ends an empty one", async () => {
  const room = await video.rooms.create({ UniqueName: "support-call", Type: "group" });
  const alice = emulator.connectParticipant(room.sid, "alice");
  expect(await endIfEmpty(video, room.sid)).toBe(false);

  emulator.disconnectParticipant(room.sid, alice.sid);
  expect(await endIfEmpty(video, "support-call")).toBe(true);
  expect((await video.rooms.get(room.sid)).status).toBe("completed");
});

it("sees the API's errors, e.g. a unique name already in use", async () => {
  await video.rooms.create({ UniqueName: "support-call" });
  const error = await video.rooms.create({ UniqueName: "support-call" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TwilioApiError);
  expect((error as TwilioApiError).status).toBe(400);
});

it("can make the API misbehave to test your retries", async () => {
  const room = await video.rooms.create({ UniqueName: "flaky" });
  emulator.injectFault({ kind: "server-error", status: 503, count: 1 });
  const retrying = createVideoClient({ ...emulator.clientOptions, maxRetries: 1, baseDelayMs: 1 });
  expect((await retrying.rooms.get(room.sid)).sid).toBe(room.sid);
});
