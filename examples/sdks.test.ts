/**
 * The examples in examples/sdks/, running: Twilio's own Python and Node SDKs
 * pointed at the emulator (started here on an ephemeral port, as
 * `npx twilio-video-emulator` would be), each in its own process, with only
 * VIDEO_BASE_URL set, as the examples' usage lines say.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual", statusCallbacks: false });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator?.stop());

const here = (name: string) => fileURLToPath(new URL(`./sdks/${name}`, import.meta.url));
const root = fileURLToPath(new URL("..", import.meta.url));

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // No TWILIO_* credentials: the examples fall back to the emulator's defaults.
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", NO_PROXY: "*", VIDEO_BASE_URL: emulator.url };
  return new Promise((resolve) => {
    execFile(command, args, { cwd: root, env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

async function expectStandupCompleted(): Promise<void> {
  // A unique name names only an in-progress room: look the completed one up by listing.
  const res = await fetch(`${emulator.url}/v1/Rooms?Status=completed&UniqueName=standup`, {
    headers: { Authorization: `Basic ${Buffer.from(`${emulator.credentials.apiKeySid}:${emulator.credentials.apiKeySecret}`).toString("base64")}` },
  });
  const { rooms } = (await res.json()) as { rooms: { unique_name: string; status: string }[] };
  expect(rooms.map((r) => [r.unique_name, r.status])).toEqual([["standup", "completed"]]);
}

it("twilio-python: a subclassed TwilioHttpClient sends the SDK to the emulator", async () => {
  const result = await run("/usr/bin/python3", [here("twilio_python.py")]);
  expect(result.stderr).toBe("");
  expect(result.stdout.trim()).toBe("room standup completed, participants: alice");
  await expectStandupCompleted();
});

it("twilio-node: a RequestClient subclass as httpClient sends the SDK to the emulator", async () => {
  const result = await run(process.execPath, [here("twilio-node.cjs")]);
  expect(result.stderr).toBe("");
  expect(result.stdout.trim()).toBe("room standup completed, participants: alice");
  await expectStandupCompleted();
});
