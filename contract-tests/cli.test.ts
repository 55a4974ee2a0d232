/** The conformance CLI: output, --json, --strict, HAR, exit codes, progress. */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "../src/contract/cli.js";
import type { Recording } from "../src/contract/index.js";

const room = {
  sid: "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c",
  status: "in-progress",
  date_created: "2026-11-24T20:00:00Z",
  date_updated: "2026-11-24T20:00:00Z",
  account_sid: "AC0123456789abcdef0123456789abcdef",
  enable_turn: true,
  unique_name: "daily-standup",
  status_callback: null,
  status_callback_method: null,
  end_time: null,
  duration: null,
  type: "group",
  max_participants: 50,
  max_participant_duration: 14400,
  max_concurrent_published_tracks: 170,
  record_participants_on_connect: false,
  video_codecs: ["VP8", "H264"],
  media_region: "us1",
  audio_only: false,
  empty_room_timeout: 5,
  unused_room_timeout: 5,
  large_room: false,
  url: "https://video.twilio.com/v1/Rooms/RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c",
  links: {
    participants: "https://video.twilio.com/v1/Rooms/RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c/Participants",
    recordings: "https://video.twilio.com/v1/Rooms/RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c/Recordings",
  },
};
const good: Recording = {
  source: "test",
  request: { method: "GET", url: `https://video.twilio.com/v1/Rooms/${room.sid}` },
  response: { status: 200, body: room },
};
const bad: Recording = { ...good, response: { status: 200, body: { ...room, status: "paused" } } };
const drift: Recording = { ...good, response: { status: 200, body: { ...room, brand_new: 1 } } };

let dir: string;
const run = async (args: string[], tty = false) => {
  let stdout = "";
  let stderr = "";
  const code = await runConformance(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: dir,
    stderrIsTty: tty,
  });
  return { code, stdout, stderr };
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "conformance-"));
  mkdirSync(join(dir, "ok/nested"), { recursive: true });
  mkdirSync(join(dir, "mixed"));
  writeFileSync(join(dir, "ok/good.json"), JSON.stringify(good));
  writeFileSync(join(dir, "ok/nested/also-good.json"), JSON.stringify(good));
  writeFileSync(join(dir, "ok/notes.txt"), "ignored");
  writeFileSync(join(dir, "ok/recording.schema.json"), "{}"); // schemas are not recordings
  writeFileSync(join(dir, "mixed/bad.json"), JSON.stringify(bad));
  writeFileSync(join(dir, "mixed/broken.json"), "{ not json");
  writeFileSync(join(dir, "mixed/good.json"), JSON.stringify(good));
  writeFileSync(join(dir, "drift.json"), JSON.stringify(drift));
  const entry = (r: Recording) => ({
    request: { method: r.request.method, url: r.request.url, headers: [] },
    response: {
      status: r.response.status,
      headers: [{ name: "content-type", value: "application/json" }],
      content: { mimeType: "application/json", text: JSON.stringify(r.response.body) },
    },
  });
  writeFileSync(
    join(dir, "capture.har"),
    JSON.stringify({
      log: {
        version: "1.2",
        entries: [
          entry(good),
          {
            request: { method: "GET", url: "https://example.com/", headers: [] },
            response: { status: 200, headers: [], content: {} },
          },
          entry(bad),
        ],
      },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("conformance CLI", () => {
  it("exits 0 and prints a summary, with what it skipped and why, when everything conforms", async () => {
    const r = await run(["ok"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "2 file(s), 2 recording(s): 2 passed, 0 failed, 0 drift warning(s), 0 spec-too-strict warning(s)\nskipped 2: 1 not *.json, *.har, *.ndjson or *.jsonl, 1 a JSON Schema (*.schema.json)\n",
    );
  });

  it("exits 1 with one line per failure; unreadable JSON is a per-file failure", async () => {
    const r = await run(["mixed"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'FAIL mixed/bad.json [FetchRoom]\n  error   response.body/status: value is not one of the allowed values (expected "in-progress" | "completed" | "failed", found "paused")',
    );
    expect(r.stdout).toMatch(/FAIL mixed\/broken\.json\n {2}error {3}file: not valid JSON/);
    expect(r.stdout).toContain("3 file(s), 3 recording(s): 1 passed, 2 failed");
  });

  it("--json (= --reporter json) prints exactly one JSON document with the documented shape", async () => {
    const r = await run(["--json", "mixed", "ok/good.json"]);
    expect(r.code).toBe(1);
    expect((await run(["--reporter", "json", "mixed", "ok/good.json"])).stdout).toBe(r.stdout);
    const report = JSON.parse(r.stdout) as {
      files: number;
      passed: number;
      failed: number;
      results: {
        file: string;
        operationId: string | null;
        ok: boolean;
        errors: { where: string; message: string }[];
        warnings: unknown[];
      }[];
    };
    expect(report).toMatchObject({
      files: 4,
      recordings: 4,
      passed: 2,
      failed: 2,
      warnings: 0,
      specTooStrict: 0,
      skipped: { total: 0, reasons: {} },
      strict: false,
    });
    expect(report.results.map((x) => [x.file, x.operationId, x.ok])).toEqual([
      ["mixed/bad.json", "FetchRoom", false],
      ["mixed/broken.json", null, false],
      ["mixed/good.json", "FetchRoom", true],
      ["ok/good.json", "FetchRoom", true],
    ]);
    expect(report.results[0]!.errors[0]).toMatchObject({ where: "response.body/status", message: expect.any(String) });
  });

  it("reports drift as a warning, and as a failure with --strict", async () => {
    const lenient = await run(["drift.json"]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain(
      'WARN drift.json [FetchRoom]\n  warning response.body/brand_new: undocumented field "brand_new" (drift)',
    );
    const strict = await run(["--strict", "--json", "drift.json"]);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout).results[0].errors[0].where).toBe("response.body/brand_new");
  });

  it("reads HAR files: one result per Video API entry, foreign entries counted as skipped", async () => {
    const r = await run(["--json", "capture.har"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      files: number;
      skipped: unknown;
      results: { file: string; ok: boolean }[];
    };
    expect(report.files).toBe(1);
    expect(report.skipped).toEqual({ total: 1, reasons: { "not a Video API host": 1 } });
    expect(report.results.map((x) => [x.file, x.ok])).toEqual([
      ["capture.har#/log/entries/0", true],
      ["capture.har#/log/entries/2", false],
    ]);
  });

  it("accepts a configured base URL", async () => {
    writeFileSync(
      join(dir, "local.json"),
      JSON.stringify({ ...good, request: { method: "GET", url: `http://127.0.0.1:4010/v1/Rooms/${room.sid}` } }),
    );
    expect((await run(["local.json"])).code).toBe(1);
    expect((await run(["--base-url", "http://127.0.0.1:4010", "local.json"])).code).toBe(0);
  });

  it("exits 2 on usage errors with one clear line", async () => {
    const cases: [string[], RegExp][] = [
      [[], /no files or directories given/],
      [["does-not-exist"], /no such file or directory: does-not-exist/],
      [["--bogus", "ok"], /Unknown option '--bogus'/],
      [["--base-url"], /--base-url/],
      [["--base-url", "nope", "ok"], /--base-url nope is not a URL/],
      [["--reporter", "xml", "ok"], /--reporter must be one of text, json, junit, github/],
      [["--json", "--reporter", "junit", "ok"], /--json contradicts --reporter junit/],
      [["--jobs", "0", "ok"], /--jobs must be a whole number/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(/^twilio-video-conformance: [^\n]+\n$/);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stdout).toBe("");
    }
  });

  it("answers --help with the usage, exit 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: twilio-video-conformance/);
    for (const flag of ["--reporter", "--strict", "--allow-empty", "--base-url", "--spec", "--jobs", "--json"])
      expect(r.stdout).toContain(flag);
  });

  it("draws a progress line on stderr only when stderr is a terminal, keeping stdout clean", async () => {
    const big = join(dir, "big");
    mkdirSync(big);
    for (let i = 0; i < 600; i++) writeFileSync(join(big, `r${String(i).padStart(4, "0")}.json`), JSON.stringify(good));
    const piped = await run(["--json", "--jobs", "1", "big"]);
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout).passed).toBe(600);
    expect(piped.stderr).toBe("");
    const tty = await run(["--json", "--jobs", "1", "big"], true);
    expect(tty.stdout).toBe(piped.stdout);
    // Redrawn in place (\r + erase line), erased at the end; at least the first draw happens.
    expect(tty.stderr).toMatch(/^\r\u001b\[Kchecked \d+ recording\(s\) · [\d,]+\/s · \d+% of input/);
    expect(tty.stderr.endsWith("\r\u001b[K")).toBe(true);
  });

  it("runs as a script with real exit codes", async () => {
    const exec = promisify(execFile);
    const root = resolve(import.meta.dirname, "..");
    const tsx = join(root, "node_modules/.bin/tsx");
    const ok = await exec(tsx, [join(root, "scripts/conformance.ts"), join(dir, "ok")], { cwd: root });
    expect(ok.stdout).toContain("2 passed, 0 failed");
    await expect(
      exec(tsx, [join(root, "scripts/conformance.ts"), join(dir, "mixed")], { cwd: root }),
    ).rejects.toMatchObject({ code: 1 });
    await expect(
      exec(tsx, [join(root, "scripts/conformance.ts"), join(dir, "missing")], { cwd: root }),
    ).rejects.toMatchObject({ code: 2 });
  });

  it("a reader that leaves (| head) ends the run with 141, not an EPIPE stack", async () => {
    const root = resolve(import.meta.dirname, "..");
    const child = spawn(
      join(root, "node_modules/.bin/tsx"),
      [join(root, "scripts/conformance.ts"), join(dir, "mixed")],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout.destroy(); // closed before the CLI writes its first line
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    const code = await new Promise((r) => child.on("close", r));
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(141);
  });
});
