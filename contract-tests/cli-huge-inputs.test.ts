/**
 * Issue 32 item 8: an input too large or too deep for one item (an NDJSON line
 * on disk or stdin, a HAR entry, a recording file, JSON nested millions deep)
 * ends as one failing result naming it, read in bounded memory and time, and
 * the run goes on. Each run is a process of its own (contract-tests/lib/
 * measured-cli.ts), so its peak RSS is its own; the bounds compare a huge input
 * with a small one, with a cap of 2 MiB (--max-item-mb) to keep the files small.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCorpus } from "./lib/corpus.js";
import { harEntry } from "./lib/synthetic-traffic.js";

const root = resolve(import.meta.dirname, "..");
const good = loadCorpus().find((e) => e.name === "rooms/fetch-by-sid.json")!.recording;
const HUGE = 96 * 1024 * 1024;
/**
 * A huge item must cost less than this over a small input's peak RSS: buffering it would cost over HUGE (twice
 * that as a string), while streaming leaves only chunks read and not yet collected. Two thirds of HUGE: a stdin
 * pipe read on a loaded machine measured 34 MB of uncollected chunks, which is noise, not buffering.
 */
const GROWTH_BOUND_MB = 64;

interface Measured {
  code: number;
  maxRssMb: number;
  seconds: number;
  stdout: string;
  stderr: string;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "conformance-huge-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI (JSON report, 2 MiB cap, one thread as the small run) in a child process; `stdinFile` is piped to it. */
function measured(args: string[], stdinFile?: string): Promise<Measured> {
  return new Promise((done, reject) => {
    const stdin = stdinFile === undefined ? "ignore" : openSync(stdinFile, "r");
    // tsx by its file URL: the child runs in the temp folder, where `--import tsx` would not resolve.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const child = spawn(
      process.execPath,
      [
        "--import",
        tsx,
        join(root, "contract-tests/lib/measured-cli.ts"),
        "--json",
        "--jobs",
        "1",
        "--max-item-mb",
        "2",
        ...args,
      ],
      { cwd: dir, stdio: [stdin, "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout!.on("data", (c) => (out += c));
    child.stderr!.on("data", (c) => (err += c));
    child.on("error", reject);
    child.on("close", () => {
      if (typeof stdin === "number") closeSync(stdin);
      try {
        done(JSON.parse(out.trim().split("\n").at(-1)!) as Measured);
      } catch {
        reject(new Error(`the measured CLI printed no result: ${out.slice(0, 300)} ${err.slice(0, 600)}`));
      }
    });
  });
}

/** Writes `head`, `size` bytes of `fill`, then `tail`, in slabs (the test itself stays small). */
function writeFilled(name: string, head: string, size: number, fill: string, tail: string): string {
  const path = join(dir, name);
  const fd = openSync(path, "w");
  writeSync(fd, head);
  const slab = Buffer.alloc(1 << 20, fill);
  for (let left = size; left > 0; left -= slab.length) writeSync(fd, slab, 0, Math.min(left, slab.length));
  writeSync(fd, tail);
  closeSync(fd);
  return path;
}

const results = (m: Measured) =>
  (JSON.parse(m.stdout) as { results: { file: string; ok: boolean; errors: { message: string }[] }[] }).results;
const line = JSON.stringify(good);
let small: Measured;

beforeAll(async () => {
  writeFileSync(join(dir, "small.ndjson"), `${line}\n${line}\n`);
  small = await measured(["small.ndjson"]);
  expect(small.code).toBe(0);
}, 120_000);

/** The huge run read its input in bounded memory and time, compared with the small one. */
function expectBounded(huge: Measured): void {
  expect(huge.stderr).toBe("");
  expect(huge.maxRssMb - small.maxRssMb).toBeLessThan(GROWTH_BOUND_MB);
  // Reading 96 MiB is a fraction of a second; the bound leaves room for a loaded 2-core machine.
  expect(huge.seconds).toBeLessThan(small.seconds * 10 + 30);
}

describe("an item over --max-item-mb is one failing result, read in bounded memory", () => {
  it("an NDJSON line longer than the cap fails with its line number; the lines after it are checked", async () => {
    writeFilled("long-line.ndjson", `${line}\n{"request":"`, HUGE, "x", `"}\n\n${line}\n`);
    const huge = await measured(["long-line.ndjson"]);
    expect(huge.code).toBe(1);
    expect(results(huge).map((r) => [r.file, r.ok])).toEqual([
      ["long-line.ndjson:1", true],
      ["long-line.ndjson:2", false],
      ["long-line.ndjson:4", true],
    ]);
    expect(results(huge)[1]!.errors[0]!.message).toBe(
      `line of ${HUGE + 14} bytes is longer than the 2 MiB limit (--max-item-mb); not read`,
    );
    expectBounded(huge);
  }, 120_000);

  it("a line without any newline, on stdin, fails alone", async () => {
    const path = writeFilled("no-newline.ndjson", `${line}\r\n`, HUGE, "[", "");
    const huge = await measured(["-"], path);
    expect(huge.code).toBe(1);
    expect(results(huge).map((r) => [r.file, r.ok])).toEqual([
      ["stdin:1", true],
      ["stdin:2", false],
    ]);
    expect(results(huge)[1]!.errors[0]!.message).toMatch(/^line of \d+ bytes is longer than the 2 MiB limit/);
    expectBounded(huge);
  }, 120_000);

  it("a HAR entry larger than the cap fails by its index; the entries around it are checked", async () => {
    const entry = (n: number) => JSON.stringify(harEntry(good, n));
    const head = `{"log":{"version":"1.2","entries":[${entry(0)},{"request":{"comment":"`;
    writeFilled("big-entry.har", head, HUGE, "y", `"}},${entry(2)}]}}`);
    const huge = await measured(["big-entry.har"]);
    expect(huge.code).toBe(1);
    expect(results(huge).map((r) => [r.file, r.ok])).toEqual([
      ["big-entry.har#/log/entries/0", true],
      ["big-entry.har#/log/entries/1", false],
      ["big-entry.har#/log/entries/2", true],
    ]);
    expect(results(huge)[1]!.errors[0]!.message).toMatch(
      /^entry of \d+ bytes is larger than the 2 MiB limit \(--max-item-mb\); not read$/,
    );
    expectBounded(huge);
  }, 120_000);

  it("a recording file larger than the cap, in a folder, is one failure and is never read whole", async () => {
    mkdirSync(join(dir, "recordings"));
    writeFileSync(join(dir, "recordings/a.json"), line);
    writeFilled(
      "recordings/b.json",
      `{"request":{"method":"GET","url":"https://video.twilio.com/v1/Rooms"},"response":{"status":200,"body":"`,
      HUGE,
      "z",
      '"}}',
    );
    const huge = await measured(["recordings"]);
    expect(huge.code).toBe(1);
    expect(results(huge).map((r) => [r.file, r.ok])).toEqual([
      ["recordings/a.json", true],
      ["recordings/b.json", false],
    ]);
    expect(results(huge)[1]!.errors[0]!.message).toBe(
      "not a HAR file (expected log.entries) (a file over 2 MiB is read as a HAR capture, never whole)",
    );
    expectBounded(huge);
  }, 120_000);
});

describe("JSON nested millions deep is one failing result, not a crash", () => {
  // 1.5 MiB of brackets per item: under the cap, so only the depth check stands between it and JSON.parse.
  const depth = 750_000;
  const deep = `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const body = (inner: string) =>
    `{"request":{"method":"GET","url":"https://video.twilio.com/v1/Rooms"},"response":{"status":200,"body":${inner}}}`;

  it("an NDJSON line, a recording file and a HAR entry, each next to a good one", async () => {
    writeFileSync(join(dir, "deep.ndjson"), `${body(deep)}\n${line}\n`);
    mkdirSync(join(dir, "deep"));
    writeFileSync(join(dir, "deep/a.json"), body(deep));
    writeFileSync(join(dir, "deep/b.json"), line);
    writeFileSync(
      join(dir, "deep.har"),
      `{"log":{"entries":[{"request":${deep}},${JSON.stringify(harEntry(good, 1))}]}}`,
    );
    const run = await measured(["deep.ndjson", "deep", "deep.har"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("");
    const got = results(run);
    expect(got.map((r) => [r.file, r.ok])).toEqual([
      ["deep.ndjson:1", false],
      ["deep.ndjson:2", true],
      ["deep/a.json", false],
      ["deep/b.json", true],
      ["deep.har#/log/entries/0", false],
      ["deep.har#/log/entries/1", true],
    ]);
    for (const r of got.filter((x) => !x.ok))
      expect(r.errors[0]!.message).toBe("JSON nested deeper than 256 levels; not checked");
    expect(run.maxRssMb - small.maxRssMb).toBeLessThan(GROWTH_BOUND_MB * 2);
  }, 120_000);
});

describe("--max-item-mb", () => {
  it("a recording file that grew past the cap after it was listed is refused unread", async () => {
    const { ItemChecker } = await import("../src/contract/check.js");
    const { createContractValidator } = await import("../src/contract/index.js");
    const path = writeFilled("grown.json", '{"request":"', 3 * 1024 * 1024, "g", '"}');
    const checker = new ItemChecker(createContractValidator(), [], { maxItemBytes: 2 * 1024 * 1024 });
    const outcome = checker.check({ t: "file", path, name: "grown.json" });
    expect(outcome.results).toHaveLength(1);
    expect(outcome.results[0]!.errors[0]!.message).toBe(
      `file of ${3 * 1024 * 1024 + 14} bytes is larger than the 2 MiB limit (--max-item-mb); not read`,
    );
    writeFileSync(join(dir, "ok.json"), line);
    expect(checker.check({ t: "file", path: join(dir, "ok.json"), name: "ok.json" }).results[0]!.ok).toBe(true);
  });

  it("refuses a value that is not a positive number of MiB", async () => {
    const { runConformance } = await import("../src/contract/cli.js");
    for (const value of ["0", "abc", "2000", "1e9"]) {
      let stderr = "";
      const code = await runConformance(["--max-item-mb", value, "x.json"], {
        stdout: () => {},
        stderr: (t) => (stderr += t),
        cwd: dir,
      });
      expect(code, value).toBe(2);
      expect(stderr).toContain("--max-item-mb must be a number above 0, at most 1024");
    }
  });
});
