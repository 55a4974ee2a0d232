#!/usr/bin/env node
/** Entry point of the `twilio-video-conformance` package bin (src/contract/cli.ts holds the logic). */
// command-line.ts loads no optional peer; cli.js is imported inside runBin so
// that a missing ajv or ajv-formats gets a clear instruction.
import { runBin } from "./command-line.js";

await runBin(
  async () =>
    (await import("./cli.js")).runConformance(process.argv.slice(2), {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      stderrIsTty: process.stderr.isTTY === true,
    }),
  (peer) => `twilio-video-conformance needs ${peer}: npm install --save-dev ajv ajv-formats\n`,
);
