// The runtime probe (probe.ts, 14 checks) bundled to plain ESM and run on
// Node, Bun, Deno and workerd against one fake API (fake-api.ts). Each runtime
// must report 14/14; a failure names the checks that failed.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECKS } from "./checks.js";
import type { ProbeReport } from "./probe.js";
import { startFakeApi, type FakeApi } from "./fake-api.js";
import { BIN, bundle, startWorkerd, tempDir } from "./harness.js";

const run = promisify(execFile);
let api: FakeApi;
let temp: ReturnType<typeof tempDir>;
let probeFile: string;
let workerSource: string;

beforeAll(async () => {
  api = await startFakeApi();
  temp = tempDir();
  probeFile = join(temp.dir, "probe.mjs");
  writeFileSync(probeFile, await bundle(fileURLToPath(new URL("./probe.ts", import.meta.url))));
  workerSource = await bundle(fileURLToPath(new URL("./probe-worker.ts", import.meta.url)));
}, 30_000);

afterAll(async () => {
  await api?.close();
  temp?.remove();
});

async function cli(command: string, args: string[]): Promise<ProbeReport> {
  const { stdout } = await run(command, args, {
    timeout: 20_000,
    env: { ...process.env, DENO_DIR: join(temp.dir, "deno"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as ProbeReport;
}

const runtimes: Array<[string, () => Promise<ProbeReport>]> = [
  ["node", () => cli(process.execPath, [probeFile, api.url])],
  ["bun", () => cli(join(BIN, "bun"), [probeFile, api.url])],
  ["deno", () => cli(join(BIN, "deno"), ["run", "--no-prompt", "--allow-net=127.0.0.1", probeFile, api.url])],
  [
    "workerd",
    async () => {
      const workerd = await startWorkerd(temp.dir, workerSource, { API: api.url });
      try {
        const response = await fetch(`${workerd.url}/probe`, { signal: AbortSignal.timeout(20_000) });
        return (await response.json()) as ProbeReport;
      } finally {
        await workerd.stop();
      }
    },
  ],
];

describe("the runtime probe", () => {
  it.each(runtimes)(
    `passes ${CHECKS}/${CHECKS} on %s`,
    async (_name, probe) => {
      const started = performance.now();
      const report = await probe();
      console.log(`${_name}: ${report.line} in ${Math.round(performance.now() - started)} ms`);
      expect(report.failures).toEqual([]);
      expect(report.line).toBe(`${CHECKS}/${CHECKS}`);
    },
    30_000,
  );
});
