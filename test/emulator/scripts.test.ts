/**
 * `npm start` (scripts/start.ts) and `npm run emulator` (scripts/emulator.ts)
 * as child processes, as users run them.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const tsx = createRequire(import.meta.url).resolve("tsx/cli");
// No Twilio credentials reach the children, whatever the developer's shell has.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("TWILIO_")));

function run(
  script: string,
  args: string[] = [],
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, script, ...args], { env: cleanEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("npm start", () => {
  it("runs the walkthrough on the emulator and exits 0 with a summary", async () => {
    const { code, stdout, stderr } = await run("scripts/start.ts");
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).not.toContain("✘");
    expect(stdout).toMatch(/Create a room with a status callback\s+RM[0-9a-f]{32}/);
    expect(stdout).toMatch(
      /Mint access tokens; two participants join with them\s+alice PA[0-9a-f]{32}, bob PA[0-9a-f]{32}/,
    );
    expect(stdout).toMatch(/all signatures valid and typed \(room:room-created, participant:participant-connected/);
    const summary = stdout.slice(stdout.indexOf("Summary"));
    const conforming = /recordings conforming\s+(\d+)\/(\d+)/.exec(summary);
    expect(conforming).not.toBeNull();
    expect(conforming![1]).toBe(conforming![2]);
    expect(Number(/operations exercised\s+(\d+)/.exec(summary)![1])).toBeGreaterThanOrEqual(10);
    expect(summary).toMatch(/steps failed\s+0/);
  });

  it("--live without credentials explains what is missing and exits 2", async () => {
    const { code, stderr } = await run("scripts/start.ts", ["--live"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/TWILIO_API_KEY_SID/);
  });
});

describe("npm run emulator", () => {
  it("prints its URL, serves the API, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [tsx, "scripts/emulator.ts", "--clock", "manual"], {
      env: cleanEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15_000);
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      const response = await fetch(`${url}/_emulator/clock`);
      expect(response.status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses bad arguments with exit 2", async () => {
    const { code, stderr } = await run("scripts/emulator.ts", ["--clock", "sideways"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--clock/);
  });
});
