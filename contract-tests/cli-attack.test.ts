/**
 * Terminal and CI-log injection (issue 32): whatever a recording's file name,
 * URL, operation or body holds, the text and github reporters, the CLI's
 * stderr lines and the proxy's findings write it so that it cannot move the
 * cursor, set a title, ring the bell, reorder text or start a line of its
 * own (a `::error::` workflow command, or a line posing as ours). And every
 * pattern the CLI applies to input runs in linear time on 1 MiB of crafted
 * input.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "../src/contract/cli.js";
import { isDigits, terminalSafe, usageLine } from "../src/contract/command-line.js";
import type { Recording } from "../src/contract/index.js";
import { findingLine } from "../src/contract/proxy-cli.js";
import { githubData, githubProperty, xmlEscape } from "../src/contract/reporters.js";
import { PLAIN_HTTP_URL } from "../src/contract/schemas.js";
import { coerceScalar, parseForm } from "../src/contract/wire.js";

/** Everything a terminal or a log viewer acts on: C0 (tab aside) and C1 controls, DEL, line/paragraph separators, bidi controls. */
const ACTIVE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/;
/** An OSC title, a cursor move, a bell, a C1 CSI, a right-to-left override and a fake workflow command. */
const HOSTILE = "\u001b]0;pwned\u0007\u001b[2J\u001b[1;1H\u009b31m\u202eevil\r\n::error::forged\u2028::warning::also";

const room = JSON.parse(
  readFileSync(join(import.meta.dirname, "recordings/rooms/fetch-by-sid.json"), "utf8"),
) as Recording;

let dir: string;
const run = async (args: string[]) => {
  let stdout = "";
  let stderr = "";
  const code = await runConformance(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir });
  return { code, stdout, stderr };
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "conformance-attack-"));
  // Linux file names may hold any byte but / and NUL: the name itself is an attack.
  const folder = join(dir, `in\u001b[31m\n::error::x`);
  mkdirSync(folder);
  const body = { ...(room.response.body as object), status: HOSTILE, unique_name: "\u009b2J\u202e" };
  writeFileSync(
    join(folder, `rec\u0007\r\n::error file=a::b.json`),
    JSON.stringify({ ...room, response: { ...room.response, body } }),
  );
  const query = `${room.request.url}?x=${encodeURIComponent(HOSTILE)}`;
  writeFileSync(join(folder, "query.json"), JSON.stringify({ ...room, request: { ...room.request, url: query } }));
  writeFileSync(
    join(folder, "lines.ndjson"),
    `${JSON.stringify({ ...room, response: { ...room.response, body } })}\n{ "broken\u001b[2J\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("reporters under hostile input", () => {
  it("text: no active character, and every line is one of ours", async () => {
    const r = await run([dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(ACTIVE);
    for (const line of r.stdout.trimEnd().split("\n")) {
      expect(line).toMatch(
        /^(FAIL |WARN | {2}error {3}| {2}warning | {2}spec-too-strict |\d+ file\(s\), |skipped[: ]|spec-too-strict: the API)/,
      );
    }
    // The input is shown, escaped, not dropped.
    expect(r.stdout).toContain("in\\x1b[31m\\n::error::x/rec\\x07\\r\\n::error file=a::b.json");
    expect(r.stdout).toContain("\\u202e");
  });

  it("github: only our workflow commands start a line; messages and properties use %0A, %0D, %25", async () => {
    const r = await run(["--reporter", "github", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(ACTIVE);
    const lines = r.stdout.trimEnd().split("\n");
    const commands = lines.filter((l) => l.startsWith("::"));
    expect(commands.length).toBeGreaterThan(2);
    for (const line of commands) expect(line).toMatch(/^::(error|warning) file=[^:,]*,title=[^:,]*::/);
    for (const line of lines.filter((l) => !l.startsWith("::"))) expect(line).toMatch(/^(\d+ file\(s\), |skipped[: ])/);
    // The newline in the folder's name is GitHub's %0A inside the file property, not a line break.
    expect(r.stdout).toContain("/in\\x1b[31m%0A%3A%3Aerror%3A%3Ax/rec\\x07%0D%0A%3A%3Aerror file=a%3A%3Ab.json,title=");
  });

  it("json: the same values, with no active character left raw", async () => {
    const r = await run(["--json", dir]);
    expect(r.stdout).not.toMatch(ACTIVE);
    const report = JSON.parse(r.stdout) as { results: { errors: { found?: string }[] }[] };
    const found = report.results.flatMap((x) => x.errors.map((e) => e.found ?? ""));
    expect(found.some((f) => f.includes("\u009b31m\u202eevil"))).toBe(true);
  });

  it("junit stays well-formed XML text (no raw control characters XML forbids)", async () => {
    const r = await run(["--reporter", "junit", dir]);
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  });

  it("stderr lines: a hostile flag value or path is escaped", async () => {
    const r = await run(["--reporter", HOSTILE, "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(ACTIVE);
    expect(r.stderr.split("\n")).toHaveLength(2);
    const missing = await run([`no\u001b]0;t\u0007such`]);
    expect(missing.stderr).toBe("twilio-video-conformance: no such file or directory: no\\x1b]0;t\\x07such\n");
  });

  it("proxy findings: method, URL and message are escaped", () => {
    const line = findingLine({
      kind: "error",
      exchange: 1,
      method: "GET",
      url: `https://video.twilio.com/v1/Rooms/${HOSTILE}`,
      where: "response.body",
      message: HOSTILE,
      found: HOSTILE,
      fails: true,
    });
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(ACTIVE);
    expect(line.split("\n")).toHaveLength(2);
  });

  it("terminalSafe and githubData, one by one", () => {
    expect(terminalSafe("a\u001b[2Jb\tc\u009b\u202e\n\r")).toBe("a\\x1b[2Jb\tc\\x9b\\u202e\\n\\r");
    expect(githubData("50% done\r\nnext\u001b")).toBe("50%25 done%0D%0Anext\\x1b");
    expect(githubProperty("a:b,c\n")).toBe("a%3Ab%2Cc%0A");
    expect(usageLine("p", "bad \u0007")).toBe("p: bad \\x07 (see --help)\n");
  });
});

/** Runs `work` and returns its wall time in milliseconds. */
function timed(work: () => unknown): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

const MiB = 1 << 20;

describe("patterns the CLI applies to input, on 1 MiB of crafted input", () => {
  // Linear passes over 1 MiB take milliseconds; a backtracking pattern takes hours on
  // these inputs. The bound is far above the first (even on a loaded machine) and far below the second.
  const BOUND_MS = 10_000;
  const cases: [name: string, work: () => unknown][] = [
    ["terminalSafe: controls", () => terminalSafe("\u001b".repeat(MiB))],
    ["terminalSafe: plain text", () => terminalSafe("a".repeat(MiB))],
    ["githubData / githubProperty", () => githubProperty(githubData("%\r\n:,".repeat(MiB / 5)))],
    ["xmlEscape: lone surrogates", () => xmlEscape("\uD800".repeat(MiB))],
    ["xmlEscape: surrogate pairs", () => xmlEscape("\uD83D\uDE00".repeat(MiB / 2))],
    ["number wire format: digits then junk", () => coerceScalar({}, { type: "number" }, `${"1".repeat(MiB)}x`)],
    [
      "number wire format: digits, dot, digits, junk",
      () => coerceScalar({}, { type: "number" }, `${"1".repeat(MiB / 2)}.${"1".repeat(MiB / 2)}e`),
    ],
    ["integer wire format", () => coerceScalar({}, { type: "integer" }, `-${"9".repeat(MiB)}-`)],
    ["boolean wire format", () => coerceScalar({}, { type: "boolean" }, "true".repeat(MiB / 4))],
    ["form parsing: plus signs", () => parseForm(`a=${"+".repeat(MiB)}&b`)],
    ["form parsing: ampersands", () => parseForm("&=".repeat(MiB / 2))],
    ["plain URL check: long path then a space", () => PLAIN_HTTP_URL.test(`https://a${"/a".repeat(MiB / 2)} `)],
    ["plain URL check: long host then junk", () => PLAIN_HTTP_URL.test(`https://${"a.".repeat(MiB / 2)}:`)],
    ["digit check", () => isDigits(`${"1".repeat(MiB)}x`)],
  ];
  it.each(cases)("%s", (_name, work) => {
    expect(timed(work)).toBeLessThan(BOUND_MS);
  });

  it("a 1 MiB NDJSON line of crafted values and a 1 MiB file name check in bounded time", async () => {
    const long = {
      ...room,
      request: { ...room.request, url: `${room.request.url}?PageSize=${"9".repeat(MiB)}x` },
      response: { ...room.response, body: { ...(room.response.body as object), status: "\u001b".repeat(MiB) } },
    };
    writeFileSync(join(dir, "long.ndjson"), `${JSON.stringify(long)}\n`);
    const start = performance.now();
    const r = await run(["--reporter", "github", "long.ndjson"]);
    expect(performance.now() - start).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(ACTIVE);
  });
});
