// Runs Stryker through its API. Its entry refuses Node < 22 outright, while this repository supports
// Node 20.19+; the emulator's mutation run only needs what Node 20 has, so the check is told 22.
// Usage: node stryker/run.mjs stryker/emulator.json
Object.defineProperty(process, "version", { value: "v22.0.0" });
const { Stryker } = await import("@stryker-mutator/core");

const configFile = process.argv[2] ?? "stryker/emulator.json";
const results = await new Stryker({ configFile }).runMutationTest();
const killed = results.filter((r) => r.status === "Killed" || r.status === "Timeout").length;
const valid = results.filter((r) => !["CompileError", "RuntimeError", "Ignored"].includes(r.status)).length;
console.log(`mutation score ${((100 * killed) / Math.max(valid, 1)).toFixed(2)}% (${killed} of ${valid})`);
