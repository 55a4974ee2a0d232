/**
 * Property-based fuzzing of the conformance CLI's inputs: arbitrary file
 * contents, HAR shapes and NDJSON lines, under arbitrary file names. Whatever
 * the input, the run ends with exit 0, 1 or 2, prints no stack trace, and
 * every JSON report parses.
 */
import fc from "fast-check";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "../src/contract/cli.js";
import { loadCorpus } from "./lib/corpus.js";

const corpus = loadCorpus().map((e) => e.recording);
let root: string;
let n = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "conformance-fuzz-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const STACK = /\n\s+at .+[:(]\d+:\d+|node:internal|TypeError|RangeError|ReferenceError/;

const fileName = fc
  .tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom(".json", ".har", ".ndjson", ".jsonl", ".txt", ""))
  .map(([base, ext]) => `${base.replace(/[/\0]/g, "_")}${ext}`)
  .filter((name) => name !== "." && name !== "..");

const url = fc.oneof(
  fc.constantFrom(
    "https://video.twilio.com/v1/Rooms",
    `https://video.twilio.com/v1/Rooms/RM${"a".repeat(32)}`,
    "https://video.twilio.com/v1/Compositions?PageSize=5",
    "https://example.com/x",
    "not a url",
    "https://video.twilio.com/v1/Rooms/%E0%A4%A",
  ),
  fc.webUrl(),
  fc.string(),
);
const header = fc.record({
  name: fc.oneof(fc.string(), fc.constant("content-type")),
  value: fc.oneof(fc.string(), fc.constant("application/json")),
});
const harEntry = fc.oneof(
  fc.record(
    {
      request: fc.record(
        {
          method: fc.oneof(fc.constantFrom("GET", "POST", "DELETE"), fc.string()),
          url,
          headers: fc.oneof(fc.array(header, { maxLength: 3 }), fc.anything()),
          postData: fc.oneof(
            fc.record({ text: fc.string() }),
            fc.record({ params: fc.array(fc.record({ name: fc.string(), value: fc.anything() }), { maxLength: 3 }) }),
            fc.anything(),
          ),
        },
        { requiredKeys: ["method", "url"] },
      ),
      response: fc.record(
        {
          status: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.anything()),
          headers: fc.array(header, { maxLength: 3 }),
          content: fc.oneof(
            fc.record({
              mimeType: fc.constantFrom("application/json", "text/plain"),
              text: fc.string(),
              encoding: fc.constantFrom("base64", "utf8"),
            }),
            fc.anything(),
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const recordingLike = fc.oneof(
  fc.constantFrom(...corpus),
  fc.jsonValue(),
  fc.record({
    request: fc.record({ method: fc.string(), url }),
    response: fc.record({ status: fc.anything(), body: fc.jsonValue() }),
  }),
);

/** One file's contents: arbitrary text or bytes, a corrupted real recording, or a HAR of arbitrary entries. */
const contents = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }),
  recordingLike.map((r) => JSON.stringify(r) ?? "null"),
  fc.tuple(recordingLike, fc.nat()).map(([r, cut]) => {
    const text = JSON.stringify(r) ?? "";
    return text.slice(0, cut % (text.length + 1));
  }),
  fc.array(harEntry, { maxLength: 4 }).map((entries) => JSON.stringify({ log: { version: "1.2", entries } })),
  fc.anything().map((log) => JSON.stringify({ log }) ?? ""),
  fc.array(recordingLike, { maxLength: 4 }).map((lines) => lines.map((l) => JSON.stringify(l) ?? "").join("\n")),
);

describe("conformance CLI fuzz", () => {
  it("never crashes, never prints a stack trace, always answers 0, 1 or 2", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fileName, contents), {
          minLength: 1,
          maxLength: 4,
          selector: ([name]) => name.toLowerCase(),
        }),
        fc.constantFrom("text", "json", "junit", "github"),
        fc.boolean(),
        async (files, reporter, strict) => {
          const dir = join(root, String(n++));
          mkdirSync(dir);
          for (const [name, data] of files) writeFileSync(join(dir, name), data);
          let stdout = "";
          let stderr = "";
          const code = await runConformance(
            ["--reporter", reporter, ...(strict ? ["--strict"] : []), "--jobs", "1", dir],
            { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: root },
          );
          expect([0, 1, 2]).toContain(code);
          expect(stderr).not.toMatch(STACK);
          if (reporter === "json") {
            const report = JSON.parse(stdout) as {
              recordings: number;
              passed: number;
              failed: number;
              skipped: { total: number };
            };
            // Checking nothing (an empty NDJSON file, a HAR of foreign entries) is exit 2, and only that is.
            expect(code === 2).toBe(report.recordings === 0);
            expect(report.passed + report.failed).toBe(report.recordings);
          } else {
            expect(stdout).not.toMatch(/\n\s+at .+[:(]\d+:\d+|node:internal/);
          }
          if (code === 2) expect(stderr).toMatch(/^twilio-video-conformance: nothing was checked: /);
        },
      ),
      { numRuns: 120 },
    );
  }, 60_000);
});
