// The fenced blocks of the documentation (README.md, CONTRIBUTING.md, docs/*.md), as the doc
// tests run them. A block's mode comes from an HTML comment on the line right before its fence:
//
//   (none)                              shell, CI YAML and TypeScript blocks run in a fresh app
//                                       that installed the packed tarball (test/packaging/docs.test.ts)
//   <!-- run: background -->            a shell block that starts a server: it runs in the background
//                                       until its section (## heading) ends, then gets Ctrl-C (SIGINT
//                                       to its process group) and must stop, all of it
//                                       (`background keep`: until the file ends)
//   <!-- run: clone -->                 a shell block run in a fresh clone of the repository
//                                       (test/packaging/docs-clone.test.ts)
//   <!-- not-run: reason -->            not run, for the reason given
//
// A block in another language (json, python, js, …) must say why it is not run.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/core-bundle.js";

export type BlockKind = "shell" | "ci" | "ts";

export interface DocBlock {
  /** `docs/client.md`, relative to the repository. */
  file: string;
  /** Line of the opening fence (1-based). */
  line: number;
  lang: string;
  text: string;
  /** Index of the `## ` section the block is in (0 before the first). */
  section: number;
  kind: BlockKind | undefined;
  notRun: string | undefined;
  clone: boolean;
  background: boolean;
  /** A background server that runs until the file ends, not just its section. */
  keep: boolean;
  /** Why the block cannot be classified, when it cannot. */
  problem: string | undefined;
}

const KINDS: Record<string, BlockKind> = {
  sh: "shell",
  bash: "shell",
  shell: "shell",
  yaml: "ci",
  yml: "ci",
  ts: "ts",
  typescript: "ts",
};
const RUN_WORDS = new Set(["clone", "background", "keep"]);

/** The documentation files, README first: every guide added under docs/ is picked up. */
export function docFiles(root = REPO_ROOT): string[] {
  const guides = readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", "CONTRIBUTING.md", ...guides];
}

/** Every fenced block of `file`, with its mode. */
export function parseBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split("\n");
  const blocks: DocBlock[] = [];
  let section = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("## ")) section++;
    const fence = /^```(\S*)\s*$/.exec(line);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith("```"); i++) body.push(lines[i]!);
    let before = start - 1;
    while (before >= 0 && lines[before]!.trim() === "") before--;
    blocks.push(
      classify(
        { file, line: start + 1, lang: fence[1]!, text: `${body.join("\n")}\n`, section },
        before >= 0 ? lines[before]! : "",
      ),
    );
  }
  return blocks;
}

function classify(base: Pick<DocBlock, "file" | "line" | "lang" | "text" | "section">, previous: string): DocBlock {
  const block: DocBlock = {
    ...base,
    kind: KINDS[base.lang],
    notRun: undefined,
    clone: false,
    background: false,
    keep: false,
    problem: undefined,
  };
  const notRun = /^<!--\s*not-run:\s*(.*?)\s*-->$/.exec(previous.trim());
  const run = /^<!--\s*run:\s*(.*?)\s*-->$/.exec(previous.trim());
  if (notRun) {
    block.notRun = notRun[1]!;
    if (!block.notRun) block.problem = "not-run without a reason";
    return block;
  }
  if (run) {
    const words = run[1]!.split(/\s+/).filter(Boolean);
    const unknown = words.filter((word) => !RUN_WORDS.has(word));
    if (unknown.length) block.problem = `unknown run mode ${unknown.join(" ")}`;
    block.clone = words.includes("clone");
    block.background = words.includes("background");
    block.keep = words.includes("keep");
    if (block.keep && !block.background) block.problem = "keep applies to background blocks only";
    if (block.kind !== "shell") block.problem ??= "run: modes apply to shell blocks only";
  }
  if (!block.kind) block.problem ??= `a ${base.lang || "plain"} block is not run: mark it <!-- not-run: reason -->`;
  return block;
}

/** Every block of every documentation file. */
export function allBlocks(root = REPO_ROOT): DocBlock[] {
  return docFiles(root).flatMap((file) => parseBlocks(file, readFileSync(join(root, file), "utf8")));
}

/**
 * The `run:` commands of a GitHub Actions workflow (or a fragment of one), in order: `run: cmd`
 * on one line, or `run: |` followed by the lines indented deeper than the key.
 */
export function workflowRunLines(yaml: string): string[] {
  const lines = yaml.split("\n");
  const commands: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = /^(\s*)(?:-\s+)?run:\s*(.*)$/.exec(lines[i]!);
    if (!match) continue;
    const indent = match[1]!.length + (lines[i]!.trimStart().startsWith("- ") ? 2 : 0);
    const value = match[2]!.trim();
    if (value !== "|" && value !== "|-" && value !== ">") {
      commands.push(value);
      continue;
    }
    const body: string[] = [];
    while (i + 1 < lines.length && (lines[i + 1]!.trim() === "" || lines[i + 1]!.search(/\S/) > indent))
      body.push(lines[++i]!);
    const margin = Math.min(...body.filter((l) => l.trim()).map((l) => l.search(/\S/)));
    commands.push(
      body
        .map((l) => l.slice(margin))
        .join("\n")
        .trim(),
    );
  }
  return commands;
}

/** The fixed ports the docs use, replaced by free ones when run (a fixed port may be taken on a test machine). */
export const DOC_PORTS = ["4010", "4011"] as const;

export function withPorts(text: string, ports: Record<string, number>): string {
  return text.replace(/\b(4010|4011)\b/g, (port) => String(ports[port] ?? port));
}
