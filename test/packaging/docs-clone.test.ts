// The contributors' recipes (`<!-- run: clone -->` blocks, test/packaging/doc-blocks.ts) work
// exactly as written in a fresh clone of the repository: `git clone` of this one (its committed
// state), one per doc file, with this checkout's node_modules linked in place of `npm ci`. Blocks
// run in doc order, each with bash -e -o pipefail; `npm run generate` and friends write into the
// clone only.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/core-bundle.js";
import { allBlocks } from "./doc-blocks.js";

const blocks = allBlocks().filter((block) => block.clone && !block.notRun && !block.problem);
let root = "";
function run(command: string, cwd: string, timeout = 240_000): Promise<{ code: number | null; output: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(TWILIO_|VIDEO_|NODE_OPTIONS$|VITEST|npm_)/.test(name)),
  );
  return new Promise((resolve) => {
    const child = spawn("bash", ["-e", "-o", "pipefail", "-c", command], {
      cwd,
      env: { ...env, NO_COLOR: "1" },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const end = () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(end, timeout);
    child.on("exit", (code) => {
      clearTimeout(timer);
      end();
      setTimeout(() => resolve({ code, output }), 50);
    });
  });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "twilio-video-ts-clone-"));
});

/** What a checkout holds that a clone would not: installed, built or written by a run. */
const NOT_COMMITTED = new Set([
  "node_modules",
  "dist",
  "docs-build",
  ".vitest-results.json",
  ".stryker-tmp",
  "reports",
]);

/**
 * A fresh clone of this repository (its committed state), with this checkout's node_modules in place of `npm ci`.
 * CI runs in a copy of the tracked files without `.git` (.ci/run): that copy is the committed state, so it is copied.
 */
async function freshClone(name: string): Promise<string> {
  const clone = join(root, name);
  if (existsSync(join(REPO_ROOT, ".git"))) {
    const cloned = await run(`git clone --quiet "${REPO_ROOT}" "${clone}"`, root, 60_000);
    if (cloned.code !== 0) throw new Error(`git clone failed: ${cloned.output}`);
  } else {
    cpSync(REPO_ROOT, clone, { recursive: true, filter: (source) => !NOT_COMMITTED.has(basename(source)) });
    // Blocks compare with git:HEAD (docs/spec.md's diff): the copy becomes a one-commit repository.
    const git = "git -c user.name=docs -c user.email=docs@localhost";
    const made = await run(`git init --quiet && git add -A && ${git} commit --quiet -m snapshot`, clone, 60_000);
    if (made.code !== 0) throw new Error(`git init of the copy failed: ${made.output}`);
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(clone, "node_modules"), "dir");
  return clone;
}

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("contributors' doc blocks in a fresh clone", () => {
  it("there are some, and none starts a server (they run one after another)", () => {
    expect(blocks.length).toBeGreaterThan(3);
    expect(blocks.filter((block) => block.background).map((block) => `${block.file}:${block.line}`)).toEqual([]);
  });

  // One clone per doc file, the files side by side; within a file, blocks run in order.
  const files = [...new Set(blocks.map((block) => block.file))];
  it.concurrent.each(files)(
    "%s: every block runs as written, in doc order",
    async (file) => {
      const clone = await freshClone(file.replace(/\W+/g, "-"));
      const failures: string[] = [];
      for (const block of blocks.filter((b) => b.file === file)) {
        const { code, output } = await run(block.text, clone);
        if (code !== 0)
          failures.push(`${block.file}:${block.line} exit ${code}: ${block.text}\n${output.slice(-4000)}`);
      }
      expect(failures).toEqual([]);
    },
    900_000,
  );
});
