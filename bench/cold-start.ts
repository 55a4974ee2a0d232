/**
 * Cold start: a fresh Node process per run that imports the client,
 * constructs it and makes one GET; the time is the process's own clock at
 * the end (`performance.now()`: ms since the process started), so Node's
 * boot is in every contestant's number alike. Each program is bundled first
 * (our source to one file, packages left in node_modules) so no contestant
 * pays for a TypeScript loader. Runs interleave contestants; median of N.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as esbuild from "esbuild";
import { PROGRAMS, coldSource } from "./programs.js";
import { rotation, summarize, type Summary } from "./stats.js";

const run = promisify(execFile);
const BENCH_DIR = fileURLToPath(new URL(".", import.meta.url));
const OUT_DIR = fileURLToPath(new URL("./.out/", import.meta.url));

async function build(id: string): Promise<string> {
  mkdirSync(OUT_DIR, { recursive: true });
  const file = `${OUT_DIR}cold-${id}.mjs`;
  const result = await esbuild.build({
    stdin: { contents: coldSource(PROGRAMS[id]!), resolveDir: BENCH_DIR, sourcefile: `cold-${id}.mjs`, loader: "ts" },
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "warning",
  });
  writeFileSync(file, result.outputFiles[0]!.contents);
  return file;
}

export async function coldStart(
  ids: string[],
  origin: string,
  runs: number,
  progress: (line: string) => void,
): Promise<Record<string, Summary>> {
  const files = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await build(id)] as const)));
  const values: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, []]));
  for (let round = 0; round < runs; round++) {
    for (const id of rotation(ids, round)) {
      const { stdout } = await run(process.execPath, [files[id]!, origin], { cwd: BENCH_DIR });
      values[id]!.push(Number(stdout.trim().split("\n").pop()));
    }
    progress(`cold start: run ${round + 1}/${runs}`);
  }
  return Object.fromEntries(Object.entries(values).map(([id, rounds]) => [id, summarize(rounds, values["raw-fetch"])]));
}
