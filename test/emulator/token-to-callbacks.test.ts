/**
 * End to end: a token minted by the client joins through the emulator, and
 * the status callbacks that follow are received, verified and typed by the
 * Node status callback handler on a loopback port.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createAccessToken, type ParsedStatusCallback } from "../../src/index.js";
import { createNodeStatusCallbackHandler } from "../../src/node/handler.js";
import { clientFor } from "./helpers.js";

let emulator: Emulator;
let server: Server;
let callbackUrl: string;
const received: ParsedStatusCallback[] = [];
const refused: number[] = [];

beforeAll(async () => {
  // The receiver's URL must exist before the emulator (ad-hoc rooms get it as their callback).
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/video/events`;
  emulator = await startEmulator({
    clock: "manual",
    adHocRooms: { statusCallback: callbackUrl },
    timings: { recordingProcessingMs: 100 },
  });
  const record = (e: ParsedStatusCallback) => {
    received.push(e);
  };
  server.on(
    "request",
    createNodeStatusCallbackHandler({
      authToken: emulator.credentials.authToken,
      onError: (_, { status }) => refused.push(status),
      on: {
        "room-created": record,
        "participant-connected": record,
        "track-added": record,
        "recording-started": record,
        "track-removed": record,
        "participant-disconnected": record,
        "room-ended": record,
        "recording-completed": record,
        unknown: record,
      },
    }),
  );
});
afterAll(async () => {
  await emulator?.stop();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

it("token join → signed callbacks → typed events through createNodeStatusCallbackHandler", async () => {
  const token = await createAccessToken({
    accountSid: emulator.accountSid,
    apiKeySid: emulator.credentials.apiKeySid,
    apiKeySecret: emulator.credentials.apiKeySecret,
    identity: "alice",
    room: "e2e-room",
    now: emulator.now(),
  });
  const alice = emulator.connectParticipant(token);
  await clientFor(emulator)
    .rooms.recordingRules(alice.room_sid)
    .update({ Rules: [{ type: "include", all: true }] });
  emulator.publishTrack(alice.room_sid, "alice", { kind: "audio", name: "mic" });
  emulator.advance(30_000);
  await clientFor(emulator).rooms.complete(alice.room_sid);
  emulator.advance(1_000);
  await emulator.callbacksSettled();

  expect(refused).toEqual([]);
  expect(emulator.callbacks().every((d) => d.status === 204)).toBe(true);
  expect(received.map((e) => `${e.kind}:${e.StatusCallbackEvent}`)).toEqual([
    "room:room-created",
    "participant:participant-connected",
    "track:track-added",
    "recording:recording-started",
    "track:track-removed",
    "participant:participant-disconnected",
    "room:room-ended",
    "recording:recording-completed",
  ]);
  const ended = received.find((e) => e.StatusCallbackEvent === "room-ended");
  expect(ended).toMatchObject({ RoomName: "e2e-room", RoomSid: alice.room_sid, RoomDuration: 30 });
  const left = received.find((e) => e.StatusCallbackEvent === "participant-disconnected");
  expect(left).toMatchObject({ ParticipantIdentity: "alice", ParticipantSid: alice.sid, ParticipantDuration: 30 });
  const completed = received.find((e) => e.StatusCallbackEvent === "recording-completed");
  expect(typeof completed?.Duration).toBe("number");
});
