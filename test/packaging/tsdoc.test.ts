// Every public export of every entry point (package.json "exports" with types,
// the same list typedoc.config.mjs documents) carries a TSDoc comment, so the
// API reference (npm run docs) and editors' hover text have something to say.
// The check uses the TypeScript compiler: it follows re-exports to the
// declaration a user's editor would show.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/core-bundle.js";

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  exports: Record<string, unknown>;
};
const typedocConfig = (await import(join(REPO_ROOT, "typedoc.config.mjs"))) as {
  default: { entryPoints: string[] };
  entryPointsFromExports(exports: Record<string, unknown>): string[];
};

/** The generated spec types are documented by the spec (npm run docs:spec), field by field. */
const SPEC_TYPES = new Set(["paths", "components", "operations", "webhooks"]);

function entryPoints(): string[] {
  return typedocConfig.entryPointsFromExports(manifest.exports);
}

/** `[entry, export name]` of every public export without a TSDoc comment on any of its declarations. */
function undocumented(files: string[]): string[] {
  const program = ts.createProgram({
    rootNames: files.map((file) => join(REPO_ROOT, file)),
    options: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      resolveJsonModule: true,
      strict: true,
      noEmit: true,
      types: ["node"],
      skipLibCheck: true,
    },
  });
  const checker = program.getTypeChecker();
  const missing: string[] = [];
  for (const file of files) {
    const source = program.getSourceFile(join(REPO_ROOT, file));
    if (!source) throw new Error(`${file} is not part of the program`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`${file} is not a module`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      if (SPEC_TYPES.has(exported.name)) continue;
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const documented = [exported, symbol].some(
        (s) =>
          s.getDocumentationComment(checker).some((part) => part.text.trim() !== "") ||
          (s.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0),
      );
      if (!documented) missing.push(`${file}: ${exported.name}`);
    }
  }
  return missing;
}

describe("TSDoc on the public API", () => {
  it("the TypeDoc config and this test document the same entry points: every package.json export with types", () => {
    const entries = entryPoints();
    expect(typedocConfig.default.entryPoints).toEqual(entries);
    expect(entries).toEqual(expect.arrayContaining(["src/index.ts", "src/contract/index.ts", "src/emulator/index.ts"]));
    expect(entries).toHaveLength(Object.values(manifest.exports).filter((target) => typeof target === "object").length);
  });

  it("every public export of every entry point has a TSDoc comment", () => {
    expect(undocumented(entryPoints())).toEqual([]);
  }, 60_000);

  it("the check finds an export without one", () => {
    const probe = "test/packaging/fixtures/tsdoc-probe.ts";
    expect(undocumented([probe])).toEqual([`${probe}: bare`, `${probe}: reexported`]);
  }, 60_000);
});
