/**
 * The project reads nothing outside its own tree: a user's fresh clone has
 * nothing beside it. `.ci/run` proves it by running in an isolated copy; this
 * test names the file that reaches out, so the failure says where.
 */
import { readdirSync, readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const SKIP = new Set(["node_modules", ".git", "generated", "dist", "docs-build", "package-lock.json"]);
const tracked = (readdirSync(root, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
  .filter((d) => d.isFile())
  .map((d) => relative(root, resolve(d.parentPath, d.name)))
  .filter((f) => !f.split("/").some((part) => SKIP.has(part)))
  .filter((f) => /\.(ts|js|mjs|cjs|json|sh)$|^\.ci\//.test(f));

// Paths that climb out of the repository to the sibling folder of API facts.
// Built from parts, so this file does not spell such a path itself.
const SIBLING = ["sh", "ared"].join("");
const OUTSIDE = [
  new RegExp(String.raw`\.\./${SIBLING}\b`),
  new RegExp(String.raw`["'\`]\.\.["'\`]\s*,\s*["'\`]${SIBLING}["'\`]`),
  new RegExp(["VIDEO", "FACTS", "DIR"].join("_")),
];

describe("the tree is self-contained", () => {
  it("has source files to check", () => {
    expect(tracked.length).toBeGreaterThan(50);
  });
  it("no tracked source file reads a folder beside the repository", () => {
    const offenders = tracked.filter((file) => {
      const text = readFileSync(resolve(root, file), "utf8");
      return OUTSIDE.some((re) => re.test(text));
    });
    expect(offenders).toEqual([]);
  });
});
