/**
 * `npm run emulator`: runs the Video API emulator as a standalone process
 * for manual testing or for test suites in other languages.
 *
 *   npm run emulator -- [--port 4010] [--media-port 4011] [--clock real|manual] [--no-callbacks]
 */
import { parseArgs } from "node:util";
import { startEmulator } from "../src/emulator/index.js";

function usage(message: string): never {
  console.error(`${message}\nusage: npm run emulator -- [--port N] [--media-port N] [--clock real|manual] [--no-callbacks]`);
  process.exit(2);
}

let values: { port?: string; "media-port"?: string; clock?: string; "no-callbacks"?: boolean };
try {
  ({ values } = parseArgs({
    options: { port: { type: "string" }, "media-port": { type: "string" }, clock: { type: "string" }, "no-callbacks": { type: "boolean" } },
    strict: true,
  }));
} catch (error) {
  usage((error as Error).message);
}
const port = (value: string | undefined, name: string): number => {
  const n = Number(value ?? "0");
  if (!Number.isInteger(n) || n < 0 || n > 65535) usage(`--${name} must be a port number`);
  return n;
};
if (values.clock !== undefined && values.clock !== "real" && values.clock !== "manual") usage("--clock must be real or manual");

const emulator = await startEmulator({
  port: port(values.port, "port"),
  mediaPort: port(values["media-port"], "media-port"),
  clock: (values.clock as "real" | "manual" | undefined) ?? "real",
  statusCallbacks: !values["no-callbacks"],
});
const { apiKeySid, apiKeySecret, authToken } = emulator.credentials;
console.log(`Twilio Video emulator listening on ${emulator.url}`);
console.log(`  media host       ${emulator.mediaUrl}`);
console.log(`  account          ${emulator.accountSid}`);
console.log(`  API key          ${apiKeySid} / ${apiKeySecret}`);
console.log(`  auth token       ${authToken} (signs status callbacks)`);
console.log(`  control API      ${emulator.url}/_emulator/ (participants, tracks, clock, faults, traffic, callbacks)`);
console.log("Ctrl-C stops it.");

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void emulator.stop().then(() => {
      console.log("emulator stopped");
      process.exit(0);
    });
  });
}
