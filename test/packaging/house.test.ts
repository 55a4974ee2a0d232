// The house rules for src/ (CONTRIBUTING.md): functions short enough to read in one screen,
// files short enough to hold one concern, lines short enough to read without scrolling.
// Each offender is named with its file and line so the message says what to cut.
import { readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/core-bundle.js";

export const LIMITS = { functionLines: 80, fileLines: 400, lineChars: 120 } as const;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Functions (declarations, methods, arrows, expressions) longer than `limit` lines, as `file:line name (N lines)`. */
export function longFunctions(file: string, text: string, limit: number): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.end).line;
      const lines = end - start + 1;
      const name = node.name && ts.isIdentifier(node.name) ? node.name.text : "(anonymous)";
      if (lines > limit) found.push(`${file}:${start + 1} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function longLines(file: string, text: string, limit: number): string[] {
  return text
    .split("\n")
    .flatMap((line, i) => (line.length > limit ? [`${file}:${i + 1} (${line.length} chars)`] : []));
}

describe("house rules for src/", () => {
  const files = sourceFiles("src").map((file) => ({ file, text: readFileSync(join(REPO_ROOT, file), "utf8") }));

  it(`no function over ${LIMITS.functionLines} lines`, () => {
    expect(files.flatMap(({ file, text }) => longFunctions(file, text, LIMITS.functionLines))).toEqual([]);
  });

  it(`no file over ${LIMITS.fileLines} lines`, () => {
    const long = files.filter(({ text }) => text.split("\n").length > LIMITS.fileLines);
    expect(long.map(({ file, text }) => `${file} (${text.split("\n").length} lines)`)).toEqual([]);
  });

  it(`no line over ${LIMITS.lineChars} characters`, () => {
    expect(files.flatMap(({ file, text }) => longLines(file, text, LIMITS.lineChars))).toEqual([]);
  });

  it("the probes catch a long function, a long line and count an arrow's body", () => {
    const body = Array.from({ length: 90 }, (_, i) => `  const v${i} = ${i};`).join("\n");
    expect(longFunctions("probe.ts", `function big() {\n${body}\n}\n`, 80)).toEqual(["probe.ts:1 big (92 lines)"]);
    expect(longFunctions("probe.ts", `const f = () => {\n${body}\n};\n`, 80)).toHaveLength(1);
    expect(longFunctions("probe.ts", `function small() {\n  return 1;\n}\n`, 80)).toEqual([]);
    expect(longLines("probe.ts", `ok\n${"x".repeat(121)}\n`, 120)).toEqual(["probe.ts:2 (121 chars)"]);
  });
});
