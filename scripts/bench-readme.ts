/**
 * Writes the README's performance table from a `npm run bench -- --out FILE`
 * result, between the `<!-- bench:start -->` / `<!-- bench:end -->` markers.
 * README numbers are never typed by hand.
 *
 *   npm run bench:readme -- bench-results.json
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { renderTable, type BenchReport } from "../bench/report.js";

const USAGE = "usage: npm run bench:readme -- RESULT.json   (RESULT.json from `npm run bench -- --out RESULT.json`)";
let positionals: string[];
let help: boolean | undefined;
try {
  const parsed = parseArgs({ options: { help: { type: "boolean" } }, strict: true, allowPositionals: true });
  positionals = parsed.positionals;
  help = parsed.values.help;
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length !== 1) {
  console.error(`expected one result file\n${USAGE}`);
  process.exit(2);
}

export const START = "<!-- bench:start (written by npm run bench:readme; do not edit) -->";
export const END = "<!-- bench:end -->";

let report: BenchReport;
try {
  report = JSON.parse(readFileSync(positionals[0]!, "utf8")) as BenchReport;
  if (!Array.isArray(report.scenarios) || typeof report.contestants !== "object") throw new Error("not a bench result (no scenarios/contestants)");
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
