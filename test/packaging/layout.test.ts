// The shape of src/ (README "Layout"): the client core in src/core, server-side
// helpers in src/server, Node adapters in src/node, then contract/ and emulator/.
// Dependencies point one way and no module imports itself back through others;
// type-only imports count too, since they tie modules together just the same.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/core-bundle.js";

type Graph = Map<string, string[]>;

const SPECIFIER =
  /(?:^|[^\w.])(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\(\s*(?:\/\*[^*]*\*\/\s*)?["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(posix.join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [posix.join(dir, entry.name)]
        : [],
  );
}

/** Every import of every file under src/: relative ones resolved to repository paths (`src/core/x.ts`), packages as written. */
function importGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles("src")) {
    const text = readFileSync(join(REPO_ROOT, file), "utf8");
    const targets: string[] = [];
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2]!;
      targets.push(
        specifier.startsWith(".")
          ? relative(REPO_ROOT, join(REPO_ROOT, dirname(file), specifier))
              .split("\\")
              .join("/")
              .replace(/\.js$/, ".ts")
          : specifier,
      );
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected components with more than one module (Tarjan), each sorted: the import circles. */
export function circles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** Which folders (and packages) each folder of src/ may import. Entry files at the top (index.ts, node.ts) may import anything in src/. */
const ALLOWED: Record<string, (target: string) => boolean> = {
  // No Node built-in, no ajv, nothing server- or test-side: the core runs on every runtime.
  "src/core/": (t) => t.startsWith("src/core/") || t.startsWith("generated/") || t === "openapi-fetch",
  "src/server/": (t) =>
    t.startsWith("src/server/") || t.startsWith("src/core/") || t.startsWith("generated/") || t.startsWith("node:"),
  "src/node/": (t) =>
    t.startsWith("src/node/") || t.startsWith("src/core/") || t.startsWith("src/server/") || t.startsWith("node:"),
  "src/contract/": (t) =>
    !/^src\/(emulator|server|node)\//.test(t) && !t.startsWith("scripts/") && !t.startsWith("test/"),
  "src/emulator/": (t) =>
    !t.startsWith("src/node/") && !t.startsWith("scripts/") && !t.startsWith("test/") && !/^src\/[^/]+\.ts$/.test(t),
};

function violations(graph: Graph): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    const folder = Object.keys(ALLOWED).find((prefix) => file.startsWith(prefix));
    if (!folder) {
      if (!/^src\/[^/]+\.ts$/.test(file)) out.push(`${file}: not in a known folder of src/`);
      continue;
    }
    for (const target of targets) if (!ALLOWED[folder]!(target)) out.push(`${file} imports ${target}`);
  }
  return out;
}

describe("layout of src/", () => {
  const graph = importGraph();

  it("has no import circles (type-only imports included)", () => {
    expect(circles(graph)).toEqual([]);
  });

  it("dependencies point one way: core ← server ← node, core ← contract ← emulator", () => {
    expect(violations(graph)).toEqual([]);
  });

  it("the graph is read: plain, type-only and re-exporting imports are all seen", () => {
    expect(graph.get("src/core/invoke.ts")).toEqual(
      expect.arrayContaining(["src/core/errors.ts", "src/core/endpoint.ts"]),
    );
    expect(graph.get("src/node/handler.ts")).toEqual(["src/server/node-handler.ts"]);
    expect(graph.get("src/index.ts")).toContain("src/core/client.ts");
  });

  it("the checks catch a circle, a self-import and a core module importing Node or the emulator", () => {
    const probe: Graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
      ["e", ["e"]],
    ]);
    expect(circles(probe)).toEqual([["a", "b", "c"], ["e"]]);
    expect(violations(new Map([["src/core/x.ts", ["node:fs", "src/emulator/store.ts", "src/core/y.ts"]]]))).toEqual([
      "src/core/x.ts imports node:fs",
      "src/core/x.ts imports src/emulator/store.ts",
    ]);
  });
});
