/**
 * The side-by-side client benchmark: every contestant in a process of its
 * own against the same loopback server (a process too), scenarios A–D in
 * many short rounds with the contestants rotated, cold start and bundle
 * size. Ratios are to raw fetch in the same run (paired per round, median of
 * rounds).
 *
 *   npm run bench                     # table on stdout, progress on stderr
 *   npm run bench -- --json           # one JSON document on stdout
 *   npm run bench -- --quick          # fewer rounds and rooms (about a minute)
 *   npm run bench -- --out FILE.json  # also writes the document to FILE.json
 *   npm run bench:readme -- FILE.json # writes README's Performance table from it
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseCommandLine } from "../scripts/cli-args.js";
import type { BundleSize } from "./bundle-size.js";
import type { ScenarioResult, Sizes } from "./scenarios.js";
import type { BenchReport } from "./report.js";

const USAGE = `usage: npm run bench -- [--json] [--out FILE] [--quick] [--help]

Installs bench/'s own dependencies (twilio, undici) on first use, then runs
every contestant against a loopback server and prints the ratios to raw fetch.

  --json      print one JSON document (per scenario and contestant: median, spread, ratio to raw fetch)
  --out FILE  also write that document to FILE (input of npm run bench:readme)
  --quick     fewer rounds and 10,000 rooms instead of 50,000 (for a smoke run)
  --help      this text`;

// Arguments first: --help and a mistyped flag answer without bench/'s dependencies.
const { values: flags } = parseCommandLine({
  usage: USAGE,
  options: { json: { type: "boolean" }, out: { type: "string" }, quick: { type: "boolean" } },
});

// bench/ has its own dependencies (the contestants that are not the project's): installed
// here only when missing, so neither --help nor a second run needs the registry.
const BENCH_DIR = fileURLToPath(new URL("./", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
if (
  ["twilio", "undici"].some(
    (name) => !existsSync(fileURLToPath(new URL(`./node_modules/${name}/package.json`, import.meta.url))),
  )
) {
  process.stderr.write("installing bench/'s own dependencies (npm install --prefix bench)\n");
  const install = spawnSync(npm, ["install", "--prefix", BENCH_DIR, "--no-audit", "--no-fund", "--silent"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (install.status !== 0) {
    console.error(
      `npm install --prefix bench failed (${install.error?.message ?? `exit ${install.status}`}): the benchmark needs twilio and undici from bench/package.json`,
    );
    process.exit(1);
  }
}

// The contestants load our compiled package (dist/), as users get it.
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const build = spawnSync(npm, ["run", "-s", "build"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
if (build.status !== 0) {
  console.error(
    `npm run build failed (${build.error?.message ?? `exit ${build.status}`}): the benchmark measures the compiled package`,
  );
  process.exit(1);
}

// Imported only now: the contestants load twilio and undici from bench/node_modules.
const { bundleSize } = await import("./bundle-size.js");
const { coldStart } = await import("./cold-start.js");
const { CONTESTANTS } = await import("./contestants.js");
const { startDriver } = await import("./drivers.js");
const { pin, pinned, SERVER_CPU } = await import("./affinity.js");
const { scenarioA, scenarioB, scenarioC, scenarioD } = await import("./scenarios.js");
const { evaluateTargets, renderTable } = await import("./report.js");

const sizes: Sizes = flags.quick
  ? {
      rounds: 40,
      sequential: 12,
      concurrentRounds: 10,
      concurrentRequests: 256,
      concurrency: 64,
      rooms: 10_000,
      legRounds: 8,
      legRooms: 2_000,
    }
  : // B's rounds vary by ±30% (a burst of 64 on two shared cores): 120 of them put its median within a few percent, where 40 moved it ±5% between runs.
    {
      rounds: 150,
      sequential: 12,
      concurrentRounds: 120,
      concurrentRequests: 256,
      concurrency: 64,
      rooms: 50_000,
      legRounds: 24,
      legRooms: 5_000,
    };
const coldRuns = flags.quick ? 5 : 20;
const progress = (line: string) => process.stderr.write(`${line}\n`);

const server = spawn(
  process.execPath,
  ["--import", "tsx", fileURLToPath(new URL("./server.ts", import.meta.url)), "--rooms", String(sizes.rooms)],
  {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const origin = await new Promise<string>((resolve, reject) => {
  server.once("error", reject);
  server.once("exit", (code) => reject(new Error(`bench server exited (${code})`)));
  server.stdout.setEncoding("utf8").once("data", (line: string) => resolve(line.trim()));
});
pin(server.pid, SERVER_CPU);

const drivers: Awaited<ReturnType<typeof startDriver>>[] = [];
try {
  for (const c of CONTESTANTS) drivers.push(await startDriver(c.id, c.label, origin, ROOT));
  progress(
    `bench server ${origin}; ${drivers.length} contestants, a process each; ${flags.quick ? "quick" : "full"} sizes`,
  );
  const scenarios: ScenarioResult[] = [];
  for (const scenario of [scenarioA, scenarioB, scenarioC, scenarioD])
    scenarios.push(await scenario(drivers, sizes, progress));
  await Promise.all(drivers.splice(0).map((d) => d.close()));

  const cold = await coldStart(
    CONTESTANTS.map((c) => c.id),
    origin,
    coldRuns,
    progress,
  );
  scenarios.push({
    id: "cold",
    title: "cold start (import, construct, one GET)",
    unit: "ms since process start",
    better: "lower",
    results: cold,
  });

  const bundles: Record<string, BundleSize> = {};
  for (const { id } of CONTESTANTS) bundles[id] = await bundleSize(id);

  const cpu = cpus();
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpu.length,
      model: cpu[0]?.model.trim() ?? "unknown",
      memoryGB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      pinned,
      loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    quick: Boolean(flags.quick),
    sizes: { ...sizes, coldRuns },
    contestants: Object.fromEntries(CONTESTANTS.map((c) => [c.id, c.label])),
    scenarios,
    bundles,
    targets: [],
  };
  report.targets = evaluateTargets(report);

  const document = JSON.stringify(report, null, 2);
  if (flags.out) writeFileSync(flags.out, `${document}\n`);
  console.log(flags.json ? document : renderTable(report));
} finally {
  await Promise.all(drivers.map((d) => d.close()));
  server.kill();
}
