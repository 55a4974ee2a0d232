/**
 * npm run record -- (--emulator | --base-url <url> | --live) --out <dir> [options] <scenario>...
 *
 * Drives scripted scenarios through the client with the recording middleware
 * and writes one redacted recording per API call to
 * <dir>/<scenario>/NN-<operation>.json. `npm run record -- --help` lists the
 * scenarios.
 *
 * Targets: --emulator starts an in-process emulator for the run and uses its
 * keys (its recordings are written with Twilio's origin, as the emulator's own
 * traffic files are, so they validate as Twilio traffic); --base-url records
 * against a server you run; --live records against https://video.twilio.com
 * with credentials from the environment (TWILIO_API_KEY_SID +
 * TWILIO_API_KEY_SECRET, or TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN) and
 * creates and completes real rooms.
 *
 * Exit codes: 0 recorded, 1 a scenario failed, 2 usage error (incl. missing credentials).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createVideoClient, TwilioApiError, type VideoClient } from "../src/index.js";
import {
  createContractValidator,
  createRecordingMiddleware,
  DEFAULT_SENSITIVE_NAMES,
  type Recording,
} from "../src/contract/index.js";
import { EXIT, parseCommand, UsageError } from "../src/contract/command-line.js";
import { startEmulator } from "../src/emulator/index.js";

export interface Scenario {
  /** One line for --help. */
  describe: string;
  run: (client: VideoClient, tag: string) => Promise<void>;
}

/** Expected failures are part of a scenario; only a TwilioApiError with that status is tolerated. */
async function expectError(status: number, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (e) {
    if (e instanceof TwilioApiError && e.status === status) return;
    throw e;
  }
  throw new Error(`expected HTTP ${status}`);
}

export const scenarios: Record<string, Scenario> = {
  rooms: {
    describe: "create a room, fetch it by SID and by name, list rooms, complete it",
    async run(client, tag) {
      const room = await client.rooms.create({
        UniqueName: `record-${tag}`,
        Type: "group",
        MaxParticipants: 4,
        EmptyRoomTimeout: 1,
        UnusedRoomTimeout: 1,
      });
      await client.rooms.get(room.sid);
      await client.rooms.get(`record-${tag}`);
      await client.rooms.list({ Status: "in-progress", PageSize: 5 });
      await client.rooms.complete(room.sid);
    },
  },
  "recording-rules": {
    describe: "read and replace the recording rules of a new room, then complete it",
    async run(client, tag) {
      const room = await client.rooms.create({ UniqueName: `rules-${tag}`, UnusedRoomTimeout: 1 });
      await client.rooms.recordingRules(room.sid).get();
      await client.rooms.recordingRules(room.sid).update({ Rules: [{ type: "exclude", all: true }] });
      await client.rooms.complete(room.sid);
    },
  },
  account: {
    describe: "read-only account lists and settings (recordings, compositions, hooks, settings)",
    async run(client) {
      await client.recordings.list({ PageSize: 5 });
      await client.compositions.list({ PageSize: 5 });
      await client.compositionHooks.list({ PageSize: 5 });
      await client.compositionSettings.get();
      await client.recordingSettings.get();
    },
  },
  errors: {
    describe: "fetch a room that does not exist: a 404",
    async run(client) {
      await expectError(404, () => client.rooms.get(`RM${"0".repeat(32)}`));
    },
  },
};

export interface RecorderIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Injected in tests; defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Where a relative --out resolves (default process.cwd()). */
  cwd?: string;
  /** Injected in tests; defaults to {@link scenarios}. */
  scenarios?: Record<string, Scenario>;
}

const PLACEHOLDER = `AC${"0".repeat(32)}`;
const TWILIO = "https://video.twilio.com";

function usage(list: Record<string, Scenario>): string {
  const width = Math.max(...Object.keys(list).map((n) => n.length), 3);
  return `usage: npm run record -- (--emulator | --base-url <url> | --live) --out <dir> [options] <scenario>...

Runs scenarios through the client and writes one redacted recording per API
call to <dir>/<scenario>/NN-<operation>.json.

Where to record (exactly one):
  --emulator                 an emulator started in this process, with its own keys
  --base-url <url>           a server you run (not a Twilio host)
  --live                     https://video.twilio.com, with credentials from the environment:
                             TWILIO_API_KEY_SID + TWILIO_API_KEY_SECRET, or
                             TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN (creates real rooms)
Options:
  --out <dir>                where to write (required)
  --replace-account-sid      write account SIDs as ${PLACEHOLDER}
  --account-sid-placeholder <AC…>  ... or as this SID
  --redact <name>            one more parameter name to redact, besides the built-in list; repeatable
  -h, --help                 this text

Built-in redaction: userinfo in URLs; parameters named (case-insensitively) ${DEFAULT_SENSITIVE_NAMES.join(", ")},
or containing "secret" or "password", in URLs, #fragments, form and JSON bodies; and any later repetition of a removed value.

Scenarios (or "all"):
${Object.entries(list)
  .map(([name, s]) => `  ${name.padEnd(width)}  ${s.describe}`)
  .join("\n")}`;
}

const OPTIONS = {
  emulator: { type: "boolean" },
  live: { type: "boolean" },
  "base-url": { type: "string" },
  out: { type: "string" },
  "replace-account-sid": { type: "boolean" },
  "account-sid-placeholder": { type: "string" },
  redact: { type: "string", multiple: true },
} as const;

/** What the command line asks for, checked; a usage problem throws a {@link UsageError}. */
function recorderPlan(args: string[], list: Record<string, Scenario>) {
  const parsed = parseCommand(args, OPTIONS, true);
  if (parsed === "help") return "help" as const;
  const { values, positionals: names } = parsed;
  const targets = [
    values.emulator && "--emulator",
    values.live && "--live",
    values["base-url"] !== undefined && "--base-url",
  ].filter(Boolean);
  if (targets.length === 0) throw new UsageError("choose where to record: --emulator, --base-url <url> or --live");
  if (targets.length > 1) throw new UsageError(`choose one target, not ${targets.join(" and ")}`);
  if (!values.out) throw new UsageError("--out <dir> is required");
  const known = Object.keys(list).join(", ");
  if (names.length === 0) throw new UsageError(`name at least one scenario: ${known}, or all`);
  const selected = names.includes("all") ? Object.keys(list) : names;
  const unknown = selected.filter((n) => !(n in list));
  if (unknown.length > 0) throw new UsageError(`unknown scenario ${unknown.join(", ")}; scenarios: ${known}`);
  const placeholder = values["account-sid-placeholder"] ?? (values["replace-account-sid"] ? PLACEHOLDER : undefined);
  if (placeholder !== undefined && !/^AC[0-9a-fA-F]{32}$/.test(placeholder))
    throw new UsageError("the account SID placeholder must be AC followed by 32 hex digits");
  const redact = values.redact ?? [];
  if (redact.some((n) => n.trim() === "")) throw new UsageError("--redact needs a parameter name");
  const baseUrl = values["base-url"];
  if (baseUrl !== undefined) {
    let host: string;
    try {
      host = new URL(baseUrl).hostname;
    } catch {
      throw new UsageError(`--base-url ${baseUrl} is not a URL`);
    }
    // Real Twilio is only ever reached on purpose.
    if (host === "twilio.com" || host.toLowerCase().endsWith(".twilio.com"))
      throw new UsageError("recording against Twilio needs --live");
  }
  return { values, out: values.out, selected, placeholder, redact };
}

export async function runRecorder(args: string[], io: RecorderIo): Promise<number> {
  const list = io.scenarios ?? scenarios;
  let plan: ReturnType<typeof recorderPlan>;
  try {
    plan = recorderPlan(args, list);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`record: ${e.message} (see --help)\n`);
    return EXIT.usage;
  }
  if (plan === "help") {
    io.stdout(`${usage(list)}\n`);
    return EXIT.ok;
  }
  const { values, selected, placeholder, redact } = plan;
  const env = io.env;
  const hasCredentials = Boolean(
    (env.TWILIO_API_KEY_SID && env.TWILIO_API_KEY_SECRET) || (env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN),
  );
  let baseUrl = values["base-url"];
  if (values.live && !hasCredentials) {
    io.stderr(
      "record: --live needs credentials in the environment: TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET, or TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN. Nothing was recorded.\n",
    );
    return EXIT.usage;
  }

  const emulator = values.emulator ? await startEmulator({ statusCallbacks: false }) : undefined;
  try {
    let credentials: Record<string, string> = {};
    if (emulator) {
      baseUrl = emulator.url;
      credentials = { apiKeySid: emulator.clientOptions.apiKeySid, apiKeySecret: emulator.clientOptions.apiKeySecret };
    } else if (!hasCredentials) {
      // A server of your own gets a dummy API key when the environment has none.
      credentials = { apiKeySid: `SK${"0".repeat(32)}`, apiKeySecret: "not-a-secret" };
    }
    const date = new Date().toISOString().slice(0, 10);
    const source = emulator
      ? `recorded ${date} against the twilio-video-ts emulator`
      : values.live
        ? `recorded ${date} against ${TWILIO}`
        : `recorded ${date} against ${baseUrl}`;
    // Emulator recordings are written as Twilio traffic (like the emulator's own traffic files): its origin is an ephemeral port.
    const rewrite = (recording: Recording): Recording =>
      emulator ? (JSON.parse(JSON.stringify(recording).split(emulator.url).join(TWILIO)) as Recording) : recording;
    const validator = createContractValidator(baseUrl && !emulator ? { baseUrls: [baseUrl] } : {});
    const tag = Date.now().toString(36);
    const outDir = resolve(io.cwd ?? process.cwd(), plan.out);
    let failed = 0;
    let total = 0;
    for (const name of selected) {
      const dir = join(outDir, name);
      mkdirSync(dir, { recursive: true });
      let n = 0;
      const middleware = createRecordingMiddleware({
        ...(placeholder ? { accountSidPlaceholder: placeholder } : {}),
        sensitiveNames: redact,
        source,
        describe: (method, url, status) => `${name}: ${method} ${new URL(url).pathname} → ${status}`,
        onRecording: (raw: Recording) => {
          const recording = rewrite(raw);
          n++;
          total++;
          const operationId =
            validator.matchOperation(recording.request.method, recording.request.url)?.operationId ?? "Unknown";
          const file = join(dir, `${String(n).padStart(2, "0")}-${operationId}.json`);
          writeFileSync(file, `${JSON.stringify(recording, null, 2)}\n`);
          const result = validator.validateRecording(recording);
          if (!result.ok)
            io.stderr(
              `record: ${file} does not conform: ${result.errors.map((e) => `${e.where}: ${e.message}`).join("; ")}\n`,
            );
          // (Built from the redacted recording, so it repeats no secret.)
        },
      });
      const client = createVideoClient({
        ...credentials,
        ...(baseUrl ? { baseUrl } : {}),
        ...(io.fetch ? { fetch: io.fetch } : {}),
        middleware: [middleware],
        maxRetries: 0,
      });
      try {
        await list[name]!.run(client, tag);
        io.stdout(`${name}: ${n} recording(s) in ${dir}\n`);
      } catch (e) {
        failed++;
        // The message may quote what the server said, secrets included: redacted like the recordings.
        io.stderr(
          `record: scenario ${name} failed after ${n} recording(s): ${middleware.redactText((e as Error).message.split("\n")[0]!)}\n`,
        );
      }
    }
    io.stdout(
      `${total} recording(s) written; check them with: npm run conformance -- --strict${baseUrl && !emulator ? ` --base-url ${baseUrl}` : ""} ${values.out}\n`,
    );
    return failed > 0 ? 1 : 0;
  } finally {
    await emulator?.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await runRecorder(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
  });
}
