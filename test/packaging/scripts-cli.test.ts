// Every command a user can type (package.json "scripts" and "bin") that runs
// one of our programs answers --help with its usage (exit 0) and refuses an
// unknown flag with one line on stderr (exit 2, no stack trace): the
// node:util parseArgs strict contract of the developers' guide. A script that
// is added to package.json must be classified here, so none slips through.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/core-bundle.js";

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  bin?: Record<string, string>;
};

/** Scripts that run someone else's tool (or chain other scripts) and take no arguments of ours. */
const TOOLS: Record<string, string> = {
  test: "chains lint, lint:spec, check:generated, typecheck and vitest",
  lint: "biome check (configuration in biome.json)",
  typecheck: "tsc",
  docs: "typedoc (options in typedoc.config.mjs)",
  build: "tsc",
  prepack: "npm run build",
};

/**
 * Programs still being converted to the parseArgs contract on other branches
 * when this list was written. Not run here: two of them are benchmarks that
 * would run on an unknown flag. Once a branch lands, delete its entry: the
 * program is then checked like the rest.
 */
const PENDING: Record<string, string> = {};

interface Program {
  name: string;
  file: string;
  fixedArgs: string[];
}

/** `tsx scripts/x.ts a b` (or `node --import tsx …`) → the file and its fixed arguments; bins map dist/scripts/x.js back to scripts/x.ts. */
function programs(): { checked: Program[]; unclassified: string[] } {
  const checked: Program[] = [];
  const unclassified: string[] = [];
  for (const [name, command] of Object.entries(manifest.scripts)) {
    if (name in TOOLS || name in PENDING) continue;
    const match = /^(?:tsx|node (?:--\S+ )*--import tsx(?: --\S+)*) (\S+\.ts)((?: [^\s&|;]+)*)$/.exec(command);
    if (!match) unclassified.push(`${name}: ${command}`);
    else
      checked.push({
        name: `npm run ${name}`,
        file: match[1]!,
        fixedArgs: match[2]!.trim().split(" ").filter(Boolean),
      });
  }
  for (const [name, path] of Object.entries(manifest.bin ?? {})) {
    if (`bin:${name}` in PENDING) continue;
    const source = /^\.\/dist\/(scripts\/.+)\.js$/.exec(path);
    if (!source) unclassified.push(`bin ${name}: ${path}`);
    else checked.push({ name: `bin ${name}`, file: `${source[1]}.ts`, fixedArgs: [] });
  }
  return { checked, unclassified };
}

function runTs(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(TWILIO_|NODE_OPTIONS$|VITEST)/.test(name)),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", file, ...args],
      { cwd: REPO_ROOT, env: { ...env, NO_COLOR: "1" }, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

const { checked, unclassified } = programs();

describe("command-line programs", () => {
  it("every package.json script and bin is checked, a tool wrapper, or pending on a named branch", () => {
    expect(unclassified).toEqual([]);
    const known = new Set([
      ...Object.keys(manifest.scripts),
      ...Object.keys(manifest.bin ?? {}).map((name) => `bin:${name}`),
    ]);
    // A stale entry (a script that no longer exists) is removed, so the lists stay true.
    expect([...Object.keys(TOOLS), ...Object.keys(PENDING)].filter((name) => !known.has(name))).toEqual([]);
    expect(checked.map((program) => program.name)).toEqual(
      expect.arrayContaining(["npm run start", "npm run generate", "npm run lint:spec", "npm run size"]),
    );
  });

  describe.concurrent.each(checked)("$name", ({ file, fixedArgs }) => {
    it("--help prints the usage and exits 0", async () => {
      const { code, stdout, stderr } = await runTs(file, [...fixedArgs, "--help"]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout).toMatch(/^usage: /);
    });

    it("an unknown flag is one line on stderr and exit 2", async () => {
      const { code, stdout, stderr } = await runTs(file, [...fixedArgs, "--no-such-flag"]);
      expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
      expect(stderr).toMatch(/^[^\n]*--no-such-flag[^\n]*\n$/);
    });
  });
});
