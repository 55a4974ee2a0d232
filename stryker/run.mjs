// Runs Stryker through its programmatic API. The CLI refuses Node < 22 by a
// version guard; the API has no such guard, and the mutation run itself works
// on the Node 20 this repository supports.
//
//   node stryker/run.mjs [config: stryker/client.json, emulator.json, proxy.json, proxy-units.json, proxy-forward.json] [--mutate a.ts,b.ts] [--tests x.test.ts,y.test.ts] [--timeout ms]
//
// --mutate narrows the files mutated; --tests the test files run against
// them (read by stryker/vitest.client.config.ts), so one file can be scored
// against the tests written for it in minutes.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
// The package index loads the CLI module, whose first statement is that guard: import the runner itself.
import { Stryker } from "../node_modules/@stryker-mutator/core/dist/src/stryker.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { mutate: { type: "string" }, tests: { type: "string" }, timeout: { type: "string" } } });
const config = JSON.parse(readFileSync(positionals[0] ?? "stryker/client.json", "utf8"));
// Keys Stryker does not know (a schema link, a comment) would stop it.
delete config.$schema;
delete config._comment;
if (values.mutate) config.mutate = values.mutate.split(",");
if (values.tests) process.env.STRYKER_CLIENT_TESTS = values.tests;
// --timeout MS: a lower per-mutant bound for fast test files, so mutants that loop forever cost little.
if (values.timeout) config.timeoutMS = Number(values.timeout);
if (values.mutate) config.jsonReporter = { fileName: `reports/stryker/${values.mutate.split(",").map((f) => f.replace(/^.*\//, "").replace(/\.ts$/, "")).join("+")}.json` };
const results = await new Stryker(config).runMutationTest();
const byFile = new Map();
for (const mutant of results) {
  const entry = byFile.get(mutant.fileName) ?? { killed: 0, survived: 0, noCoverage: 0, timeout: 0, other: 0 };
  if (mutant.status === "Killed") entry.killed++;
  else if (mutant.status === "Survived") entry.survived++;
  else if (mutant.status === "NoCoverage") entry.noCoverage++;
  else if (mutant.status === "Timeout") entry.timeout++;
  else entry.other++;
  byFile.set(mutant.fileName, entry);
}
for (const [file, e] of byFile) {
  const detected = e.killed + e.timeout;
  const valid = detected + e.survived + e.noCoverage;
  const score = ((100 * detected) / Math.max(valid, 1)).toFixed(1);
  console.log(`SCORE ${file}: ${score}% (killed ${e.killed}, timeout ${e.timeout}, survived ${e.survived}, no coverage ${e.noCoverage})`);
}
