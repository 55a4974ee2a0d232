#!/usr/bin/env node
/** Entry point of the `twilio-video-emulator` package bin (src/emulator/cli.ts holds the logic). */

// The emulator validates with ajv, an optional peer of the package (the client
// does not need it): a missing one gets the command to run, not a stack.
function missingPeer(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : "";
  if (code !== "ERR_MODULE_NOT_FOUND") return undefined;
  return /ajv-formats/.test(message) ? "ajv-formats" : /'ajv/.test(message) ? "ajv" : undefined;
}

try {
  const { runEmulatorCli } = await import("./cli.js");
  await runEmulatorCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    exit: (code) => process.exit(code),
  });
} catch (error) {
  const peer = missingPeer(error);
  if (!peer) throw error;
  process.stderr.write(`twilio-video-emulator needs ${peer}: npm install --save-dev ajv ajv-formats (or npx -p twilio-video-ts -p ajv -p ajv-formats twilio-video-emulator)\n`);
  process.exitCode = 2;
}
