/**
 * No super-linear regular expression in the emulator (issue 32): every
 * regex literal under src/emulator is checked with recheck (ReDoS analysis),
 * and no RegExp is built at run time from anything but a constant, so
 * request input can neither choose a pattern nor make one backtrack.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { checkSync } from "recheck";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..", "..");
const dir = join(root, "src", "emulator");

function sources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(folder, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(folder, entry.name)]
        : [],
  );
}

interface Found {
  file: string;
  text: string;
}

function scan(): { literals: Found[]; constructed: Found[] } {
  const literals: Found[] = [];
  const constructed: Found[] = [];
  for (const path of sources(dir)) {
    const file = relative(root, path);
    const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isRegularExpressionLiteral(node)) literals.push({ file, text: node.text });
      if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && node.expression.getText(source) === "RegExp") {
        constructed.push({ file, text: node.getText(source) });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { literals, constructed };
}

describe("regular expressions in src/emulator", () => {
  const { literals, constructed } = scan();

  it("are found (the scan works)", () => {
    expect(literals.some((l) => l.file.endsWith("paging.ts"))).toBe(true);
  });

  it("every literal is safe by recheck's analysis (no exponential or polynomial backtracking)", {
    timeout: 120_000,
  }, () => {
    const unsafe = literals
      .map(({ file, text }) => {
        const end = text.lastIndexOf("/");
        const result = checkSync(text.slice(1, end), text.slice(end + 1));
        return { file, text, status: result.status };
      })
      .filter((r) => r.status !== "safe");
    expect(unsafe).toEqual([]);
  });

  it("recheck does flag the patterns this issue removed", () => {
    expect(checkSync("\\/+$", "").status).toBe("vulnerable");
    expect(checkSync("^a.*b.*c.*d$", "s").status).not.toBe("safe");
  });

  it("a RegExp is built at run time only from a constant SID prefix", () => {
    expect(constructed).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal source text the scan must find
      { file: join("src", "emulator", "index.ts"), text: "new RegExp(`^${prefix}[0-9a-fA-F]{32}$`)" },
    ]);
    // …and that prefix is a literal at every call.
    const index = readFileSync(join(dir, "index.ts"), "utf8");
    expect([...index.matchAll(/SID\(([^)]*)\)/g)].map((m) => m[1])).toEqual(['"AC"']);
  });
});
