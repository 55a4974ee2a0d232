// Runs Stryker through its programmatic API. The CLI refuses Node < 22 by a
// version guard; the API has no such guard, and the mutation run itself works
// on the Node 20 this repository supports.
import { readFileSync } from "node:fs";
// The package index loads the CLI module, whose first statement is that guard: import the runner itself.
import { Stryker } from "../node_modules/@stryker-mutator/core/dist/src/stryker.js";

const configFile = process.argv[2] ?? "stryker/client.json";
const config = JSON.parse(readFileSync(configFile, "utf8"));
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
  console.log(`${file}: ${((100 * detected) / Math.max(valid, 1)).toFixed(1)}% (killed ${e.killed}, timeout ${e.timeout}, survived ${e.survived}, no coverage ${e.noCoverage})`);
}
