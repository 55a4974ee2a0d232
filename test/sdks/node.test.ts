/**
 * Twilio's Node SDK (twilio-node, the `twilio` devDependency) through every
 * Video v1 operation it offers, against the emulator on loopback, in its own
 * process. A subclass of the SDK's RequestClient, passed as `httpClient`,
 * sends what it addresses to https://video.twilio.com to the base URL.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { expectCleanProxiedRun, runSdk, runSdkThroughProxy, startSdkEmulator } from "./harness.js";

const script = fileURLToPath(new URL("./node/video-ops.cjs", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startSdkEmulator();
});
afterAll(() => emulator?.stop());

describe("twilio-node against the emulator", () => {
  it("passes every Video v1 operation it offers, lists across pages included", async () => {
    const run = await runSdk("twilio-node", process.execPath, [script], { emulator, cwd: root });
    expect(run.failures, run.stderr).toEqual([]);
    expect(run.tried).toBe(run.operations.length);
    expect(run.tried).toBeGreaterThanOrEqual(50);
    expect(run.passed).toBe(run.tried);
    expect(run.exitCode).toBe(0);
    // Every operation reached the emulator: none left loopback or got lost on the way.
    const logged = emulator.traffic();
    expect(logged.length).toBeGreaterThanOrEqual(run.tried);
    expect(logged.every((r) => new URL(r.request.url).pathname.startsWith("/v1/"))).toBe(true);
  }, 60_000);
});

describe("twilio-node through the validating proxy in front of the emulator", () => {
  it("passes the same operations, every request through the proxy (page URLs rewritten to it), no failing finding", async () => {
    const run = await runSdkThroughProxy("twilio-node", process.execPath, [script], { emulator, cwd: root });
    expectCleanProxiedRun(run, 50);
  }, 60_000);
});
