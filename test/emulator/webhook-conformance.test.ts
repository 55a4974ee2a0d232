/**
 * Every status callback the emulator sends conforms to the spec's `webhooks`
 * (RoomStatusCallbackEvent / CompositionStatusCallbackEvent), so the typed
 * events users read in their handlers are the events they get.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { describeErrors, documentValidator, loadDocument } from "../spec/helpers.js";
import { clientFor, startReceiver } from "./helpers.js";

let emulator: Emulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual" });
  receiver = await startReceiver();
});
afterAll(async () => {
  await emulator?.stop();
  await receiver?.close();
});

it("room, participant, track, recording, composition and hook events all match the webhook schemas", async () => {
  const video = clientFor(emulator);
  const callback = `${receiver.url}/events`;
  await video.compositionHooks.create({ FriendlyName: "every-room", AudioSources: ["*"], StatusCallback: callback });
  const room = await video.rooms.create({
    UniqueName: "webhooks",
    StatusCallback: callback,
    RecordParticipantsOnConnect: true,
  });
  const alice = emulator.connectParticipant(room.sid, "alice");
  emulator.publishTrack(room.sid, alice.sid, { kind: "audio", name: "mic" });
  emulator.publishTrack(room.sid, alice.sid, { kind: "video", name: "cam" });
  emulator.setTrackEnabled(room.sid, alice.sid, "cam", false);
  emulator.advance(30_000);
  emulator.disconnectParticipant(room.sid, alice.sid);
  await video.rooms.complete(room.sid);
  emulator.advance(120_000);
  await video.compositions.create({ RoomSid: room.sid, AudioSources: ["*"], StatusCallback: callback });
  emulator.advance(600_000);
  await emulator.callbacksSettled();

  const deliveries = emulator.callbacks();
  const events = new Set(deliveries.map((d) => d.event));
  for (const expected of [
    "room-created",
    "participant-connected",
    "track-added",
    "track-disabled",
    "recording-started",
    "recording-completed",
    "participant-disconnected",
    "room-ended",
    "composition-enqueued",
    "composition-started",
    "composition-progress",
    "composition-available",
  ]) {
    expect(events, `no ${expected} callback was sent`).toContain(expected);
  }

  const { errorsOf } = documentValidator(loadDocument());
  const failures = deliveries.flatMap((d) => {
    const schema = d.event.startsWith("composition") ? "CompositionStatusCallbackEvent" : "RoomStatusCallbackEvent";
    const errors = errorsOf(`/components/schemas/${schema}`, d.params);
    return errors.length ? [`${d.event}: ${describeErrors(errors)}`] : [];
  });
  expect(failures).toEqual([]);

  // The check bites: a malformed SID or an unknown event is refused.
  const roomEvent = deliveries.find((d) => d.event === "room-created")!.params;
  expect(
    errorsOf("/components/schemas/RoomStatusCallbackEvent", { ...roomEvent, RoomSid: "RM-not-a-sid" }),
  ).not.toEqual([]);
  expect(
    errorsOf("/components/schemas/RoomStatusCallbackEvent", { ...roomEvent, StatusCallbackEvent: "room-exploded" }),
  ).not.toEqual([]);
});
