/**
 * The proxy in a CI step (issue #30 items 1, 2, 5): stopped by a signal it
 * exits with its findings' code; started through `npm exec` (what `npx`
 * runs) it does not outlive npm; its HAR and NDJSON files are valid JSON
 * after every exchange, even when it is SIGKILLed; `--out DIR` needs no
 * `--format`; and a recorder whose `onRecording` throws warns instead of
 * failing the API call it records.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRecordingMiddleware } from "../src/contract/index.js";
import { startProxy } from "../src/contract/node-tools.js";
import { inferFormat } from "../src/contract/proxy.js";
import { runProxyCli } from "../src/contract/proxy-cli.js";
import { startedByNpm, watchParent } from "../src/contract/proxy/parent.js";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { createVideoClient } from "../src/index.js";

const root = join(import.meta.dirname, "..");
let dir: string;
let emulator: Emulator;
const auth = () =>
  `Basic ${Buffer.from(`${emulator.credentials.apiKeySid}:${emulator.credentials.apiKeySecret}`).toString("base64")}`;
const harEntries = (path: string) =>
  (JSON.parse(readFileSync(path, "utf8")) as { log: { entries: unknown[] } }).log.entries;
const ndjsonLines = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
/** The proxy's URL (its first stdout line) and pid (named on its first stderr line). */
function started(child: ChildProcess): Promise<{ url: string; pid: number }> {
  let out = "";
  let err = "";
  return new Promise((resolve) => {
    const check = () => {
      const pid = /\(pid (\d+)\)/.exec(err)?.[1];
      if (out.includes("\n") && pid) resolve({ url: out.split("\n")[0]!.trim(), pid: Number(pid) });
    };
    child.stdout!.on("data", (d) => {
      out += d;
      check();
    });
    child.stderr!.on("data", (d) => {
      err += d;
      check();
    });
  });
}
const proxyArgs = (out: string, ...more: string[]) => [
  "--import",
  "tsx",
  join(root, "scripts/conformance.ts"),
  "proxy",
  "--upstream",
  emulator.url,
  "--out",
  out,
  ...more,
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "proxy-journey-"));
  emulator = await startEmulator({ clock: "manual", statusCallbacks: false });
});
afterAll(async () => {
  await emulator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("stopping in CI", () => {
  it("the README step (background, kill -TERM, wait) exits 0 with no findings and leaves a complete HAR", async () => {
    const har = join(dir, "step.har");
    // The CI recipe's shape: the proxy in the background of a shell, its pid from $!, then TERM and wait.
    const script = [
      `node ${proxyArgs(har)
        .map((a) => `'${a}'`)
        .join(" ")} > ${dir}/proxy.url &`,
      "PROXY=$!",
      `until [ -s ${dir}/proxy.url ]; do sleep 0.1; done`,
      `node -e "fetch(require('fs').readFileSync('${dir}/proxy.url','utf8').trim()+'/v1/Rooms',{headers:{Authorization:process.env.AUTH}}).then(r=>r.text())"`,
      'kill -TERM $PROXY; wait $PROXY; echo "exit=$?"',
    ].join("\n");
    const child = spawn("sh", ["-c", script], {
      cwd: root,
      env: { ...process.env, AUTH: auth() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    const code = await new Promise<number>((r) => child.on("exit", (c) => r(c ?? -1)));
    expect(code).toBe(0);
    expect(stdout).toContain("exit=0");
    expect(harEntries(har)).toHaveLength(1);
  }, 60_000);

  it("under npm exec (npx), SIGTERM to npm: the proxy does not linger and its HAR is complete", async () => {
    const har = join(dir, "npx.har");
    const child = spawn("npm", ["exec", "--", "node", ...proxyArgs(har)], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const { url, pid } = await started(child);
    expect(pid).not.toBe(child.pid); // npm → sh → node: the signal reaches npm, not the proxy
    for (let i = 0; i < 2; i++)
      expect((await fetch(`${url}/v1/Rooms`, { headers: { Authorization: auth() } })).status).toBe(200);
    const t = performance.now();
    child.kill("SIGTERM");
    const gone = await until(() => !alive(pid), 15_000);
    console.log(`proxy: under npm exec, gone ${(performance.now() - t).toFixed(0)} ms after npm got SIGTERM`);
    if (!gone) process.kill(pid, "SIGKILL");
    expect(gone).toBe(true);
    expect(harEntries(har)).toHaveLength(2);
  }, 60_000);

  it("SIGKILL of the proxy: the HAR and NDJSON written so far are valid, one entry per answered exchange", async () => {
    for (const [name, read] of [
      ["killed.har", harEntries],
      ["killed.ndjson", ndjsonLines],
    ] as const) {
      const out = join(dir, name);
      const child = spawn("node", proxyArgs(out), { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
      const { url } = await started(child);
      expect(read(out)).toHaveLength(0);
      for (let i = 1; i <= 3; i++) {
        expect((await fetch(`${url}/v1/Rooms`, { headers: { Authorization: auth() } })).status).toBe(200);
        // Valid while it runs, after each exchange.
        expect(read(out), name).toHaveLength(i);
      }
      const exited = new Promise((r) => child.on("exit", r));
      child.kill("SIGKILL");
      await exited;
      expect(read(out), name).toHaveLength(3);
    }
  }, 60_000);

  it("the parent guard fires once on a changed parent, only under npm", async () => {
    let ppid = 100;
    let fired = 0;
    const stop = watchParent(
      () => fired++,
      10,
      () => ppid,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).toBe(0);
    ppid = 1;
    expect(await until(() => fired > 0, 2000)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).toBe(1);
    stop();
    expect(startedByNpm({ npm_command: "exec" })).toBe(true);
    expect(startedByNpm({ npm_lifecycle_event: "test" })).toBe(true);
    expect(startedByNpm({})).toBe(false);
  });
});

describe("--out without --format", () => {
  it("a directory (existing, or with a trailing /) gets recordings, *.har HAR, anything else NDJSON", async () => {
    const existing = join(dir, "recs");
    mkdirSync(existing);
    expect(inferFormat(existing)).toBe("recordings");
    expect(inferFormat(join(dir, "new-folder/"))).toBe("recordings");
    expect(inferFormat(join(dir, "t.HAR"))).toBe("har");
    expect(inferFormat(join(dir, "t.ndjson"))).toBe("ndjson");
    expect(inferFormat(join(dir, "t"))).toBe("ndjson");
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let url = "";
    const done = runProxyCli(["--upstream", emulator.url, "--out", existing], {
      stdout: (t) => (url ||= t.trim()),
      stderr: () => undefined,
      stopped,
    });
    await until(() => url !== "", 10_000);
    await fetch(`${url}/v1/Rooms`, { headers: { Authorization: auth() } });
    stop();
    expect(await done).toBe(0);
    expect(readdirSync(existing).filter((f) => f.endsWith(".json"))).toHaveLength(1);
  });

  it("--format ndjson on a directory says in one line what to pass, exit 2", async () => {
    let stderr = "";
    const code = await runProxyCli(["--out", dir, "--format", "ndjson"], {
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
      stopped: Promise.resolve(),
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/is a directory: pass --format recordings/);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    await expect(startProxy({ out: dir, format: "har" })).rejects.toThrow(/is a directory/);
  });
});

describe("time-limit flags", () => {
  it("--headers-timeout-ms, --request-timeout-ms and --keep-alive-timeout-ms reach the proxy; bad values exit 2 in one line", async () => {
    const run = async (...args: string[]) => {
      let stderr = "";
      const code = await runProxyCli(["--upstream", emulator.url, ...args], {
        stdout: () => undefined,
        stderr: (t) => (stderr += t),
        stopped: Promise.resolve(),
      });
      return { code, stderr };
    };
    expect(await run("--headers-timeout-ms", "0")).toEqual({
      code: 2,
      stderr:
        'twilio-video-conformance proxy: --headers-timeout-ms must be a whole number from 1 to 3600000 (got "0") (see --help)\n',
    });
    expect((await run("--request-timeout-ms", "-1")).code).toBe(2);
    expect((await run("--keep-alive-timeout-ms", "x")).code).toBe(2);
    const refused = await run("--headers-timeout-ms", "2000", "--request-timeout-ms", "1000");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/requestTimeoutMs \(1000\) must be 0 or at least headersTimeoutMs \(2000\)/);
    const ok = await run("--headers-timeout-ms", "2000", "--request-timeout-ms", "0", "--keep-alive-timeout-ms", "10");
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(
      /listening on http:\/\/127\.0\.0\.1:\d+, forwarding to http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/,
    );
  });
});

describe("a recorder whose onRecording throws", () => {
  it("warns through onWarning and the call returns its result", async () => {
    const warnings: string[] = [];
    const recorder = createRecordingMiddleware({
      onRecording: () => {
        throw new Error("ENOENT: no such file or directory, open 'missing/0001.json'");
      },
      onWarning: (m) => warnings.push(m),
    });
    const client = createVideoClient({ ...emulator.clientOptions, maxRetries: 0, middleware: [recorder] });
    const room = await client.rooms.create({ UniqueName: "journey" });
    expect(room.sid).toMatch(/^RM/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/onRecording threw; the recording of POST .*\/v1\/Rooms is lost: ENOENT/);
  });
});
