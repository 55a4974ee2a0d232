#!/usr/bin/env node
/** Entry point of the `twilio-video-conformance` package bin. */

// ajv, ajv-formats and stream-json are optional peers of the package (the
// client does not need them), so a missing one gets a clear instruction
// instead of a stack. stream-json is loaded only when a HAR is streamed.
function missingPeer(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : "";
  if (code !== "ERR_MODULE_NOT_FOUND") return undefined;
  return /ajv-formats/.test(message) ? "ajv-formats" : /'ajv/.test(message) ? "ajv" : /stream-(json|chain)/.test(message) ? "stream-json" : undefined;
}

// A reader that goes away (`| head`) ends the run quietly, not with an EPIPE stack.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(141); // 128 + SIGPIPE, as a shell reports a writer whose reader left: the report is incomplete
});

try {
  const { runConformance } = await import("./cli.js");
  process.exitCode = await runConformance(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stderrIsTty: process.stderr.isTTY === true,
  });
} catch (error) {
  const peer = missingPeer(error);
  if (!peer) throw error;
  process.stderr.write(`twilio-video-conformance needs ${peer}: npm install --save-dev ajv ajv-formats stream-json\n`);
  process.exitCode = 2;
}
