/**
 * The conformance CLI (`twilio-video-conformance`, `npm run conformance`):
 * validates recordings and HAR captures and reports every disagreement with
 * the spec. Node-only (file system); the library in index.ts is not.
 *
 * Exit codes: 0 everything conforms, 1 something does not, 2 usage error.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { createContractValidator, recordingsFromHar, isHar, type ContractValidator, type Problem, type Recording } from "./index.js";

export interface FileResult {
  file: string;
  operationId: string | null;
  ok: boolean;
  errors: Problem[];
  warnings: Problem[];
}

export interface ConformanceReport {
  /** Files read (a HAR file counts once, however many entries it holds). */
  files: number;
  /** Recordings that conform / do not (each HAR entry is one). */
  passed: number;
  failed: number;
  results: FileResult[];
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress is redrawn in place). */
  stderrIsTty?: boolean;
  cwd?: string;
}

const USAGE = `usage: twilio-video-conformance [--json] [--strict] [--base-url <url>]... [--spec <openapi.json>] <file-or-dir>...

Validates recorded interactions (*.json in the recording format) and HAR 1.2
captures (*.har) against the Twilio Video v1 OpenAPI spec.

  --json             print one JSON report on stdout
  --strict           undocumented response fields (drift) fail instead of warn
  --base-url <url>   also accept this host (e.g. a local emulator); repeatable
  --spec <file>      validate against another bundled OpenAPI document

Exit codes: 0 all conform, 1 some do not, 2 usage error.`;

interface Options {
  json: boolean;
  strict: boolean;
  baseUrls: string[];
  spec?: string;
  paths: string[];
}

class UsageError extends Error {}

function parseArgs(args: string[]): Options | "help" {
  const options: Options = { json: false, strict: false, baseUrls: [], paths: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const next = args[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === "--help" || arg === "-h") return "help";
    else if (arg === "--json") options.json = true;
    else if (arg === "--strict") options.strict = true;
    else if (arg === "--base-url") options.baseUrls.push(value());
    else if (arg.startsWith("--base-url=")) options.baseUrls.push(arg.slice("--base-url=".length));
    else if (arg === "--spec") options.spec = value();
    else if (arg === "--") options.paths.push(...args.slice(i + 1)), (i = args.length);
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else options.paths.push(arg);
  }
  if (options.paths.length === 0) throw new UsageError("no files or directories given");
  for (const url of options.baseUrls) {
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--base-url ${url} is not a URL`);
    }
  }
  return options;
}

/** Every *.json / *.har under the given paths, in a stable order. JSON Schemas are skipped. */
export function collectFiles(paths: string[], cwd: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(json|har)$/i.test(entry.name) && !entry.name.endsWith(".schema.json")) files.push(full);
    }
  };
  for (const path of paths) {
    const full = resolve(cwd, path);
    let stat;
    try {
      stat = statSync(full);
    } catch {
      throw new UsageError(`no such file or directory: ${path}`);
    }
    if (stat.isDirectory()) walk(full);
    else files.push(full);
  }
  return files;
}

function readJson(file: string): { value?: unknown; error?: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { error: `cannot read file: ${(e as Error).message}` };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: `not valid JSON: ${(e as Error).message}` };
  }
}

export function checkFiles(files: string[], validator: ContractValidator, baseUrls: string[], displayRoot: string, onProgress?: (done: number) => void): ConformanceReport {
  const results: FileResult[] = [];
  files.forEach((file, i) => {
    const name = relative(displayRoot, file) || file;
    const { value, error } = readJson(file);
    if (error !== undefined) {
      results.push({ file: name, operationId: null, ok: false, errors: [{ where: "file", message: error }], warnings: [] });
    } else if (file.toLowerCase().endsWith(".har") || isHar(value)) {
      const har = recordingsFromHar(value, { baseUrls });
      if (har.error !== undefined) results.push({ file: name, operationId: null, ok: false, errors: [{ where: "file", message: har.error }], warnings: [] });
      for (const { index, recording } of har.recordings) results.push({ file: `${name}#/log/entries/${index}`, ...validator.validateRecording(recording) });
    } else {
      results.push({ file: name, ...validator.validateRecording(value as Recording) });
    }
    onProgress?.(i + 1);
  });
  const passed = results.filter((r) => r.ok).length;
  return { files: files.length, passed, failed: results.length - passed, results };
}

function formatProblem(p: Problem): string {
  const detail = [p.expected !== undefined ? `expected ${p.expected}` : "", p.found !== undefined ? `found ${p.found}` : ""].filter(Boolean).join(", ");
  return `${p.where}: ${p.message}${detail ? ` (${detail})` : ""}`;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export function runConformance(args: string[], io: CliIo): number {
  let options: Options | "help";
  let files: string[];
  const cwd = io.cwd ?? process.cwd();
  let validator: ContractValidator;
  try {
    options = parseArgs(args);
    if (options === "help") {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    files = collectFiles(options.paths, cwd);
    let document: object | undefined;
    if (options.spec !== undefined) {
      const spec = readJson(resolve(cwd, options.spec));
      if (spec.error !== undefined || typeof spec.value !== "object" || spec.value === null) throw new UsageError(`--spec ${options.spec}: ${spec.error ?? "not a JSON object"}`);
      document = spec.value;
    }
    validator = createContractValidator({ strict: options.strict, baseUrls: options.baseUrls, ...(document ? { document } : {}) });
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`twilio-video-conformance: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }

  // Progress only matters when a run takes noticeable time; it goes to stderr so --json stays clean.
  const showProgress = files.length >= 500;
  let lastShown = 0;
  const progress = (done: number): void => {
    if (!showProgress) return;
    if (io.stderrIsTty) {
      if (done === files.length || done - lastShown >= 100) io.stderr(`\rchecked ${done}/${files.length} files`), (lastShown = done);
      if (done === files.length) io.stderr("\n");
    } else if (Math.floor((done * 10) / files.length) > Math.floor((lastShown * 10) / files.length)) {
      io.stderr(`checked ${done}/${files.length} files\n`);
      lastShown = done;
    }
  };
  const report = checkFiles(files, validator, options.baseUrls, cwd, progress);

  if (options.json) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines: string[] = [];
    let warnings = 0;
    for (const r of report.results) {
      warnings += r.warnings.length;
      if (!r.ok) {
        lines.push(`FAIL ${r.file}${r.operationId ? ` [${r.operationId}]` : ""}`);
        for (const p of r.errors) lines.push(`  error   ${formatProblem(p)}`);
      }
      if (r.warnings.length > 0) {
        if (r.ok) lines.push(`WARN ${r.file}${r.operationId ? ` [${r.operationId}]` : ""}`);
        for (const p of r.warnings) lines.push(`  warning ${formatProblem(p)}`);
      }
    }
    const total = report.passed + report.failed;
    lines.push(`${report.files} file(s), ${total} recording(s): ${report.passed} passed, ${report.failed} failed, ${warnings} drift warning(s)`);
    io.stdout(`${lines.join("\n")}\n`);
  }
  return report.failed > 0 ? 1 : 0;
}
