/** The recorder: CLI rules, scenarios against a loopback server, and redaction. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createContractValidator,
  createRecordingMiddleware,
  redactUrl,
  type Recording,
} from "../src/contract/index.js";
import { createVideoClient } from "../src/index.js";
import { runRecorder, scenarios, type Scenario } from "../scripts/record.js";
import { runConformance } from "../src/contract/cli.js";
import { DEFAULT_SENSITIVE_NAMES, Redactor } from "../src/contract/index.js";
import { loadCorpus } from "./lib/corpus.js";

const corpus = loadCorpus();
let server: Server;
let baseUrl: string;
let out: string;
const seenAuthorization: string[] = [];

/** Answers each call with the first corpus success recording of its operation (404 for the all-zero room SID). */
beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "recorder-"));
  const validator = createContractValidator({ baseUrls: ["http://127.0.0.1"] });
  const byOperation = new Map<string, Recording>();
  for (const { recording } of corpus) {
    const id = validator.matchOperation(recording.request.method, recording.request.url)?.operationId;
    if (id && recording.response.status < 300 && !byOperation.has(id)) byOperation.set(id, recording);
  }
  const notFound = corpus.find((e) => e.name === "rooms/error-404-not-found.json")!.recording.response;
  server = createServer((req, res) => {
    seenAuthorization.push(req.headers.authorization ?? "");
    req.resume();
    req.on("end", () => {
      const url = `https://video.twilio.com${req.url}`;
      const id = validator.matchOperation(req.method ?? "GET", url)?.operationId;
      const canned = req.url?.startsWith(`/v1/Rooms/RM${"0".repeat(32)}`)
        ? notFound
        : id
          ? byOperation.get(id)?.response
          : undefined;
      if (!canned) {
        res.writeHead(500, { "content-type": "text/plain" }).end("no canned answer");
        return;
      }
      res.writeHead(canned.status, {
        "content-type": "application/json",
        "twilio-request-id": `RQ${"1".repeat(32)}`,
        "set-cookie": "session=abc",
      });
      res.end(canned.body === null ? "" : JSON.stringify(canned.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(out, { recursive: true, force: true });
});

const io = (env: Record<string, string | undefined> = {}) => {
  const captured = { stdout: "", stderr: "" };
  return {
    captured,
    io: { stdout: (t: string) => (captured.stdout += t), stderr: (t: string) => (captured.stderr += t), env },
  };
};

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );

describe("record CLI", () => {
  it("refuses --live without credentials, with a clear message, exit 2", async () => {
    const { captured, io: x } = io({});
    expect(await runRecorder(["--live", "--out", join(out, "live"), "rooms"], x)).toBe(2);
    expect(captured.stderr).toMatch(
      /--live needs credentials in the environment: TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET, or TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/,
    );
    expect(() => readdirSync(join(out, "live"))).toThrow();
  });

  it("needs --base-url without --live, and --live for Twilio hosts", async () => {
    for (const args of [
      ["--out", out, "rooms"],
      ["--base-url", "https://video.twilio.com", "--out", out, "rooms"],
      ["--base-url", baseUrl, "rooms"],
      ["--base-url", baseUrl, "--out", out, "nope"],
      ["--base-url", baseUrl, "--out", out],
    ]) {
      const { captured, io: x } = io({});
      expect(await runRecorder(args, x), args.join(" ")).toBe(2);
      expect(captured.stderr).toMatch(/^record: /);
    }
  });

  it("records every scenario against a loopback server: conforming, redacted recordings", async () => {
    const { captured, io: x } = io({});
    const dir = join(out, "all");
    expect(await runRecorder(["--base-url", baseUrl, "--replace-account-sid", "--out", dir, "all"], x)).toBe(0);
    expect(captured.stderr).toBe("");
    const files = filesUnder(dir).sort();
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(files.map((f) => f.slice(dir.length + 1))).toContain("rooms/01-CreateRoom.json");
    expect(files.map((f) => f.slice(dir.length + 1))).toContain("errors/01-FetchRoom.json");

    const validator = createContractValidator({ baseUrls: [baseUrl], strict: true });
    expect(seenAuthorization.every((a) => a.startsWith("Basic "))).toBe(true);
    const credentials = seenAuthorization[0]!.slice("Basic ".length);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const recording = JSON.parse(text) as Recording;
      expect(validator.validateRecording(recording).errors, file).toEqual([]);
      expect(text).not.toContain(credentials);
      expect(text.toLowerCase()).not.toMatch(/authorization|set-cookie|session=abc/);
      expect(text).not.toMatch(/AC(?!0{32})[0-9a-fA-F]{32}/);
      expect(recording.source).toMatch(/^recorded \d{4}-\d\d-\d\d against http:\/\/127\.0\.0\.1:/);
    }
    const create = JSON.parse(readFileSync(join(dir, "rooms/01-CreateRoom.json"), "utf8")) as Recording;
    expect(create.request).toMatchObject({
      method: "POST",
      url: `${baseUrl}/v1/Rooms`,
      headers: { "content-type": expect.stringContaining("application/x-www-form-urlencoded") },
    });
    expect(new URLSearchParams(create.request.body).get("MaxParticipants")).toBe("4");
    expect((create.response.body as { account_sid: string }).account_sid).toBe(`AC${"0".repeat(32)}`);
    const notFound = JSON.parse(readFileSync(join(dir, "errors/01-FetchRoom.json"), "utf8")) as Recording;
    expect(notFound.response).toMatchObject({ status: 404, body: { code: 20404 } });
  });
});

describe("recording middleware", () => {
  it("masks signatures of signed URLs, secret fields, and keeps only safe headers", async () => {
    const signed =
      "https://bucket.s3.amazonaws.com/AC0123456789abcdef0123456789abcdef/RT1.mka?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261124&X-Amz-Signature=abc123&X-Amz-Expires=600";
    const recordings: Recording[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      const request = input instanceof Request ? input : new Request(input);
      if (new URL(request.url).pathname.endsWith("/Media")) {
        return new Response(JSON.stringify({ redirect_to: signed }), {
          status: 302,
          headers: { "content-type": "application/json", location: signed, "x-internal": "1" },
        });
      }
      return new Response(
        JSON.stringify({
          friendly_name: "s",
          aws_secret: "shh",
          url: "https://video.twilio.com/v1/RecordingSettings/Default",
        }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    };
    const client = createVideoClient({
      apiKeySid: `SK${"1".repeat(32)}`,
      apiKeySecret: "top-secret",
      fetch: fakeFetch,
      maxRetries: 0,
      middleware: [createRecordingMiddleware({ onRecording: (r) => recordings.push(r), source: "test" })],
    });
    await client.recordings.media(`RT${"2".repeat(32)}`, { ttl: 600 });
    await client.recordingSettings.update({ FriendlyName: "s", AwsStorageEnabled: false });
    const text = JSON.stringify(recordings);
    expect(text).not.toMatch(/abc123|AKIA|top-secret|shh|x-internal/);
    expect(recordings[0]!.response.headers?.location).toContain("X-Amz-Signature=REDACTED");
    expect((recordings[0]!.response.body as { redirect_to: string }).redirect_to).toContain(
      "X-Amz-Credential=REDACTED",
    );
    expect((recordings[0]!.response.body as { redirect_to: string }).redirect_to).toContain("X-Amz-Expires=600");
    expect(recordings[1]!.request.body).toBe("FriendlyName=s&AwsStorageEnabled=false");
    expect((recordings[1]!.response.body as Record<string, string>).aws_secret).toBe("REDACTED");
  });

  it("leaves Twilio page URLs alone", () => {
    const page = "https://video.twilio.com/v1/Rooms?PageSize=2&Page=1&PageToken=PT1234";
    expect(redactUrl(page)).toBe(page);
  });
});

describe("record CLI: help, targets, the README's commands", () => {
  it("answers --help with the targets and every scenario, exit 0", async () => {
    const { captured, io: x } = io({});
    expect(await runRecorder(["--help"], x)).toBe(0);
    expect(captured.stdout).toMatch(
      /^usage: npm run record -- \(--emulator \| --base-url <url> \| --live\) --out <dir>/,
    );
    for (const name of Object.keys(scenarios)) expect(captured.stdout).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
    for (const name of ["x-amz-security-token", "access_token", "api_key"]) expect(captured.stdout).toContain(name);
  });

  it("refuses unknown flags and contradictory targets with one line, exit 2", async () => {
    for (const [args, message] of [
      [["--bogus"], /Unknown option '--bogus'/],
      [["--emulator", "--live", "--out", out, "rooms"], /choose one target, not --emulator and --live/],
      [["--out", out, "rooms"], /choose where to record: --emulator, --base-url <url> or --live/],
      [
        ["--emulator", "--out", out, "nope"],
        /unknown scenario nope; scenarios: rooms, recording-rules, account, errors/,
      ],
    ] as const) {
      const { captured, io: x } = io({});
      expect(await runRecorder([...args], x)).toBe(2);
      expect(captured.stderr).toMatch(/^record: [^\n]+ \(see --help\)\n$/);
      expect(captured.stderr).toMatch(message);
    }
  });

  it("runs the record command of CONTRIBUTING.md exactly as written (--emulator), and its output passes conformance --strict", async () => {
    const readme = readFileSync(join(import.meta.dirname, "../CONTRIBUTING.md"), "utf8");
    const record = readme.split("\n").find((l) => l.startsWith("npm run record -- "));
    const check = readme.split("\n").find((l) => l.startsWith("npm run conformance -- --strict "));
    expect(record).toBeDefined();
    expect(check).toBeDefined();
    const cwd = join(out, "readme");
    mkdirSync(cwd);
    const { captured, io: x } = io({});
    const words = (line: string) =>
      line
        .replace(/\s+#.*$/, "")
        .trim()
        .split(/\s+/);
    expect(await runRecorder(words(record!).slice(4), { ...x, cwd }), captured.stderr).toBe(0);
    expect(captured.stderr).toBe("");
    let report = "";
    expect(
      await runConformance(words(check!).slice(4), { stdout: (t) => (report += t), stderr: (t) => (report += t), cwd }),
    ).toBe(0);
    expect(report).toMatch(/[1-9]\d* recording\(s\): [1-9]\d* passed, 0 failed/);
  }, 30_000);
});

describe("redaction by rule: planted secrets never reach the written files", () => {
  const M = (where: string) => `MARK${where}SECRET`;
  const markers = [
    "USERINFO",
    "USERNAME",
    "QUERY",
    "FRAGMENT",
    "FORM",
    "JSONKEY",
    "NESTED",
    "S3KEY",
    "S3SECRET",
    "AMZSIG",
    "AMZCRED",
    "AMZTOKEN",
    "ERRORTEXT",
    "CUSTOM",
    "LOCATION",
    "SIG",
  ].map(M);
  let echo: Server;
  let echoUrl: string;

  beforeAll(async () => {
    // Echoes what it got the way careless servers do: the callback URL back, the rejected password in the error text.
    echo = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const form = new URLSearchParams(body);
        const s3 = `s3://${M("S3KEY")}:${M("S3SECRET")}@bucket/RT1.mka?X-Amz-Signature=${M("AMZSIG")}&X-Amz-Credential=${M("AMZCRED")}&X-Amz-Security-Token=${M("AMZTOKEN")}&X-Amz-Expires=600`;
        res.writeHead(400, {
          "content-type": "application/json",
          location: `https://cdn.example/x?sig=${M("LOCATION")}`,
        });
        res.end(
          JSON.stringify({
            code: 21201,
            message: `Password ${form.get("Password") ?? ""} is not accepted for ${form.get("StatusCallback") ?? ""}`,
            more_info: `see ${s3}`,
            status_callback: form.get("StatusCallback"),
            api_key: M("JSONKEY"),
            nested: { deeper: [{ Client_Secret: M("NESTED") }] },
            echoed_custom: form.get("TenantPin"),
            status: 400,
          }),
        );
      });
    });
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => echo.close(r)));

  const planted: Scenario = {
    describe: "plants a secret in every place a recording can carry one",
    async run(client) {
      const callback = `https://${M("USERNAME")}:${M("USERINFO")}@hooks.example/cb?token=${M("QUERY")}&keep=visible#access_token=${M("FRAGMENT")}&state=visible`;
      await client.raw.POST("/v1/Rooms", {
        body: {
          UniqueName: "visible-name",
          StatusCallback: callback,
          Password: M("FORM"),
          TenantPin: M("CUSTOM"),
        } as never,
      });
      await client.raw.GET("/v1/Rooms", { params: { query: { PageSize: 5, sig: M("SIG") } as never } });
      throw new Error(`gave up after ${M("FORM")} was refused`);
    },
  };

  it("the recorder CLI writes files without any marker (tenantpin added with --redact)", async () => {
    const dir = join(out, "planted");
    const { captured, io: x } = io({});
    const code = await runRecorder(["--base-url", echoUrl, "--redact", "tenantpin", "--out", dir, "planted"], {
      ...x,
      scenarios: { planted },
    });
    expect(code).toBe(1); // the scenario throws on purpose, quoting a secret
    const files = filesUnder(dir);
    expect(files).toHaveLength(2);
    const written = files.map((f) => readFileSync(f, "utf8")).join("\n");
    for (const marker of markers) {
      expect(written, marker).not.toContain(marker);
      expect(captured.stderr + captured.stdout, marker).not.toContain(marker);
    }
    // Redacted in place, the rest kept as sent.
    expect(written).toContain(
      `https://REDACTED:REDACTED@hooks.example/cb?token=REDACTED&keep=visible#access_token=REDACTED&state=visible`,
    );
    expect(written).toContain(
      "s3://REDACTED:REDACTED@bucket/RT1.mka?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&X-Amz-Security-Token=REDACTED&X-Amz-Expires=600",
    );
    expect(written).toContain("Password REDACTED is not accepted");
    expect(written).toContain("visible-name");
    expect(written).toContain("PageSize=5&sig=REDACTED");
    expect(captured.stderr).toContain("gave up after REDACTED was refused");
  });

  it("without --redact a custom name is kept (the list is what decides), and matching ignores case", () => {
    const r = new Redactor();
    expect(r.params("TenantPin=1234&PASSWORD=hunter22&X-AMZ-SIGNATURE=abcd&PageToken=PT1")).toBe(
      "TenantPin=1234&PASSWORD=REDACTED&X-AMZ-SIGNATURE=REDACTED&PageToken=PT1",
    );
    expect(new Redactor(["TENANTPIN"]).params("tenantpin=1234")).toBe("tenantpin=REDACTED");
    expect(DEFAULT_SENSITIVE_NAMES).toEqual(
      expect.arrayContaining([
        "token",
        "access_token",
        "api_key",
        "sig",
        "signature",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "password",
        "secret",
        "auth_token",
      ]),
    );
    // Twilio's own fields are not secrets.
    expect(
      r.json({
        encryption_key_sid: "CR1",
        aws_credentials_sid: "CR2",
        meta: { next_page_url: "https://video.twilio.com/v1/Rooms?PageToken=PT1" },
      }),
    ).toEqual({
      encryption_key_sid: "CR1",
      aws_credentials_sid: "CR2",
      meta: { next_page_url: "https://video.twilio.com/v1/Rooms?PageToken=PT1" },
    });
  });
});
