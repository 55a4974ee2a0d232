// Every recipe in the docs works exactly as written, the way a new user runs it: the package is
// packed once (its prepack builds dist/) and installed, offline, into one temporary app; each doc
// file then runs its blocks in order in a fresh directory of its own that uses that install
// (test/packaging/doc-blocks.ts says how a block is marked):
//
//   shell   bash -e -o pipefail, `npx` finding the package's bins in node_modules/.bin; `npm ci`
//           and `npm install …` lines are satisfied by the app's install (the named packages must
//           be in it: the test reaches no registry)
//   CI YAML every step's `run:` command, in order, as a shell block (the app's `npm test` sends
//           traffic through the client, as a user's integration tests would)
//   TS      all blocks type-checked together (strict, nodenext, Node-only lib), then each run with
//           node against an emulator of its own: the TWILIO_* credentials are the emulator's,
//           VIDEO_BASE_URL is its URL, and fetch calls to https://video.twilio.com reach it
//
// The fixed ports 4010 and 4011 become free ones. Nothing leaves 127.0.0.1.
import { spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/core-bundle.js";
import { packRepository } from "./pack.js";
import { allBlocks, DOC_PORTS, docFiles, type DocBlock, withPorts, workflowRunLines } from "./doc-blocks.js";

interface Manifest {
  name: string;
  files: string[];
  bin: Record<string, string>;
}
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as Manifest;
const blocks = allBlocks();
const runnable = (block: DocBlock) => !block.notRun && !block.problem && !block.clone;
const slug = (block: DocBlock) => `${block.file.replace(/\W+/g, "-")}-${block.line}`;

let root = "";
let app = "";
let tarballFiles: string[] = [];
let setupError = "";
let compileErrors: string[] = [];
const DEPS = ["openapi-fetch", "ajv", "ajv-formats", "@types/node"];

interface Outcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no developer credentials, no test runner or npm run settings; npm offline. */
function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(TWILIO_|VIDEO_|NODE_OPTIONS$|VITEST|npm_)/.test(name)),
  );
  return {
    ...env,
    PATH: `${join(app, ".shims")}:${env.PATH ?? ""}`,
    NO_COLOR: "1",
    npm_config_offline: "true",
    npm_config_update_notifier: "false",
    ...extra,
  };
}

/** Runs a command in its own process group; when it exits, whatever it left running in that group is ended. */
function run(file: string, args: string[], cwd: string, timeout = 120_000, env = environment()): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => killGroup(child.pid, "SIGKILL"), timeout);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      killGroup(child.pid, "SIGKILL");
      // Output may still be in the pipes for a moment after exit.
      setTimeout(() => resolve({ code, signal, stdout, stderr }), 50);
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  try {
    if (pid) process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---- the app ------------------------------------------------------------------------------

/** The docs' install lines: satisfied by the app's offline install, provided every named package is in it. */
const NPM_SHIM = `#!/usr/bin/env bash
case "$1" in
  ci|install|i|add)
    shift
    for arg in "$@"; do
      case "$arg" in -*) continue ;; esac
      name="\${arg%@*}"; [ -n "$name" ] || name="$arg"
      [ -e "node_modules/$name" ] || { echo "docs test: $arg is not installed in the test app" >&2; exit 1; }
    done
    exit 0 ;;
esac
exec "$DOCS_REAL_NPM" "$@"
`;

/** Forwards a request for https://video.twilio.com to `origin`; refuses every other non-loopback host. */
const REDIRECT = `
const realFetch = globalThis.fetch;
export function redirectFetch(origin) {
  return async (input, init) => {
    const request = new Request(input, init);
    const twilio = "https://video.twilio.com";
    const url = request.url.startsWith(twilio + "/") ? origin + request.url.slice(twilio.length) : request.url;
    const { host, hostname } = new URL(url);
    if (!["127.0.0.1", "localhost", "[::1]"].includes(hostname)) throw new TypeError("docs test: no network, " + host);
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    const { method, headers, redirect, signal } = request;
    return realFetch(url, { method, headers, body, redirect, signal });
  };
}
`;

/** Runs one compiled TypeScript block against an emulator of its own. */
const RUN_BLOCK = `
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { startEmulator } from "twilio-video-ts/emulator";
import { redirectFetch } from "./redirect.mjs";

const emulator = await startEmulator({ statusCallbacks: false });
Object.assign(process.env, {
  TWILIO_API_KEY_SID: emulator.credentials.apiKeySid,
  TWILIO_API_KEY_SECRET: emulator.credentials.apiKeySecret,
  TWILIO_ACCOUNT_SID: emulator.accountSid,
  TWILIO_AUTH_TOKEN: emulator.credentials.authToken,
  VIDEO_BASE_URL: emulator.url,
});
globalThis.fetch = redirectFetch(emulator.url);
try {
  await import(pathToFileURL(resolve(process.argv[2])).href);
} finally {
  await emulator.stop();
}
`;

/** The app's own \`npm test\`: traffic through the client into captures/ (or, given VIDEO_BASE_URL, sent there). */
const APP_TEST = `
import { appendFileSync, mkdirSync } from "node:fs";
import { createVideoClient } from "twilio-video-ts";
import { createRecordingMiddleware } from "twilio-video-ts/contract";
import { DEFAULT_CREDENTIALS, startEmulator } from "twilio-video-ts/emulator";
import { redirectFetch } from "./redirect.mjs";

const through = process.env.VIDEO_BASE_URL;
const record = (recording) => appendFileSync("captures/app.ndjson", JSON.stringify(recording) + "\\n");
const emulator = through ? undefined : await startEmulator({ statusCallbacks: false });
mkdirSync("captures", { recursive: true });
const video = createVideoClient({
  apiKeySid: DEFAULT_CREDENTIALS.apiKeySid,
  apiKeySecret: DEFAULT_CREDENTIALS.apiKeySecret,
  ...(through ? { baseUrl: through } : { fetch: redirectFetch(emulator.url) }),
  middleware: through ? [] : [createRecordingMiddleware({ onRecording: record })],
});
const room = await video.rooms.create({ UniqueName: "app-test-" + process.pid });
await video.rooms.all({ Status: "in-progress" });
await video.rooms.complete(room.sid);
await emulator?.stop();
`;

async function installApp(tarball: string): Promise<void> {
  app = join(root, "app");
  const installed = join(app, "node_modules", manifest.name);
  mkdirSync(installed, { recursive: true });
  for (const dep of DEPS) {
    mkdirSync(dirname(join(app, "node_modules", dep)), { recursive: true });
    symlinkSync(join(REPO_ROOT, "node_modules", dep), join(app, "node_modules", dep), "dir");
  }
  const untar = await run("tar", ["-xzf", tarball, "-C", installed, "--strip-components", "1"], app);
  if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  // What npm does for a dependency's bin: an executable target linked from node_modules/.bin.
  mkdirSync(join(app, "node_modules/.bin"));
  for (const [name, target] of Object.entries(manifest.bin)) {
    chmodSync(join(installed, target), 0o755);
    symlinkSync(join("..", manifest.name, target), join(app, "node_modules/.bin", name));
  }
  const dependencies = Object.fromEntries(DEPS.map((dep) => [dep, "*"]));
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({
      name: "docs-app",
      private: true,
      type: "module",
      scripts: { test: "node app-test.mjs" },
      devDependencies: { [manifest.name]: `file:${tarball}`, ...dependencies },
    }),
  );
  writeFileSync(join(app, "redirect.mjs"), REDIRECT);
  writeFileSync(join(app, "run-block.mjs"), RUN_BLOCK);
  writeFileSync(join(app, "app-test.mjs"), APP_TEST);
  mkdirSync(join(app, ".shims"));
  writeFileSync(join(app, ".shims/npm"), NPM_SHIM, { mode: 0o755 });
}

/** Type-checks and emits every TypeScript block into app/blocks/, one module each. */
function compileBlocks(): string[] {
  const dir = join(app, "blocks");
  mkdirSync(dir);
  const files = blocks
    .filter((b) => runnable(b) && b.kind === "ts")
    .map((b) => {
      writeFileSync(join(dir, `${slug(b)}.ts`), b.text);
      return join(dir, `${slug(b)}.ts`);
    });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    strict: true,
    skipLibCheck: true,
    outDir: dir,
    rootDir: dir,
  };
  const host = ts.createCompilerHost(options);
  host.getCurrentDirectory = () => app;
  const program = ts.createProgram({ rootNames: files, options, host });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  return diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n")[0];
    if (!d.file) return `TS${d.code}: ${text}`;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const name = d.file.fileName.replace(`${dir}/`, "").replace(/\.ts$/, "");
    const block = blocks.find((b) => slug(b) === name);
    return `${block ? `${block.file}:${block.line + 1 + line}` : d.file.fileName}: TS${d.code}: ${text}`;
  });
}

beforeAll(async () => {
  try {
    root = mkdtempSync(join(tmpdir(), "twilio-video-ts-docs-"));
    const tarball = await packRepository(join(root, "pack"));
    const list = await run("tar", ["-tzf", tarball], root);
    tarballFiles = list.stdout
      .split("\n")
      .filter(Boolean)
      .map((path) => path.replace(/^package\//, ""));
    await installApp(tarball);
    process.env.DOCS_REAL_NPM ??= (
      await run("bash", ["-c", "command -v npm"], root, 10_000, { ...process.env })
    ).stdout.trim();
    compileErrors = compileBlocks();
  } catch (error) {
    setupError = String(error);
  }
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

// ---- running a doc file --------------------------------------------------------------------

interface Background {
  block: DocBlock;
  pid: number;
  exited: Promise<{ code: number | null; signal: string | null }>;
  output: () => string;
}

async function startBackground(block: DocBlock, cwd: string, ports: Record<string, number>): Promise<Background> {
  const child = spawn("bash", ["-c", withPorts(block.text, ports)], {
    cwd,
    env: environment(),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<boolean>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("\n")) resolve(true);
    });
    void exited.then(() => resolve(false));
    setTimeout(() => resolve(false), 60_000);
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const background = { block, pid: child.pid!, exited, output: () => `${stdout}${stderr}` };
  if (!(await ready)) {
    killGroup(child.pid, "SIGKILL");
    throw new Error(`${block.file}:${block.line} did not print a line once listening:\n${background.output()}`);
  }
  return background;
}

/** Ctrl-C, as a reader stops a server: SIGINT to its process group, which must then exit, all of it, in time. */
async function stopBackground(background: Background): Promise<string | undefined> {
  const where = `${background.block.file}:${background.block.line}`;
  killGroup(background.pid, "SIGINT");
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 30_000));
  const result = await Promise.race([background.exited, timeout]);
  let problem: string | undefined;
  if (result === "timeout") problem = `${where} did not stop on Ctrl-C`;
  // Ended by SIGINT itself (npx re-raises it once its child has stopped), or the shell's 130 for that.
  else if (result.code !== 0 && result.code !== 130 && result.signal !== "SIGINT")
    problem = `${where} exited ${result.code ?? result.signal} on Ctrl-C:\n${background.output()}`;
  else {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (groupAlive(background.pid)) problem = `${where} left processes running after Ctrl-C:\n${background.output()}`;
  }
  killGroup(background.pid, "SIGKILL");
  return problem;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function failure(where: string, command: string, outcome: Outcome): string | undefined {
  if (outcome.code === 0) return undefined;
  const output = `${outcome.stdout.slice(-2000)}${outcome.stderr.slice(-4000)}`;
  return `${where} exit ${outcome.code ?? outcome.signal}: ${command}\n${output}`;
}

/** Runs every runnable block of `file` in order in a directory of its own; answers what failed. */
async function runDoc(file: string): Promise<string[]> {
  const dir = join(root, "runs", file.replace(/\W+/g, "-"));
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(app, "node_modules"), join(dir, "node_modules"), "dir");
  for (const name of ["package.json", "redirect.mjs", "run-block.mjs", "app-test.mjs"])
    cpSync(join(app, name), join(dir, name));
  cpSync(join(app, "blocks"), join(dir, "blocks"), { recursive: true });
  const ports = Object.fromEntries(await Promise.all(DOC_PORTS.map(async (port) => [port, await freePort()] as const)));
  const failures: string[] = [];
  let running: Background[] = [];
  let section = -1;
  const stop = async (all: boolean) => {
    const stopping = running.filter((background) => all || !background.block.keep).reverse();
    running = running.filter((background) => !stopping.includes(background));
    for (const background of stopping) {
      const problem = await stopBackground(background);
      if (problem) failures.push(problem);
    }
  };
  try {
    for (const block of blocks.filter((b) => b.file === file && runnable(b))) {
      if (block.section !== section) await stop(false);
      section = block.section;
      const where = `${block.file}:${block.line}`;
      if (block.background) running.push(await startBackground(block, dir, ports));
      else if (block.kind === "shell") {
        const text = withPorts(block.text, ports);
        const problem = failure(where, text, await run("bash", ["-e", "-o", "pipefail", "-c", text], dir));
        if (problem) failures.push(problem);
      } else if (block.kind === "ci") {
        for (const command of workflowRunLines(block.text)) {
          const text = withPorts(command, ports);
          const problem = failure(
            `${where} (run: step)`,
            text,
            await run("bash", ["-e", "-o", "pipefail", "-c", text], dir),
          );
          if (problem) failures.push(problem);
        }
      } else {
        const problem = failure(
          where,
          `node run-block.mjs blocks/${slug(block)}.js`,
          await run(process.execPath, ["run-block.mjs", `blocks/${slug(block)}.js`], dir),
        );
        if (problem) failures.push(problem);
      }
    }
  } catch (error) {
    failures.push(String(error));
  } finally {
    await stop(true);
  }
  return failures;
}

// ---- the tests -----------------------------------------------------------------------------

describe("doc blocks", () => {
  it("every block is run, or says why not", () => {
    expect(blocks.length).toBeGreaterThan(20);
    expect(blocks.filter((b) => b.problem).map((b) => `${b.file}:${b.line} ${b.problem}`)).toEqual([]);
  });

  it("the classification refuses what it does not know", async () => {
    const { parseBlocks } = await import("./doc-blocks.js");
    const parsed = parseBlocks(
      "x.md",
      [
        "```json\n{}\n```\n",
        "<!-- not-run: -->\n```sh\nls\n```",
        "<!-- run: sometimes -->\n```sh\nls\n```",
        "<!-- run: background -->\n```ts\nx\n```\n",
      ].join("\n"),
    );
    expect(parsed.map((b) => b.problem)).toEqual([
      "a json block is not run: mark it <!-- not-run: reason -->",
      "not-run without a reason",
      "unknown run mode sometimes",
      "run: modes apply to shell blocks only",
    ]);
    expect(
      workflowRunLines("steps:\n  - run: npm ci\n  - name: x\n    run: |\n      a\n        b\n      c\n  - uses: y\n"),
    ).toEqual(["npm ci", "a\n  b\nc"]);
    expect(withPorts("curl http://127.0.0.1:4010/x :4011 14010", { "4010": 5, "4011": 6 })).toBe(
      "curl http://127.0.0.1:5/x :6 14010",
    );
  });

  it("the package packs and installs, and every TypeScript block type-checks", () => {
    expect(setupError).toBe("");
    expect(compileErrors).toEqual([]);
  });

  const files = docFiles().filter((file) => blocks.some((b) => b.file === file && runnable(b)));
  it.concurrent.each(files)(
    "%s: every block runs as written",
    async (file) => {
      expect(setupError).toBe("");
      expect(await runDoc(file)).toEqual([]);
    },
    300_000,
  );
});

// ---- paths and links ----------------------------------------------------------------------

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6}\s+(.*)$/gm)) {
    found.add(
      match[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    );
  }
  return found;
}

describe("paths the docs and --help texts name", () => {
  const texts = docFiles().map((file) => [file, readFileSync(join(REPO_ROOT, file), "utf8")] as const);
  const shipped = (path: string) =>
    tarballFiles.includes(path) || tarballFiles.some((file) => file.startsWith(`${path.replace(/\/$/, "")}/`));

  it("every node_modules/twilio-video-ts/… path is in the tarball (regression: README cp of generated/)", () => {
    expect(setupError).toBe("");
    const named = texts.flatMap(([file, text]) =>
      [...text.matchAll(/node_modules\/twilio-video-ts\/([\w./-]*[\w/])/g)].map((m) => [file, m[1]!] as const),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter(([, path]) => !shipped(path)).map(([file, path]) => `${file}: ${path}`)).toEqual([]);
  });

  it("every file the bins' --help name is in the tarball (regression: docs/emulator-control.md missing)", async () => {
    expect(setupError).toBe("");
    const helps = await Promise.all(
      [
        ["twilio-video-emulator"],
        ["twilio-video-conformance"],
        ["twilio-video-conformance", "proxy"],
        ["twilio-video-conformance", "diff"],
      ].map(async ([bin, ...sub]) => {
        const outcome = await run(join(app, "node_modules/.bin", bin!), [...sub, "--help"], app, 60_000);
        expect(outcome.code, `${bin} ${sub.join(" ")} --help`).toBe(0);
        return outcome.stdout;
      }),
    );
    const named = helps.flatMap((text) =>
      [...text.matchAll(/\b((?:docs|spec|dist)\/[\w./-]+\.(?:md|ya?ml|json))\b/g)].map((m) => m[1]!),
    );
    expect(named).toContain("docs/emulator-control.md");
    expect(named.filter((path) => !shipped(path))).toEqual([]);
  });

  it("every relative link resolves (in the tarball, for the docs it ships), anchors included", () => {
    expect(setupError).toBe("");
    const broken: string[] = [];
    for (const [file, text] of texts) {
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!;
        if (/^[a-z]+:/i.test(target)) continue;
        const [path, anchor] = target.split("#") as [string, string | undefined];
        const resolved = path ? posix.normalize(posix.join(posix.dirname(file), path)) : file;
        if (!existsSync(join(REPO_ROOT, resolved))) broken.push(`${file}: ${target} (no ${resolved})`);
        else if (shipped(file) && !shipped(resolved))
          broken.push(`${file}: ${target} (${resolved} is not in the package)`);
        else if (
          anchor &&
          resolved.endsWith(".md") &&
          !anchors(readFileSync(join(REPO_ROOT, resolved), "utf8")).has(anchor)
        )
          broken.push(`${file}: ${target} (no heading #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("the README is a landing page", () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

  it("is short, and links every guide", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(250);
    const guides = docFiles().filter((file) => file.startsWith("docs/"));
    expect(guides.filter((file) => !readme.includes(`](${file})`))).toEqual([]);
    expect(readme).toContain("](CONTRIBUTING.md)");
  });

  it("keeps the script-written blocks between their markers", () => {
    for (const marker of ["operations", "bench", "conformance-bench"]) {
      expect(readme).toMatch(new RegExp(`<!-- ${marker}:start [^\\n]*-->\\n[\\s\\S]+?\\n<!-- ${marker}:end -->`));
    }
  });

  // Regression: the README said Video takes no new customers and ends 2026-12-05.
  it("does not repeat Twilio's withdrawn end-of-life notice as current", () => {
    const status = readme
      .split("\n")
      .filter((line) => line.startsWith(">"))
      .join(" ");
    expect(status).not.toMatch(/accepts no new customers|no longer onboarding|can use it\s+until/i);
    // The status names its source, Twilio's Video FAQ, which says Video is supported and takes new customers.
    expect(status).toContain("https://www.twilio.com/docs/video/faq");
    expect(status).toMatch(/fully supported and accepts new customers/);
    expect(status).toMatch(/October 2024/);
  });
});
