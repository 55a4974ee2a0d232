/**
 * Regression tests for the conformance CLI, one per thing that broke (issue 10
 * and 12): it passed on nothing, printed stack traces for hostile input, hung
 * on a FIFO, lost files with non-UTF-8 names; and the streaming inputs (NDJSON
 * on disk and stdin, HAR, worker threads) that replaced whole-file parsing.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "../src/contract/cli.js";
import { kindOf } from "../src/contract/inputs.js";
import { Progress } from "../src/contract/progress.js";
import type { Recording } from "../src/contract/index.js";
import { loadCorpus } from "./lib/corpus.js";

const corpus = loadCorpus();
const good = corpus.find((e) => e.name === "rooms/fetch-by-sid.json")!.recording;
const sid = `RM${"5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c"}`;

let dir: string;
const run = async (args: string[], stdin?: Readable) => {
  let stdout = "";
  let stderr = "";
  const code = await runConformance(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: dir,
    ...(stdin ? { stdin } : {}),
  });
  return { code, stdout, stderr };
};
const harEntry = (r: Recording, content?: Record<string, unknown>) => ({
  request: { method: r.request.method, url: r.request.url, headers: [] },
  response: {
    status: r.response.status,
    headers: [{ name: "content-type", value: "application/json" }],
    content: content ?? { mimeType: "application/json", text: JSON.stringify(r.response.body) },
  },
});
const har = (entries: unknown[]) =>
  JSON.stringify({ log: { version: "1.2", creator: { name: "t", version: "1" }, entries } });
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "conformance-hardening-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("checking nothing is not a pass", () => {
  it("an empty folder exits 2, saying what was found and skipped", async () => {
    mkdirSync(join(dir, "empty"));
    const r = await run(["empty"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "twilio-video-conformance: nothing was checked: found 0 input file(s), 0 recordings; skipped: none. Pass --allow-empty to accept an empty run.\n",
    );
    expect((await run(["--allow-empty", "empty"])).code).toBe(0);
  });

  it("a folder of other files exits 2 and names what it skipped", async () => {
    mkdirSync(join(dir, "others"));
    writeFileSync(join(dir, "others/readme.txt"), "x");
    writeFileSync(join(dir, "others/recording.schema.json"), "{}");
    const r = await run(["others"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("skipped 2: 1 not *.json, *.har, *.ndjson or *.jsonl, 1 a JSON Schema (*.schema.json)");
    expect(r.stdout).toContain("skipped 2:");
  });

  it("a HAR with only foreign entries exits 2, counting the foreign entries", async () => {
    writeFileSync(
      join(dir, "foreign.har"),
      har([
        harEntry({ ...good, request: { method: "GET", url: "https://example.com/app.js" } }),
        harEntry({ ...good, request: { method: "GET", url: "https://api.twilio.com/2010-04-01/Accounts" } }),
      ]),
    );
    const r = await run(["--json", "foreign.har"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).skipped).toEqual({ total: 2, reasons: { "not a Video API host": 2 } });
    expect(r.stderr).toMatch(
      /nothing was checked: found 1 input file\(s\), 0 recordings; skipped 2: 2 not a Video API host/,
    );
  });
});

describe("hostile input is one failing result, never a stack trace", () => {
  it("a HAR entry with invalid base64 fails alone; the next entry is still checked", async () => {
    writeFileSync(
      join(dir, "base64.har"),
      har([
        harEntry(good, { mimeType: "application/json", encoding: "base64", text: "%%% not base64 %%%" }),
        harEntry(good),
      ]),
    );
    const r = await run(["--json", "base64.har"]);
    expect(r.code).toBe(1);
    noStack(r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    expect(report.results.map((x: { file: string; ok: boolean }) => [x.file, x.ok])).toEqual([
      ["base64.har#/log/entries/0", false],
      ["base64.har#/log/entries/1", true],
    ]);
    expect(report.results[0].errors[0].message).toBe("response.content.text is marked base64 but is not valid base64");
  });

  it("JSON nested 4,000 deep (a file, a HAR entry, an NDJSON line) fails with one line", async () => {
    const deep = `${"[".repeat(4000)}${"]".repeat(4000)}`;
    const text = JSON.stringify({ ...good, response: { ...good.response, body: { sid, x: 0 } } }).replace(
      '"x":0',
      `"x":${deep}`,
    );
    writeFileSync(join(dir, "deep.json"), text);
    writeFileSync(join(dir, "deep.ndjson"), `${text}\n${JSON.stringify(good)}\n`);
    writeFileSync(
      join(dir, "deep.har"),
      har([harEntry(good), harEntry(good)]).replace('"entries":[', `"entries":[{"request":${deep}},`),
    );
    for (const file of ["deep.json", "deep.ndjson", "deep.har"]) {
      const r = await run([file]);
      expect(r.code, file).toBe(1);
      noStack(r.stdout + r.stderr);
      expect(r.stdout, file).toMatch(/JSON nested deeper than 256 levels; not checked/);
    }
    expect((await run(["--json", "deep.ndjson"])).stdout).toMatch(/"passed": 1/);
    expect(JSON.parse((await run(["--json", "deep.har"])).stdout)).toMatchObject({
      recordings: 3,
      passed: 2,
      failed: 1,
    });
  });

  it("a --spec with an unresolvable $ref is a usage error with one clear line", async () => {
    const spec = JSON.parse(readFileSync(join(import.meta.dirname, "../generated/openapi.json"), "utf8"));
    spec.components.schemas.Room = { $ref: "#/components/schemas/NoSuchSchema" };
    writeFileSync(join(dir, "broken-spec.json"), JSON.stringify(spec));
    writeFileSync(join(dir, "one.json"), JSON.stringify(good));
    const r = await run(["--spec", "broken-spec.json", "one.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'twilio-video-conformance: --spec broken-spec.json: $ref "#/components/schemas/NoSuchSchema" at /components/schemas/Room does not resolve; bundle the spec first (redocly bundle) (see --help)\n',
    );
    for (const [content, message] of [
      ["{ nope", /--spec bad\.json: .*JSON/],
      ['{"openapi":"3.1.0"}', /no "paths" object/],
    ] as const) {
      writeFileSync(join(dir, "bad.json"), content);
      const bad = await run(["--spec", "bad.json", "one.json"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(message);
      expect(bad.stderr.split("\n")).toHaveLength(2);
    }
    expect((await run(["--spec", "missing.json", "one.json"])).stderr).toMatch(/--spec missing\.json: no such file/);
  });

  it("a spec schema ajv cannot compile is one spec problem naming the schema, and the run goes on", async () => {
    // A spec whose Room schema has a pattern ajv cannot compile: a problem of the spec, reported once (issue 29),
    // not a failure of every recording that reaches it; the other inputs are still checked.
    const spec = JSON.parse(readFileSync(join(import.meta.dirname, "../generated/openapi.json"), "utf8"));
    spec.components.schemas.Room = { type: "object", properties: { sid: { type: "string", pattern: "([" } } };
    writeFileSync(join(dir, "odd-spec.json"), JSON.stringify(spec));
    mkdirSync(join(dir, "two"));
    writeFileSync(join(dir, "two/a.json"), JSON.stringify(good));
    writeFileSync(join(dir, "two/b.json"), "not json");
    const r = await run(["--json", "--spec", "odd-spec.json", "two"]);
    expect(r.code).toBe(2);
    noStack(r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    expect(report.results).toHaveLength(1);
    expect(report.results[0].errors[0].message).toMatch(/^not valid JSON/);
    expect(report.skipped.reasons).toEqual({ "not checked: a schema of the spec cannot be compiled": 1 });
    expect(r.stderr).toMatch(
      /^twilio-video-conformance: --spec odd-spec\.json: the spec's schema at #\/components\/schemas\/Room\/properties\/sid cannot be compiled: [^\n]+; fix the spec\n$/,
    );
  });
});

describe("only regular files are read", () => {
  it("a FIFO named *.json does not hang the run: it is skipped and counted", async () => {
    mkdirSync(join(dir, "fifo"));
    execFileSync("mkfifo", [join(dir, "fifo/pipe.json")]);
    writeFileSync(join(dir, "fifo/real.json"), JSON.stringify(good));
    const r = await run(["--json", "fifo"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      recordings: 1,
      skipped: { total: 1, reasons: { "not a regular file (FIFO, socket or device)": 1 } },
    });
    const named = await run(["fifo/pipe.json"]);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain("1 not a regular file (FIFO, socket or device)");
  }, 10_000);

  it("a symlink back up the tree is walked once, not forever", async () => {
    mkdirSync(join(dir, "loop/inner"), { recursive: true });
    writeFileSync(join(dir, "loop/inner/r.json"), JSON.stringify(good));
    symlinkSync(join(dir, "loop"), join(dir, "loop/inner/up"));
    const r = await run(["--json", "loop"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      recordings: 1,
      skipped: { reasons: { "a directory already walked (symlink loop)": 1 } },
    });
  });

  it("a file whose name is not UTF-8 is checked, not reported missing", async () => {
    const folder = join(dir, "latin1");
    mkdirSync(folder);
    const name = Buffer.concat([
      Buffer.from(`${folder}/r\u00e9union-`),
      Buffer.from([0xe9, 0xff]),
      Buffer.from(".json"),
    ]);
    writeFileSync(name, JSON.stringify({ ...good, response: { ...good.response, status: 418 } }));
    const r = await run(["latin1"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL latin1/réunion-\\xe9\\xff.json");
    expect(r.stdout).not.toMatch(/cannot read|no such file/);
  });
});

describe("streaming input", () => {
  it("reads NDJSON files line by line, naming each line", async () => {
    writeFileSync(join(dir, "lines.ndjson"), `${JSON.stringify(good)}\n\n{ broken\n${JSON.stringify(good)}\n`);
    const r = await run(["--json", "lines.ndjson"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.results.map((x: { file: string; ok: boolean }) => [x.file, x.ok])).toEqual([
      ["lines.ndjson:1", true],
      ["lines.ndjson:3", false],
      ["lines.ndjson:4", true],
    ]);
    expect(report.skipped).toEqual({ total: 1, reasons: { "empty NDJSON line": 1 } });
  });

  it("reads NDJSON from stdin with -", async () => {
    const r = await run(["--json", "-"], Readable.from([`${JSON.stringify(good)}\n`, JSON.stringify(good)]));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ files: 1, recordings: 2, passed: 2 });
    expect(JSON.parse(r.stdout).results[1].file).toBe("stdin:2");
  });

  it("a truncated HAR keeps the entries read before the break and fails the file", async () => {
    const text = har([harEntry(good), harEntry(good)]);
    writeFileSync(join(dir, "truncated.har"), text.slice(0, text.length - 40));
    const r = await run(["--json", "truncated.har"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.results[0]).toMatchObject({ file: "truncated.har#/log/entries/0", ok: true });
    expect(report.results.at(-1)).toMatchObject({ file: "truncated.har", ok: false });
    expect(report.results.at(-1).errors[0].message).toMatch(/^cannot read HAR: /);
  });

  it("worker threads give the same report, in the same order, as one thread", async () => {
    mkdirSync(join(dir, "many"));
    const entries: unknown[] = [];
    corpus.forEach(({ recording }, i) => {
      writeFileSync(
        join(dir, "many", `${String(i).padStart(3, "0")}.json`),
        JSON.stringify(i % 7 === 3 ? { ...recording, response: { ...recording.response, status: 418 } } : recording),
      );
      entries.push(harEntry(recording, recording.response.body === null ? {} : undefined));
    });
    writeFileSync(join(dir, "many.har"), har(entries));
    writeFileSync(join(dir, "many.ndjson"), corpus.map(({ recording }) => JSON.stringify(recording)).join("\n"));
    const one = await run(["--json", "--jobs", "1", "many", "many.har", "many.ndjson"]);
    const two = await run(["--json", "--jobs", "2", "many", "many.har", "many.ndjson"]);
    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    expect(two.stderr).toBe("");
    expect(two.stdout).toBe(one.stdout);
    expect(JSON.parse(one.stdout).recordings).toBe(corpus.length * 3);
  }, 60_000);
});

describe("input kinds and the progress line", () => {
  it("streams a *.json too large to read whole as a HAR; knows NDJSON and skips schemas", () => {
    expect(kindOf("capture.json", 10_000)).toBe("json");
    expect(kindOf("capture.json", 65 * 1024 * 1024)).toBe("har");
    expect(kindOf("X.HAR", 1)).toBe("har");
    expect(kindOf("t.jsonl", 1)).toBe("ndjson");
    expect(kindOf("t.NDJSON", 1)).toBe("ndjson");
    expect(kindOf("recording.schema.json", 1)).toBeUndefined();
    expect(kindOf("notes.txt", 1)).toBeUndefined();
  });

  it("shows done, rate, share of input and ETA, at most 5 times a second", () => {
    let now = 0;
    let out = "";
    const p = new Progress(
      (t) => (out += t),
      1000,
      () => now,
    );
    now = 10_000;
    p.addBytes(250);
    p.recordingsDone(5_000);
    expect(out).toBe("\r\u001b[Kchecked 5,000 recording(s) · 500/s · 25% of input · ETA 30s");
    now = 10_100;
    p.recordingsDone(1);
    expect(out.split("\r").length).toBe(2); // not redrawn within 200 ms
    p.end();
    expect(out.endsWith("\r\u001b[K")).toBe(true);
    let later = 0;
    const unknownSize = new Progress(
      () => {},
      undefined,
      () => later,
    );
    later = 2_000;
    unknownSize.recordingsDone(10);
    expect(unknownSize.line()).toBe("checked 10 recording(s) · 5/s");
  });
});
