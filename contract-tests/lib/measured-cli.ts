/**
 * The conformance CLI in a process of its own, for tests that bound its
 * memory: runs it with the given arguments (stdin is `-`), then prints one
 * JSON line with the exit code, the process's peak RSS (worker threads
 * included) and what the CLI wrote.
 *
 *   node --import tsx contract-tests/lib/measured-cli.ts [conformance args...]
 */
import { runConformance } from "../../src/contract/cli.js";

let stdout = "";
let stderr = "";
const started = performance.now();
const code = await runConformance(process.argv.slice(2), {
  stdout: (t) => (stdout += t),
  stderr: (t) => (stderr += t),
  stdin: process.stdin,
});
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ code, maxRssMb: process.resourceUsage().maxRSS / 1024, seconds, stdout, stderr })}\n`,
);
process.exit(0);
