// README truth: every command in the README's shell blocks works exactly as
// written. Each one is classified below, and a command nobody classified fails
// the test, so a README edit cannot add an unchecked command:
//
//   run      executed here, exactly as written, in the repository
//   help     would need credentials, the network or a long run: executed with
//            `--help` appended, which proves the program exists and every flag
//            shown is one it accepts (parseArgs strict refuses the rest)
//   covered  checked by the named test, in the way the reason says
//   skipped  not run, for the reason given
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/core-bundle.js";

interface Verdict {
  how: "run" | "help" | "covered" | "skipped";
  /** Why it is not run as written (required for covered and skipped). */
  why?: string;
}

/** First matching rule wins. */
const RULES: Array<[RegExp, Verdict]> = [
  [/^npm ci$/, { how: "skipped", why: "reinstalls node_modules under the running tests; .ci/run runs exactly `npm ci && npm test` in a clean copy" }],
  [/^npm test$/, { how: "skipped", why: "this test is part of it" }],
  [/^npm start$/, { how: "covered", why: "test/emulator/scripts.test.ts runs scripts/start.ts (the start script, asserted below) and expects every step to pass" }],
  [/^npm start -- --live\b/, { how: "help", why: "needs Twilio credentials and the network" }],
  [/^npm start -- --help$/, { how: "run" }],
  [/^npm run (lint:spec|docs|docs:spec)$/, { how: "run" }],
  [/^npm run check:generated$/, { how: "covered", why: "the test script runs it before vitest (asserted below)" }],
  [/^npm run generate$/, { how: "covered", why: "rewrites the committed generated/; check:generated runs the same generation into a scratch folder and compares" }],
  [/^\$EDITOR /, { how: "skipped", why: "opens an editor" }],
  [/^npm install (--save-dev )?twilio-video-ts\b/, { how: "covered", why: "needs the registry; test/packaging/consumers.test.ts installs the packed tarball into CommonJS, ESM, TypeScript and edge projects" }],
  [/^npx twilio-video-conformance proxy /, { how: "covered", why: "a long-running proxy whose default upstream is Twilio: contract-tests/proxy.test.ts runs the proxy subcommand as a child process (traffic through it, SIGTERM, summary, exit code)" }],
  [/^npx twilio-video-conformance /, { how: "covered", why: "a consumer's command: test/packaging/consumers.test.ts runs each README line exactly as written in a project that installed the tarball" }],
  [/^npx twilio-video-emulator --port 4010 --clock manual$/, { how: "covered", why: "a fixed port may be taken on a test machine: test/emulator/bin.test.ts runs the bin's entry point (scripts/emulator.ts, whose build package.json names as the bin) with --port and --clock manual, and test/emulator/control-spec.test.ts serves the README's curl lines from it" }],
  [/^curl -fsS .* http:\/\/127\.0\.0\.1:4010\/(v1\/Rooms|_emulator\/\S+)$/, { how: "covered", why: "test/emulator/control-spec.test.ts runs the README's emulator curl block line by line, as written but for the port, against the emulator bin started with --clock manual, and expects exit 0 (curl -f) with nothing on stderr" }],
  [/^npm run bench(:\S+)?\b/, { how: "help", why: "a benchmark: minutes of CPU on a shared machine" }],
  [/^npm run (emulator|record|conformance|size)\b/, { how: "help", why: "a long-running server, live recording or a run over files the reader has: --help proves every flag shown is accepted" }],
];

interface Command {
  line: number;
  text: string;
}

/** The commands of every ```sh block: one per line, trailing `# comments` dropped. */
function readmeCommands(): Command[] {
  const lines = readFileSync(join(REPO_ROOT, "README.md"), "utf8").split("\n");
  const commands: Command[] = [];
  let inShell = false;
  lines.forEach((raw, index) => {
    if (/^```(sh|bash|shell|console)\s*$/.test(raw)) inShell = true;
    else if (inShell && raw.startsWith("```")) inShell = false;
    else if (inShell) {
      const text = raw.replace(/\s+#.*$/, "").replace(/^\$ /, "").trim();
      if (text && !text.startsWith("#")) commands.push({ line: index + 1, text });
    }
  });
  return commands;
}

function verdict(command: string): Verdict | undefined {
  return RULES.find(([pattern]) => pattern.test(command))?.[1];
}

/** `--help` appended so npm passes it to the script: after the script's own `--` if it has one. */
function withHelp(command: string): string {
  return /^npm (start|run \S+)( |$)/.test(command) && !command.includes(" -- ") ? `${command} -- --help` : `${command} --help`;
}

function sh(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(TWILIO_|VITEST|NODE_OPTIONS$)/.test(name)));
  return new Promise((resolve) => {
    execFile("bash", ["-c", command], { cwd: REPO_ROOT, env: { ...env, NO_COLOR: "1" }, timeout: 150_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const commands = readmeCommands();
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

describe("README commands", () => {
  it("the README has shell commands, and every one is classified", () => {
    expect(commands.length).toBeGreaterThan(5);
    expect(commands.filter((c) => !verdict(c.text)).map((c) => `README.md:${c.line} ${c.text}`)).toEqual([]);
    expect(RULES.filter(([, v]) => (v.how === "covered" || v.how === "skipped") && !v.why).map(([pattern]) => String(pattern))).toEqual([]);
  });

  it("the equivalences the `covered` verdicts rely on hold", () => {
    expect(manifest.scripts.start).toBe("tsx scripts/start.ts");
    expect(manifest.scripts.test).toMatch(/npm run check:generated && .*vitest run/);
    expect(manifest.scripts["check:generated"]).toBe("tsx scripts/generate.ts --check");
    expect(manifest.scripts.generate).toBe("tsx scripts/generate.ts");
  });

  it("the classification refuses what it does not know", () => {
    expect(verdict("npm run no-such-script")).toBeUndefined();
    expect(verdict("curl https://video.twilio.com")).toBeUndefined();
    expect(withHelp("npm run record -- --out dir rooms")).toBe("npm run record -- --out dir rooms --help");
    expect(withHelp("npm start")).toBe("npm start -- --help");
  });

  const runnable = commands.filter((c) => {
    const v = verdict(c.text);
    return v?.how === "run" || v?.how === "help";
  });
  // Distinct commands only: the same line twice in the README needs one run.
  const distinct = [...new Map(runnable.map((c) => [c.text, c])).values()];

  it.concurrent.each(distinct)("README.md:$line $text", async ({ text }) => {
    const how = verdict(text)!.how;
    const command = how === "help" ? withHelp(text) : text;
    const { code, stdout, stderr } = await sh(command);
    expect({ command, code, stderr: code === 0 ? "" : stderr }).toEqual({ command, code: 0, stderr: "" });
    if (how === "help") expect(stdout).toMatch(/^usage:/im);
  }, 180_000);
});

describe("README statements of fact", () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

  it("does not repeat Twilio's withdrawn end-of-life notice as current (regression: the README said Video takes no new customers and ends 2026-12-05)", () => {
    const status = readme.split("\n").filter((line) => line.startsWith(">")).join(" ");
    expect(status).not.toMatch(/accepts no new customers|no longer onboarding|can use it\s+until/i);
    // The status names its source, Twilio's Video FAQ, which says Video is supported and takes new customers.
    expect(status).toContain("https://www.twilio.com/docs/video/faq");
    expect(status).toMatch(/fully supported and accepts new customers/);
    expect(status).toMatch(/October 2024/);
  });
});
