/**
 * Writes the README's performance table from a `npm run bench -- --out FILE`
 * result, between the `<!-- bench:start -->` / `<!-- bench:end -->` markers.
 * README numbers are never typed by hand.
 *
 *   npm run bench:readme -- bench-results.json
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderTable, type BenchReport } from "../bench/report.js";
import { exitWithUsageError, parseCommandLine } from "./cli-args.js";

const USAGE = `usage: npm run bench:readme -- RESULT.json

Writes the README's performance table (between the bench markers) from
RESULT.json, the output of \`npm run bench -- --out RESULT.json\`.

  --help   this text`;
const { positionals } = parseCommandLine({ usage: USAGE, options: {}, allowPositionals: true });
if (positionals.length !== 1) exitWithUsageError(`expected one result file, got ${positionals.length}`);

export const START = "<!-- bench:start (written by npm run bench:readme; do not edit) -->";
export const END = "<!-- bench:end -->";

let report: BenchReport;
try {
  report = JSON.parse(readFileSync(positionals[0]!, "utf8")) as BenchReport;
  if (!Array.isArray(report.scenarios) || typeof report.contestants !== "object")
    throw new Error("not a bench result (no scenarios/contestants)");
} catch (error) {
  console.error(`cannot read ${positionals[0]}: ${(error as Error).message}`);
  process.exit(1);
}

const readmePath = fileURLToPath(new URL("../README.md", import.meta.url));
const readme = readFileSync(readmePath, "utf8");
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < start) {
  console.error(`README.md has no ${START} … ${END} markers`);
  process.exit(1);
}
writeFileSync(readmePath, `${readme.slice(0, start + START.length)}\n${renderTable(report)}\n${readme.slice(end)}`);
console.log(`README.md performance table written from ${positionals[0]} (${report.date})`);
