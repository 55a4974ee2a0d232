/**
 * The proxy's and the redactor's pieces one by one, without sockets: fast
 * enough to run for every mutant (stryker/proxy.json), and exact about each
 * rule (redaction, URL scanning, path confinement, Host check, URL
 * rewriting, decoding, option checks, the out file's formats).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { findingLine, printable, summaryLine } from "../src/contract/proxy-cli.js";
import { Capture, headerValue, oneLine } from "../src/contract/proxy/capture.js";
import { DEFAULT_PROXY_TIMEOUTS, emptySummary, inferFormat, settingsOf } from "../src/contract/proxy/options.js";
import { harEntry, OutFile } from "../src/contract/proxy/out-file.js";
import { PARENT_POLL_MS, startedByNpm, watchParent } from "../src/contract/proxy/parent.js";
import { credentialsOf, Recorder, type Finished } from "../src/contract/proxy/record.js";
import type { ProxyExchange, ProxyFinding, ProxyOptions, ProxySummary } from "../src/contract/proxy/options.js";
import { ItemChecker } from "../src/contract/check.js";
import { createValidatorFor } from "../src/contract/validator.js";
import document from "../generated/openapi.json" with { type: "json" };
import {
  addressedOrigin,
  decodeBody,
  isOwnHost,
  Refusal,
  targetUrl,
  urlRewriter,
} from "../src/contract/proxy/rewrite.js";
import { MAX_JSON_DEPTH, MIN_SECRET_PREFIX, Redactor, REDACTED, redactUrl, urlSpans } from "../src/contract/redact.js";
import { redactRecording, signedUrl } from "../src/contract/redact-recording.js";
import type { Recording } from "../src/contract/types.js";

const dir = mkdtempSync(join(tmpdir(), "proxy-units-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Redactor", () => {
  it("params: sensitive names redacted and learned (raw and decoded), others kept byte for byte, URLs in values redacted", () => {
    const r = new Redactor(["tenant-pin"]);
    expect(r.params("")).toBe("");
    expect(r.params("a=1&Password=p%40ss+word1&Tenant_Pin=9999&flag&b=x%20y")).toBe(
      "a=1&Password=REDACTED&Tenant_Pin=REDACTED&flag&b=x%20y",
    );
    expect(r.scrubText("p@ss word1 / p%40ss+word1 / 9999")).toBe("REDACTED / REDACTED / REDACTED");
    expect(r.params("cb=https%3A%2F%2Fh%2Fx%3Ftoken%3Dabcd")).toBe(
      `cb=${encodeURIComponent("https://h/x?token=REDACTED")}`,
    );
    expect(r.params("bad=%E0%A4%A&token=%E0%A4%A")).toBe("bad=%E0%A4%A&token=REDACTED");
    expect(r.params("=v&k=")).toBe("=v&k=");
  });

  it("url: userinfo with and without a password, query, fragment with and without pairs", () => {
    const r = new Redactor();
    expect(r.url("https://user1:pass%3A1@h/p?token=t0ken1&x=1#access_token=frag1&s=2")).toBe(
      "https://REDACTED:REDACTED@h/p?token=REDACTED&x=1#access_token=REDACTED&s=2",
    );
    expect(r.scrubText("user1 pass:1 t0ken1 frag1")).toBe("REDACTED REDACTED REDACTED REDACTED");
    expect(r.url("s3://onlyuser@b/o")).toBe("s3://REDACTED@b/o");
    expect(r.url("https://h/p#section")).toBe("https://h/p#section");
    expect(r.url("https://h/p?")).toBe("https://h/p?");
    expect(r.url("https://h/p")).toBe("https://h/p");
    expect(r.url("https://h/p@x")).toBe("https://h/p@x");
    expect(redactUrl("see https://h/?sig=abcd.")).toBe("see https://h/?sig=REDACTED");
  });

  it("text: URLs anywhere in free text, ended by white space, quotes, brackets or a backslash", () => {
    const r = new Redactor();
    expect(r.text("no urls here")).toBe("no urls here");
    for (const end of [" ", "\t", "\n", '"', "'", "<", ">", "\\", "\u00a0", "\u2003", "\u2028", "\u3000", "\ufeff"]) {
      expect(r.text(`a https://h/?token=tok1${end}tail`), JSON.stringify(end)).toBe(
        `a https://h/?token=REDACTED${end}tail`,
      );
    }
    expect(r.text("x://?token=abcd")).toBe("x://?token=REDACTED");
    expect(r.text("://?token=abcd")).toBe("://?token=abcd");
    expect(r.text("http:// space")).toBe("http:// space");
    expect(r.text("9+a.b-c://h?token=zz")).toBe("9+a.b-c://h?token=REDACTED");
    expect(r.text("9a.b-c://h?token=zz")).toBe("9a.b-c://h?token=zz");
    expect(r.text("(a.b-c+d://h?token=zz)")).toBe("(a.b-c+d://h?token=REDACTED");
    expect(urlSpans("a://b a://c")).toEqual([
      [0, 5],
      [6, 11],
    ]);
    expect(urlSpans("Z://b")).toEqual([[0, 5]]);
    expect(urlSpans("é://b _://c")).toEqual([]);
  });

  it("json: sensitive scalar values redacted at any depth, objects under a sensitive name walked, deep JSON cut", () => {
    const r = new Redactor();
    const body = {
      a: [{ api_key: "key12345", n: 5, t: true, z: null }],
      secret: { inner: "kept", token: 42 },
      u: "https://h/?sig=sssss",
      password: null,
    };
    expect(r.json(body)).toEqual({
      a: [{ api_key: REDACTED, n: 5, t: true, z: null }],
      secret: { inner: "kept", token: REDACTED },
      u: "https://h/?sig=REDACTED",
      password: null,
    });
    expect(r.scrubText("key12345 sssss")).toBe("REDACTED REDACTED");
    let deep: unknown = "leaf";
    for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) deep = [deep];
    let walked = r.json(deep);
    let depth = 0;
    while (Array.isArray(walked)) {
      walked = walked[0];
      depth++;
    }
    expect(depth).toBe(MAX_JSON_DEPTH);
    expect(walked).toBe(`${REDACTED}: nested deeper than ${MAX_JSON_DEPTH}`);
    expect(r.json(7)).toBe(7);
  });

  it("scrub: every remembered form, keys included, nothing when nothing is remembered, deep values cut", () => {
    const empty = new Redactor();
    const same = { a: "x" };
    expect(empty.scrub(same)).toBe(same);
    const r = new Redactor();
    r.learn('sp ce"q\\x');
    expect(r.scrub({ 'sp ce"q\\x': ["sp%20ce%22q%5Cx", "sp+ce%22q%5Cx", 'sp ce\\"q\\\\x', 3, null, false] })).toEqual({
      [REDACTED]: [REDACTED, REDACTED, REDACTED, 3, null, false],
    });
    let deep: unknown = "sp ce";
    for (let i = 0; i < MAX_JSON_DEPTH + 2; i++) deep = { d: deep };
    expect(JSON.stringify(r.scrub(deep))).toContain(`nested deeper than ${MAX_JSON_DEPTH}`);
    expect(r.scrub("plain")).toBe("plain");
  });

  it("learn: short values and REDACTED ignored, the oldest forgotten past maxSecrets, pinned kept, re-learning refreshes", () => {
    expect(() => new Redactor([], { maxSecrets: -1 })).toThrow(/maxSecrets/);
    expect(() => new Redactor([], { maxSecrets: 1.5 })).toThrow(/maxSecrets/);
    const none = new Redactor([], { maxSecrets: 0 });
    none.learn("abcdefgh");
    expect(none.remembered).toBe(0);
    none.learn("abcdefgh", true);
    expect(none.remembered).toBe(1);
    const r = new Redactor([], { maxSecrets: 2 });
    r.learn("abc");
    r.learn(REDACTED);
    expect(r.remembered).toBe(0);
    r.learn("abcd");
    expect(r.remembered).toBe(1);
    r.learn("one1");
    r.learn("two2");
    expect(r.scrubText("abcd")).toBe("abcd");
    r.learn("one1");
    r.learn("three3");
    expect(r.scrubText("one1 two2 three3")).toBe("REDACTED two2 REDACTED");
    r.learn("pin-me", true);
    r.learn("pin-me");
    expect(r.remembered).toBe(3);
    r.learn("four4");
    r.learn("five5");
    expect(r.scrubText("pin-me four4 five5 three3")).toBe("REDACTED REDACTED REDACTED three3");
    r.learn("five5", true);
    expect(r.remembered).toBe(3);
    expect(r.scrubText("five5")).toBe(REDACTED);
  });

  it("prefixes: a run of MIN_SECRET_PREFIX or more leading characters goes, whole values before shared prefixes", () => {
    const r = new Redactor();
    const s = "0123456789abcdefghij";
    r.learn(s);
    expect(MIN_SECRET_PREFIX).toBe(12);
    expect(r.scrubText(`${s.slice(0, 12)}|${s.slice(0, 11)}|${s}X|${s.slice(0, 15)}Y`)).toBe(
      `${REDACTED}|${s.slice(0, 11)}|${REDACTED}X|${REDACTED}Y`,
    );
    expect(r.scrubText(`${s.slice(1, 14)}`)).toBe(s.slice(1, 14));
    const t = new Redactor();
    t.learn("shared-prefix-one");
    t.learn("shared-prefix-two");
    expect(t.scrubText("shared-prefix-two shared-prefix-one")).toBe("REDACTED REDACTED");
    const short = new Redactor();
    short.learn("abcdefghijkl");
    expect(short.scrubText("abcdefghijk abcdefghijkl abcdefghijklm")).toBe("abcdefghijk REDACTED REDACTEDm");
  });
});

describe("redactRecording and signed URLs", () => {
  const recording = (
    body: unknown,
    headers: Record<string, string>,
    requestBody?: string,
    requestType = "application/x-www-form-urlencoded",
  ): Recording => ({
    description: "d",
    source: "s",
    request: {
      method: "POST",
      url: "https://h/v1/Rooms?token=abcd1234",
      ...(requestBody !== undefined ? { headers: { "content-type": requestType }, body: requestBody } : {}),
    },
    response: { status: 200, headers, body },
  });

  it("signed: every query value of Location and redirect_to goes, long ones hunted; unsigned: by name only", () => {
    const r = new Redactor();
    const loc = "https://m/f?X-Amz-Signature=aaaaaaaaaaaaaaaa%2B1&Expires=9&flag#frag";
    expect(signedUrl(r, loc)).toBe("https://m/f?X-Amz-Signature=REDACTED&Expires=REDACTED&flag");
    expect(r.scrubText("aaaaaaaaaaaaaaaa+1 aaaaaaaaaaaaaaaa%2B1 9")).toBe("REDACTED REDACTED 9");
    expect(signedUrl(r, "https://u:p@m/f")).toBe("https://REDACTED:REDACTED@m/f");
    expect(signedUrl(new Redactor(), "https://m/f?s=%E0%A4%A%E0%A4%A%E0%A4%A")).toBe("https://m/f?s=REDACTED");
    const out = redactRecording(
      new Redactor(),
      recording(
        { redirect_to: loc, list: [{ redirect_to: loc }], other: 1 },
        { location: loc, "content-type": "application/json" },
      ),
      { signedUrls: true },
    );
    expect(out.response.headers!.location).toBe("https://m/f?X-Amz-Signature=REDACTED&Expires=REDACTED&flag");
    expect(out.response.body).toEqual({
      redirect_to: out.response.headers!.location,
      list: [{ redirect_to: out.response.headers!.location }],
      other: 1,
    });
    const plain = redactRecording(new Redactor(), recording({ redirect_to: loc }, { location: loc }));
    expect(plain.response.headers!.location).toBe("https://m/f?X-Amz-Signature=REDACTED&Expires=9&flag#frag");
    expect(plain.response.body).toEqual({ redirect_to: "https://m/f?X-Amz-Signature=REDACTED&Expires=9&flag#frag" });
  });

  it("request bodies: JSON by key, form by name, broken JSON as a form; the URL and an echo scrubbed", () => {
    const r = new Redactor();
    const json = redactRecording(
      r,
      recording(
        { message: "bad abcd1234 and pw-123456" },
        {},
        JSON.stringify({ password: "pw-123456", a: 1 }),
        "application/json",
      ),
    );
    expect(json.request).toEqual({
      method: "POST",
      url: "https://h/v1/Rooms?token=REDACTED",
      headers: { "content-type": "application/json" },
      body: '{"password":"REDACTED","a":1}',
    });
    expect(json.response.body).toEqual({ message: "bad REDACTED and REDACTED" });
    expect(json.description).toBe("d");
    expect(json.source).toBe("s");
    const broken = redactRecording(new Redactor(), recording(null, {}, "{password=xyz1&a=1", "application/json"));
    expect(broken.request.body).toBe("{password=REDACTED&a=1");
    const form = redactRecording(new Redactor(), recording(null, {}, "Password=xyz1&a=1"));
    expect(form.request.body).toBe("Password=REDACTED&a=1");
    const none = redactRecording(new Redactor(), {
      description: "d",
      request: { method: "GET", url: "https://h/" },
      response: { status: 204, body: null },
    });
    expect(none).toEqual({
      description: "d",
      request: { method: "GET", url: "https://h/" },
      response: { status: 204, body: null },
    });
  });
});

describe("rewrite: confinement, Host, URL rewriting, decoding", () => {
  const up = new URL("http://up.example:8080/api");
  it("targets: only origin-form paths under the prefix, no dot segment however encoded", () => {
    const ok = targetUrl("/v1/Rooms?Status=in-progress", up, "/api");
    expect(ok).toBeInstanceOf(URL);
    expect((ok as URL).href).toBe("http://up.example:8080/api/v1/Rooms?Status=in-progress");
    expect((targetUrl("/v1/a%2Fb", up, "/api") as URL).pathname).toBe("/api/v1/a%2Fb");
    expect((targetUrl("/v1/..x/..%2e.", up, "/api") as URL).pathname).toBe("/api/v1/..x/..%2e.");
    expect(targetUrl("/", new URL("http://h"), "")).toBeInstanceOf(URL);
    expect((targetUrl("/x?a=../..", up, "/api") as URL).search).toBe("?a=../..");
    for (const bad of ["v1", "//evil/x", "http://evil/x", "*"]) {
      const refusal = targetUrl(bad, up, "/api") as Refusal;
      expect(refusal.status).toBe(400);
      expect(refusal.message).toMatch(/expected an absolute path/);
    }
    for (const bad of ["/..", "/a/.", "/%2e", "/%252e%252e", "/%25252e%25252e", "/a\\..\\b", "/%2e%2E/"]) {
      expect((targetUrl(bad, up, "/api") as Refusal).message, bad).toMatch(
        /dot segments are not forwarded \(the proxy serves only \/api\)/,
      );
    }
    expect((targetUrl("/..", new URL("http://h"), "") as Refusal).message).toMatch(/serves only \/\)/);
    expect((targetUrl("/%zz/%", up, "/api") as URL).pathname).toBe("/api/%zz/%");
    expect(targetUrl("/a b\u0000", up, "/api") as Refusal | URL).toBeInstanceOf(URL);
  });

  it("Host: loopback names and the listening address, nothing else", () => {
    for (const host of [
      "127.0.0.1",
      "127.0.0.1:80",
      "127.255.0.9:1",
      "localhost",
      "LOCALHOST:9",
      "[::1]",
      "[::1]:8080",
    ])
      expect(isOwnHost(host, "127.0.0.1"), host).toBe(true);
    for (const host of [
      undefined,
      "",
      "evil.example",
      "127.0.0.1.evil",
      "127.0.0.256",
      "127.0.0",
      "128.0.0.1",
      "[::2]",
      "[::1",
      "localhost.evil",
      "0.0.0.0",
      "127.0.0.01x",
    ])
      expect(isOwnHost(host, "127.0.0.1"), String(host)).toBe(false);
    expect(isOwnHost("box.lan:8080", "box.lan")).toBe(true);
    expect(isOwnHost("10.1.2.3", "10.1.2.3")).toBe(true);
    expect(isOwnHost("[fd00::1]:80", "fd00::1")).toBe(true);
    expect(isOwnHost("anything", "0.0.0.0")).toBe(false);
    expect(isOwnHost("0.0.0.0", "0.0.0.0")).toBe(false);
    expect(isOwnHost("[::]", "::")).toBe(false);
    expect(isOwnHost("[::]", "[::]")).toBe(false);
  });

  it("addressedOrigin: a plain host[:port], else the fallback", () => {
    expect(addressedOrigin("localhost:8080", "F")).toBe("http://localhost:8080");
    expect(addressedOrigin("[::1]:1", "F")).toBe("http://[::1]:1");
    for (const bad of [undefined, "", "a b", "x/y", "-a", `${"a".repeat(300)}`, "a:123456"])
      expect(addressedOrigin(bad, "F"), String(bad)).toBe("F");
  });

  it("urlRewriter: Location and JSON strings on the upstream origin and prefix, slashes plain or escaped, case-insensitive", () => {
    const rw = urlRewriter("http://Up:1/api/");
    expect(rw.location("http://up:1/api", "P")).toBe("P");
    expect(rw.location("HTTP://UP:1/api/v1?x#y", "P")).toBe("P/v1?x#y");
    expect(rw.location("http://up:1/api?x", "P")).toBe("P?x");
    expect(rw.location("http://up:1/api#x", "P")).toBe("P#x");
    expect(rw.location("http://up:1/apix", "P")).toBe("http://up:1/apix");
    expect(rw.location("http://up:10/api", "P")).toBe("http://up:10/api");
    const body =
      '{"a":"http://up:1/api/v1","b":"http:\\/\\/up:1\\/api\\/v1","c":"http://up:1/api","d":"http://up:1/apix","e":"x http://up:1/api","f":"http://up:1/api?q","g":"http://up:1/api#h","h":"http://up:1/api\\"","i":"http://up:1/api\\n"}';
    expect(rw.json(Buffer.from(body), "P")!.toString()).toBe(
      '{"a":"P/v1","b":"P\\/v1","c":"P","d":"http://up:1/apix","e":"x http://up:1/api","f":"P?q","g":"P#h","h":"http://up:1/api\\"","i":"http://up:1/api\\n"}',
    );
    expect(rw.json(Buffer.from('{"a":"nothing"}'), "P")).toBeUndefined();
    expect(rw.json(Buffer.from('\u00ff"http://up:1/api/\u00fe', "latin1"), "P")!.toString("latin1")).toBe(
      '\u00ff"P/\u00fe',
    );
  });

  it("decodeBody: identity, gzip, deflate, br within the cap; too large; unreadable", () => {
    const text = Buffer.from("x".repeat(100));
    expect(decodeBody(text, undefined, 10)).toBe(text);
    expect(decodeBody(text, " Identity ", 10)).toBe(text);
    expect(decodeBody(Buffer.alloc(0), "gzip", 10)).toEqual(Buffer.alloc(0));
    for (const [enc, bytes] of [
      ["gzip", gzipSync(text)],
      ["x-gzip", gzipSync(text)],
      ["deflate", deflateSync(text)],
      ["br", brotliCompressSync(text)],
    ] as const) {
      expect((decodeBody(bytes, enc.toUpperCase(), 100) as Buffer).toString(), enc).toBe(text.toString());
      expect(decodeBody(bytes, enc, 99), enc).toBe("too-large");
      expect(decodeBody(Buffer.from("not compressed"), enc, 100), enc).toBe("unreadable");
    }
    expect(decodeBody(text, "zstd", 100)).toBe("unreadable");
    expect(decodeBody(gzipSync(Buffer.from("a")), "gzip", 0)).toEqual(Buffer.from("a"));
  });
});

describe("options", () => {
  it("settings: defaults, path prefix, format from --out, each refusal in one line", () => {
    const s = settingsOf({});
    expect(s).toMatchObject({
      prefix: "",
      cap: 1024 * 1024,
      format: "ndjson",
      strict: false,
      rewriteUrls: true,
      drainMs: 5000,
      ...DEFAULT_PROXY_TIMEOUTS,
    });
    expect(s.upstream.href).toBe("https://video.twilio.com/");
    expect(DEFAULT_PROXY_TIMEOUTS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 300_000,
      keepAliveTimeoutMs: 5_000,
    });
    expect(
      settingsOf({
        upstream: "http://h/api//",
        strict: true,
        rewriteUrls: false,
        maxBodyBytes: 0,
        drainMs: 0,
        requestTimeoutMs: 0,
      }),
    ).toMatchObject({ prefix: "/api", strict: true, rewriteUrls: false, cap: 0, drainMs: 0, requestTimeoutMs: 0 });
    expect(settingsOf({ out: join(dir, "x.har") }).format).toBe("har");
    expect(settingsOf({ out: join(dir, "x.har"), format: "ndjson" }).format).toBe("ndjson");
    expect(settingsOf({ headersTimeoutMs: 5, requestTimeoutMs: 5 }).requestTimeoutMs).toBe(5);
    expect(() => settingsOf({ upstream: "nope" })).toThrow('upstream "nope" is not a URL');
    expect(() => settingsOf({ upstream: "ftp://h" })).toThrow("upstream must be http: or https: (got ftp:)");
    expect(() => settingsOf({ upstream: "https://u:p@h" })).toThrow(/must not carry credentials/);
    expect(() => settingsOf({ upstream: "https://u@h" })).toThrow(/must not carry credentials/);
    expect(() => settingsOf({ maxBodyBytes: -1 })).toThrow(/maxBodyBytes must be a whole number of bytes \(got -1\)/);
    expect(() => settingsOf({ maxBodyBytes: 1.5 })).toThrow(/maxBodyBytes/);
    expect(() => settingsOf({ format: "xml" as never })).toThrow("format must be ndjson, har or recordings (got xml)");
    expect(() => settingsOf({ drainMs: -1 })).toThrow("drainMs must be a whole number, 0 or more (got -1)");
    expect(() => settingsOf({ keepAliveTimeoutMs: 0.5 })).toThrow(/keepAliveTimeoutMs/);
    expect(() => settingsOf({ headersTimeoutMs: 0 })).toThrow(/headersTimeoutMs must be 1 or more/);
    expect(() => settingsOf({ headersTimeoutMs: 6, requestTimeoutMs: 5 })).toThrow(
      "requestTimeoutMs (5) must be 0 or at least headersTimeoutMs (6)",
    );
  });

  it("inferFormat: directories (existing, or by a trailing slash or backslash), .har any case, else ndjson", () => {
    writeFileSync(join(dir, "file.har"), "");
    expect(inferFormat(dir)).toBe("recordings");
    expect(inferFormat("new-dir/")).toBe("recordings");
    expect(inferFormat("new-dir\\")).toBe("recordings");
    expect(inferFormat(join(dir, "file.har"))).toBe("har");
    expect(inferFormat("x.Har")).toBe("har");
    expect(inferFormat("x.har.json")).toBe("ndjson");
    expect(inferFormat("x")).toBe("ndjson");
  });
});

describe("out file and small pieces", () => {
  const rec = (n: number): Recording => ({
    description: `d${n}`,
    request: { method: "GET", url: `https://h/v1/Rooms?x=${n}` },
    response: { status: 200, headers: { "content-type": "application/json", location: "https://l/" }, body: { n } },
  });

  it("HAR: valid after every entry, one entry per exchange, in order; NDJSON: one line each; recordings: one file each", async () => {
    const har = join(dir, "u.har");
    const out = await OutFile.open(har, "har");
    expect(JSON.parse(readFileSync(har, "utf8"))).toEqual({
      log: { version: "1.2", creator: { name: "twilio-video-conformance proxy", version: "1" }, entries: [] },
    });
    for (let n = 1; n <= 3; n++) {
      await out.append(n, rec(n), () => ({ n, text: "é".repeat(n) }));
      expect((JSON.parse(readFileSync(har, "utf8")) as { log: { entries: unknown[] } }).log.entries).toEqual(
        Array.from({ length: n }, (_, i) => ({ n: i + 1, text: "é".repeat(i + 1) })),
      );
    }
    await out.close();
    await out.close();
    expect(readFileSync(har, "utf8").endsWith("\n]}}\n")).toBe(true);
    const nd = join(dir, "u.ndjson");
    const lines = await OutFile.open(nd, "ndjson");
    await Promise.all([lines.append(1, rec(1), () => undefined), lines.append(2, rec(2), () => undefined)]);
    await lines.close();
    expect(readFileSync(nd, "utf8")).toBe(`${JSON.stringify(rec(1))}\n${JSON.stringify(rec(2))}\n`);
    const folder = join(dir, "recs");
    const files = await OutFile.open(folder, "recordings");
    await files.append(7, rec(7), () => undefined);
    await files.close();
    expect(readdirSync(folder)).toEqual(["000007-GET.json"]);
    expect(JSON.parse(readFileSync(join(folder, "000007-GET.json"), "utf8"))).toEqual(rec(7));
    await expect(OutFile.open(dir, "ndjson")).rejects.toThrow(/is a directory: pass --format recordings/);
    await expect(OutFile.open(join(dir, "missing", "x.ndjson"), "ndjson")).rejects.toThrow(/ENOENT/);
  });

  it("harEntry: the fields the reader needs", () => {
    const started = new Date(Date.now() - 5);
    const body = {
      ...rec(1),
      request: {
        method: "POST",
        url: "https://h/v1/Rooms?a=1&b=2",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "é=1",
      },
    };
    const e = harEntry(body, started, "1.1") as {
      request: Record<string, unknown>;
      response: Record<string, unknown>;
      time: number;
      startedDateTime: string;
      comment: string;
    };
    expect(e.startedDateTime).toBe(started.toISOString());
    expect(e.time).toBeGreaterThanOrEqual(5);
    expect(e.comment).toBe("d1");
    expect(e.request).toMatchObject({
      method: "POST",
      httpVersion: "HTTP/1.1",
      queryString: [
        { name: "a", value: "1" },
        { name: "b", value: "2" },
      ],
      postData: { mimeType: "application/x-www-form-urlencoded", text: "é=1" },
      bodySize: 4,
      headers: [{ name: "content-type", value: "application/x-www-form-urlencoded" }],
    });
    expect(e.response).toMatchObject({
      status: 200,
      redirectURL: "https://l/",
      content: { size: 7, mimeType: "application/json", text: '{"n":1}' },
    });
    const bare = harEntry(
      { description: "x", request: { method: "GET", url: "https://h/" }, response: { status: 204, body: null } },
      started,
      "1.0",
    ) as { request: Record<string, unknown>; response: Record<string, unknown> };
    expect(bare.request).toMatchObject({ bodySize: 0, headers: [], httpVersion: "HTTP/1.0" });
    expect(bare.request.postData).toBeUndefined();
    expect(bare.response).toMatchObject({ redirectURL: "", content: { size: 0, mimeType: "", text: "" } });
    const text = harEntry(
      { description: "x", request: { method: "GET", url: "https://h/" }, response: { status: 200, body: "plain" } },
      new Date(Date.now() + 1000),
      "1.1",
    ) as { time: number; response: { content: { text: string } } };
    expect(text.response.content.text).toBe("plain");
    expect(text.time).toBe(0);
  });

  it("Capture, headerValue, oneLine, credentialsOf", () => {
    const c = new Capture(4);
    expect(c.add(Buffer.from("ab"))).toBeUndefined();
    expect(c.add(Buffer.from("cd"))).toBeUndefined();
    expect(c.bytes().toString()).toBe("abcd");
    expect(c.add(Buffer.from("e"))!.map(String)).toEqual(["ab", "cd", "e"]);
    expect(c.add(Buffer.from("f"))).toBeUndefined();
    expect([c.size, c.over, c.bytes().length]).toEqual([6, true, 0]);
    expect(headerValue({ a: ["1", "2"], b: "3" }, "a")).toBe("1, 2");
    expect(headerValue({ b: "3" }, "b")).toBe("3");
    expect(headerValue({}, "c")).toBeUndefined();
    expect(oneLine(new Error("first\nsecond"))).toBe("first");
    expect(oneLine("x".repeat(400))).toHaveLength(300);
    expect(credentialsOf(undefined)).toEqual([]);
    expect(credentialsOf("")).toEqual([]);
    const b64 = Buffer.from("SKx:pa:ss").toString("base64");
    expect(credentialsOf(`basic  ${b64}`)).toEqual([`basic  ${b64}`, b64, "pa:ss"]);
    expect(credentialsOf("Bearer tok")).toEqual(["Bearer tok", "tok"]);
    expect(credentialsOf(`Basic ${Buffer.from("nocolon").toString("base64")}`)).toHaveLength(2);
  });

  it("findingLine and summaryLine: every part shown, escaped", () => {
    const base = { kind: "error" as const, exchange: 3, where: "response.body", message: "m", fails: true };
    expect(findingLine(base)).toBe("proxy #3 error response.body: m\n");
    expect(findingLine({ ...base, method: "GET", url: "u", operationId: "Op", expected: "e", found: "f" })).toBe(
      "proxy #3 GET u [Op] error response.body: m (expected e, found f)\n",
    );
    expect(findingLine({ ...base, method: "GET", found: "f", fails: false, kind: "warning" })).toBe(
      "proxy #3 GET  warning (warning) response.body: m (found f)\n",
    );
    expect(findingLine({ ...base, expected: "e" })).toBe("proxy #3 error response.body: m (expected e)\n");
    expect(printable("\u0000\u001f\u007f\u009f\u00a0\u2027\u2028\u2029\u202a\u202e\u202f\u2066\u2069\u206a")).toBe(
      "\\x00\\x1f\\x7f\\x9f\u00a0\u2027\\u2028\\u2029\\u202a\\u202e\u202f\\u2066\\u2069\u206a",
    );
    expect(
      summaryLine({
        exchanges: 2,
        recorded: 1,
        aborted: 0,
        findings: { error: 2, warning: 1 },
        failed: 2,
        strict: true,
      }),
    ).toBe("proxy: 2 exchange(s), 1 recorded, 0 aborted; findings: 2 error, 1 warning; 2 failing (strict)\n");
    expect(summaryLine({ exchanges: 0, recorded: 0, aborted: 0, findings: {}, failed: 0, strict: false })).toBe(
      "proxy: 0 exchange(s), 0 recorded, 0 aborted; findings: none; 0 failing\n",
    );
  });
});

describe("Recorder: one finished exchange → findings, a redacted recording, the out file", () => {
  const base = "https://video.twilio.com";
  const validators: Record<string, ReturnType<typeof createValidatorFor>> = {};
  const make = async (options: ProxyOptions = {}, out?: OutFile) => {
    const settings = settingsOf({ upstream: base, ...options });
    // One validator per strictness: compiling the spec is the slowest step here, and these tests run per mutant.
    validators[String(settings.strict)] ??= createValidatorFor(document, { strict: settings.strict, baseUrls: [base] });
    const validator = validators[String(settings.strict)]!;
    const counts = emptySummary(settings.strict);
    const findings: ProxyFinding[] = [];
    const exchanges: ProxyExchange[] = [];
    const recorder = new Recorder(
      settings,
      validator,
      new ItemChecker(validator, [base]),
      { onFinding: (f) => findings.push(f), onExchange: (e) => exchanges.push(e), ...options },
      counts,
      out,
    );
    return { recorder, counts, findings, exchanges };
  };
  const captured = (text: string | Buffer, cap = 1024) => {
    const c = new Capture(cap);
    if (text.length > 0) c.add(Buffer.from(text));
    return c;
  };
  const finished = (over: Partial<Finished> = {}): Finished => ({
    exchange: 1,
    method: "GET",
    url: new URL(`${base}/v1/Rooms/RM${"1".repeat(32)}?token=tok12345`),
    started: new Date(),
    requestHeaders: { authorization: basic("SKu", "pw-1234567890"), cookie: "c=1" } as Finished["requestHeaders"],
    request: captured(""),
    status: 200,
    responseHeaders: { "content-type": "application/json", "set-cookie": ["s=1"], "twilio-request-id": "RQ1" },
    response: captured(JSON.stringify({ sid: "bad", message: "echo pw-1234567890" })),
    httpVersion: "1.1",
    notRewritten: false,
    ...over,
  });
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;

  it("validates, redacts, reports scrubbed findings and counts them; strict decides whether drift fails", async () => {
    const { recorder, counts, findings, exchanges } = await make();
    const x = finished();
    await recorder.record(x, recorder.redactorFor(x.requestHeaders.authorization as string));
    expect(counts.recorded).toBe(1);
    expect(exchanges).toHaveLength(1);
    const rec = exchanges[0]!.recording;
    expect(rec.request.url).toBe(`${base}/v1/Rooms/RM${"1".repeat(32)}?token=REDACTED`);
    expect(rec.response.headers).toEqual({ "content-type": "application/json", "twilio-request-id": "RQ1" });
    expect(rec.response.body).toMatchObject({ message: "echo REDACTED" });
    expect(rec.description).toBe(`GET /v1/Rooms/RM${"1".repeat(32)}`);
    expect(rec.source).toMatch(/^proxied \d{4}-/);
    expect(exchanges[0]!.result?.operationId).toBe("FetchRoom");
    const errors = findings.filter((f) => f.kind === "error");
    expect(errors.length).toBeGreaterThan(0);
    expect(
      errors.every((f) => f.fails && f.operationId === "FetchRoom" && f.exchange === 1 && f.method === "GET"),
    ).toBe(true);
    expect(counts.failed).toBe(findings.filter((f) => f.fails).length);
    expect(counts.findings.error).toBe(errors.length);
    expect(JSON.stringify(findings)).not.toContain("pw-1234567890");
  });

  it("over the cap: not validated, one body-too-large finding naming the side, the response noted unmodified", async () => {
    const { recorder, findings, exchanges } = await make({ maxBodyBytes: 4 });
    const big = finished({ method: "POST", request: captured("UniqueName=xyz", 4), response: captured("{}", 4) });
    await recorder.record(big, recorder.redactorFor(undefined));
    expect(exchanges[0]!.result).toBeUndefined();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: "body-too-large",
      where: "request.body",
      fails: true,
      operationId: "UpdateRoom",
    });
    expect(findings[0]!.message).toBe("request body of 14 bytes forwarded but not recorded or validated (cap 4 bytes)");
    expect(exchanges[0]!.recording.description).toContain(
      "(not validated: request body of 14 bytes over the 4-byte cap)",
    );
    expect(exchanges[0]!.recording.request.body).toBeUndefined();
    const { recorder: r2, findings: f2, exchanges: e2 } = await make({ maxBodyBytes: 4 });
    await r2.record(finished({ response: captured('{"a":1234}', 4), notRewritten: true }), r2.redactorFor(undefined));
    expect(f2[0]).toMatchObject({ kind: "body-too-large", where: "response.body" });
    expect(f2[0]!.message).toBe(
      "response body of 10 bytes forwarded but not recorded or validated (cap 4 bytes); the response went to the client unmodified, its URLs not rewritten",
    );
    expect(e2[0]!.recording.response.body).toBe("[not recorded: over 4 bytes]");
    const { recorder: r3, findings: f3 } = await make({ maxBodyBytes: 50 });
    const bomb = gzipSync(Buffer.from("x".repeat(1000)));
    await r3.record(
      finished({ response: captured(bomb, 50), responseHeaders: { "content-encoding": "gzip" } }),
      r3.redactorFor(undefined),
    );
    expect(f3.find((f) => f.kind === "body-too-large")?.message).toMatch(/^response body of over 50 bytes decoded/);
  });

  it("credentials: only those of authenticated exchanges are remembered, at most 8 exchanges' worth", async () => {
    const { recorder } = await make();
    await recorder.record(
      finished({ status: 401, requestHeaders: { authorization: basic("SKa", "rejected-secret") } }),
      recorder.redactorFor(undefined),
    );
    await recorder.record(
      finished({ status: 403, requestHeaders: { authorization: basic("SKa", "forbidden-secret") } }),
      recorder.redactorFor(undefined),
    );
    expect(recorder.redactorFor(undefined).remembered).toBe(0);
    for (let i = 0; i < 10; i++)
      await recorder.record(
        finished({ requestHeaders: { authorization: basic("SKa", `accepted-${i}-secret`) } }),
        recorder.redactorFor(undefined),
      );
    const r = recorder.redactorFor(undefined);
    expect(r.remembered).toBe(24);
    expect(r.scrubText("accepted-9-secret accepted-2-secret accepted-1-secret")).toBe(
      "REDACTED REDACTED accepted-1-secret",
    );
    await recorder.record(
      finished({ requestHeaders: { authorization: basic("SKa", "accepted-2-secret") } }),
      recorder.redactorFor(undefined),
    );
    expect(recorder.redactorFor(undefined).remembered).toBe(24);
    expect(recorder.redactorFor("Bearer tok-abcdef").remembered).toBe(26);
  });

  it("listeners that throw do not break recording; a failing out file rejects; undecodable bodies are kept as sent", async () => {
    const out = await OutFile.open(join(dir, "rec.ndjson"), "ndjson");
    const { recorder, counts } = await make(
      {
        onFinding: () => {
          throw new Error("x");
        },
        onExchange: () => {
          throw new Error("y");
        },
      },
      out,
    );
    await recorder.record(
      finished({
        responseHeaders: { "content-encoding": "gzip", "content-type": "text/plain" },
        response: captured("not gzip"),
      }),
      recorder.redactorFor(undefined),
    );
    await out.close();
    expect(counts.recorded).toBe(1);
    const line = JSON.parse(readFileSync(join(dir, "rec.ndjson"), "utf8")) as Recording;
    expect(line.response.body).toBe("not gzip");
    const { recorder: r2 } = await make({}, {
      append: () => Promise.reject(new Error("disk full")),
    } as unknown as OutFile);
    await expect(r2.record(finished(), r2.redactorFor(undefined))).rejects.toThrow("disk full");
  });

  it("findings carry expected and found only when the problem has them; signed Locations; no listeners needed", async () => {
    const { recorder, findings, exchanges } = await make();
    const loc = "https://media.example/f?Signature=abcdefghijklmnopqrstuv&Expires=1";
    await recorder.record(
      finished({ responseHeaders: { "content-type": "application/json", location: loc } }),
      recorder.redactorFor(undefined),
    );
    expect(exchanges[0]!.recording.response.headers?.location).toBe(
      "https://media.example/f?Signature=REDACTED&Expires=REDACTED",
    );
    expect(exchanges[0]!.recording.description).toBe(`GET /v1/Rooms/RM${"1".repeat(32)}`);
    for (const f of findings) {
      expect("expected" in f).toBe(f.expected !== undefined);
      expect("found" in f).toBe(f.found !== undefined);
    }
    expect(findings.some((f) => f.found !== undefined)).toBe(true);
    expect(JSON.stringify(exchanges[0]!.result)).not.toContain("pw-1234567890");
    const settings = settingsOf({ upstream: base });
    validators.false ??= createValidatorFor(document, { strict: false, baseUrls: [base] });
    const validator = validators.false;
    const counts: ProxySummary = { exchanges: 0, recorded: 0, aborted: 0, findings: {}, failed: 0, strict: false };
    const quiet = new Recorder(settings, validator, new ItemChecker(validator, [base]), {}, counts, undefined);
    await quiet.record(finished(), quiet.redactorFor(undefined));
    expect(counts.recorded).toBe(1);
    expect(counts.failed).toBeGreaterThan(0);
  });

  it("parses bodies the way recordings store them: JSON, text when not JSON, null when empty", async () => {
    const { recorder, exchanges } = await make();
    await recorder.record(finished({ response: captured("") }), recorder.redactorFor(undefined));
    await recorder.record(
      finished({ response: captured("{bad"), responseHeaders: { "content-type": "application/json" } }),
      recorder.redactorFor(undefined),
    );
    await recorder.record(
      finished({ response: captured('{"a":1}'), responseHeaders: { "content-type": "text/plain" } }),
      recorder.redactorFor(undefined),
    );
    expect(exchanges.map((e) => e.recording.response.body)).toEqual([null, "{bad", '{"a":1}']);
    await recorder.record(
      finished({
        method: "POST",
        request: captured("UniqueName=a&Password=hunter2222"),
        requestHeaders: { "content-type": "application/x-www-form-urlencoded" },
      }),
      recorder.redactorFor(undefined),
    );
    expect(exchanges[3]!.recording.request).toMatchObject({
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "UniqueName=a&Password=REDACTED",
    });
  });
});

describe("edges the rules draw", () => {
  it("URL ends: every Unicode space ends a URL, a zero-width space does not", () => {
    const r = new Redactor();
    for (const end of ["\u0085", "\u1680", "\u2000", "\u200a", "\u2029", "\u202f", "\u205f", "\u0001", "\u0020"]) {
      expect(r.text(`https://h/?token=tok1${end}tail`), JSON.stringify(end)).toBe(
        `https://h/?token=REDACTED${end}tail`,
      );
    }
    for (const inside of ["\u200b", "\u0021", "\u007f", "\u00a1", "\u3001", "\u2030", "\u1681", "\u0086"]) {
      expect(r.text(`https://h/?token=tok1${inside}tail`), JSON.stringify(inside)).toBe("https://h/?token=REDACTED");
    }
  });

  it("scheme characters: letters of both cases, digits, + - . and nothing next to them", () => {
    const r = new Redactor();
    for (const scheme of ["aZ09z+.-", "A", "z", "Z9"])
      expect(r.text(`(${scheme}://h?sig=abcd)`), scheme).toBe(`(${scheme}://h?sig=REDACTED`);
    for (const before of ["@", "[", "`", "{", "/", ":", " ", "(", "\u00e9"]) {
      expect(r.text(`${before}a://h?sig=abcd`), before).toBe(`${before}a://h?sig=REDACTED`);
    }
    for (const before of ["_", "x0", "9"]) expect(r.text(`${before}//a://h?sig=abcd`), before).toContain("REDACTED");
    expect(urlSpans("+http://x")).toEqual([[1, 9]]);
    expect(urlSpans("_http://x")).toEqual([]);
    expect(urlSpans("Ahttp://x Bhttp://y")).toEqual([
      [0, 9],
      [10, 19],
    ]);
    expect(urlSpans("a:// b://c")).toEqual([[5, 10]]);
    expect(urlSpans("a://b://c")).toEqual([[0, 9]]);
  });

  it("scrubbing: a secret inside a longer one, a prefix at the very end, nothing learned", () => {
    const r = new Redactor();
    r.learn("abcd");
    r.learn("zzabcdzz");
    expect(r.scrubText("zzabcdzz abcd")).toBe("REDACTED REDACTED");
    const p = new Redactor();
    p.learn("0123456789abcdefghij");
    expect(p.scrubText("end 0123456789abc")).toBe("end REDACTED");
    expect(p.scrubText("0123456789abcdefghij0123456789ab")).toBe("REDACTEDREDACTED");
    expect(new Redactor().scrubText("text")).toBe("text");
  });

  it("targets: decoded up to four times, hosts with four-digit parts refused", () => {
    const up = new URL("http://h/api");
    expect(targetUrl("/%2525252e%2525252e", up, "/api")).toBeInstanceOf(Refusal);
    expect(targetUrl("/%252525252e%252525252e", up, "/api")).toBeInstanceOf(URL);
    expect(isOwnHost("127.0.0.1234", "127.0.0.1")).toBe(false);
    expect(isOwnHost("127.1.1.1.1", "127.0.0.1")).toBe(false);
    expect(isOwnHost(" LocalHost ", "127.0.0.1")).toBe(true);
  });

  it("the parent guard fires once on a changed parent; npm is known by its environment", async () => {
    expect(PARENT_POLL_MS).toBe(500);
    let ppid = 100;
    let fired = 0;
    const stop = watchParent(
      () => fired++,
      5,
      () => ppid,
    );
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toBe(0);
    ppid = 1;
    await new Promise((r) => setTimeout(r, 60));
    expect(fired).toBe(1);
    stop();
    let other = 7;
    let never = 0;
    const cancel = watchParent(
      () => never++,
      5,
      () => other,
    );
    cancel();
    other = 8;
    await new Promise((r) => setTimeout(r, 30));
    expect(never).toBe(0);
    expect(startedByNpm({ npm_command: "exec" })).toBe(true);
    expect(startedByNpm({ npm_lifecycle_event: "test" })).toBe(true);
    expect(startedByNpm({})).toBe(false);
  });
});
