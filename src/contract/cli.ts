/**
 * The conformance CLI (`twilio-video-conformance`, `npm run conformance`):
 * validates recordings, HAR captures and NDJSON streams and reports every
 * disagreement with the spec. Node-only (file system, worker threads); the
 * library in index.ts is not.
 *
 * Exit codes: 0 everything conforms, 1 something does not, 2 usage error or
 * nothing was checked. Whatever the input holds, a bad file or entry costs
 * one failing result with one clear line; the rest of the run goes on.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import type { ParseArgsConfig } from "node:util";
import {
  EXIT,
  firstLine,
  parseCommand,
  terminalSafe,
  UsageError,
  urlOption,
  usageLine,
  wholeNumber,
  type CommandIo,
} from "./command-line.js";
import { feed, PROGRAM, Run, Tally, type LoadedSpec, type RunOptions } from "./conformance-run.js";
import { collectInputs, MissingPeerError, ndjsonItems } from "./inputs.js";
import { isObject } from "./json-pointer.js";
import { Progress } from "./progress.js";
import { createReporter, REPORTERS, type ReporterName } from "./reporters.js";
import { unresolvedRefs } from "./spec-check.js";

export type { FileResult } from "./check.js";
export type { Summary } from "./reporters.js";

export interface ConformanceCliIo extends CommandIo {
  /** Whether stderr is a terminal (a progress line is drawn only then). */
  stderrIsTty?: boolean;
  /** What `-` reads (default process.stdin). */
  stdin?: Readable;
}

const USAGE = `usage: twilio-video-conformance [options] <file-or-dir | ->...

Validates recorded interactions against the Twilio Video v1 OpenAPI spec:
  *.json            one recording (contract-tests/recording.schema.json), or a HAR document
  *.har             a HAR 1.2 capture, streamed entry by entry (any size)
  *.ndjson, *.jsonl one recording per line, streamed
  -                 NDJSON on stdin
Directories are walked; other files, JSON Schemas and non-regular files
(FIFOs, sockets) are skipped and counted in the report.

Options:
  --reporter <name>  text (default), json, junit (JUnit XML) or github (workflow annotations)
  --json             the same as --reporter json
  --strict           drift (undocumented response fields) and spec-too-strict findings fail
  --allow-empty      exit 0 when nothing was checked (default: exit 2)
  --base-url <url>   also accept this host (e.g. a local emulator); repeatable
  --expect-invalid-requests
                     a request the API refused with a 4xx is a negative test: its request findings
                     do not fail it (the response is still checked; per recording: "expectInvalidRequest": true)
  --spec <file>      validate against another bundled OpenAPI document
  --jobs <n|auto>    worker threads (default auto: every core from 20,000 recordings or 64 MB of input)
  --max-item-mb <n>  the largest HAR entry, NDJSON line or recording file read (default 64); a larger one
                     is one failing result, skipped in bounded memory
  -h, --help         this text

Exit codes: 0 all conform, 1 some do not, 2 usage error or nothing checked.

  twilio-video-conformance proxy --help   a validating, recording proxy
  twilio-video-conformance diff --help    a breaking-change report between two specs`;

const OPTIONS = {
  reporter: { type: "string" },
  json: { type: "boolean" },
  strict: { type: "boolean" },
  "allow-empty": { type: "boolean" },
  "base-url": { type: "string", multiple: true },
  "expect-invalid-requests": { type: "boolean" },
  spec: { type: "string" },
  jobs: { type: "string" },
  "max-item-mb": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

interface Options extends RunOptions {
  reporter: ReporterName;
  allowEmpty: boolean;
  specPath?: string;
  paths: string[];
}

function parseOptions(args: string[]): Options | "help" {
  const parsed = parseCommand(args, OPTIONS, true);
  if (parsed === "help") return "help";
  const { values, positionals } = parsed;
  if (values.json && values.reporter !== undefined && values.reporter !== "json")
    throw new UsageError(`--json contradicts --reporter ${values.reporter}`);
  const reporter = values.json ? "json" : (values.reporter ?? "text");
  if (!(REPORTERS as readonly string[]).includes(reporter))
    throw new UsageError(`--reporter must be one of ${REPORTERS.join(", ")} (got "${reporter}")`);
  const baseUrls = values["base-url"] ?? [];
  for (const url of baseUrls) urlOption("base-url", url);
  const jobs = values.jobs === "auto" ? undefined : wholeNumber("jobs", values.jobs, 1, 256, ", or auto");
  const maxItemMb = values["max-item-mb"] === undefined ? undefined : Number(values["max-item-mb"]);
  if (maxItemMb !== undefined && !(maxItemMb > 0 && maxItemMb <= 1024)) {
    throw new UsageError(`--max-item-mb must be a number above 0, at most 1024 (got "${values["max-item-mb"]}")`);
  }
  if (positionals.length === 0) throw new UsageError("no files or directories given");
  return {
    reporter: reporter as ReporterName,
    strict: values.strict === true,
    allowEmpty: values["allow-empty"] === true,
    baseUrls,
    expectInvalidRequests: values["expect-invalid-requests"] === true,
    ...(values.spec !== undefined ? { specPath: values.spec } : {}),
    ...(jobs !== undefined ? { jobs } : {}),
    ...(maxItemMb !== undefined ? { maxItemBytes: Math.floor(maxItemMb * 1024 * 1024) } : {}),
    paths: positionals,
  };
}

/** Reads and checks a --spec document; any problem is a usage error with one clear line. */
function loadSpec(path: string, cwd: string): LoadedSpec {
  const absolute = resolve(cwd, path);
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(absolute, "utf8"));
  } catch (e) {
    throw new UsageError(
      `--spec ${path}: ${(e as { code?: string }).code === "ENOENT" ? "no such file" : firstLine(e)}`,
    );
  }
  if (!isObject(document) || !isObject(document.paths))
    throw new UsageError(`--spec ${path}: not a bundled OpenAPI document (no "paths" object)`);
  const broken = unresolvedRefs(document);
  if (broken.length > 0) {
    const [first] = broken;
    const more = broken.length > 1 ? ` (and ${broken.length - 1} more)` : "";
    throw new UsageError(
      `--spec ${path}: $ref "${first!.ref}" at ${first!.at} does not resolve${more}; ` +
        "bundle the spec first (redocly bundle)",
    );
  }
  return { document, absolute };
}

/** The options, or the exit code when the command line already decided the run (help, usage error). */
function prepare(args: string[], io: ConformanceCliIo): { options: Options; spec?: LoadedSpec } | number {
  try {
    const options = parseOptions(args);
    if (options === "help") {
      io.stdout(`${USAGE}\n`);
      return EXIT.ok;
    }
    const cwd = io.cwd ?? process.cwd();
    return options.specPath === undefined ? { options } : { options, spec: loadSpec(options.specPath, cwd) };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(usageLine(PROGRAM, e.message));
    return EXIT.usage;
  }
}

/** Runs the CLI; resolves to the exit code instead of exiting, so tests can call it in-process. */
export async function runConformance(args: string[], io: ConformanceCliIo): Promise<number> {
  // The proxy and diff subcommands have their own options (proxy-cli.ts, diff-cli.ts).
  if (args[0] === "proxy") return (await import("./proxy-cli.js")).runProxyCli(args.slice(1), io);
  if (args[0] === "diff") return (await import("./diff-cli.js")).runDiffCli(args.slice(1), io);
  const prepared = prepare(args, io);
  if (typeof prepared === "number") return prepared;
  const { options, spec } = prepared;
  const limits = options.maxItemBytes !== undefined ? { maxItemBytes: options.maxItemBytes } : {};
  const collected = collectInputs(options.paths, io.cwd ?? process.cwd(), limits);
  if (collected.missing.length > 0) {
    io.stderr(`${PROGRAM}: no such file or directory: ${terminalSafe(collected.missing.join(", "))}\n`);
    return EXIT.usage;
  }
  const tally = new Tally(collected, options.strict, createReporter(options.reporter, io.stdout, options.strict));
  const progress = new Progress(io.stderrIsTty ? io.stderr : undefined, collected.stdin ? undefined : tally.totalBytes);
  const run = new Run(options, spec, collected, tally, progress);
  try {
    for (const file of collected.files) await feed(file, run.submit, run.streamContext, progress);
    if (collected.stdin)
      for await (const item of ndjsonItems(io.stdin ?? process.stdin, "stdin", run.streamContext))
        await run.submit(item);
    await run.finish();
  } catch (e) {
    // Only the machinery can get here (every input problem is a result): say so in one line.
    progress.end();
    const hint =
      run.parallel && !(e instanceof MissingPeerError)
        ? " (a worker thread failed; --jobs 1 checks in one thread)"
        : "";
    io.stderr(`${PROGRAM}: the run stopped: ${terminalSafe(firstLine(e, Number.POSITIVE_INFINITY))}${hint}\n`);
    return EXIT.usage;
  } finally {
    progress.end();
    await run.close();
  }
  return tally.end(options.allowEmpty, io, options.specPath);
}
