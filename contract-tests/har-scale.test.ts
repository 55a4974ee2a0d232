/**
 * Issue 29 item 3: HAR checking scales with the cores and its memory does not
 * grow with the capture. A 200 MB capture peaks within a small bound of a 20 MB
 * one (both with worker threads; each run a process of its own), and with
 * `--jobs 2` the entries are parsed in the workers, not in the reading thread.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runConformance } from "../src/contract/cli.js";
import type { Recording } from "../src/contract/index.js";
import { loadCorpus } from "./lib/corpus.js";
import { harEntry, writeHar } from "./lib/synthetic-traffic.js";

const root = resolve(import.meta.dirname, "..");
const corpus = loadCorpus().map((e) => e.recording);
const good = loadCorpus().find((e) => e.name === "rooms/fetch-by-sid.json")!.recording;
const MB = 1024 * 1024;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "conformance-scale-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Mostly foreign traffic with 16 KB bodies (parsed, then skipped: cheap to check, so the test is quick) and one
 * Video API exchange in 50: the bytes go through the whole reading path while validation stays small.
 */
const padding = "p".repeat(16 * 1024);
const foreign: Recording = {
  request: { method: "GET", url: "https://cdn.example.com/app.js" },
  response: { status: 200, headers: { "content-type": "text/plain" }, body: padding },
};
const entry = (n: number) => harEntry(n % 50 === 0 ? good : foreign, n);

function measured(args: string[]): Promise<{ code: number; maxRssMb: number; stdout: string; stderr: string }> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return new Promise((done, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", tsx, join(root, "contract-tests/lib/measured-cli.ts"), ...args],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.on("error", reject);
    child.on("close", () => {
      try {
        done(JSON.parse(out.trim().split("\n").at(-1)!));
      } catch {
        reject(new Error(`the measured CLI printed no result: ${out.slice(0, 300)} ${err.slice(0, 600)}`));
      }
    });
  });
}

describe("HAR memory does not grow with the capture", () => {
  it("a 200 MB capture peaks within 40 MB of a 20 MB one, with --jobs 2", async () => {
    const smallEntries = writeHar(join(dir, "small.har"), 20 * MB, corpus, entry);
    const largeEntries = writeHar(join(dir, "large.har"), 200 * MB, corpus, entry);
    const small = await measured(["--jobs", "2", "small.har"]);
    const large = await measured(["--jobs", "2", "large.har"]);
    const checked = (stdout: string) => Number(/(\d+) recording\(s\)/.exec(stdout)?.[1]);
    expect(small.code).toBe(0);
    expect(large.code).toBe(0);
    expect(checked(small.stdout)).toBe(Math.ceil(smallEntries / 50));
    expect(checked(large.stdout)).toBe(Math.ceil(largeEntries / 50));
    expect(large.stdout).toContain(
      `skipped ${largeEntries - Math.ceil(largeEntries / 50)}: ${largeEntries - Math.ceil(largeEntries / 50)} not a Video API host`,
    );
    // Holding the capture, or a share of it that grows with it, would cost 180 MB more; the window in flight is fixed.
    expect(large.maxRssMb - small.maxRssMb).toBeLessThan(40);
  }, 300_000);
});

describe("--jobs 2 parses HAR entries in the worker threads", () => {
  it("the reading thread parses none of the entries, and the report matches one thread's", async () => {
    const entries = corpus.map((r, i) => harEntry(r, i));
    for (let i = 0; i < 20; i++) entries.push(...corpus.map((r, k) => harEntry(r, k)));
    writeFileSync(join(dir, "many.har"), JSON.stringify({ log: { version: "1.2", entries } }));
    const run = async (jobs: string) => {
      let stdout = "";
      const parse = vi.spyOn(JSON, "parse");
      try {
        const code = await runConformance(["--json", "--jobs", jobs, "many.har"], {
          stdout: (t) => (stdout += t),
          stderr: () => {},
          cwd: dir,
        });
        return { code, stdout, parses: parse.mock.calls.length };
      } finally {
        parse.mockRestore();
      }
    };
    const one = await run("1");
    const two = await run("2");
    expect(two.stdout).toBe(one.stdout);
    expect(JSON.parse(two.stdout).recordings).toBe(entries.length);
    // One thread parses every entry (and its body) itself; with workers, this thread parses next to nothing.
    expect(one.parses).toBeGreaterThanOrEqual(entries.length);
    expect(two.parses).toBeLessThan(entries.length / 20);
  }, 120_000);
});
