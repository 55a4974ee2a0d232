/**
 * twilio-cli (the `twilio-cli` devDependency) through every Video v1 command it
 * offers (`twilio api:video:v1:…`), against the emulator on loopback, in one
 * process. The CLI has no base-URL setting, so cli/base-url-shim.cjs wraps its
 * HTTP client (see there); update checks and autoupdate are switched off with
 * the CLI's own variables and a throwaway HOME keeps its config out of yours.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { expectCleanProxiedRun, runSdk, runSdkThroughProxy, startSdkEmulator } from "./harness.js";

const script = fileURLToPath(new URL("./cli/video-ops.cjs", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

const CLI_ENV = {
  TWILIO_SKIP_NEW_VERSION_CHECK: "true",
  TWILIO_DISABLE_AUTOUPDATE: "true",
  TWILIO_SKIP_ANALYTICS: "true",
  FORCE_COLOR: "0",
};

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startSdkEmulator();
});
afterAll(() => emulator?.stop());

describe("twilio-cli against the emulator", () => {
  it("passes every Video v1 command it offers, lists across pages included", async () => {
    const run = await runSdk("twilio-cli", process.execPath, [script], {
      emulator,
      cwd: root,
      extraEnv: CLI_ENV,
      timeoutMs: 90_000,
    });
    expect(run.failures, run.stderr).toEqual([]);
    expect(run.tried).toBe(run.operations.length);
    expect(run.tried).toBeGreaterThanOrEqual(45);
    expect(run.passed).toBe(run.tried);
    expect(run.exitCode).toBe(0);
    const logged = emulator.traffic();
    expect(logged.length).toBeGreaterThanOrEqual(run.tried);
    expect(logged.every((r) => new URL(r.request.url).pathname.startsWith("/v1/"))).toBe(true);
  }, 100_000);
});

describe("twilio-cli through the validating proxy in front of the emulator", () => {
  it("passes the same operations, every request through the proxy (page URLs rewritten to it), no failing finding", async () => {
    const run = await runSdkThroughProxy("twilio-cli", process.execPath, [script], {
      emulator,
      cwd: root,
      extraEnv: CLI_ENV,
      timeoutMs: 90_000,
    });
    expectCleanProxiedRun(run, 45);
  }, 100_000);
});
