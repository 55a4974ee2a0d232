/**
 * One conformance run once its options are known: the counts and the report
 * (Tally), where the work goes (Run: this thread, or worker threads for large
 * inputs) and how each input file is fed to it.
 */
import { availableParallelism } from "node:os";
import { failure, ItemChecker, SPEC_PROBLEM, type Outcome, type WorkItem } from "./check.js";
import { EXIT, firstLine, terminalSafe, type CommandIo } from "./command-line.js";
import { SKIP_FOREIGN_HOST } from "./har.js";
import { createContractValidator } from "./index.js";
import {
  harItems,
  MissingPeerError,
  ndjsonItems,
  openInput,
  type Collected,
  type InputFile,
  type StreamContext,
} from "./inputs.js";
import { InlineExecutor, OrderedRunner, WorkerExecutor, type Executor } from "./pool.js";
import type { Progress } from "./progress.js";
import { skippedLine, type Reporter, type Summary } from "./reporters.js";

export const PROGRAM = "twilio-video-conformance";
const SKIP_SPEC_PROBLEM = "not checked: a schema of the spec cannot be compiled";

/** What a run needs of the command line. */
export interface RunOptions {
  strict: boolean;
  baseUrls: string[];
  expectInvalidRequests: boolean;
  /** undefined = auto. */
  jobs?: number;
  /** The largest HAR entry, NDJSON line or recording file read (inputs.ts's default when unset). */
  maxItemBytes?: number;
}

/** A --spec document, read and checked. */
export interface LoadedSpec {
  document: object;
  absolute: string;
}

/**
 * Inputs this large (items or bytes) are worth worker threads. Each worker
 * compiles the schemas it meets again, so below this a second thread costs
 * more than it saves (measured by npm run bench:conformance).
 */
const PARALLEL_AFTER_ITEMS = 20_000;
const PARALLEL_AFTER_BYTES = 64 * 1024 * 1024;

/** The counts of a run, and its reporter: every result passes through here, in input order. */
export class Tally {
  readonly summary: Summary;
  readonly totalBytes: number;
  private readonly specProblems = new Set<string>();

  constructor(
    collected: Collected,
    strict: boolean,
    private readonly reporter: Reporter,
  ) {
    const files = collected.files.length + (collected.stdin ? 1 : 0);
    this.summary = {
      files,
      recordings: 0,
      passed: 0,
      failed: 0,
      warnings: 0,
      specTooStrict: 0,
      skipped: { total: 0, reasons: {} },
      strict,
    };
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
  end(allowEmpty: boolean, io: CommandIo, specPath: string | undefined): number {
    const s = this.summary;
    this.reporter.end(s);
    if (this.specProblems.size > 0) {
      const spec = specPath === undefined ? "the bundled spec" : `--spec ${specPath}`;
      for (const problem of this.specProblems)
        io.stderr(`${PROGRAM}: ${terminalSafe(`${spec}: ${problem}`)}; fix the spec\n`);
      return EXIT.usage;
    }
    if (s.recordings === 0 && !allowEmpty) {
      const skipped = terminalSafe(skippedLine(s.skipped));
      const hosts = s.skipped.reasons[SKIP_FOREIGN_HOST]
        ? ` Traffic to another host (an emulator, a proxy) is checked with --base-url <origin>.`
        : "";
      const found = `found ${s.files} input file(s), 0 recordings; ${skipped}`;
      io.stderr(`${PROGRAM}: nothing was checked: ${found}. Pass --allow-empty to accept an empty run.${hosts}\n`);
      return EXIT.usage;
    }
    return s.failed > 0 ? EXIT.failed : EXIT.ok;
  }
}

/**
 * Where the work goes: this thread first, worker threads once the input
 * proves large (or at once with --jobs N > 1).
 */
export class Run {
  private pool: WorkerExecutor | undefined;
  private readonly runner: OrderedRunner;
  private readonly threads: number;
  private submitted = 0;
  readonly streamContext: StreamContext;

  constructor(
    private readonly options: RunOptions,
    private readonly spec: LoadedSpec | undefined,
    collected: Collected,
    tally: Tally,
    progress: Progress,
  ) {
    const { strict, baseUrls, expectInvalidRequests } = options;
    const limits = options.maxItemBytes !== undefined ? { maxItemBytes: options.maxItemBytes } : {};
    const validator = createContractValidator({
      strict,
      baseUrls,
      expectInvalidRequests,
      ...(spec ? { document: spec.document } : {}),
    });
    this.threads = options.jobs ?? availableParallelism();
    const emit = (outcome: Outcome): void => {
      tally.add(outcome);
      progress.recordingsDone(outcome.results.length);
    };
    const large =
      (!collected.stdin && tally.totalBytes >= PARALLEL_AFTER_BYTES) || collected.files.length >= PARALLEL_AFTER_ITEMS;
    const wantsWorkers = this.threads > 1 && (options.jobs !== undefined || large);
    this.runner = wantsWorkers
      ? new OrderedRunner(this.workers(), emit, 64, this.threads * 4)
      : new OrderedRunner(new InlineExecutor(new ItemChecker(validator, baseUrls, limits)), emit, 16, 1);
    this.streamContext = {
      baseUrls,
      onBytes: (n: number) => progress.addBytes(n),
      onSkip: (reason: string) => tally.skip(reason),
      ...limits,
    };
  }

  get parallel(): boolean {
    return this.pool !== undefined;
  }

  private workers(): Executor {
    const { strict, baseUrls, expectInvalidRequests, maxItemBytes } = this.options;
    this.pool ??= new WorkerExecutor(this.threads, {
      strict,
      baseUrls,
      expectInvalidRequests,
      ...(maxItemBytes !== undefined ? { maxItemBytes } : {}),
      ...(this.spec ? { specPath: this.spec.absolute } : {}),
    });
    return this.pool;
  }

  readonly submit = async (item: WorkItem): Promise<void> => {
    this.submitted++;
    await this.runner.push(item);
    // Auto: an NDJSON stream on stdin reveals its size only as it goes.
    if (!this.pool && this.options.jobs === undefined && this.threads > 1 && this.submitted === PARALLEL_AFTER_ITEMS)
      this.runner.switchTo(this.workers(), 64, this.threads * 4);
  };

  finish(): Promise<void> {
    return this.runner.finish();
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

export async function feed(
  file: InputFile,
  submit: (item: WorkItem) => Promise<void>,
  context: StreamContext,
  progress: Progress,
): Promise<void> {
  if (file.kind === "json") {
    progress.addBytes(file.size);
    await submit({
      t: "file",
      path: typeof file.path === "string" ? file.path : new Uint8Array(file.path),
      name: file.name,
    });
    return;
  }
  const stream = openInput(file);
  const items = file.kind === "har" ? harItems(stream, file.name, context) : ndjsonItems(stream, file.name, context);
  try {
    for await (const item of items) await submit(item);
  } catch (e) {
    if (e instanceof MissingPeerError) throw e;
    // An unreadable stream (EACCES, EIO): one failure for the file.
    await submit({
      t: "res",
      result: failure(file.name, `cannot read file: ${firstLine(e, Number.POSITIVE_INFINITY)}`),
    });
  } finally {
    stream.destroy();
  }
}
