/**
 * The `twilio-video-emulator` command (and `npm run emulator` in this
 * repository): the emulator as a standalone process, for test suites written
 * in any language. It prints where it listens and the credentials it accepts
 * (with `--json`, as one JSON line a harness can read), serves until SIGINT or
 * SIGTERM, and then closes its listeners before it exits.
 *
 * Worst case it guards against: a harness that stops it through `npm run` or
 * `npx`. npm signals only its own child, a `sh -c` that dies without passing
 * the signal on, which would leave this process holding the port. Started by
 * npm, it therefore also stops when its parent goes away.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { isDigits, parseCommand, UsageError, usageLine, type CommandIo } from "../contract/command-line.js";
import { DEFAULT_ACCOUNT_SID, DEFAULT_CREDENTIALS } from "./defaults.js";
// Types only: the emulator itself (and ajv with it) loads once the arguments are good.
import type { Emulator, EmulatorOptions, ServerTimeouts } from "./index.js";

const DEFAULT_AUTH_TOKEN = DEFAULT_CREDENTIALS.authToken;

export const USAGE = `usage: twilio-video-emulator [options]
       npm run emulator -- [options]        (inside the twilio-video-ts repository)

Runs the Twilio Video v1 REST API emulator until SIGINT or SIGTERM.
The control API is served under <url>/_emulator/ (see docs/emulator-control.md).

options:
  --host <address>        address to listen on (default 127.0.0.1). The control API answers only
                          requests whose Host is loopback (127.0.0.1, localhost, [::1]): bind
                          0.0.0.0 in a container and publish the port to the host's loopback
  --port <n>              API port (default 0: a free port, printed at start)
  --media-port <n>        port of the media (download) host (default 0: a free port)
  --clock real|manual     real: time flows; manual: time moves only through the control API (default real)
  --start-time <iso>      emulated time at start, e.g. 2025-01-01T00:00:00Z (default: now)
  --account-sid <AC…>     the emulated account (default ${DEFAULT_ACCOUNT_SID})
  --api-key-sid <SK…>     accepted API key SID (default ${DEFAULT_CREDENTIALS.apiKeySid})
  --api-key-secret <s>    accepted API key secret (default ${DEFAULT_CREDENTIALS.apiKeySecret})
  --auth-token <s>        accepted with the account SID; signs status callbacks (default ${DEFAULT_AUTH_TOKEN})
  --recordings-dir <dir>  the folder POST /_emulator/traffic/write may write under (its "dir" is a
                          path inside it); without it, that route answers 403
  --no-callbacks          do not deliver status callbacks
  --callback-hosts <list> hosts besides loopback that status callbacks may go to, comma-separated
                          (default none: a callback to any other host is refused and reported)
  --headers-timeout <ms>  longest wait for a request's headers (default 10000; 0 = none)
  --request-timeout <ms>  longest wait for a whole request, body included (default 30000; 0 = none)
  --keep-alive-timeout <ms>  how long an idle connection stays open (default 5000)
  --json                  print one JSON line (url, mediaUrl, controlUrl, accountSid, apiKeySid,
                          apiKeySecret, authToken, clock, pid) on stdout and log only to stderr
  -h, --help              show this text

exit status: 0 after a clean stop, 1 when it cannot listen (e.g. port in use), 2 for bad arguments.`;

export type ParsedArgs =
  | { kind: "help" }
  | { kind: "error"; message: string }
  | { kind: "run"; options: EmulatorOptions & { host: string }; json: boolean };

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  "media-port": { type: "string" },
  clock: { type: "string" },
  "start-time": { type: "string" },
  "account-sid": { type: "string" },
  "api-key-sid": { type: "string" },
  "api-key-secret": { type: "string" },
  "auth-token": { type: "string" },
  "recordings-dir": { type: "string" },
  "no-callbacks": { type: "boolean" },
  "callback-hosts": { type: "string" },
  "headers-timeout": { type: "string" },
  "request-timeout": { type: "string" },
  "keep-alive-timeout": { type: "string" },
  json: { type: "boolean" },
} as const;

function portOf(value: string | undefined, name: string): number | string {
  if (value === undefined) return 0;
  const n = Number(value);
  return isDigits(value) && n <= 65535 ? n : `--${name} must be a port number from 0 to 65535, not "${value}"`;
}

/** The three --*-timeout flags as `timeouts`, or what is wrong with one. */
function timeoutsOf(values: Record<string, string | boolean | undefined>): ServerTimeouts | string {
  const timeouts: ServerTimeouts = {};
  const flags = [
    ["headers-timeout", "headersMs"],
    ["request-timeout", "requestMs"],
    ["keep-alive-timeout", "keepAliveMs"],
  ] as const;
  for (const [flag, key] of flags) {
    const value = values[flag];
    if (typeof value !== "string") continue;
    if (!/^\d{1,9}$/.test(value)) return `--${flag} must be a whole number of milliseconds, not "${value}"`;
    timeouts[key] = Number(value);
  }
  const { headersMs, requestMs } = timeouts;
  if (headersMs !== undefined && requestMs !== undefined && requestMs > 0 && headersMs > requestMs)
    return "--headers-timeout must not exceed --request-timeout";
  return timeouts;
}

/** Turns the command line into emulator options, or says what is wrong with it (one line). */
export function parseEmulatorArgs(argv: readonly string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseCommand<typeof OPTIONS>>;
  try {
    parsed = parseCommand(argv, OPTIONS);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { kind: "error", message: error.message };
  }
  if (parsed === "help") return { kind: "help" };
  const { values } = parsed;
  const port = portOf(values.port, "port");
  if (typeof port === "string") return { kind: "error", message: port };
  const mediaPort = portOf(values["media-port"], "media-port");
  if (typeof mediaPort === "string") return { kind: "error", message: mediaPort };
  const clock = values.clock ?? "real";
  if (clock !== "real" && clock !== "manual")
    return { kind: "error", message: `--clock must be real or manual, not "${clock}"` };
  let start: number | undefined;
  if (values["start-time"] !== undefined) {
    start = Date.parse(values["start-time"]);
    if (Number.isNaN(start))
      return { kind: "error", message: `--start-time must be an ISO 8601 date, not "${values["start-time"]}"` };
  }
  const accountSid = values["account-sid"] ?? DEFAULT_ACCOUNT_SID;
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid))
    return { kind: "error", message: "--account-sid must be AC followed by 32 hex digits" };
  const credentials = {
    apiKeySid: values["api-key-sid"] ?? DEFAULT_CREDENTIALS.apiKeySid,
    apiKeySecret: values["api-key-secret"] ?? DEFAULT_CREDENTIALS.apiKeySecret,
    authToken: values["auth-token"] ?? DEFAULT_CREDENTIALS.authToken,
  };
  for (const [flag, value] of [
    ["--api-key-sid", credentials.apiKeySid],
    ["--api-key-secret", credentials.apiKeySecret],
    ["--auth-token", credentials.authToken],
  ] as const) {
    // A colon would make the Basic auth user:password pair ambiguous.
    if (!value || (flag === "--api-key-sid" && value.includes(":")))
      return {
        kind: "error",
        message: `${flag} must be a non-empty string${flag === "--api-key-sid" ? " without ':'" : ""}`,
      };
  }
  const recordingsDir = values["recordings-dir"];
  if (recordingsDir === "")
    return { kind: "error", message: "--recordings-dir must not be empty (. is the working directory)" };
  if (recordingsDir !== undefined && !statSync(recordingsDir, { throwIfNoEntry: false })?.isDirectory()) {
    return { kind: "error", message: `--recordings-dir ${recordingsDir} is not an existing folder` };
  }
  const host = values.host ?? "127.0.0.1";
  if (!host) return { kind: "error", message: "--host must not be empty" };
  const timeouts = timeoutsOf(values);
  if (typeof timeouts === "string") return { kind: "error", message: timeouts };
  const callbackHosts = values["callback-hosts"]
    ?.split(",")
    .map((h) => h.trim())
    .filter((h) => h !== "");
  return {
    kind: "run",
    json: values.json === true,
    options: {
      host,
      port,
      mediaPort,
      clock: start === undefined ? { mode: clock } : { mode: clock, start },
      accountSid,
      credentials,
      statusCallbacks: values["no-callbacks"] !== true,
      ...(callbackHosts ? { callbackHosts } : {}),
      ...(Object.keys(timeouts).length > 0 ? { timeouts } : {}),
      // Resolved now: the folder the user meant, whatever the process's directory later.
      ...(recordingsDir !== undefined ? { recordingsDir: resolve(recordingsDir) } : {}),
    },
  };
}

/** One line for a listener that could not start: the usual causes in words, never a stack. */
export function listenFailure(error: unknown, host: string): string {
  const e = error as NodeJS.ErrnoException & { port?: number; address?: string };
  const where = `${e.address ?? host}:${e.port ?? "?"}`;
  switch (e.code) {
    case "EADDRINUSE":
      return (
        `${where} is already in use: stop what listens there, ` +
        "or choose another --port/--media-port (0 picks a free one)"
      );
    case "EACCES":
      return `not permitted to listen on ${where} (ports below 1024 need privileges)`;
    case "EADDRNOTAVAIL":
      return `--host ${host} is not an address of this machine`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `--host ${host} does not resolve to an address`;
    default:
      return `cannot start: ${e.message ?? String(error)}`;
  }
}

export interface EmulatorCliIo extends CommandIo {
  /** Ends the process (the bin passes process.exit). */
  exit(code: number): void;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;
const PARENT_POLL_MS = 500;

/** The ready message (a JSON line with --json, else words), and a warning when bound beyond loopback. */
function printReady(io: EmulatorCliIo, emulator: Emulator, options: EmulatorOptions & { host: string }, json: boolean) {
  const { apiKeySid, apiKeySecret, authToken } = emulator.credentials;
  const mode = typeof options.clock === "object" ? (options.clock.mode ?? "real") : "real";
  if (json) {
    const ready = {
      url: emulator.url,
      mediaUrl: emulator.mediaUrl,
      controlUrl: `${emulator.url}/_emulator`,
      accountSid: emulator.accountSid,
      apiKeySid,
      apiKeySecret,
      authToken,
      clock: mode,
      pid: process.pid,
    };
    io.stdout(`${JSON.stringify(ready)}\n`);
  } else {
    io.stdout(
      [
        `Twilio Video emulator listening on ${emulator.url}`,
        `  media host       ${emulator.mediaUrl}`,
        `  account          ${emulator.accountSid}`,
        `  API key          ${apiKeySid} / ${apiKeySecret}`,
        `  auth token       ${authToken} (signs status callbacks)`,
        `  clock            ${mode}`,
        `  control API      ${emulator.url}/_emulator/ ` +
          "(participants, tracks, clock, faults, traffic, callbacks, reset)",
        "Ctrl-C (SIGINT) or SIGTERM stops it.",
        "",
      ].join("\n"),
    );
  }
  if (!LOOPBACK.test(options.host)) {
    io.stderr(
      `twilio-video-emulator: listening on ${options.host}: anyone who can reach it can use the REST API ` +
        "with the fixed credentials; the control API still answers only requests whose Host is loopback " +
        "(127.0.0.1, localhost, [::1])\n",
    );
  }
}

/**
 * Stops the emulator on SIGINT/SIGTERM (a second signal leaves at once) or,
 * when npm started it, once its parent is gone.
 */
function stopOnSignals(io: EmulatorCliIo, emulator: Emulator): void {
  let stopping = false;
  const stop = (why: string, code: number) => {
    if (stopping) {
      // A second signal while closing: leave at once.
      io.exit(code === 0 ? 1 : code);
      return;
    }
    stopping = true;
    void emulator.stop().then(() => {
      io.stderr(`twilio-video-emulator: stopped (${why})\n`);
      io.exit(code);
    });
  };
  process.on("SIGINT", () => stop("SIGINT", 0));
  process.on("SIGTERM", () => stop("SIGTERM", 0));
  // npm run / npx put a `sh -c` between npm and us that dies on npm's signal
  // without passing it on; an orphan would keep the port. Only under npm:
  // elsewhere (a shell's `&`, a CI step) outliving the parent is intended.
  if (process.env.npm_command !== undefined || process.env.npm_lifecycle_event !== undefined) {
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(watch);
        stop("the npm process that started it is gone", 0);
      }
    }, PARENT_POLL_MS);
    watch.unref();
  }
}

/**
 * Runs the command: answers --help and bad arguments at once, otherwise
 * starts the emulator, prints where it is, and stops it on SIGINT/SIGTERM
 * (or, when npm started it, once its parent is gone).
 */
export async function runEmulatorCli(argv: readonly string[], io: EmulatorCliIo): Promise<Emulator | undefined> {
  const parsed = parseEmulatorArgs(argv);
  if (parsed.kind === "help") {
    io.stdout(`${USAGE}\n`);
    io.exit(0);
    return undefined;
  }
  if (parsed.kind === "error") {
    io.stderr(usageLine("twilio-video-emulator", parsed.message, "(--help for usage)"));
    io.exit(2);
    return undefined;
  }
  const { options, json } = parsed;
  const { startEmulator } = await import("./index.js");
  let emulator: Emulator;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    io.stderr(`twilio-video-emulator: ${listenFailure(error, options.host)}\n`);
    io.exit(1);
    return undefined;
  }
  printReady(io, emulator, options, json);
  stopOnSignals(io, emulator);
  return emulator;
}
