/**
 * Status callbacks over loopback: the events the real service sends, in
 * order, form-encoded (POST) or in the query string (GET), each signed with
 * X-Twilio-Signature that the client's validateSignature accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { validateSignature } from "../../src/index.js";
import { clientFor, startReceiver } from "./helpers.js";

let emulator: Emulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let video: ReturnType<typeof clientFor>;
const credentials = {
  apiKeySid: "SK11111111111111111111111111111111",
  apiKeySecret: "test-secret",
  authToken: "test-auth-token-123",
};

beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual", credentials });
  receiver = await startReceiver();
  video = clientFor(emulator);
});
afterAll(async () => {
  await emulator?.stop();
  await receiver?.close();
});

describe("status callbacks", () => {
  it("POSTs the room's events in order with the documented fields, each correctly signed", async () => {
    receiver.received.length = 0;
    const room = await video.rooms.create({
      UniqueName: "cb-room",
      StatusCallback: `${receiver.url}/events?tenant=7`,
      RecordParticipantsOnConnect: true,
    });
    const p = emulator.connectParticipant(room.sid, "alice");
    const t = emulator.publishTrack(room.sid, "alice", { kind: "audio", name: "mic" });
    emulator.setTrackEnabled(room.sid, "alice", "mic", false);
    emulator.advance(12_000);
    await video.rooms.complete(room.sid);
    emulator.advance(2_000);
    await emulator.callbacksSettled();

    const events = receiver.received.map((c) => c.params.StatusCallbackEvent);
    expect(events).toEqual([
      "room-created",
      "participant-connected",
      "track-added",
      "recording-started",
      "track-disabled",
      "track-removed",
      "participant-disconnected",
      "room-ended",
      "recording-completed",
    ]);
    expect(receiver.received.map((c) => c.params.SequenceNumber)).toEqual(events.map((_, i) => String(i)));
    for (const c of receiver.received) {
      expect(c.method).toBe("POST");
      expect(c.url).toBe(`${receiver.url}/events?tenant=7`);
      expect(c.params).toMatchObject({
        AccountSid: emulator.accountSid,
        RoomSid: room.sid,
        RoomName: "cb-room",
        RoomType: "group",
      });
      expect(await validateSignature(credentials.authToken, c.signature, c.url, c.params)).toBe(true);
      expect(await validateSignature("another-token", c.signature, c.url, c.params)).toBe(false);
    }
    const byEvent = Object.fromEntries(receiver.received.map((c) => [c.params.StatusCallbackEvent, c.params]));
    expect(byEvent["track-added"]).toMatchObject({
      ParticipantSid: p.sid,
      ParticipantIdentity: "alice",
      TrackSid: t.sid,
      TrackKind: "audio",
      TrackName: "mic",
    });
    expect(byEvent["participant-disconnected"]).toMatchObject({
      ParticipantStatus: "disconnected",
      ParticipantDuration: "12",
    });
    expect(byEvent["room-ended"]).toMatchObject({ RoomStatus: "completed", RoomDuration: "12" });
    expect(byEvent["recording-completed"]).toMatchObject({
      SourceSid: t.sid,
      Container: "mka",
      Codec: "OPUS",
      Type: "audio",
      Duration: "12",
      MediaUri: expect.stringMatching(/\/v1\/Recordings\/RT[0-9a-f]{32}\/Media$/),
    });
    // The emulator keeps its own log of what it sent and how it was answered.
    expect(emulator.callbacks().every((d) => d.status === 204)).toBe(true);
  });

  it("sends GET callbacks with the fields in the query string, signed over the URL alone", async () => {
    receiver.received.length = 0;
    await video.rooms.create({ StatusCallback: `${receiver.url}/get-events`, StatusCallbackMethod: "GET" });
    await emulator.callbacksSettled();
    const [created] = receiver.received;
    expect(created).toMatchObject({ method: "GET", params: { StatusCallbackEvent: "room-created" } });
    expect(new URL(created!.url).searchParams.get("RoomStatus")).toBe("in-progress");
    expect(await validateSignature(credentials.authToken, created!.signature, created!.url, {})).toBe(true);
  });

  it("sends composition and composition hook events to their StatusCallback", async () => {
    receiver.received.length = 0;
    const hook = await video.compositionHooks.create({
      FriendlyName: "cb-hook",
      AudioSources: ["*"],
      StatusCallback: `${receiver.url}/hook`,
    });
    const room = await video.rooms.create({ RecordParticipantsOnConnect: true });
    emulator.connectParticipant(room.sid, "bo");
    emulator.publishTrack(room.sid, "bo", { kind: "audio" });
    emulator.advance(8_000);
    await video.rooms.complete(room.sid);
    emulator.advance(10_000);
    const direct = await video.compositions.create({
      RoomSid: room.sid,
      AudioSources: ["nobody-*"],
      StatusCallback: `${receiver.url}/direct`,
    });
    emulator.advance(10_000);
    await emulator.callbacksSettled();

    const hookEvents = receiver.received.filter((c) => c.url.endsWith("/hook"));
    expect(hookEvents.map((c) => c.params.StatusCallbackEvent)).toEqual([
      "composition-enqueued",
      "composition-started",
      ...Array.from({ length: 9 }, () => "composition-progress"),
      "composition-available",
    ]);
    expect(hookEvents.map((c) => c.params.PercentageDone).filter(Boolean)).toEqual([
      "10",
      "20",
      "30",
      "40",
      "50",
      "60",
      "70",
      "80",
      "90",
    ]);
    expect(hookEvents.at(-1)!.params).toMatchObject({
      HookSid: hook.sid,
      HookFriendlyName: "cb-hook",
      RoomSid: room.sid,
      Duration: "8",
    });
    const directEvents = receiver.received.filter((c) => c.url.endsWith("/direct"));
    expect(directEvents.at(-1)!.params).toMatchObject({
      StatusCallbackEvent: "composition-failed",
      CompositionSid: direct.sid,
    });
    for (const c of receiver.received)
      expect(await validateSignature(credentials.authToken, c.signature, c.url, c.params)).toBe(true);

    // A room with no recordings makes the hook fail.
    receiver.received.length = 0;
    const empty = await video.rooms.create();
    await video.rooms.complete(empty.sid);
    await emulator.callbacksSettled();
    expect(receiver.received.map((c) => c.params.StatusCallbackEvent)).toEqual(["composition-hook-failed"]);
  });

  it("sends nothing when statusCallbacks is off, and records unreachable receivers", async () => {
    const quiet = await startEmulator({ clock: "manual", statusCallbacks: false });
    try {
      receiver.received.length = 0;
      await clientFor(quiet).rooms.create({ StatusCallback: `${receiver.url}/quiet` });
      await quiet.callbacksSettled();
      expect(receiver.received).toEqual([]);
    } finally {
      await quiet.stop();
    }
    await video.rooms.create({ StatusCallback: "http://127.0.0.1:9/closed" });
    await emulator.callbacksSettled();
    expect(emulator.callbacks().at(-1)).toMatchObject({ event: "room-created", error: expect.any(String) });
  });
});

describe("stop() and status callbacks in flight", () => {
  it("stop aborts a status callback in flight to a receiver that never answers (regression: stop left it hanging)", async () => {
    const { createServer } = await import("node:http");
    const hung: import("node:http").ServerResponse[] = [];
    let arrived!: () => void;
    const first = new Promise<void>((done) => (arrived = done));
    let closedByEmulator = 0;
    // A receiver that reads the request and never answers.
    const silent = createServer((req, res) => {
      hung.push(res);
      req.socket.on("close", () => closedByEmulator++);
      arrived();
    });
    await new Promise<void>((done) => silent.listen(0, "127.0.0.1", done));
    const port = (silent.address() as import("node:net").AddressInfo).port;
    const local = await startEmulator({ clock: "manual", credentials });
    try {
      const room = await clientFor(local).rooms.create({
        UniqueName: "hung",
        StatusCallback: `http://127.0.0.1:${port}/events`,
      });
      local.connectParticipant(room.sid, "alice"); // a second event, queued behind the hung one
      await first;
      const started = Date.now();
      await local.stop();
      await local.callbacksSettled();
      // Without the abort this waits for the 5 s delivery timeout.
      expect(Date.now() - started).toBeLessThan(2_000);
      const deliveries = local.callbacks();
      expect(deliveries.map((d) => d.event)).toEqual(["room-created", "participant-connected"]);
      expect(deliveries.every((d) => d.error === "stopped" && d.status === undefined)).toBe(true);
      await new Promise((done) => setTimeout(done, 50));
      expect(closedByEmulator).toBe(1);
      // Events after stop are not delivered.
      expect(hung).toHaveLength(1);
    } finally {
      await local.stop();
      for (const res of hung) res.destroy();
      silent.closeAllConnections();
      await new Promise<void>((done) => silent.close(() => done()));
    }
  });
});
