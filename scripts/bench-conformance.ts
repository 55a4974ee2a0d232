/**
 * npm run bench:conformance -- [--cases har:500,ndjson:500,...] [--count 10000] [--repeat 1] [--no-one-thread]
 *   [--no-peer] [--write-readme]
 *
 * Measures the conformance check against its closest peer, Redocly CLI's
 * `redocly drift` (recorded traffic against an OpenAPI description; the
 * installed @redocly/cli has no other traffic command), in the same run:
 *   1. validation in memory, one core (the shipped corpus repeated to --count);
 *   2. the CLI over a folder of --count recording files, one thread and every core;
 *   3. for each of --cases (format:MB): synthetic traffic generated from the
 *      recordings into a temp folder (deleted afterwards), checked by ours on one
 *      thread, ours by default (`--jobs auto`) and `redocly drift`, each a child process with
 *      its wall time, CPU time and peak RSS; with --repeat N each runs N times,
 *      in turns, and the median wall time is reported. Once Redocly fails on a
 *      format it is not run on larger files of it, nor ours on one thread (that
 *      run only gives the one-thread ratio).
 * Ours runs compiled (tsc into the temp folder), as users run the package.
 * --write-readme writes the figures, the machine and the date into README.md
 * between the conformance-bench markers.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { writeHar, writeNdjson } from "../contract-tests/lib/synthetic-traffic.js";
import { createContractValidator, type Recording } from "../src/contract/index.js";

/** 10 MB to 4 GB: Redocly is not run past the size it fails at. */
const DEFAULT_CASES =
  "har:10,ndjson:10,har:100,ndjson:100,har:500,ndjson:500,har:1024,ndjson:1024,har:4096,ndjson:4096";

const USAGE = `usage: npm run bench:conformance -- [--cases format:MB,...] [--count N] [--repeat N] [--no-one-thread]
  [--no-peer] [--write-readme]

  --cases list     generated traffic files, har or ndjson by size in MB
                   (default ${DEFAULT_CASES})
  --count N        recordings for the in-memory and folder measurements (default 10000; 0 skips them)
  --repeat N       runs of each contestant per file, in turns; the median wall time is reported (default 1)
  --no-one-thread  do not run ours with --jobs 1 on the traffic files (by default only)
  --no-peer        do not run redocly drift
  --write-readme   write the figures into README.md between the conformance-bench markers
  -h, --help       this text`;

const root = resolve(import.meta.dirname, "..");
const options = {
  cases: { type: "string" },
  count: { type: "string" },
  repeat: { type: "string" },
  "no-one-thread": { type: "boolean" },
  "no-peer": { type: "boolean" },
  "write-readme": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
let values: {
  cases?: string;
  count?: string;
  repeat?: string;
  "no-one-thread"?: boolean;
  "no-peer"?: boolean;
  "write-readme"?: boolean;
  help?: boolean;
};
try {
  ({ values } = parseArgs({ strict: true, options }));
} catch (e) {
  process.stderr.write(`bench-conformance: ${(e as Error).message.split("\n")[0]} (see --help)\n`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const count = Number(values.count ?? 10_000);
const repeat = Number(values.repeat ?? 1);
const cases = (values.cases ?? DEFAULT_CASES).split(",").map((c) => {
  const [format = "", mb = ""] = c.split(":");
  return { format, mb: Number(mb) };
});
if (
  !Number.isInteger(count) ||
  count < 0 ||
  !Number.isInteger(repeat) ||
  repeat < 1 ||
  cases.some((c) => !(c.mb > 0) || !["har", "ndjson"].includes(c.format))
) {
  process.stderr.write(
    "bench-conformance: --count takes a whole number, --repeat one from 1, --cases har:MB or ndjson:MB (see --help)\n",
  );
  process.exit(2);
}

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".json") ? [join(dir, e.name)] : [],
  );
const base = walk(join(root, "contract-tests/recordings"))
  .sort()
  .map((f) => JSON.parse(readFileSync(f, "utf8")) as Recording);
/** A recording proxy keeps the Authorization header (redacted); without one Redocly flags every exchange. */
const traffic = base.map((r) => ({
  ...r,
  request: {
    ...r.request,
    headers: {
      authorization: `Basic ${Buffer.from("ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx:redacted").toString("base64")}`,
      ...r.request.headers,
    },
  },
}));
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const cores = availableParallelism();

interface Run {
  seconds: number;
  cpuSeconds: number | undefined;
  maxRssMb: number | undefined;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command as a child process; wall time, and CPU time and peak RSS from GNU time where it is installed. */
function measure(command: string, args: string[]): Promise<Run> {
  const timeFile = join(work, "time.txt");
  const gnuTime = existsSync("/usr/bin/time");
  const [bin, argv] = gnuTime
    ? ["/usr/bin/time", ["-o", timeFile, "-f", "%U %S %M", command, ...args]]
    : [command, args];
  return new Promise((done, reject) => {
    const started = performance.now();
    const child = spawn(bin, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout = (stdout + c).slice(-4000)));
    child.stderr.on("data", (c) => (stderr = (stderr + c).slice(-4000)));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      const [user, sys, rssKb] = gnuTime
        ? readFileSync(timeFile, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number)
        : [];
      const cpuSeconds = user !== undefined && sys !== undefined ? user + sys : undefined;
      done({
        seconds,
        cpuSeconds,
        maxRssMb: rssKb !== undefined ? Math.round(rssKb / 1024) : undefined,
        code,
        stdout,
        stderr,
      });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), "bench-conformance-"));
const results: string[] = [];
const log = (line: string) => {
  console.log(line);
  results.push(line);
};

/** Builds the package into the temp folder, so ours runs as its users run it (compiled, no tsx). */
function buildOurs(): string {
  const out = join(work, "dist");
  const tsc = spawnSync(
    process.execPath,
    [
      join(root, "node_modules/typescript/bin/tsc"),
      "-p",
      "tsconfig.build.json",
      "--outDir",
      out,
      "--declaration",
      "false",
    ],
    { cwd: root, stdio: "inherit" },
  );
  if (tsc.status !== 0) throw new Error("tsc failed");
  writeFileSync(join(out, "package.json"), '{"type":"module"}\n');
  symlinkSync(join(root, "node_modules"), join(out, "node_modules"));
  return join(out, "scripts/conformance.js");
}

function memoryAndFolder(bin: string): Promise<void> {
  let t = performance.now();
  const validator = createContractValidator();
  for (const r of base) validator.validateRecording(r); // compiles every schema the corpus touches
  const compileMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < count; i++) validator.validateRecording(base[i % base.length]!);
  console.log(`corpus: ${base.length} distinct recordings; compile + first pass ${compileMs.toFixed(0)} ms`);
  log(
    `- validation in memory, one core: **${fmt(count / ((performance.now() - t) / 1000))} recordings/s** ` +
      `(${fmt(count)} recordings)`,
  );
  const folder = join(work, "files");
  for (let i = 0; i < count; i++) {
    const sub = join(folder, String(i % 100));
    if (i < 100) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `${i}.json`), JSON.stringify(base[i % base.length], null, 2));
  }
  return (async () => {
    const one = await measure(process.execPath, [bin, "--jobs", "1", folder]);
    const all = await measure(process.execPath, [bin, "--jobs", String(cores), folder]);
    log(
      `- CLI over a folder of ${fmt(count)} recording files (start-up included): ` +
        `${fmt(count / one.seconds)} recordings/s on one thread, ` +
        `${fmt(count / all.seconds)} recordings/s with \`--jobs ${cores}\``,
    );
    rmSync(folder, { recursive: true, force: true });
  })();
}

const checked = (run: Run): number => Number(/(?<!\d)(\d+) recording\(s\)/.exec(run.stdout)?.[1] ?? NaN);
const cell = (run: Run, n: number): string => {
  const rss = run.maxRssMb !== undefined ? `, ${fmt(run.maxRssMb)} MB` : "";
  const cpu = run.cpuSeconds !== undefined ? `, CPU ${run.cpuSeconds.toFixed(0)} s` : "";
  return `${fmt(n / run.seconds)}/s (${run.seconds.toFixed(0)} s${cpu}${rss})`;
};
/** The run with the median wall time; its peak RSS is the largest of all runs (memory is not noise). */
function median(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const mid = sorted[(sorted.length - 1) >> 1]!;
  const rss = runs.map((r) => r.maxRssMb).filter((m): m is number => m !== undefined);
  return { ...mid, maxRssMb: rss.length > 0 ? Math.max(...rss) : undefined };
}

/** Formats whose Redocly run failed, with the size it failed at: larger files of them are not given to it. */
const peerFailedAt = new Map<string, number>();
/** Ours by default (`--jobs auto`), by file: the memory line under the table. */
const oursAll: { label: string; mb: number; run: Run }[] = [];
const sizeLabel = (mb: number) => (mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb} MB`);

function runPeer(format: string, file: string): Promise<Run> {
  return measure(process.execPath, [
    join(root, "node_modules/@redocly/cli/bin/cli.js"),
    "drift",
    file,
    "--api",
    join(root, "generated/openapi.json"),
    "--traffic-format",
    format,
    "--format",
    "json",
    "-o",
    join(work, "drift.json"),
  ]);
}

/** Redocly's count of exchanges in the report it wrote, or undefined when it wrote none. */
function peerExchanges(): number | undefined {
  const report = join(work, "drift.json");
  if (!existsSync(report)) return undefined;
  const read = (JSON.parse(readFileSync(report, "utf8")) as { run?: { totalExchanges?: number } }).run?.totalExchanges;
  rmSync(report, { force: true });
  return read;
}

/** Runs each contestant `repeat` times, in turns (so a slow spell of a shared machine hits all of them). */
async function contestants(format: string, file: string, n: number, withPeer: boolean, bin: string) {
  const one: Run[] = [];
  const all: Run[] = [];
  const peer: Run[] = [];
  for (let i = 0; i < repeat; i++) {
    if (withPeer && !values["no-one-thread"]) one.push(await measure(process.execPath, [bin, "--jobs", "1", file]));
    all.push(await measure(process.execPath, [bin, "--jobs", "auto", file]));
    for (const run of [...one, ...all])
      if (checked(run) !== n)
        throw new Error(`expected ${n} recordings, ours checked ${checked(run)} (exit ${run.code}): ${run.stderr}`);
    if (!withPeer) continue;
    const run = await runPeer(format, file);
    const exchanges = peerExchanges();
    peer.push(run);
    if (exchanges !== n) return { one, all, peerFailure: run };
  }
  return { one, all, peer };
}

/** One traffic file: ours on one thread, ours by default, Redocly; one table row. */
async function traffic1(bin: string, format: string, mb: number): Promise<string> {
  const fs = statfsSync(work);
  if ((fs.bavail * fs.bsize) / 1024 / 1024 < mb * 2)
    throw new Error(`not enough free space under ${work} for ${mb} MB`);
  const file = join(work, `traffic.${format}`);
  const t = performance.now();
  const n = format === "har" ? writeHar(file, mb * 1024 * 1024, traffic) : writeNdjson(file, mb * 1024 * 1024, traffic);
  console.log(`generated ${file}: ${fmt(n)} recordings, ${mb} MB in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  const failedAt = peerFailedAt.get(format);
  try {
    const runs = await contestants(format, file, n, !values["no-peer"] && failedAt === undefined, bin);
    const all = median(runs.all);
    const one = runs.one.length > 0 ? median(runs.one) : undefined;
    oursAll.push({ label: `${format.toUpperCase()} ${sizeLabel(mb)}`, mb, run: all });
    let peer = values["no-peer"] ? "not run" : `not run (failed at ${sizeLabel(failedAt ?? 0)})`;
    let ratio = "—";
    if (runs.peerFailure) {
      const failure = runs.peerFailure;
      peerFailedAt.set(format, mb);
      const why =
        /heap out of memory|Invalid string length|Cannot create a string/.exec(failure.stderr)?.[0] ??
        `exit ${failure.code}`;
      const rss = failure.maxRssMb !== undefined ? `, ${fmt(failure.maxRssMb)} MB` : "";
      peer = `failed: ${why} after ${failure.seconds.toFixed(0)} s${rss}`;
    } else if (runs.peer && runs.peer.length > 0) {
      const theirs = median(runs.peer);
      peer = cell(theirs, n);
      const onOne = one ? ` (${(theirs.seconds / one.seconds).toFixed(2)}× on one thread)` : "";
      ratio = `${(theirs.seconds / all.seconds).toFixed(2)}×${onOne}`;
    }
    const oneCell = one ? cell(one, n) : "not run";
    return `| ${format.toUpperCase()} ${sizeLabel(mb)} (${fmt(n)}) | ${oneCell} | ${cell(all, n)} | ${peer} | ${ratio} |`;
  } finally {
    rmSync(file, { force: true });
  }
}

/** Ours' peak RSS at each size, per format (flat memory is a claim of its own). */
function memoryLine(): string {
  const parts: string[] = [];
  for (const format of ["HAR", "NDJSON"]) {
    const runs = oursAll.filter((o) => o.label.startsWith(`${format} `) && o.run.maxRssMb !== undefined);
    if (runs.length < 2) continue;
    const sizes = runs.sort((a, b) => a.mb - b.mb).map((o) => `${fmt(o.run.maxRssMb!)} MB at ${sizeLabel(o.mb)}`);
    parts.push(`${format} ${sizes.join(", ")}`);
  }
  return parts.length === 0 ? "" : `Peak RSS of ours with \`--jobs auto\`: ${parts.join("; ")}.`;
}

try {
  const bin = buildOurs();
  if (count > 0) await memoryAndFolder(bin);
  const rows: string[] = [];
  for (const { format, mb } of cases) rows.push(await traffic1(bin, format, mb));
  const peerVersion = (
    JSON.parse(readFileSync(join(root, "node_modules/@redocly/cli/package.json"), "utf8")) as { version: string }
  ).version;
  log("");
  log(
    "Synthetic traffic from the recordings (recordings/s, wall time, CPU time, peak RSS; " +
      `\`redocly drift\` is @redocly/cli ${peerVersion}; ` +
      `ours by default is \`--jobs auto\`: every core (${cores} here) from 20,000 recordings or 64 MB of input; ` +
      "the ratio is Redocly's time over ours by default" +
      (repeat > 1 ? `; each figure the median of ${repeat} runs taken in turns):` : "):"),
  );
  log("");
  log("| input (recordings) | ours, `--jobs 1` | ours, by default | `redocly drift` | ours faster by |");
  log("|---|---|---|---|---|");
  for (const row of rows) log(row);
  const memory = memoryLine();
  if (memory) {
    log("");
    log(memory);
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
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const machine = `${cpu}, ${cores} core(s), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  const block =
    `Measured by \`npm run bench:conformance\` (${machine}; a machine shared with other work, ` +
    `${repeat > 1 ? `the median of ${repeat} runs` : "each figure measured once"}, so expect noise; ` +
    `compare the ratios):\n\n${results.join("\n")}\n\n`;
  writeFileSync(readmePath, readme.slice(0, startLineEnd) + block + readme.slice(end));
  console.log("README.md updated");
}
