/**
 * The examples in examples/sdks/, running: Twilio's own Python and Node SDKs
 * pointed at the emulator (started here on an ephemeral port, as
 * `npx twilio-video-emulator` would be), each in its own process, with only
 * VIDEO_BASE_URL set, as the examples' usage lines say; then again through the
 * conformance proxy in front of the emulator, with VIDEO_PROXY_URL set too.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { startProxy, type ProxyFinding } from "../src/contract/proxy.js";
import { startEmulator, type Emulator } from "../src/emulator/index.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual", statusCallbacks: false });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator?.stop());

const here = (name: string) => fileURLToPath(new URL(`./sdks/${name}`, import.meta.url));
const root = fileURLToPath(new URL("..", import.meta.url));

function run(
  command: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  // No TWILIO_* credentials: the examples fall back to the emulator's defaults.
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    NO_PROXY: "*",
    VIDEO_BASE_URL: emulator.url,
    ...extraEnv,
  };
  return new Promise((resolve) => {
    execFile(command, args, { cwd: root, env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

async function expectStandupCompleted(): Promise<void> {
  // A unique name names only an in-progress room: look the completed one up by listing.
  const res = await fetch(`${emulator.url}/v1/Rooms?Status=completed&UniqueName=standup`, {
    headers: {
      Authorization: `Basic ${Buffer.from(`${emulator.credentials.apiKeySid}:${emulator.credentials.apiKeySecret}`).toString("base64")}`,
    },
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

/** Runs an example with VIDEO_PROXY_URL at a strict proxy in front of the emulator: same answer, every SDK request recorded, nothing failing. */
async function throughProxy(command: string, args: string[]): Promise<void> {
  const findings: ProxyFinding[] = [];
  const proxy = await startProxy({ upstream: emulator.url, strict: true, onFinding: (f) => findings.push(f) });
  const result = await run(command, args, { VIDEO_PROXY_URL: proxy.url }).finally(() => proxy.close());
  expect(result.stderr).toBe("");
  expect(result.stdout.trim()).toBe("room standup completed, participants: alice");
  const summary = await proxy.close();
  // The SDK's three requests (create, list, update) went through the proxy; the control API did not.
  expect(summary).toMatchObject({ exchanges: 3, recorded: 3, failed: 0 });
  expect(emulator.traffic()).toHaveLength(3);
  expect(findings.filter((f) => f.fails || f.kind !== "spec-too-strict")).toEqual([]);
  await expectStandupCompleted();
}

it("twilio-python through the conformance proxy: VIDEO_PROXY_URL sends the SDK through it", async () => {
  await throughProxy("/usr/bin/python3", [here("twilio_python.py")]);
});

it("twilio-node through the conformance proxy: VIDEO_PROXY_URL sends the SDK through it", async () => {
  await throughProxy(process.execPath, [here("twilio-node.cjs")]);
});
