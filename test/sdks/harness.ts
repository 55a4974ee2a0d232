/**
 * Runs one of Twilio's official SDKs, as its own process, through every Video
 * v1 operation it offers against a base URL: the emulator, or anything put in
 * front of it (a capture proxy) — the base URL is the only thing that changes.
 * The SDK scripts print one JSON line per operation and a summary line
 * `<sdk>: N/M operations passed`; the harness reports it as
 * `<sdk> directly: N/M operations passed` or `<sdk> through proxy: …`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { startProxy, type ProxyExchange, type ProxyFinding, type ProxySummary } from "../../src/contract/proxy.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";

export interface OperationResult {
  op: string;
  ok: boolean;
  error?: string;
  trace?: string;
}

export interface SdkRun {
  sdk: string;
  passed: number;
  tried: number;
  operations: OperationResult[];
  failures: OperationResult[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** The emulator as the SDK suites use it: manual clock, no status callbacks to chase. */
export function startSdkEmulator(): Promise<Emulator> {
  return startEmulator({ clock: "manual", statusCallbacks: false });
}

/**
 * A minimal environment: no proxy variables, no update checks, a throwaway
 * HOME (twilio-cli's profiles, Python's user site), and the emulator's
 * credentials under the names Twilio's tools read.
 */
export function sdkEnv(emulator: Emulator, baseUrl: string, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    LANG: "C.UTF-8",
    NO_PROXY: "*",
    NO_UPDATE_NOTIFIER: "1",
    PYTHONNOUSERSITE: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    VIDEO_BASE_URL: baseUrl,
    EMULATOR_CONTROL_URL: `${emulator.url}/_emulator`,
    TWILIO_ACCOUNT_SID: emulator.accountSid,
    TWILIO_API_KEY: emulator.credentials.apiKeySid,
    TWILIO_API_SECRET: emulator.credentials.apiKeySecret,
  };
}

/**
 * Resets the emulator (each run starts from an empty account, so a second run,
 * e.g. through a capture proxy with `baseUrl: proxy.url`, sees the same state),
 * spawns `command args` with {@link sdkEnv} (plus `extraEnv`) and parses what
 * it reports. `baseUrl` defaults to the emulator's URL; the control API is
 * always the emulator's own.
 */
export async function runSdk(
  sdk: string,
  command: string,
  args: string[],
  options: {
    emulator: Emulator;
    baseUrl?: string;
    extraEnv?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    cwd?: string;
    via?: "directly" | "through proxy";
  },
): Promise<SdkRun> {
  options.emulator.reset();
  const home = mkdtempSync(join(tmpdir(), `sdk-${sdk}-`));
  try {
    const env = { ...sdkEnv(options.emulator, options.baseUrl ?? options.emulator.url, home), ...options.extraEnv };
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve(code));
    }).finally(() => clearTimeout(timer));
    const operations: OperationResult[] = [];
    for (const line of stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        const parsed = JSON.parse(line) as OperationResult;
        if (typeof parsed.op === "string" && typeof parsed.ok === "boolean") operations.push(parsed);
      } catch {
        // not one of ours
      }
    }
    const summary = new RegExp(`^${sdk}: (\\d+)/(\\d+) operations passed$`, "m").exec(stdout);
    const passed = summary ? Number(summary[1]) : 0;
    const tried = summary ? Number(summary[2]) : 0;
    process.stdout.write(
      `${sdk} ${options.via ?? "directly"}: ${passed}/${tried} operations passed${summary ? "" : " (no summary line)"}\n`,
    );
    return { sdk, passed, tried, operations, failures: operations.filter((o) => !o.ok), exitCode, stdout, stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

export interface ProxiedSdkRun extends SdkRun {
  proxy: ProxySummary;
  findings: ProxyFinding[];
  exchanges: ProxyExchange[];
  /** API requests the emulator received in the run (its traffic log: authenticated /v1 requests). */
  emulatorRequests: number;
}

/**
 * {@link runSdk} through the validating proxy (src/contract/proxy.ts) in front
 * of the emulator: the SDK's base URL is the proxy's, the proxy's upstream the
 * emulator. Returns what the proxy saw with the run, so a test can check that
 * every request the SDK made went through it (the emulator received exactly
 * as many API requests as the proxy recorded) and that nothing failed.
 */
export async function runSdkThroughProxy(
  sdk: string,
  command: string,
  args: string[],
  options: { emulator: Emulator; extraEnv?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; strict?: boolean },
): Promise<ProxiedSdkRun> {
  const findings: ProxyFinding[] = [];
  const exchanges: ProxyExchange[] = [];
  const proxy = await startProxy({
    upstream: options.emulator.url,
    strict: options.strict ?? true,
    onFinding: (f) => findings.push(f),
    onExchange: (e) => exchanges.push(e),
  });
  let run: SdkRun;
  try {
    // runSdk resets the emulator (and so its traffic log) before the SDK starts.
    run = await runSdk(sdk, command, args, { ...options, baseUrl: proxy.url, via: "through proxy" });
  } finally {
    await proxy.close();
  }
  const summary = proxy.summary();
  const emulatorRequests = options.emulator.traffic().length;
  const kinds =
    Object.entries(summary.findings)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ") || "none";
  process.stdout.write(
    `${sdk} through proxy: ${summary.exchanges} exchange(s), ${summary.recorded} recorded, ${emulatorRequests} reached the emulator; findings: ${kinds}; ${summary.failed} failing${summary.strict ? " (strict)" : ""}\n`,
  );
  return { ...run, proxy: summary, findings, exchanges, emulatorRequests };
}

/**
 * What a run through the proxy must show: every operation passed, the proxy
 * found nothing that fails (strict: drift included), and it saw every request
 * the SDK made — one recorded exchange per API request the emulator received,
 * none aborted, none sent past it (a page URL on the emulator's origin would
 * have been), each one on the proxy's recorded upstream.
 */
export function expectCleanProxiedRun(run: ProxiedSdkRun, minimum: number): void {
  expect(run.failures, run.stderr).toEqual([]);
  expect(run.tried).toBe(run.operations.length);
  expect(run.tried).toBeGreaterThanOrEqual(minimum);
  expect(run.passed).toBe(run.tried);
  expect(run.exitCode).toBe(0);
  expect(run.findings.filter((f) => f.fails)).toEqual([]);
  expect(run.proxy.failed).toBe(0);
  expect(run.proxy.aborted).toBe(0);
  expect(run.proxy.exchanges).toBe(run.proxy.recorded);
  expect(run.exchanges).toHaveLength(run.proxy.recorded);
  expect(run.emulatorRequests).toBe(run.proxy.recorded);
  expect(run.proxy.recorded).toBeGreaterThanOrEqual(run.tried);
  // Lists ran across pages through it: some recorded request asked for a page token.
  expect(run.exchanges.some((e) => new URL(e.recording.request.url).searchParams.has("PageToken"))).toBe(true);
}
