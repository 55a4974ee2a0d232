// No regular expression in src/ or scripts/ may backtrack super-linearly
// (ReDoS), and none may be built from input. Every regex literal and every
// `new RegExp(...)` / `RegExp(...)` is found with the TypeScript compiler API
// (not a regex over the source: a regex literal can hold quotes, slashes and
// comment markers) and checked with recheck. A constant pattern passed to
// RegExp is checked like a literal; any other pattern fails unless listed in
// DYNAMIC with the reason it is safe.
import { readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { check, type Diagnostics } from "recheck";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/core-bundle.js";

export interface FoundRegex {
  file: string;
  line: number;
  /** The pattern; undefined when it is not a constant. */
  source?: string;
  flags: string;
  /** The call's text, for a pattern that is not a constant. */
  text?: string;
}

/** Every regex literal and RegExp construction in one file's source. */
export function findRegexes(file: string, text: string): FoundRegex[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: FoundRegex[] = [];
  const lineOf = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const constant = (node: ts.Expression | undefined): string | undefined =>
    node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
      ? node.text
      : undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isRegularExpressionLiteral(node)) {
      const end = node.text.lastIndexOf("/");
      found.push({ file, line: lineOf(node), source: node.text.slice(1, end), flags: node.text.slice(end + 1) });
    } else if (
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "RegExp"
    ) {
      const [pattern, flags] = node.arguments ?? [];
      const source = constant(pattern);
      const flagText = flags === undefined ? "" : constant(flags);
      if (source !== undefined && flagText !== undefined)
        found.push({ file, line: lineOf(node), source, flags: flagText });
      else
        found.push({
          file,
          line: lineOf(node),
          flags: flagText ?? "?",
          text: node.getText(sf).replace(/\s+/g, " ").slice(0, 160),
        });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(posix.join(dir, entry.name))
      : /\.(ts|mts|js|mjs)$/.test(entry.name)
        ? [posix.join(dir, entry.name)]
        : [],
  );
}

/**
 * recheck's fuzzer is random; a fixed seed makes its verdict the same on every
 * run. The timeout is far above the slowest pattern measured alone, so a
 * loaded CI machine does not turn a verdict into "unknown".
 */
const RECHECK = { randomSeed: 20_261_207, timeout: 60_000 } as const;

/**
 * Patterns that are not constants, each with why it cannot be steered by
 * input into backtracking. Keyed by file and the call's text.
 */
const DYNAMIC: Record<string, string> = {
  "src/emulator/index.ts new RegExp(`^${prefix}[0-9a-fA-F]{32}$`)":
    "prefix is one of the emulator's own two-letter SID prefixes",
};

/**
 * Vulnerable patterns in files other engineers are rewriting (issue 32),
 * keyed by file and pattern. The test fails once one is fixed, so the entry
 * is deleted with the fix.
 */
const KNOWN_VULNERABLE: Record<string, string> = {};

const where = (r: FoundRegex) => `${r.file}:${r.line} /${r.source}/${r.flags}`;

async function verdicts(found: FoundRegex[]): Promise<Map<string, Diagnostics>> {
  const unique = new Map<string, FoundRegex>();
  for (const r of found) if (r.source !== undefined) unique.set(`${r.flags}/${r.source}`, r);
  const results = new Map<string, Diagnostics>();
  // A few at a time: the checker's processes share two cores with the rest of the suite.
  const queue = [...unique];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift())
      results.set(next[0], await check(next[1].source!, next[1].flags, RECHECK));
  };
  await Promise.all([worker(), worker(), worker()]);
  return results;
}

function problems(
  found: FoundRegex[],
  results: Map<string, Diagnostics>,
  known: Record<string, string>,
  dynamic: Record<string, string>,
): { failures: string[]; stale: string[] } {
  const failures: string[] = [];
  const used = new Set<string>();
  for (const r of found) {
    if (r.source === undefined) {
      const key = `${r.file} ${r.text}`;
      if (key in dynamic) used.add(key);
      else failures.push(`${r.file}:${r.line} builds a RegExp from a value that is not a constant: ${r.text}`);
      continue;
    }
    const verdict = results.get(`${r.flags}/${r.source}`)!;
    if (verdict.status === "safe") continue;
    const key = `${r.file} ${r.source}`;
    if (verdict.status === "vulnerable" && key in known) {
      used.add(key);
      continue;
    }
    const detail =
      verdict.status === "vulnerable"
        ? `${verdict.complexity.summary}, e.g. ${verdict.attack.pattern}`
        : `not decided (${verdict.error.kind})`;
    failures.push(`${where(r)}: ${verdict.status}: ${detail}`);
  }
  const stale = [...Object.keys(known), ...Object.keys(dynamic)].filter((key) => !used.has(key));
  return { failures, stale };
}

describe("regular expressions in src/ and scripts/ (ReDoS)", () => {
  it("none backtracks super-linearly, and none is built from input", { timeout: 240_000 }, async () => {
    const found = ["src", "scripts"].flatMap((dir) =>
      sourceFiles(dir).flatMap((file) => findRegexes(file, readFileSync(join(REPO_ROOT, file), "utf8"))),
    );
    expect(found.length).toBeGreaterThan(50);
    const { failures, stale } = problems(found, await verdicts(found), KNOWN_VULNERABLE, DYNAMIC);
    expect(failures).toEqual([]);
    // A fixed pattern's entry goes with the fix, so the lists stay true.
    expect(stale).toEqual([]);
  });

  it("the check catches /^(a+)+$/, a polynomial trailing run and a pattern built from input (probe)", {
    timeout: 60_000,
  }, async () => {
    const probe = [
      "const a = /^(a+)+$/;",
      "const b = text.replace(/\\s+$/, '');",
      "const c = new RegExp(userInput, 'i');",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of a probe file, not a template
      "const d = RegExp(`^${name}$`);",
      "const e = new RegExp('^[a-z]+$', 'i'); // a constant: checked, safe",
      "const f = '/^(a+)+$/ in a string is no regex';",
    ].join("\n");
    const found = findRegexes("probe.ts", probe);
    expect(found.map((r) => [r.line, r.source ?? "(dynamic)"])).toEqual([
      [1, "^(a+)+$"],
      [2, "\\s+$"],
      [3, "(dynamic)"],
      [4, "(dynamic)"],
      [5, "^[a-z]+$"],
    ]);
    const results = await verdicts(found);
    expect(results.get("/^(a+)+$")).toMatchObject({ status: "vulnerable", complexity: { type: "exponential" } });
    const { failures, stale } = problems(found, results, { "probe.ts \\s+$": "listed" }, {});
    expect(failures).toEqual([
      expect.stringMatching(/^probe\.ts:1 \/\^\(a\+\)\+\$\/: vulnerable: exponential/),
      "probe.ts:3 builds a RegExp from a value that is not a constant: new RegExp(userInput, 'i')",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the probe's source text quoted in the failure
      "probe.ts:4 builds a RegExp from a value that is not a constant: RegExp(`^${name}$`)",
    ]);
    expect(stale).toEqual([]);
    // An entry nothing matches any more is reported.
    expect(problems([], results, { "probe.ts x+$": "fixed" }, {}).stale).toEqual(["probe.ts x+$"]);
  });
});
