#!/usr/bin/env node
/** Entry point of the `twilio-video-emulator` package bin (src/emulator/cli.ts holds the logic). */
// The emulator validates with ajv, an optional peer of the package (the client
// does not need it): cli.js is imported inside runBin, so a missing one gets
// the command to run, not a stack.
import { runBin } from "../contract/command-line.js";

await runBin(
  async () => {
    await (await import("./cli.js")).runEmulatorCli(process.argv.slice(2), {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      exit: (code) => process.exit(code),
    });
    return undefined;
  },
  (peer) =>
    `twilio-video-emulator needs ${peer}: npm install --save-dev ajv ajv-formats (or npx -p twilio-video-ts -p ajv ` +
    "-p ajv-formats twilio-video-emulator)\n",
  false,
);
