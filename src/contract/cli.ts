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
import type { ParseArgsConfig } from "node:util";
import { failure, ItemChecker, SPEC_PROBLEM, type Outcome, type WorkItem } from "./check.js";
import { EXIT, firstLine, parseCommand, terminalSafe, UsageError, urlOption, usageLine, wholeNumber, type CommandIo } from "./command-line.js";
import { SKIP_FOREIGN_HOST } from "./har.js";
import { createContractValidator } from "./index.js";
import { collectInputs, harItems, MissingPeerError, ndjsonItems, openInput, type Collected, type InputFile } from "./inputs.js";
import { isObject } from "./json-pointer.js";
import { InlineExecutor, OrderedRunner, WorkerExecutor, type Executor } from "./pool.js";
import { Progress } from "./progress.js";
import { createReporter, REPORTERS, skippedLine, type Reporter, type ReporterName, type Summary } from "./reporters.js";
import { unresolvedRefs } from "./spec-check.js";

export type { FileResult } from "./check.js";
export type { Summary } from "./reporters.js";

export interface CliIo extends CommandIo {
  /** Whether stderr is a terminal (a progress line is drawn only then). */
  stderrIsTty?: boolean;
  /** What `-` reads (default process.stdin). */
  stdin?: Readable;
}

const PROGRAM = "twilio-video-conformance";
const SKIP_SPEC_PROBLEM = "not checked: a schema of the spec cannot be compiled";

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
  help: { type: "boolean", short: "h" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

interface Options {
  reporter: ReporterName;
  strict: boolean;
  allowEmpty: boolean;
  baseUrls: string[];
  expectInvalidRequests: boolean;
  specPath?: string;
  /** undefined = auto. */
  jobs?: number;
  paths: string[];
}

function parseOptions(args: string[]): Options | "help" {
  const parsed = parseCommand(args, OPTIONS, true);
  if (parsed === "help") return "help";
  const { values, positionals } = parsed;
  if (values.json && values.reporter !== undefined && values.reporter !== "json") throw new UsageError(`--json contradicts --reporter ${values.reporter}`);
  const reporter = values.json ? "json" : (values.reporter ?? "text");
  if (!(REPORTERS as readonly string[]).includes(reporter)) throw new UsageError(`--reporter must be one of ${REPORTERS.join(", ")} (got "${reporter}")`);
  const baseUrls = values["base-url"] ?? [];
  for (const url of baseUrls) urlOption("base-url", url);
  const jobs = values.jobs === "auto" ? undefined : wholeNumber("jobs", values.jobs, 1, 256, ", or auto");
  if (positionals.length === 0) throw new UsageError("no files or directories given");
  return {
    reporter: reporter as ReporterName,
    strict: values.strict === true,
    allowEmpty: values["allow-empty"] === true,
    baseUrls,
    expectInvalidRequests: values["expect-invalid-requests"] === true,
    ...(values.spec !== undefined ? { specPath: values.spec } : {}),
    ...(jobs !== undefined ? { jobs } : {}),
    paths: positionals,
  };
}

interface LoadedSpec {
  document: object;
  absolute: string;
}

/** Reads and checks a --spec document; any problem is a usage error with one clear line. */
function loadSpec(path: string, cwd: string): LoadedSpec {
  const absolute = resolve(cwd, path);
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(absolute, "utf8"));
  } catch (e) {
    throw new UsageError(`--spec ${path}: ${(e as { code?: string }).code === "ENOENT" ? "no such file" : firstLine(e)}`);
  }
  if (!isObject(document) || !isObject(document.paths)) throw new UsageError(`--spec ${path}: not a bundled OpenAPI document (no "paths" object)`);
  const broken = unresolvedRefs(document);
  if (broken.length > 0) {
    const [first] = broken;
    const more = broken.length > 1 ? ` (and ${broken.length - 1} more)` : "";
    throw new UsageError(`--spec ${path}: $ref "${first!.ref}" at ${first!.at} does not resolve${more}; bundle the spec first (redocly bundle)`);
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

/** The options, or the exit code when the command line already decided the run (help, usage error). */
function prepare(args: string[], io: CliIo): { options: Options; spec?: LoadedSpec } | number {
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
export async function runConformance(args: string[], io: CliIo): Promise<number> {
  // The proxy and diff subcommands have their own options (proxy-cli.ts, diff-cli.ts).
  if (args[0] === "proxy") return (await import("./proxy-cli.js")).runProxyCli(args.slice(1), io);
  if (args[0] === "diff") return (await import("./diff-cli.js")).runDiffCli(args.slice(1), io);
  const prepared = prepare(args, io);
  if (typeof prepared === "number") return prepared;
  const { options, spec } = prepared;
  const collected = collectInputs(options.paths, io.cwd ?? process.cwd());
  if (collected.missing.length > 0) {
    io.stderr(`${PROGRAM}: no such file or directory: ${terminalSafe(collected.missing.join(", "))}\n`);
    return EXIT.usage;
  }
  const tally = new Tally(collected, options.strict, createReporter(options.reporter, io.stdout, options.strict));
  const progress = new Progress(io.stderrIsTty ? io.stderr : undefined, collected.stdin ? undefined : tally.totalBytes);
  const run = new Run(options, spec, collected, tally, progress);
  try {
    for (const file of collected.files) await feed(file, run.submit, run.streamContext, progress);
    if (collected.stdin) for await (const item of ndjsonItems(io.stdin ?? process.stdin, "stdin", run.streamContext)) await run.submit(item);
    await run.finish();
  } catch (e) {
    // Only the machinery can get here (every input problem is a result): say so in one line.
    progress.end();
    const hint = run.parallel && !(e instanceof MissingPeerError) ? " (a worker thread failed; --jobs 1 checks in one thread)" : "";
    io.stderr(`${PROGRAM}: the run stopped: ${terminalSafe(firstLine(e, Number.POSITIVE_INFINITY))}${hint}\n`);
    return EXIT.usage;
  } finally {
    progress.end();
    await run.close();
  }
  return tally.end(options.allowEmpty, io, options.specPath);
}

/** The counts of a run, and its reporter: every result passes through here, in input order. */
class Tally {
  readonly summary: Summary;
  readonly totalBytes: number;
  private readonly specProblems = new Set<string>();

  constructor(
    collected: Collected,
    strict: boolean,
    private readonly reporter: Reporter,
  ) {
    const files = collected.files.length + (collected.stdin ? 1 : 0);
    this.summary = { files, recordings: 0, passed: 0, failed: 0, warnings: 0, specTooStrict: 0, skipped: { total: 0, reasons: {} }, strict };
    this.totalBytes = collected.files.reduce((n, f) => n + f.size, 0);
    for (const [reason, n] of Object.entries(collected.skipped)) this.skip(reason, n);
  }

  skip(reason: string, n = 1): void {
    const { skipped } = this.summary;
    skipped.total += n;
    skipped.reasons[reason] = (skipped.reasons[reason] ?? 0) + n;
  }

  add(outcome: Outcome): void {
    const s = this.summary;
    for (const r of outcome.results) {
      const spec = r.errors.length === 1 && r.errors[0]!.where === SPEC_PROBLEM ? r.errors[0]!.message : undefined;
      if (spec !== undefined) {
        // Reported once at the end, not per recording: the spec needs fixing, not the traffic.
        this.specProblems.add(spec);
        this.skip(SKIP_SPEC_PROBLEM);
        continue;
      }
      s.recordings++;
      if (r.ok) s.passed++;
      else s.failed++;
      s.warnings += r.warnings.length;
      s.specTooStrict += r.specTooStrict.length;
      this.reporter.result(r);
    }
    if (outcome.skipped) for (const [reason, n] of Object.entries(outcome.skipped)) this.skip(reason, n);
  }

  /** Ends the report; the exit code. */
  end(allowEmpty: boolean, io: CliIo, specPath: string | undefined): number {
    const s = this.summary;
    this.reporter.end(s);
    if (this.specProblems.size > 0) {
      const spec = specPath === undefined ? "the bundled spec" : `--spec ${specPath}`;
      for (const problem of this.specProblems) io.stderr(`${PROGRAM}: ${terminalSafe(`${spec}: ${problem}`)}; fix the spec\n`);
      return EXIT.usage;
    }
    if (s.recordings === 0 && !allowEmpty) {
      const skipped = terminalSafe(skippedLine(s.skipped));
      const hosts = s.skipped.reasons[SKIP_FOREIGN_HOST] ? ` Traffic to another host (an emulator, a proxy) is checked with --base-url <origin>.` : "";
      io.stderr(`${PROGRAM}: nothing was checked: found ${s.files} input file(s), 0 recordings; ${skipped}. Pass --allow-empty to accept an empty run.${hosts}\n`);
      return EXIT.usage;
    }
    return s.failed > 0 ? EXIT.failed : EXIT.ok;
  }
}

/**
 * Where the work goes: this thread first, worker threads once the input
 * proves large (or at once with --jobs N > 1).
 */
class Run {
  private pool: WorkerExecutor | undefined;
  private readonly runner: OrderedRunner;
  private readonly threads: number;
  private submitted = 0;
  readonly streamContext: Parameters<typeof harItems>[2];

  constructor(
    private readonly options: Options,
    private readonly spec: LoadedSpec | undefined,
    collected: Collected,
    tally: Tally,
    progress: Progress,
  ) {
    const { strict, baseUrls, expectInvalidRequests } = options;
    const validator = createContractValidator({ strict, baseUrls, expectInvalidRequests, ...(spec ? { document: spec.document } : {}) });
    // worker.ts builds its validator from strict, baseUrls and the spec only: until it passes
    // expectInvalidRequests on too, a run with that flag stays in this thread.
    this.threads = expectInvalidRequests ? 1 : (options.jobs ?? availableParallelism());
    const emit = (outcome: Outcome): void => {
      tally.add(outcome);
      progress.recordingsDone(outcome.results.length);
    };
    const large = (!collected.stdin && tally.totalBytes >= PARALLEL_AFTER_BYTES) || collected.files.length >= PARALLEL_AFTER_ITEMS;
    const wantsWorkers = this.threads > 1 && (options.jobs !== undefined || large);
    this.runner = wantsWorkers ? new OrderedRunner(this.workers(), emit, 64, this.threads * 4) : new OrderedRunner(new InlineExecutor(new ItemChecker(validator, baseUrls)), emit, 16, 1);
    this.streamContext = { baseUrls, onBytes: (n: number) => progress.addBytes(n), onSkip: (reason: string) => tally.skip(reason) };
  }

  get parallel(): boolean {
    return this.pool !== undefined;
  }

  private workers(): Executor {
    const { strict, baseUrls } = this.options;
    this.pool ??= new WorkerExecutor(this.threads, { strict, baseUrls, ...(this.spec ? { specPath: this.spec.absolute } : {}) });
    return this.pool;
  }

  readonly submit = async (item: WorkItem): Promise<void> => {
    this.submitted++;
    await this.runner.push(item);
    // Auto: an NDJSON stream on stdin reveals its size only as it goes.
    if (!this.pool && this.options.jobs === undefined && this.threads > 1 && this.submitted === PARALLEL_AFTER_ITEMS) this.runner.switchTo(this.workers(), 64, this.threads * 4);
  };

  finish(): Promise<void> {
    return this.runner.finish();
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

async function feed(file: InputFile, submit: (item: WorkItem) => Promise<void>, context: Parameters<typeof harItems>[2], progress: Progress): Promise<void> {
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
    await submit({ t: "res", result: failure(file.name, `cannot read file: ${firstLine(e, Number.POSITIVE_INFINITY)}`) });
  } finally {
    stream.destroy();
  }
}
