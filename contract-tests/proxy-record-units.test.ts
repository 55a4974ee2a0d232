/**
 * The record and out steps of the capture proxy (record.ts, out-file.ts), socket-free: the edges the
 * mutation run of issue 32 found untested. A fake checker hands the Recorder exactly the problems a test
 * needs (drift, spec-too-strict, with and without expected/found), so each rule is attacked on its own.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ItemChecker } from "../src/contract/check.js";
import { Capture } from "../src/contract/proxy/capture.js";
import type { ProxyExchange, ProxyFinding, ProxyOptions, ProxySummary } from "../src/contract/proxy/options.js";
import { settingsOf } from "../src/contract/proxy/options.js";
import { harEntry, OutFile } from "../src/contract/proxy/out-file.js";
import { credentialsOf, Recorder, type Finished } from "../src/contract/proxy/record.js";
import type { ContractValidator, Problem, Recording, RecordingResult } from "../src/contract/types.js";

const dir = mkdtempSync(join(tmpdir(), "proxy-record-units-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = "https://video.twilio.com";
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
const captured = (text: string, cap = 1024) => {
  const c = new Capture(cap);
  if (text.length > 0) c.add(Buffer.from(text));
  return c;
};
const finished = (over: Partial<Finished> = {}): Finished => ({
  exchange: 3,
  method: "GET",
  url: new URL(`${base}/v1/Rooms`),
  started: new Date(),
  requestHeaders: {},
  request: captured(""),
  status: 200,
  responseHeaders: { "content-type": "application/json" },
  response: captured("{}"),
  httpVersion: "1.1",
  notRewritten: false,
  ...over,
});
const verdict = (over: Partial<RecordingResult> = {}): RecordingResult => ({
  operationId: "ListRoom",
  ok: true,
  errors: [],
  warnings: [],
  specTooStrict: [],
  ...over,
});

/** A Recorder whose checker answers `result` (and records the labels it was given). */
function make(result: RecordingResult | undefined, options: ProxyOptions = {}, out?: OutFile) {
  const settings = settingsOf({ upstream: base, ...options });
  const labels: string[] = [];
  const checker = {
    validate: (_r: unknown, label: string) => {
      labels.push(label);
      return result;
    },
  } as unknown as ItemChecker;
  const validator = {
    matchOperation: (_m: string, url: string) => (url.includes("/v1/Rooms") ? { operationId: "Matched" } : undefined),
  } as unknown as ContractValidator;
  const counts: ProxySummary = { exchanges: 0, recorded: 0, aborted: 0, findings: {}, failed: 0, strict: false };
  const findings: ProxyFinding[] = [];
  const exchanges: ProxyExchange[] = [];
  const merged = {
    onFinding: (f: ProxyFinding) => findings.push(f),
    onExchange: (e: ProxyExchange) => exchanges.push(e),
  };
  const recorder = new Recorder(settings, validator, checker, { ...merged, ...options }, counts, out);
  return { recorder, counts, findings, exchanges, labels };
}

describe("credentialsOf", () => {
  it("the header, its token, and a password only for Basic; surrounding blanks ignored", () => {
    expect(credentialsOf("  Bearer tok-123  ")).toEqual(["  Bearer tok-123  ", "tok-123"]);
    const encoded = Buffer.from("user:pass-word").toString("base64");
    expect(credentialsOf(`Bearer ${encoded}`)).toEqual([`Bearer ${encoded}`, encoded]);
    expect(credentialsOf(`bAsIc ${encoded}`)).toEqual([`bAsIc ${encoded}`, encoded, "pass-word"]);
    expect(credentialsOf("   ")).toEqual(["   ", ""]);
    expect(credentialsOf(undefined)).toEqual([]);
  });
});

describe("Recorder, rule by rule", () => {
  it("drift and spec-too-strict: reported with kind, operation and problem; they fail only when strict", async () => {
    const drift: Problem = { where: "response.body/extra", message: "undocumented field", found: "1" };
    const tooStrict: Problem = { where: "response.status", message: "2xx to an invalid request", expected: "4xx" };
    for (const strict of [false, true]) {
      const { recorder, findings, counts } = make(verdict({ warnings: [drift], specTooStrict: [tooStrict] }), {
        strict,
      });
      await recorder.record(finished(), recorder.redactorFor(undefined));
      const common = { exchange: 3, method: "GET", url: `${base}/v1/Rooms`, operationId: "ListRoom", fails: strict };
      expect(findings).toEqual([
        { kind: "warning", ...common, ...drift },
        { kind: "spec-too-strict", ...common, ...tooStrict },
      ]);
      expect("expected" in findings[0]!).toBe(false);
      expect("found" in findings[1]!).toBe(false);
      expect(counts.failed).toBe(strict ? 2 : 0);
      expect(counts.findings).toEqual({ warning: 1, "spec-too-strict": 1 });
    }
  });

  it("a clean exchange: no finding, the description as is, validated under its exchange's label", async () => {
    const { recorder, findings, exchanges, labels } = make(verdict());
    await recorder.record(finished(), recorder.redactorFor(undefined));
    expect(findings).toEqual([]);
    expect(labels).toEqual(["exchange 3"]);
    expect(exchanges[0]!.recording.description).toBe("GET /v1/Rooms");
  });

  it("both bodies over the cap: one finding naming both; an unmatched path has operationId null", async () => {
    const { recorder, findings, exchanges, labels } = make(verdict(), { maxBodyBytes: 4 });
    const url = new URL(`${base}/v9/Nowhere`);
    await recorder.record(
      finished({ url, request: captured("123456", 4), response: captured("1234567", 4) }),
      recorder.redactorFor(undefined),
    );
    expect(labels).toEqual([]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: "body-too-large", operationId: null, where: "request.body" });
    expect(findings[0]!.message).toBe(
      "request body of 6 bytes and response body of 7 bytes forwarded but not recorded or validated (cap 4 bytes)",
    );
    expect(exchanges[0]!.recording.description).toBe(
      "GET /v9/Nowhere (not validated: request body of 6 bytes, response body of 7 bytes over the 4-byte cap)",
    );
    const { recorder: r2, findings: f2 } = make(verdict(), { maxBodyBytes: 4 });
    await r2.record(finished({ request: captured("123456", 4) }), r2.redactorFor(undefined));
    expect(f2[0]).toMatchObject({ operationId: "Matched" });
  });

  it("a JSON content type with a body that is not JSON is recorded as its text", async () => {
    const { recorder, exchanges } = make(verdict());
    await recorder.record(finished({ response: captured("{not json") }), recorder.redactorFor(undefined));
    await recorder.record(
      finished({ response: captured('{"a":1}'), responseHeaders: {} }),
      recorder.redactorFor(undefined),
    );
    expect(exchanges.map((e) => e.recording.response.body)).toEqual(["{not json", '{"a":1}']);
  });

  it("the result given to onExchange is scrubbed of the exchange's credentials", async () => {
    const leak: Problem = { where: "response.body/message", message: "echo pass-word-123456" };
    const { recorder, exchanges } = make(verdict({ errors: [leak] }));
    const auth = basic("SKx", "pass-word-123456");
    await recorder.record(finished({ requestHeaders: { authorization: auth } }), recorder.redactorFor(auth));
    expect(exchanges[0]!.result?.errors[0]?.message).toBe("echo REDACTED");
    expect(exchanges[0]!.result?.operationId).toBe("ListRoom");
  });

  it("an exchange's own credentials stay hunted however many other secrets it brings", () => {
    const { recorder } = make(verdict());
    const r = recorder.redactorFor(basic("SKx", "pinned-password-1"));
    for (let i = 0; i < 200; i++) r.learn(`other-secret-value-${i}`);
    expect(r.scrubText("pinned-password-1")).toBe("REDACTED");
  });

  it("a credential seen again is not stored twice: it does not push an older one out", async () => {
    const { recorder } = make(verdict());
    const send = (password: string) =>
      recorder.record(
        finished({ requestHeaders: { authorization: basic("SKa", password) } }),
        recorder.redactorFor(undefined),
      );
    await send("first-secret-0000");
    await send("again-secret-0000");
    await send("again-secret-0000");
    for (let i = 1; i <= 6; i++) await send(`later-secret-000${i}`);
    // 8 distinct exchanges' credentials: the first is still remembered.
    expect(recorder.redactorFor(undefined).scrubText("first-secret-0000")).toBe("REDACTED");
  });

  it("HAR out: the entry is built from the redacted recording", async () => {
    const path = join(dir, "rec.har");
    const out = await OutFile.open(path, "har");
    const { recorder } = make(verdict(), {}, out);
    await recorder.record(finished(), recorder.redactorFor(undefined));
    await out.close();
    const har = JSON.parse(readFileSync(path, "utf8")) as { log: { entries: Array<{ request: { url: string } }> } };
    expect(har.log.entries.map((e) => e.request.url)).toEqual([`${base}/v1/Rooms`]);
  });
});

describe("OutFile and harEntry, exactly", () => {
  const rec = (n: number): Recording => ({
    description: `d${n}`,
    request: { method: "GET", url: `https://h/v1/Rooms?x=${n}` },
    response: { status: 200, headers: { "content-type": "application/json" }, body: { n } },
  });

  it("HAR bytes: the head, a newline before the first entry, a comma-newline before the next, the tail", async () => {
    const path = join(dir, "exact.har");
    const out = await OutFile.open(path, "har");
    await out.append(1, rec(1), () => ({ a: 1 }));
    const head =
      '{"log":{"version":"1.2","creator":{"name":"twilio-video-conformance proxy","version":"1"},"entries":[';
    expect(readFileSync(path, "utf8")).toBe(`${head}\n{"a":1}\n]}}\n`);
    await out.append(2, rec(2), () => ({ b: "é" }));
    await out.append(3, rec(3), () => ({ c: 3 }));
    await out.close();
    expect(readFileSync(path, "utf8")).toBe(`${head}\n{"a":1},\n{"b":"é"},\n{"c":3}\n]}}\n`);
  });

  it("a short write is completed from where it stopped", async () => {
    for (const format of ["ndjson", "har"] as const) {
      const path = join(dir, `short.${format}`);
      const out = await OutFile.open(path, format);
      // The OS may take fewer bytes than asked: let it take 5 at a time.
      const file = (out as unknown as { file: { write: (...a: unknown[]) => Promise<{ bytesWritten: number }> } }).file;
      const write = file.write.bind(file);
      file.write = (b: unknown, offset: unknown, length: unknown, position: unknown) =>
        write(b, offset, Math.min(5, length as number), position);
      await out.append(1, rec(1), () => rec(1));
      await out.append(2, rec(2), () => rec(2));
      await out.close();
      const text = readFileSync(path, "utf8");
      if (format === "ndjson") expect(text).toBe(`${JSON.stringify(rec(1))}\n${JSON.stringify(rec(2))}\n`);
      else expect((JSON.parse(text) as { log: { entries: unknown[] } }).log.entries).toEqual([rec(1), rec(2)]);
    }
  });

  it("close waits for pending writes and lets go of the file: a later append fails, the text stays", async () => {
    const path = join(dir, "closing.ndjson");
    const out = await OutFile.open(path, "ndjson");
    const pending = out.append(1, rec(1), () => undefined);
    await out.close();
    expect(readFileSync(path, "utf8")).toBe(`${JSON.stringify(rec(1))}\n`);
    await pending;
    await expect(out.append(2, rec(2), () => undefined)).rejects.toThrow();
    expect(readFileSync(path, "utf8")).toBe(`${JSON.stringify(rec(1))}\n`);
  });

  it("recordings: a missing folder is created, parents too; a directory named as a file is refused", async () => {
    const folder = join(dir, "deep", "er", "recs");
    const out = await OutFile.open(folder, "recordings");
    await out.append(12, rec(12), () => undefined);
    await out.close();
    expect(readdirSync(folder)).toEqual(["000012-GET.json"]);
    await expect(OutFile.open(dir, "har")).rejects.toThrow(
      `${dir} is a directory: pass --format recordings (format: "recordings") to write one file per exchange ` +
        "there, or name a file",
    );
  });

  it("harEntry: every field HAR 1.2 requires, with its fixed values", () => {
    const started = new Date(Date.now() - 5);
    const recording: Recording = {
      description: "desc",
      request: { method: "POST", url: "https://h/v1/Rooms?a=1", body: "x=é" },
      response: { status: 302, headers: { location: "https://l/" }, body: null },
    };
    const entry = harEntry(recording, started, "1.0") as { time: number };
    expect(entry.time).toBeGreaterThanOrEqual(5);
    expect(entry).toEqual({
      startedDateTime: started.toISOString(),
      time: entry.time,
      request: {
        method: "POST",
        url: "https://h/v1/Rooms?a=1",
        httpVersion: "HTTP/1.0",
        cookies: [],
        headers: [],
        queryString: [{ name: "a", value: "1" }],
        postData: { mimeType: "", text: "x=é" },
        headersSize: -1,
        bodySize: 4,
      },
      response: {
        status: 302,
        statusText: "",
        httpVersion: "HTTP/1.0",
        cookies: [],
        headers: [{ name: "location", value: "https://l/" }],
        content: { size: 0, mimeType: "", text: "" },
        redirectURL: "https://l/",
        headersSize: -1,
        bodySize: -1,
      },
      cache: {},
      timings: { send: 0, wait: 0, receive: 0 },
      comment: "desc",
    });
  });
});
