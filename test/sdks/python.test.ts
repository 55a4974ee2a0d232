/**
 * Twilio's Python SDK (twilio-python, the Debian python3-twilio package of
 * /usr/bin/python3) through every Video v1 operation it offers, against the
 * emulator on loopback. The SDK's own HTTP client is subclassed to send what
 * it addresses to https://video.twilio.com to the base URL instead.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { expectCleanProxiedRun, runSdk, runSdkThroughProxy, startSdkEmulator } from "./harness.js";

const PYTHON = "/usr/bin/python3";
const script = fileURLToPath(new URL("./python/video_ops.py", import.meta.url));

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startSdkEmulator();
});
afterAll(() => emulator?.stop());

describe("twilio-python against the emulator", () => {
  it("has the interpreter with the SDK", () => {
    expect(existsSync(PYTHON)).toBe(true);
  });

  it("passes every Video v1 operation it offers, lists across pages included", async () => {
    const run = await runSdk("twilio-python", PYTHON, [script], { emulator });
    expect(run.failures, run.stderr).toEqual([]);
    expect(run.tried).toBe(run.operations.length);
    expect(run.tried).toBeGreaterThanOrEqual(40);
    expect(run.passed).toBe(run.tried);
    expect(run.exitCode).toBe(0);
    // Every operation reached the emulator: none left loopback or got lost on the way.
    const logged = emulator.traffic();
    expect(logged.length).toBeGreaterThanOrEqual(run.tried);
    expect(logged.every((r) => new URL(r.request.url).pathname.startsWith("/v1/"))).toBe(true);
  }, 60_000);

  it("passes the same again on the same emulator: runs are independent (a through-the-proxy run is one more)", async () => {
    const first = await runSdk("twilio-python", PYTHON, [script], { emulator });
    const second = await runSdk("twilio-python", PYTHON, [script], { emulator, baseUrl: emulator.url });
    expect([second.passed, second.tried]).toEqual([first.tried, first.tried]);
    expect(second.failures).toEqual([]);
  }, 60_000);
});

describe("twilio-python through the validating proxy in front of the emulator", () => {
  it("passes the same operations, every request through the strict proxy (page URLs rewritten to it), with no finding at all", async () => {
    // Strict: twilio-python 7.x sends booleans as Python spells them ("True", "False"); the API
    // reads them in any case, and so does the spec's wire coercion (regression: a strict proxy
    // once reported each as spec-too-strict).
    const run = await runSdkThroughProxy("twilio-python", PYTHON, [script], { emulator, strict: true });
    expectCleanProxiedRun(run, 40);
    expect(run.findings).toEqual([]);
  }, 60_000);
});
