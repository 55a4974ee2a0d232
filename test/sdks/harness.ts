/**
 * Runs one of Twilio's official SDKs, as its own process, through every Video
 * v1 operation it offers against a base URL: the emulator, or anything put in
 * front of it (a capture proxy) — the base URL is the only thing that changes.
 * The SDK scripts print one JSON line per operation and a summary line
 * `<sdk>: N/M operations passed`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  options: { emulator: Emulator; baseUrl?: string; extraEnv?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string },
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
    if (summary) process.stdout.write(`${summary[0]}\n`);
    return { sdk, passed, tried, operations, failures: operations.filter((o) => !o.ok), exitCode, stdout, stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
