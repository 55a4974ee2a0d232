/**
 * npm run bench:conformance [-- --count 10000]
 * Measures the conformance check on a corpus of N recordings (the shipped
 * corpus repeated): schema compilation, validation in memory, and the CLI path
 * (walk + read + parse + validate) over files on disk.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { checkFiles, collectFiles } from "../src/contract/cli.js";
import { createContractValidator, type Recording } from "../src/contract/index.js";

const countArg = process.argv.indexOf("--count");
const count = countArg > 0 ? Number(process.argv[countArg + 1]) : 10_000;
if (!Number.isInteger(count) || count < 1) {
  console.error("usage: bench-conformance [--count N]");
  process.exit(2);
}

const corpusDir = resolve(import.meta.dirname, "../contract-tests/recordings");
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".json") ? [join(dir, e.name)] : []));
const base = walk(corpusDir).map((f) => JSON.parse(readFileSync(f, "utf8")) as Recording);
const recordings = Array.from({ length: count }, (_, i) => base[i % base.length]!);

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString("en-US")} recordings/s`;

let t = performance.now();
const validator = createContractValidator();
for (const r of base) validator.validateRecording(r); // compiles every schema the corpus touches
const compileMs = performance.now() - t;

t = performance.now();
let failures = 0;
for (const r of recordings) if (!validator.validateRecording(r).ok) failures++;
const memoryMs = performance.now() - t;

const dir = mkdtempSync(join(tmpdir(), "bench-conformance-"));
try {
  recordings.forEach((r, i) => {
    const sub = join(dir, String(i % 100));
    if (i < 100) mkdirSync(sub);
    writeFileSync(join(sub, `${i}.json`), JSON.stringify(r, null, 2));
  });
  t = performance.now();
  const files = collectFiles([dir], dir);
  const report = checkFiles(files, createContractValidator(), [], dir);
  const cliMs = performance.now() - t;

  console.log(`corpus: ${base.length} distinct recordings, repeated to ${count}`);
  console.log(`compile + first pass over the corpus: ${compileMs.toFixed(0)} ms`);
  console.log(`validate in memory:   ${count} in ${memoryMs.toFixed(0)} ms = ${rate(count, memoryMs)} (${failures} failed)`);
  console.log(`CLI path (read+parse+validate ${report.files} files): ${cliMs.toFixed(0)} ms = ${rate(report.files, cliMs)} (${report.failed} failed)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
