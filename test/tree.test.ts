/**
 * The project reads nothing outside its own tree: a user's fresh clone has
 * nothing beside it. `.ci/run` proves it by running in an isolated copy; this
 * test names the file that reaches out, so the failure says where.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((f) => /\.(ts|js|mjs|cjs|json|sh)$|^\.ci\//.test(f) && !f.startsWith("generated/") && f !== "package-lock.json");

// Paths that climb out of the repository to a sibling folder.
const OUTSIDE = [/\.\.\/shared\b/, /["'`]\.\.["'`]\s*,\s*["'`]shared["'`]/, /VIDEO_FACTS_DIR/];

describe("the tree is self-contained", () => {
  it("has source files to check", () => {
    expect(tracked.length).toBeGreaterThan(50);
  });
  it("no tracked source file reads a folder beside the repository", () => {
    const offenders = tracked.filter((file) => {
      if (file === "test/tree.test.ts") return false;
      const text = readFileSync(resolve(root, file), "utf8");
      return OUTSIDE.some((re) => re.test(text));
    });
    expect(offenders).toEqual([]);
  });
});
