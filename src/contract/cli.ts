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
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ItemChecker, type FileResult, type Outcome, type WorkItem } from "./check.js";
import { createContractValidator } from "./index.js";
import { collectInputs, harItems, MissingPeerError, ndjsonItems, openInput } from "./inputs.js";
import type { InputFile, StreamContext } from "./inputs.js";
import { isObject } from "./json-pointer.js";
import { InlineExecutor, OrderedRunner, WorkerExecutor, type Executor } from "./pool.js";
import { Progress } from "./progress.js";
import { createReporter, REPORTERS, skippedLine, type ReporterName, type Summary } from "./reporters.js";
import { unresolvedRefs } from "./spec-check.js";

export type { FileResult } from "./check.js";
export type { Summary } from "./reporters.js";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (a progress line is drawn only then). */
  stderrIsTty?: boolean;
  cwd?: string;
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
  spec: { type: "string" },
  jobs: { type: "string" },
  "max-item-mb": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

interface Options {
  reporter: ReporterName;
  strict: boolean;
  allowEmpty: boolean;
  baseUrls: string[];
  specPath?: string;
  /** undefined = auto. */
  jobs?: number;
  maxItemBytes?: number;
  paths: string[];
}

class UsageError extends Error {}

function parseOptions(args: string[]): Options | "help" {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]!.replace(/\. To specify a positional argument.*$/, ""));
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (values.json && values.reporter !== undefined && values.reporter !== "json") throw new UsageError(`--json contradicts --reporter ${values.reporter}`);
  const reporter = values.json ? "json" : (values.reporter ?? "text");
  if (!(REPORTERS as readonly string[]).includes(reporter)) throw new UsageError(`--reporter must be one of ${REPORTERS.join(", ")} (got "${reporter}")`);
  const baseUrls = values["base-url"] ?? [];
  for (const url of baseUrls) {
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--base-url ${url} is not a URL`);
    }
  }
  let jobs: number | undefined;
  if (values.jobs !== undefined && values.jobs !== "auto") {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new UsageError(`--jobs must be a whole number from 1 to 256, or auto (got "${values.jobs}")`);
  }
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
    ...(values.spec !== undefined ? { specPath: values.spec } : {}),
    ...(jobs !== undefined ? { jobs } : {}),
    ...(maxItemMb !== undefined ? { maxItemBytes: Math.floor(maxItemMb * 1024 * 1024) } : {}),
    paths: positionals,
  };
}

/** Reads and checks a --spec document; any problem is a usage error with one clear line. */
function loadSpec(path: string, cwd: string): { document: object; absolute: string } {
  const absolute = resolve(cwd, path);
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(absolute, "utf8"));
  } catch (e) {
    throw new UsageError(`--spec ${path}: ${(e as { code?: string }).code === "ENOENT" ? "no such file" : (e as Error).message.split("\n")[0]}`);
  }
  if (!isObject(document) || !isObject(document.paths)) throw new UsageError(`--spec ${path}: not a bundled OpenAPI document (no "paths" object)`);
  const broken = unresolvedRefs(document);
  if (broken.length > 0) {
    const [first] = broken;
    throw new UsageError(`--spec ${path}: $ref "${first!.ref}" at ${first!.at} does not resolve${broken.length > 1 ? ` (and ${broken.length - 1} more)` : ""}; bundle the spec first (redocly bundle)`);
  }
  return { document, absolute };
}

/**
 * Inputs this large (items or bytes) are worth worker threads. Each worker
 * compiles the schemas it meets again (about a second of CPU for the whole
 * spec), so below this a second thread costs more than it saves (measured:
 * 10,000 small files check faster on one thread).
 */
const PARALLEL_AFTER_ITEMS = 20_000;
const PARALLEL_AFTER_BYTES = 64 * 1024 * 1024;

/** Runs the CLI; resolves to the exit code instead of exiting, so tests can call it in-process. */
export async function runConformance(args: string[], io: CliIo): Promise<number> {
  // The proxy subcommand has its own options (src/contract/proxy-cli.ts).
  if (args[0] === "proxy") return (await import("./proxy-cli.js")).runProxyCli(args.slice(1), io);
  // So has diff (src/contract/diff-cli.ts).
  if (args[0] === "diff") return (await import("./diff-cli.js")).runDiffCli(args.slice(1), io);
  const cwd = io.cwd ?? process.cwd();
  let options: Options;
  let spec: { document: object; absolute: string } | undefined;
  try {
    const parsed = parseOptions(args);
    if (parsed === "help") {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    options = parsed;
    if (options.specPath !== undefined) spec = loadSpec(options.specPath, cwd);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`twilio-video-conformance: ${e.message} (see --help)\n`);
      return 2;
    }
    throw e;
  }

  const limits = options.maxItemBytes !== undefined ? { maxItemBytes: options.maxItemBytes } : {};
  const collected = collectInputs(options.paths, cwd, limits);
  if (collected.missing.length > 0) {
    io.stderr(`twilio-video-conformance: no such file or directory: ${collected.missing.join(", ")}\n`);
    return 2;
  }

  const validator = createContractValidator({ strict: options.strict, baseUrls: options.baseUrls, ...(spec ? { document: spec.document } : {}) });
  const checker = new ItemChecker(validator, options.baseUrls, limits);
  const totalBytes = collected.stdin ? undefined : collected.files.reduce((n, f) => n + f.size, 0);
  const cores = availableParallelism();
  const threads = options.jobs ?? cores;
  const workerConfig = {
    strict: options.strict,
    baseUrls: options.baseUrls,
    ...limits,
    ...(spec ? { specPath: spec.absolute } : {}),
  };

  const summary: Summary = { files: collected.files.length + (collected.stdin ? 1 : 0), recordings: 0, passed: 0, failed: 0, warnings: 0, specTooStrict: 0, skipped: { total: 0, reasons: {} }, strict: options.strict };
  const skip = (reason: string, n = 1): void => {
    summary.skipped.total += n;
    summary.skipped.reasons[reason] = (summary.skipped.reasons[reason] ?? 0) + n;
  };
  for (const [reason, n] of Object.entries(collected.skipped)) skip(reason, n);

  const reporter = createReporter(options.reporter, io.stdout, options.strict);
  const progress = new Progress(io.stderrIsTty ? io.stderr : undefined, totalBytes);
  const emit = (outcome: Outcome): void => {
    for (const r of outcome.results) {
      summary.recordings++;
      if (r.ok) summary.passed++;
      else summary.failed++;
      summary.warnings += r.warnings.length;
      summary.specTooStrict += r.specTooStrict.length;
      reporter.result(r);
    }
    if (outcome.skipped) for (const [reason, n] of Object.entries(outcome.skipped)) skip(reason, n);
    progress.recordingsDone(outcome.results.length);
  };

  // Start in this thread; move to worker threads once the input proves large (or at once with --jobs N > 1).
  const inline = new InlineExecutor(checker);
  let pool: WorkerExecutor | undefined;
  const parallel = (): Executor => (pool ??= new WorkerExecutor(threads, workerConfig));
  const wantsWorkers = threads > 1 && (options.jobs !== undefined || (totalBytes ?? 0) >= PARALLEL_AFTER_BYTES || collected.files.length >= PARALLEL_AFTER_ITEMS);
  const runner = wantsWorkers ? new OrderedRunner(parallel(), emit, 64, threads * 4) : new OrderedRunner(inline, emit, 16, 1);
  let submitted = 0;
  const submit = async (item: WorkItem): Promise<void> => {
    submitted++;
    await runner.push(item);
    // Auto: an NDJSON stream on stdin reveals its size only as it goes.
    if (!pool && options.jobs === undefined && threads > 1 && submitted === PARALLEL_AFTER_ITEMS) runner.switchTo(parallel(), 64, threads * 4);
  };

  const streamContext: StreamContext = {
    baseUrls: options.baseUrls,
    onBytes: (n) => progress.addBytes(n),
    onSkip: (reason) => skip(reason),
    ...limits,
  };
  try {
    for (const file of collected.files) await feed(file, submit, streamContext, progress);
    if (collected.stdin) for await (const item of ndjsonItems(io.stdin ?? process.stdin, "stdin", streamContext)) await submit(item);
    await runner.finish();
  } catch (e) {
    // Only the machinery can get here (every input problem is a result): say so in one line.
    progress.end();
    io.stderr(`twilio-video-conformance: the run stopped: ${(e as Error).message.split("\n")[0]}${pool && !(e instanceof MissingPeerError) ? " (a worker thread failed; --jobs 1 checks in one thread)" : ""}\n`);
    return 2;
  } finally {
    progress.end();
    await pool?.close();
  }
  reporter.end(summary);

  if (summary.recordings === 0 && !options.allowEmpty) {
    io.stderr(`twilio-video-conformance: nothing was checked: found ${summary.files} input file(s), 0 recordings; ${skippedLine(summary.skipped)}. Pass --allow-empty to accept an empty run.\n`);
    return 2;
  }
  return summary.failed > 0 ? 1 : 0;
}

async function feed(
  file: InputFile,
  submit: (item: WorkItem) => Promise<void>,
  context: StreamContext,
  progress: Progress,
): Promise<void> {
  if (file.kind === "json") {
    progress.addBytes(file.size);
    await submit({ t: "file", path: typeof file.path === "string" ? file.path : new Uint8Array(file.path), name: file.name });
    return;
  }
  const stream = openInput(file);
  const items = file.kind === "har" ? harItems(stream, file.name, context) : ndjsonItems(stream, file.name, context);
  try {
    for await (const item of items) await submit(item);
  } catch (e) {
    if (e instanceof MissingPeerError) throw e;
    // An unreadable stream (EACCES, EIO): one failure for the file.
    await submit({ t: "res", result: { file: file.name, operationId: null, ok: false, errors: [{ where: "file", message: `cannot read file: ${(e as Error).message.split("\n")[0]}` }], warnings: [], specTooStrict: [] } });
  } finally {
    stream.destroy();
  }
}
