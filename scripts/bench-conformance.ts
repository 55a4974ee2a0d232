/**
 * npm run bench:conformance -- [--count 10000] [--har-mb 2048] [--no-har] [--write-readme]
 *
 * Measures the conformance check, each figure once (the machine is shared;
 * run it on a quiet machine for numbers worth comparing):
 *   1. validation in memory, one core (the shipped corpus repeated to --count);
 *   2. the CLI over a folder of --count recording files, one thread and every core;
 *   3. the CLI over a generated HAR of --har-mb megabytes (in a temp folder, deleted
 *      afterwards), one thread and every core, with the peak RSS of each run.
 * CLI runs are child processes, so start-up and peak memory are measured as users see them.
 * --write-readme writes the figures, the machine and the date into README.md
 * between the conformance-bench markers.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync, writeSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { runConformance } from "../src/contract/cli.js";
import { createContractValidator, type Recording } from "../src/contract/index.js";
import { parseCommandLine } from "./cli-args.js";

const USAGE = `usage: npm run bench:conformance -- [--count N] [--har-mb MB] [--no-har] [--write-readme]

  --count N        recordings for the in-memory and folder measurements (default 10000)
  --har-mb MB      size of the generated HAR (default 2048)
  --no-har         skip the HAR measurement
  --write-readme   write the figures into README.md between the conformance-bench markers
  --child          internal: run the CLI with the remaining arguments and print its peak RSS
  -h, --help       this text`;

const root = resolve(import.meta.dirname, "..");

const { values, positionals } = parseCommandLine({
  usage: USAGE,
  allowPositionals: true,
  prefix: "bench-conformance: ",
  options: { count: { type: "string" }, "har-mb": { type: "string" }, "no-har": { type: "boolean" }, "write-readme": { type: "boolean" }, child: { type: "boolean" } },
});

if (values.child) {
  // The measured process: the CLI itself, plus one JSON line with its peak RSS (whole process, workers included).
  let summary = "";
  const code = await runConformance(positionals, { stdout: (t) => (summary = t.length < 2000 ? summary + t : summary), stderr: (t) => process.stderr.write(t) });
  // The summary line's "<n> recording(s)": anchored after "file(s), " so no digit run is scanned twice.
  const recordings = Number(/ file\(s\), (\d+) recording\(s\)/.exec(summary)?.[1] ?? NaN);
  process.stdout.write(`${JSON.stringify({ code, recordings, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  process.exit(0);
}

const count = Number(values.count ?? 10_000);
const harMb = Number(values["har-mb"] ?? 2048);
if (!Number.isInteger(count) || count < 1 || !Number.isFinite(harMb) || harMb <= 0) {
  process.stderr.write("bench-conformance: --count and --har-mb take positive numbers (see --help)\n");
  process.exit(2);
}

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".json") ? [join(dir, e.name)] : []));
const base = walk(join(root, "contract-tests/recordings")).sort().map((f) => JSON.parse(readFileSync(f, "utf8")) as Recording);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

interface ChildRun {
  seconds: number;
  recordings: number;
  maxRssMb: number;
  code: number;
}

/** Runs the CLI in a child process (tsx, as `npm run conformance` does) and measures it. */
function cli(args: string[]): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "scripts/bench-conformance.ts"), "--child", "--", ...args], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.on("error", reject);
    child.on("close", () => {
      const seconds = (performance.now() - started) / 1000;
      try {
        const last = JSON.parse(out.trim().split("\n").at(-1)!) as Omit<ChildRun, "seconds">;
        resolvePromise({ seconds, ...last });
      } catch {
        reject(new Error(`the CLI child printed no result: ${out.slice(0, 200)}`));
      }
    });
  });
}

/** HAR 1.2 entry of a recording, with the headers and timings a proxy export carries. */
function harEntry(r: Recording, i: number): unknown {
  const headers = (h: Record<string, string> | undefined) => Object.entries(h ?? {}).map(([name, value]) => ({ name, value }));
  const body = r.response.body === null ? undefined : typeof r.response.body === "string" ? r.response.body : JSON.stringify(r.response.body);
  return {
    startedDateTime: new Date(Date.UTC(2026, 10, 24, 20, 0, 0) + i * 37).toISOString(),
    time: 41.5,
    request: {
      method: r.request.method,
      url: r.request.url,
      httpVersion: "HTTP/1.1",
      headers: [{ name: "user-agent", value: "twilio-video-ts/0.1.0 node/20" }, { name: "accept", value: "application/json" }, ...headers(r.request.headers)],
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: r.request.body?.length ?? 0,
      ...(r.request.body !== undefined ? { postData: { mimeType: "application/x-www-form-urlencoded", text: r.request.body } } : {}),
    },
    response: {
      status: r.response.status,
      statusText: "",
      httpVersion: "HTTP/1.1",
      headers: headers(r.response.headers),
      cookies: [],
      content: body === undefined ? { size: 0, mimeType: "x-unknown" } : { size: body.length, mimeType: r.response.headers?.["content-type"] ?? "application/json", text: body },
      redirectURL: "",
      headersSize: -1,
      bodySize: body?.length ?? 0,
    },
    cache: {},
    timings: { blocked: 0.2, dns: -1, connect: -1, ssl: -1, send: 0.1, wait: 40, receive: 1.2 },
  };
}

/** Writes a HAR of about `mb` megabytes; answers its entry count. */
function writeHar(file: string, mb: number): number {
  const fd = openSync(file, "w");
  let written = 0;
  let n = 0;
  const target = mb * 1024 * 1024;
  const write = (s: string) => {
    writeSync(fd, s);
    written += Buffer.byteLength(s);
  };
  write('{"log":{"version":"1.2","creator":{"name":"bench-conformance","version":"1"},"pages":[],"entries":[\n');
  let chunk = "";
  while (written + chunk.length < target) {
    chunk += `${n === 0 ? "" : ",\n"}${JSON.stringify(harEntry(base[n % base.length]!, n))}`;
    n++;
    if (chunk.length > 1 << 20) write(chunk), (chunk = "");
  }
  write(`${chunk}\n]}}\n`);
  closeSync(fd);
  return n;
}

const cores = availableParallelism();
const results: string[] = [];
const log = (line: string) => {
  console.log(line);
  results.push(line);
};

// 1. In memory, one core.
let t = performance.now();
const validator = createContractValidator();
for (const r of base) validator.validateRecording(r); // compiles every schema the corpus touches
const compileMs = performance.now() - t;
t = performance.now();
let failures = 0;
for (let i = 0; i < count; i++) if (!validator.validateRecording(base[i % base.length]!).ok) failures++;
const memoryRate = count / ((performance.now() - t) / 1000);
console.log(`corpus: ${base.length} distinct recordings; compile + first pass ${compileMs.toFixed(0)} ms; ${failures} failed`);
log(`- validation in memory, one core: **${fmt(memoryRate)} recordings/s** (${fmt(count)} recordings)`);

const work = mkdtempSync(join(tmpdir(), "bench-conformance-"));
try {
  // 2. A folder of files.
  const folder = join(work, "files");
  for (let i = 0; i < count; i++) {
    const sub = join(folder, String(i % 100));
    if (i < 100) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `${i}.json`), JSON.stringify(base[i % base.length], null, 2));
  }
  const oneFolder = await cli(["--jobs", "1", folder]);
  const allFolder = await cli(["--jobs", String(cores), folder]);
  log(`- CLI over a folder of ${fmt(count)} recording files (start-up included): ${fmt(oneFolder.recordings / oneFolder.seconds)} recordings/s on one thread, ${fmt(allFolder.recordings / allFolder.seconds)} recordings/s with \`--jobs ${cores}\``);
  rmSync(folder, { recursive: true, force: true });

  // 3. A HAR of gigabytes.
  if (!values["no-har"]) {
    const fs = statfsSync(work);
    const free = (fs.bavail * fs.bsize) / 1024 / 1024;
    if (free < harMb * 2) throw new Error(`only ${fmt(free)} MB free under ${work}; the HAR needs ${fmt(harMb)} MB and room to spare`);
    const har = join(work, "capture.har");
    t = performance.now();
    const entries = writeHar(har, harMb);
    console.log(`generated ${har}: ${fmt(entries)} entries, ${harMb} MB in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    const one = await cli(["--jobs", "1", har]);
    const all = await cli(["--jobs", String(cores), har]);
    for (const run of [one, all]) if (run.recordings !== entries) throw new Error(`expected ${entries} recordings, the CLI checked ${run.recordings} (exit ${run.code})`);
    const gb = (harMb / 1024).toFixed(1);
    log(`- CLI over a ${gb} GB HAR (${fmt(entries)} entries): ${fmt(entries / one.seconds)} recordings/s on one thread (${one.seconds.toFixed(0)} s, peak RSS ${one.maxRssMb} MB); ${fmt(entries / all.seconds)} recordings/s with \`--jobs ${cores}\` (${all.seconds.toFixed(0)} s, peak RSS ${all.maxRssMb} MB)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (values["write-readme"]) {
  const readmePath = join(root, "README.md");
  const readme = readFileSync(readmePath, "utf8");
  const start = readme.indexOf("<!-- conformance-bench:start");
  const end = readme.indexOf("<!-- conformance-bench:end -->");
  if (start === -1 || end === -1) throw new Error("README.md has no conformance-bench markers");
  const startLineEnd = readme.indexOf("\n", start) + 1;
  const machine = `${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${cores} core(s), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  const block = `Measured by \`npm run bench:conformance\` (${machine}; a machine shared with other work, each figure measured once, so expect noise):\n\n${results.join("\n")}\n\n`;
  writeFileSync(readmePath, readme.slice(0, startLineEnd) + block + readme.slice(end));
  console.log("README.md updated");
}
