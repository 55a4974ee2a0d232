/**
 * npm run record -- [--live | --base-url <url>] [--replace-account-sid[=<placeholder>]] --out <dir> <scenario>...
 *
 * Drives scripted scenarios through the client with the recording middleware
 * and writes one recording per API call to <dir>/<scenario>/NN-<operation>.json.
 * Against live Twilio (--live) credentials come from the environment
 * (TWILIO_API_KEY_SID + TWILIO_API_KEY_SECRET, or TWILIO_ACCOUNT_SID +
 * TWILIO_AUTH_TOKEN); live scenarios create and complete real rooms.
 *
 * Exit codes: 0 recorded, 1 a scenario failed, 2 usage error (incl. missing credentials).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createVideoClient, TwilioApiError, type VideoClient } from "../src/index.js";
import { createContractValidator, createRecordingMiddleware, type Recording } from "../src/contract/index.js";

type Scenario = (client: VideoClient, tag: string) => Promise<void>;

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
  /** Create a room, fetch it by SID and by name, list, complete. */
  async rooms(client, tag) {
    const room = await client.rooms.create({ UniqueName: `record-${tag}`, Type: "group", MaxParticipants: 4, EmptyRoomTimeout: 1, UnusedRoomTimeout: 1 });
    await client.rooms.get(room.sid);
    await client.rooms.get(`record-${tag}`);
    await client.rooms.list({ Status: "in-progress", PageSize: 5 });
    await client.rooms.complete(room.sid);
  },
  /** Recording rules of a new room: read, replace, complete the room. */
  async "recording-rules"(client, tag) {
    const room = await client.rooms.create({ UniqueName: `rules-${tag}`, UnusedRoomTimeout: 1 });
    await client.rooms.recordingRules(room.sid).get();
    await client.rooms.recordingRules(room.sid).update({ Rules: [{ type: "exclude", all: true }] });
    await client.rooms.complete(room.sid);
  },
  /** Read-only account lists and settings. */
  async account(client) {
    await client.recordings.list({ PageSize: 5 });
    await client.compositions.list({ PageSize: 5 });
    await client.compositionHooks.list({ PageSize: 5 });
    await client.compositionSettings.get();
    await client.recordingSettings.get();
  },
  /** A room that does not exist: 404. */
  async errors(client) {
    await expectError(404, () => client.rooms.get(`RM${"0".repeat(32)}`));
  },
};

export interface RecorderIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Injected in tests; defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
}

const USAGE = `usage: record [--live | --base-url <url>] [--replace-account-sid[=<AC placeholder>]] --out <dir> <scenario>...
scenarios: ${Object.keys(scenarios).join(", ")}, all`;

const PLACEHOLDER = `AC${"0".repeat(32)}`;

export async function runRecorder(args: string[], io: RecorderIo): Promise<number> {
  const usage = (message: string) => {
    io.stderr(`record: ${message}\n${USAGE}\n`);
    return 2;
  };
  let live = false;
  let baseUrl: string | undefined;
  let out: string | undefined;
  let placeholder: string | undefined;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--live") live = true;
    else if (arg === "--base-url") baseUrl = args[++i];
    else if (arg === "--out") out = args[++i];
    else if (arg === "--replace-account-sid") placeholder = PLACEHOLDER;
    else if (arg.startsWith("--replace-account-sid=")) placeholder = arg.slice("--replace-account-sid=".length);
    else if (arg.startsWith("-")) return usage(`unknown option ${arg}`);
    else names.push(arg);
  }
  if (!out) return usage("--out <dir> is required");
  if (names.length === 0) return usage("name at least one scenario");
  const selected = names.includes("all") ? Object.keys(scenarios) : names;
  const unknown = selected.filter((n) => !(n in scenarios));
  if (unknown.length > 0) return usage(`unknown scenario ${unknown.join(", ")}`);
  if (placeholder !== undefined && !/^AC[0-9a-fA-F]{32}$/.test(placeholder)) return usage("the account SID placeholder must be AC followed by 32 hex digits");

  const env = io.env;
  const hasCredentials = Boolean((env.TWILIO_API_KEY_SID && env.TWILIO_API_KEY_SECRET) || (env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN));
  if (live) {
    if (baseUrl) return usage("--live records against https://video.twilio.com; leave out --base-url");
    if (!hasCredentials) {
      io.stderr("record: --live needs credentials in the environment: TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET, or TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN. Nothing was recorded.\n");
      return 2;
    }
  } else {
    if (!baseUrl) return usage("without --live, --base-url <url> (e.g. a local emulator) is required");
    let host: string;
    try {
      host = new URL(baseUrl).hostname;
    } catch {
      return usage(`--base-url ${baseUrl} is not a URL`);
    }
    // Real Twilio is only ever reached on purpose.
    if (/(^|\.)twilio\.com$/i.test(host)) return usage("recording against Twilio needs --live");
  }

  const tag = Date.now().toString(36);
  const validator = createContractValidator(baseUrl ? { baseUrls: [baseUrl] } : {});
  let failed = 0;
  let total = 0;
  for (const name of selected) {
    const dir = resolve(out, name);
    mkdirSync(dir, { recursive: true });
    let n = 0;
    const middleware = createRecordingMiddleware({
      ...(placeholder ? { accountSidPlaceholder: placeholder } : {}),
      source: live ? `recorded ${new Date().toISOString().slice(0, 10)} against https://video.twilio.com` : `recorded ${new Date().toISOString().slice(0, 10)} against ${baseUrl}`,
      describe: (method, url, status) => `${name}: ${method} ${new URL(url).pathname} → ${status}`,
      onRecording: (recording: Recording) => {
        n++;
        total++;
        const operationId = validator.matchOperation(recording.request.method, recording.request.url)?.operationId ?? "Unknown";
        const file = join(dir, `${String(n).padStart(2, "0")}-${operationId}.json`);
        writeFileSync(file, `${JSON.stringify(recording, null, 2)}\n`);
        const result = validator.validateRecording(recording);
        if (!result.ok) io.stderr(`record: ${file} does not conform: ${result.errors.map((e) => `${e.where}: ${e.message}`).join("; ")}\n`);
      },
    });
    // Credentials: the environment's; a loopback target gets a dummy API key when there are none.
    const credentials = hasCredentials ? {} : { apiKeySid: `SK${"0".repeat(32)}`, apiKeySecret: "not-a-secret" };
    const client = createVideoClient({ ...credentials, ...(baseUrl ? { baseUrl } : {}), ...(io.fetch ? { fetch: io.fetch } : {}), middleware: [middleware], maxRetries: 0 });
    try {
      await scenarios[name]!(client, tag);
      io.stdout(`${name}: ${n} recording(s) in ${dir}\n`);
    } catch (e) {
      failed++;
      io.stderr(`record: scenario ${name} failed after ${n} recording(s): ${(e as Error).message}\n`);
    }
  }
  io.stdout(`${total} recording(s) written\n`);
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await runRecorder(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
  });
}
