/**
 * The conformance CLI's reports. Each reporter gets the results one at a time,
 * in input order, and the summary at the end, and writes as it goes, so a run
 * over a million recordings never holds them all:
 *
 * - `text`   failures, drift warnings and spec-too-strict findings, then a summary
 * - `json`   one JSON document: `results` (every recording), then the counts
 * - `junit`  JUnit XML: one testcase per recording, one failure per finding
 *            (GitHub Actions, GitLab, Jenkins, CircleCI read it)
 * - `github` GitHub Actions workflow commands: an annotation per finding on the recording file
 *
 * File names, URLs, names and bodies come from the input: the text and github
 * reporters write every control character, line break and bidirectional
 * control in them as a visible escape (command-line.ts terminalSafe), so
 * nothing from the input can move the cursor, set a title or start a line
 * of its own (a `::error::` workflow command, or a line posing as ours).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FileResult } from "./check.js";
import { escapeEach, isActive, isDigits, terminalSafe, visibleEscape } from "./command-line.js";
import type { Problem } from "./types.js";

export const REPORTERS = ["text", "json", "junit", "github"] as const;
export type ReporterName = (typeof REPORTERS)[number];

export interface Summary {
  /** Input files read (a HAR or NDJSON file counts once, however many recordings it holds). */
  files: number;
  recordings: number;
  passed: number;
  failed: number;
  /** Drift warnings (undocumented response fields), when not strict. */
  warnings: number;
  /** spec-too-strict findings (failures when strict, warnings otherwise). */
  specTooStrict: number;
  skipped: { total: number; reasons: Record<string, number> };
  strict: boolean;
}

export interface Reporter {
  result(r: FileResult): void;
  end(summary: Summary): void;
}

export function formatProblem(p: Problem): string {
  const detail = [
    p.expected !== undefined ? `expected ${p.expected}` : "",
    p.found !== undefined ? `found ${p.found}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `${p.where}: ${p.message}${detail ? ` (${detail})` : ""}`;
}

export function skippedLine(s: Summary["skipped"]): string {
  const reasons = Object.entries(s.reasons).sort((a, b) => b[1] - a[1]);
  return reasons.length === 0
    ? "skipped: none"
    : `skipped ${s.total}: ${reasons.map(([why, n]) => `${n} ${why}`).join(", ")}`;
}

function label(r: FileResult): string {
  return `${r.file}${r.operationId ? ` [${r.operationId}]` : ""}`;
}

export function summaryLine(s: Summary): string {
  return (
    `${s.files} file(s), ${s.recordings} recording(s): ${s.passed} passed, ${s.failed} failed, ${s.warnings} ` +
    `drift warning(s), ${s.specTooStrict} spec-too-strict${s.strict ? "" : " warning(s)"}`
  );
}

export function textReporter(write: (text: string) => void): Reporter {
  return {
    result(r) {
      const lines: string[] = [];
      if (!r.ok) {
        lines.push(`FAIL ${label(r)}`);
        for (const p of r.errors) lines.push(`  error   ${formatProblem(p)}`);
      } else if (r.warnings.length > 0 || r.specTooStrict.length > 0) {
        lines.push(`WARN ${label(r)}`);
      }
      for (const p of r.warnings) lines.push(`  warning ${formatProblem(p)}`);
      // Listed on their own: the fix belongs in the spec, not in the traffic.
      for (const p of r.specTooStrict) lines.push(`  spec-too-strict ${formatProblem(p)}`);
      if (lines.length > 0) write(`${lines.map(terminalSafe).join("\n")}\n`);
    },
    end(s) {
      const lines = [summaryLine(s), skippedLine(s.skipped)];
      if (s.specTooStrict > 0)
        lines.push("spec-too-strict: the API accepted what the spec forbids; the spec needs fixing, not the traffic");
      write(`${lines.map(terminalSafe).join("\n")}\n`);
    },
  };
}

/**
 * JSON text with the active characters JSON.stringify leaves raw (C1
 * controls, DEL, line separators, bidi controls) written as `\\u` escapes:
 * the same JSON value, safe to print. They can only occur inside strings.
 */
export function jsonSafe(json: string): string {
  return escapeEach(json, (code) =>
    code >= 0x7f && isActive(code) ? `\\u${code.toString(16).padStart(4, "0")}` : undefined,
  );
}

export function jsonReporter(write: (text: string) => void): Reporter {
  let first = true;
  return {
    result(r) {
      write(`${first ? '{\n  "results": [\n' : ",\n"}    ${jsonSafe(JSON.stringify(r))}`);
      first = false;
    },
    end(s) {
      const { strict, ...counts } = s;
      // The counts' members, and the closing brace (skip reasons may name input).
      const tail = jsonSafe(JSON.stringify({ ...counts, strict }, null, 2)).slice(1);
      write(`${first ? '{\n  "results": [' : "\n  "}],${tail}\n`);
    },
  };
}

// ---- JUnit XML ----

const XML_ENTITIES: Record<number, string> = {
  38: "&amp;",
  60: "&lt;",
  62: "&gt;",
  34: "&quot;",
  39: "&apos;",
};

/**
 * Text for XML 1.0: markup escaped; characters XML cannot carry at all (most controls, lone surrogates) written as
 * \uXXXX.
 */
export function xmlEscape(text: string): string {
  return escapeEach(text, (code, i) => {
    const entity = XML_ENTITIES[code];
    if (entity !== undefined) return entity;
    const forbidden =
      (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) ||
      code === 0xfffe ||
      code === 0xffff ||
      (code >= 0xd800 && code <= 0xdbff && !isLowSurrogate(text.charCodeAt(i + 1))) ||
      (code >= 0xdc00 && code <= 0xdfff && !isHighSurrogate(text.charCodeAt(i - 1)));
    return forbidden ? `\\u${code.toString(16).padStart(4, "0")}` : undefined;
  });
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/** The input file a result belongs to (its testcase's classname). */
function inputOf(file: string): string {
  const hash = file.indexOf("#/log/entries/");
  if (hash !== -1) return file.slice(0, hash);
  // `file.ndjson:12` (or `stdin:12`): the name before the line number.
  const colon = file.lastIndexOf(":");
  const name = file.slice(0, colon);
  const lower = name.toLowerCase();
  const lineNumber = colon > 0 && isDigits(file.slice(colon + 1));
  return lineNumber && (lower.endsWith(".ndjson") || lower.endsWith(".jsonl") || lower === "stdin") ? name : file;
}

/**
 * One testsuite holding every recording. Its counts come first in the XML but
 * are known only at the end, so testcases are spooled to a temporary file and
 * copied out after the header: memory stays flat.
 */
export function junitReporter(write: (text: string) => void, strict: boolean): Reporter {
  const dir = mkdtempSync(join(tmpdir(), "twilio-video-conformance-"));
  const spool = join(dir, "testcases.xml");
  const fd = openSync(spool, "w+");
  let failures = 0;
  let tests = 0;
  const start = Date.now();
  return {
    result(r) {
      tests++;
      const parts = [
        `    <testcase classname="${xmlEscape(inputOf(r.file))}" name="${xmlEscape(label(r))}" file="` +
          `${xmlEscape(inputOf(r.file))}">`,
      ];
      const failing = [
        ...r.errors.map((p) => ["error", p] as const),
        ...(strict ? r.specTooStrict.map((p) => ["spec-too-strict", p] as const) : []),
      ];
      if (!r.ok) failures++;
      for (const [kind, p] of failing) {
        parts.push(
          `      <failure type="${kind}" message="${xmlEscape(`${p.where}: ${p.message}`)}">` +
            `${xmlEscape(formatProblem(p))}</failure>`,
        );
      }
      const notes = [
        ...r.warnings.map((p) => `warning ${formatProblem(p)}`),
        ...(strict ? [] : r.specTooStrict.map((p) => `spec-too-strict ${formatProblem(p)}`)),
      ];
      if (notes.length > 0) parts.push(`      <system-out>${xmlEscape(notes.join("\n"))}</system-out>`);
      parts.push("    </testcase>\n");
      writeSync(fd, parts.length === 2 ? `${parts[0]!.slice(0, -1)}/>\n` : parts.join("\n"));
    },
    end(s) {
      try {
        const seconds = ((Date.now() - start) / 1000).toFixed(3);
        write('<?xml version="1.0" encoding="UTF-8"?>\n');
        write(
          `<testsuites name="twilio-video-conformance" tests="${tests}" failures="${failures}" errors="0" time="` +
            `${seconds}">\n`,
        );
        write(
          `  <testsuite name="twilio-video-conformance${s.strict ? " (strict)" : ""}" tests="${tests}" failures="` +
            `${failures}" errors="0" skipped="0" time="${seconds}">\n`,
        );
        write(
          `    <properties>\n      <property name="skipped" value="${xmlEscape(skippedLine(s.skipped))}"/>\n      ` +
            `<property name="summary" value="${xmlEscape(summaryLine(s))}"/>\n    </properties>\n`,
        );
        const buffer = Buffer.alloc(1 << 20);
        let position = 0;
        for (;;) {
          const n = readSync(fd, buffer, 0, buffer.length, position);
          if (n <= 0) break;
          write(buffer.toString("utf8", 0, n));
          position += n;
        }
        write("  </testsuite>\n</testsuites>\n");
      } finally {
        closeSync(fd);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// ---- GitHub Actions workflow commands ----

/**
 * Escapes a workflow command's message (data): `%`, CR and LF as GitHub
 * decodes them (`%25`, `%0D`, `%0A`), so the command stays one line; every
 * other control (ANSI escapes, which the log viewer renders) made visible.
 */
export function githubData(text: string): string {
  return escapeEach(text, (code) => GITHUB_DATA[code] ?? (isActive(code) ? visibleEscape(code) : undefined));
}

/** Escapes a workflow command's property value (file, title): as data, and `:` and `,` too. */
export function githubProperty(text: string): string {
  return escapeEach(
    text,
    (code) => GITHUB_PROPERTY[code] ?? GITHUB_DATA[code] ?? (isActive(code) ? visibleEscape(code) : undefined),
  );
}

const GITHUB_DATA: Record<number, string> = { 37: "%25", 13: "%0D", 10: "%0A" };
const GITHUB_PROPERTY: Record<number, string> = { 58: "%3A", 44: "%2C" };

export function githubReporter(write: (text: string) => void, strict: boolean): Reporter {
  const annotate = (level: "error" | "warning", r: FileResult, kind: string, p: Problem): string =>
    `::${level} file=${githubProperty(inputOf(r.file))},title=` +
    `${githubProperty(`${kind} ${r.operationId ?? "recording"} ${p.where}`)}::` +
    `${githubData(`${r.file}: ${formatProblem(p)}`)}\n`;
  return {
    result(r) {
      let out = "";
      for (const p of r.errors) out += annotate("error", r, "conformance", p);
      for (const p of r.warnings) out += annotate("warning", r, "drift", p);
      for (const p of r.specTooStrict) out += annotate(strict ? "error" : "warning", r, "spec-too-strict", p);
      if (out) write(out);
    },
    end(s) {
      write(`${terminalSafe(summaryLine(s))}\n${terminalSafe(skippedLine(s.skipped))}\n`);
    },
  };
}

export function createReporter(name: ReporterName, write: (text: string) => void, strict: boolean): Reporter {
  switch (name) {
    case "text":
      return textReporter(write);
    case "json":
      return jsonReporter(write);
    case "junit":
      return junitReporter(write, strict);
    case "github":
      return githubReporter(write, strict);
  }
}
