/**
 * npm run bench:conformance -- [--cases har:100,ndjson:100,...] [--count 10000] [--no-one-thread] [--no-peer]
 *   [--write-readme]
 *
 * Measures the conformance check against its closest peer, Redocly CLI's
 * `redocly drift` (recorded traffic against an OpenAPI description; the
 * installed @redocly/cli has no other traffic command), in the same run:
 *   1. validation in memory, one core (the shipped corpus repeated to --count);
 *   2. the CLI over a folder of --count recording files, one thread and every core;
 *   3. for each of --cases (format:MB): synthetic traffic generated from the
 *      recordings into a temp folder (deleted afterwards), checked by ours on one
 *      thread, ours on every core and `redocly drift`, each a child process with
 *      its wall time, CPU time and peak RSS.
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

const USAGE = `usage: npm run bench:conformance -- [--cases format:MB,...] [--count N] [--no-one-thread] [--no-peer]
  [--write-readme]

  --cases list     generated traffic files, har or ndjson by size in MB
                   (default har:100,ndjson:100,har:1024,ndjson:1024)
  --count N        recordings for the in-memory and folder measurements (default 10000; 0 skips them)
  --no-one-thread  do not run ours with --jobs 1 on the traffic files (every core only)
  --no-peer        do not run redocly drift
  --write-readme   write the figures into README.md between the conformance-bench markers
  -h, --help       this text`;

const root = resolve(import.meta.dirname, "..");
const options = {
  cases: { type: "string" },
  count: { type: "string" },
  "no-one-thread": { type: "boolean" },
  "no-peer": { type: "boolean" },
  "write-readme": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
let values: {
  cases?: string;
  count?: string;
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
const cases = (values.cases ?? "har:100,ndjson:100,har:1024,ndjson:1024").split(",").map((c) => {
  const [format = "", mb = ""] = c.split(":");
  return { format, mb: Number(mb) };
});
if (!Number.isInteger(count) || count < 0 || cases.some((c) => !(c.mb > 0) || !["har", "ndjson"].includes(c.format))) {
  process.stderr.write("bench-conformance: --count takes a whole number, --cases har:MB or ndjson:MB (see --help)\n");
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

/** One traffic file: ours on one thread, ours on every core, Redocly; one table row. */
async function traffic1(bin: string, format: string, mb: number): Promise<string> {
  const fs = statfsSync(work);
  if ((fs.bavail * fs.bsize) / 1024 / 1024 < mb * 2)
    throw new Error(`not enough free space under ${work} for ${mb} MB`);
  const file = join(work, `traffic.${format}`);
  const t = performance.now();
  const n = format === "har" ? writeHar(file, mb * 1024 * 1024, traffic) : writeNdjson(file, mb * 1024 * 1024, traffic);
  console.log(`generated ${file}: ${fmt(n)} recordings, ${mb} MB in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  try {
    const one = values["no-one-thread"] ? undefined : await measure(process.execPath, [bin, "--jobs", "1", file]);
    const all = await measure(process.execPath, [bin, "--jobs", String(cores), file]);
    for (const run of one ? [one, all] : [all])
      if (checked(run) !== n)
        throw new Error(
          `expected ${n} recordings, ours checked ${checked(run)} (exit ${run.code}): ${run.stderr.slice(-300)}`,
        );
    let peer = "not run";
    let ratio = "";
    if (!values["no-peer"]) {
      const report = join(work, "drift.json");
      const redocly = await measure(process.execPath, [
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
        report,
      ]);
      const exchanges = existsSync(report)
        ? (JSON.parse(readFileSync(report, "utf8")) as { run?: { totalExchanges?: number } }).run?.totalExchanges
        : undefined;
      rmSync(report, { force: true });
      if (exchanges === n) {
        peer = cell(redocly, n);
        const onOne = one ? ` (${(redocly.seconds / one.seconds).toFixed(2)}× on one thread)` : "";
        ratio = `${(redocly.seconds / all.seconds).toFixed(2)}×${onOne}`;
      } else {
        const why =
          /heap out of memory|Invalid string length|Cannot create a string/.exec(redocly.stderr)?.[0] ??
          `exit ${redocly.code}`;
        const rss = redocly.maxRssMb !== undefined ? `, ${fmt(redocly.maxRssMb)} MB` : "";
        peer = `failed: ${why} after ${redocly.seconds.toFixed(0)} s${rss}`;
        ratio = "—";
      }
    }
    const size = mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb} MB`;
    const oneCell = one ? cell(one, n) : "not run";
    return `| ${format.toUpperCase()} ${size} (${fmt(n)}) | ${oneCell} | ${cell(all, n)} | ${peer} | ${ratio} |`;
  } finally {
    rmSync(file, { force: true });
  }
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
      `the ratio is Redocly's time over ours with \`--jobs ${cores}\`):`,
  );
  log("");
  log(`| input (recordings) | ours, \`--jobs 1\` | ours, \`--jobs ${cores}\` | \`redocly drift\` | ours faster by |`);
  log("|---|---|---|---|---|");
  for (const row of rows) log(row);
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
    `each figure measured once, so expect noise; compare the ratios):\n\n${results.join("\n")}\n\n`;
  writeFileSync(readmePath, readme.slice(0, startLineEnd) + block + readme.slice(end));
  console.log("README.md updated");
}
