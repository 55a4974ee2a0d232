/**
 * Regression: twilio-python 7.x sends booleans as Python's str(): "True" and
 * "False". Twilio accepts them; the emulator refused them with 400 20001
 * "expected boolean". It now reads booleans in any case, and only where the
 * operation takes a boolean.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { api } from "./helpers.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual", statusCallbacks: false });
});
afterAll(() => emulator?.stop());

it("accepts RecordParticipantsOnConnect=True (twilio-python's spelling) as true", async () => {
  const res = await api(emulator, "/v1/Rooms", {
    form: { UniqueName: "py-bool", RecordParticipantsOnConnect: "True" },
  });
  expect(res.status).toBe(201);
  expect((await res.json()).record_participants_on_connect).toBe(true);
});

it("accepts Enabled=False and EncryptionEnabled=FALSE as false", async () => {
  const hook = await api(emulator, "/v1/CompositionHooks", {
    form: { FriendlyName: "py-hook", AudioSources: "*", Enabled: "False" },
  });
  expect(hook.status).toBe(201);
  expect((await hook.json()).enabled).toBe(false);
  const settings = await api(emulator, "/v1/CompositionSettings/Default", {
    form: { FriendlyName: "py", EncryptionEnabled: "FALSE" },
  });
  expect(settings.status).toBe(200);
  expect((await settings.json()).encryption_enabled).toBe(false);
});

it("still refuses a boolean field that is not a boolean, and leaves string fields alone", async () => {
  const bad = await api(emulator, "/v1/Rooms", { form: { RecordParticipantsOnConnect: "Yes" } });
  expect(bad.status).toBe(400);
  expect((await bad.json()).code).toBe(20001);
  const named = await api(emulator, "/v1/Rooms", { form: { UniqueName: "True" } });
  expect(named.status).toBe(201);
  expect((await named.json()).unique_name).toBe("True");
});
