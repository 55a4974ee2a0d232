// Runs Stryker with stryker/proxy.json on Node 20: Stryker 10's CLI refuses Node < 22, its API does not.
// Usage: node stryker/run-proxy.mjs stryker/proxy.json
import { readFileSync } from "node:fs";
import { Stryker } from "../node_modules/@stryker-mutator/core/dist/src/stryker.js";

const config = JSON.parse(readFileSync(process.argv[2] ?? "stryker/proxy.json", "utf8"));
delete config.$schema;
delete config._comment;
const results = await new Stryker(config).runMutationTest();
console.log(`stryker: ${results.length} mutants`);
