/**
 * Runs the Redocly CLI for the spec tasks, without the two banners it prints
 * on every run:
 *
 * - "Node.js 20 support is ending": @redocly/cli 2.x prints it whenever
 *   process.version is 20.x (lib/index.js, unconditionally: no flag, config
 *   key or environment variable turns it off), and this project runs on Node 20.
 * - "build-docs now renders docs with Redoc 3": printed by every build-docs
 *   run, also unconditionally.
 *
 * Exactly those boxes are dropped from stderr; everything else (problems,
 * totals, errors) passes through unchanged, and the exit code is Redocly's.
 *
 *   npm run lint:spec   →  tsx scripts/redocly.ts lint
 *   npm run docs:spec   →  tsx scripts/redocly.ts docs
 */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { exitWithUsageError, parseCommandLine } from "./cli-args.js";

/** Phrases that identify the boxes to drop; a box without one of them is kept. */
export const BANNERS = ["Node.js 20 support is ending", "build-docs now renders docs with Redoc 3"] as const;

/**
 * A line filter for Redocly's stderr: holds a box (╔ … ╚) until it is
 * complete, drops it when it is a known banner, together with the blank
 * lines around it.
 */
export function bannerFilter(write: (text: string) => void): { line(text: string): void; end(): void } {
  let box: string[] | undefined;
  let blanks: string[] = [];
  let afterDropped = false;
  const emit = (lines: string[]) => {
    if (lines.length) write(lines.map((l) => `${l}\n`).join(""));
  };
  return {
    line(text) {
      if (box) {
        box.push(text);
        if (/^\s*╚/.test(text)) {
          const block = box.join("\n");
          box = undefined;
          if (BANNERS.some((phrase) => block.includes(phrase))) {
            blanks = [];
            afterDropped = true;
          } else {
            emit([...blanks, ...block.split("\n")]);
            blanks = [];
            afterDropped = false;
          }
        }
        return;
      }
      if (/^\s*╔/.test(text)) {
        box = [text];
        return;
      }
      if (text.trim() === "") {
        if (!afterDropped) blanks.push(text);
        return;
      }
      afterDropped = false;
      emit([...blanks, text]);
      blanks = [];
    },
    end() {
      emit([...(box ?? []), ...(afterDropped ? [] : blanks)]);
      box = undefined;
      blanks = [];
    },
  };
}

const ROOT = resolve(import.meta.dirname, "..");
const TASKS = {
  lint: ["lint", "--config", "spec/redocly.yaml"],
  docs: ["build-docs", "generated/openapi.json", "--output", "docs-build/index.html"],
} as const;

/** Runs `redocly <args>` in the repository; resolves with its exit code. */
export function runRedocly(args: readonly string[], stdout = process.stdout, stderr = process.stderr): Promise<number> {
  return new Promise((done) => {
    const child = spawn(join(ROOT, "node_modules", ".bin", "redocly"), [...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        REDOCLY_TELEMETRY: "off",
        REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
        ...(stderr.isTTY ? { FORCE_COLOR: "1" } : {}),
      },
    });
    child.stdout.pipe(stdout, { end: false });
    const filter = bannerFilter((text) => stderr.write(text));
    let pending = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) filter.line(line);
    });
    child.on("error", (error) => {
      stderr.write(`could not run redocly: ${error.message}\n`);
      done(1);
    });
    child.on("close", (code) => {
      if (pending) filter.line(pending);
      filter.end();
      done(code ?? 1);
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { positionals } = parseCommandLine({
    usage: `usage: tsx scripts/redocly.ts <task>

  lint   redocly lint --config spec/redocly.yaml            (npm run lint:spec)
  docs   redocly build-docs → docs-build/index.html          (npm run docs:spec)

Redocly's Node 20 end-of-life and Redoc 3 banners are left out of the output.`,
    options: {},
    allowPositionals: true,
  });
  const task = positionals[0] as keyof typeof TASKS | undefined;
  if (positionals.length !== 1 || !task || !(task in TASKS)) exitWithUsageError("expected one task, lint or docs");
  process.exitCode = await runRedocly(TASKS[task]);
}
