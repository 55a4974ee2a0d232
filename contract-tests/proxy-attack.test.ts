/**
 * The capture proxy under attack (issue #32): it holds real credentials, so
 * every promise in SECURITY.md's "Proxy" section has a test here that
 * attacks it and bounds time or memory: redaction cost that does not grow
 * with history, no super-linear scanning of crafted 1 MiB inputs, slow
 * clients cut off, credentials never written or printed in any encoding,
 * requests confined under the upstream's path, a foreign Host refused, and
 * control characters escaped on stderr.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProxy, type ProxyFinding } from "../src/contract/node-tools.js";
import { findingLine, printable, runProxyCli } from "../src/contract/proxy-cli.js";
import { Redactor, urlSpans } from "../src/contract/redact.js";
import { upstream as wireUpstream } from "./lib/proxy-wire.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "proxy-attack-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
/** A loopback upstream (lib/proxy-wire.ts) that hands each body to `handler` as text; `seen` lists the targets. */
const upstream = (handler: Handler) => wireUpstream((req, res, body) => handler(req, res, body.toString("utf8")));

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Sends raw bytes on one connection; resolves with what came back and when the server closed it. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    let got = "";
    socket.on("data", (d) => (got += d.toString("latin1")));
    socket.on("close", () => resolve(got));
    socket.on("error", () => resolve(got));
  });
}

describe("redaction cost is O(input), whatever strangers sent before", () => {
  it("after exchanges full of fake passwords and fresh credentials, an exchange costs about what the first did", async () => {
    const up = await upstream((_req, res) => json(res, 200, { ok: true }));
    const proxy = await startProxy({ upstream: up.url, out: join(dir, "flood.ndjson") });
    // The probe: a 512 KiB form of ordinary parameters, so scrubbing it is most of its cost.
    const probe = Array.from({ length: 20_000 }, (_, i) => `k${i}=value-${i}-abcdefghij`)
      .join("&")
      .slice(0, 512 * 1024);
    const time = async (body: string, authorization: string): Promise<number> => {
      const t = performance.now();
      const res = await fetch(`${proxy.url}/v1/Probe`, {
        method: "POST",
        headers: { Authorization: authorization, "Content-Type": "application/x-www-form-urlencoded" },
        body,
      });
      await res.arrayBuffer();
      return performance.now() - t;
    };
    await time(probe, basic("SKwarm", "warm-up-secret-0000")); // JIT warm-up
    const before: number[] = [];
    for (let i = 0; i < 5; i++) before.push(await time(probe, basic("SKprobe", "probe-secret-000000")));
    // Each flood exchange: ~1 MiB of distinct fake passwords, under a credential of its own that the upstream accepts.
    for (let n = 0; n < 6; n++) {
      const flood = Array.from({ length: 30_000 }, () => `password=${randomBytes(9).toString("base64url")}`).join("&");
      await time(flood, basic(`SK${n}`, `accepted-secret-${n}-${randomBytes(8).toString("hex")}`));
    }
    const after: number[] = [];
    for (let i = 0; i < 5; i++) after.push(await time(probe, basic("SKprobe", "probe-secret-000000")));
    const [first, later] = [median(before), median(after)];
    console.log(
      `proxy: probe exchange median ${first.toFixed(1)} ms before, ${later.toFixed(1)} ms after 6 floods of 30,000 fake passwords`,
    );
    // Remembering every removed value made this seconds; the bound leaves room for a loaded machine.
    expect(later).toBeLessThan(first * 4 + 150);
    const written = readFileSync(join(dir, "flood.ndjson"), "utf8");
    expect(written).not.toContain("probe-secret-000000");
    await proxy.close();
    await up.close();
  }, 120_000);

  it("a redactor remembers at most maxSecrets values, pinned ones beyond them", () => {
    const r = new Redactor([], { maxSecrets: 3 });
    r.learn("pinned-credential", true);
    for (let i = 0; i < 1000; i++) r.params(`password=fake-value-${i}`);
    expect(r.remembered).toBe(4);
    // The newest and the pinned are hunted; the oldest are forgotten.
    expect(r.scrubText("fake-value-999 fake-value-0 pinned-credential")).toBe("REDACTED fake-value-0 REDACTED");
  });
});

describe("no super-linear scanning in redaction", () => {
  const MiB = 1024 * 1024;
  const crafted: Record<string, (n: number) => string> = {
    "scheme characters, then ://": (n) => `${"a.".repeat(n / 2)} ://`,
    "many :// in a row": (n) => "a://".repeat(n / 4),
    "a URL that never ends": (n) => `https://${"x".repeat(n)}`,
    "userinfo with no @": (n) => `a://${":".repeat(n)}`,
    "many pairs in a form": (n) => "a=&".repeat(n / 3),
    "a secret's prefix again and again": (n) => "secret-value-0".repeat(n / 14),
  };
  for (const [name, make] of Object.entries(crafted)) {
    it(`${name}: 1 MiB costs about 16 times 64 KiB, within 8 s`, () => {
      const run = (text: string): number => {
        const r = new Redactor();
        r.learn("secret-value-0123456789abcdef");
        const t = performance.now();
        r.scrubText(r.text(r.params(text)));
        r.url(text);
        return performance.now() - t;
      };
      run(make(64 * 1024)); // warm-up
      const small = Math.min(run(make(64 * 1024)), run(make(64 * 1024)));
      const large = run(make(MiB));
      expect(large).toBeLessThan(8000);
      // Linear: 16x the input, well under 16x16 (quadratic) the time; the floor absorbs timer noise.
      expect(large).toBeLessThan(Math.max(small, 1) * 16 * 6);
    }, 60_000);
  }

  it("URLs in text are found as the old pattern found them", () => {
    const text = 'see https://a.example/x?token=1 and "s3://k:s@b/o" or x_https://no or 1http://no, ftp://f';
    expect(urlSpans(text).map(([s, e]) => text.slice(s, e))).toEqual([
      "https://a.example/x?token=1",
      "s3://k:s@b/o",
      "ftp://f",
    ]);
    expect(new Redactor().text(text)).toBe(
      'see https://a.example/x?token=REDACTED and "s3://REDACTED:REDACTED@b/o" or x_https://no or 1http://no, ftp://f',
    );
  });
});

describe("time limits on clients", () => {
  it("a slow-loris client dribbling headers is cut off within the headers timeout", async () => {
    const up = await upstream((_req, res) => json(res, 200, {}));
    const proxy = await startProxy({ upstream: up.url, headersTimeoutMs: 500 });
    const port = Number(new URL(proxy.url).port);
    const t = performance.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => socket.write("GET /v1/Rooms HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
      // One header line every 100 ms, never the blank line that ends them.
      const drip = setInterval(
        () => socket.writable && socket.write(`X-Drip-${Math.random().toString(36).slice(2)}: 1\r\n`),
        100,
      );
      socket.on("error", () => undefined);
      socket.on("close", () => {
        clearInterval(drip);
        resolve(performance.now() - t);
      });
      setTimeout(() => socket.destroy(), 30_000);
    });
    console.log(`proxy: slow-loris client cut off after ${closedAfter.toFixed(0)} ms (headers timeout 500 ms)`);
    expect(closedAfter).toBeLessThan(10_000);
    expect(up.seen).toEqual([]);
    await proxy.close();
    await up.close();
  }, 45_000);

  it("a client dribbling its body is cut off within the request timeout; an idle keep-alive connection is closed", async () => {
    const up = await upstream((_req, res) => json(res, 200, {}));
    const proxy = await startProxy({
      upstream: up.url,
      headersTimeoutMs: 300,
      requestTimeoutMs: 800,
      keepAliveTimeoutMs: 300,
    });
    const port = Number(new URL(proxy.url).port);
    const t = performance.now();
    await new Promise<void>((resolve) => {
      const socket = connect(port, "127.0.0.1", () =>
        socket.write("POST /v1/Rooms HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n"),
      );
      const drip = setInterval(() => socket.writable && socket.write("a"), 50);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        clearInterval(drip);
        resolve();
      });
      setTimeout(() => socket.destroy(), 30_000);
    });
    const bodyCut = performance.now() - t;
    expect(bodyCut).toBeLessThan(15_000);
    const t2 = performance.now();
    const idle = await rawExchange(port, "GET /v1/Rooms HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const idleCut = performance.now() - t2;
    console.log(
      `proxy: dribbled body cut off after ${bodyCut.toFixed(0)} ms (request timeout 800), idle keep-alive closed after ${idleCut.toFixed(0)} ms (300)`,
    );
    expect(idle).toMatch(/^HTTP\/1\.1 200/);
    expect(idleCut).toBeLessThan(10_000);
    await proxy.close();
    await up.close();
  }, 60_000);

  it("refuses a headers timeout of 0 and a request timeout below the headers timeout", async () => {
    await expect(startProxy({ headersTimeoutMs: 0 })).rejects.toThrow(/headersTimeoutMs must be 1 or more/);
    await expect(startProxy({ headersTimeoutMs: 1000, requestTimeoutMs: 10 })).rejects.toThrow(
      /requestTimeoutMs \(10\) must be 0 or at least/,
    );
    await expect(startProxy({ keepAliveTimeoutMs: -1 })).rejects.toThrow(/keepAliveTimeoutMs must be a whole number/);
  });
});

describe("the proxy never writes or prints a credential", () => {
  // Quotes and a backslash, so its JSON-escaped form differs from it; long, so a quoted prefix is hunted too.
  const secret = `pa"ss\\word-${"0123456789abcdef".repeat(12)}`;
  const token = `tok-${"fedcba9876543210".repeat(12)}`;

  it("JSON bodies redacted by key; an echoed prefix, a URL-encoded, JSON-escaped or base64 copy removed from file and stderr", async () => {
    const authorization = basic("SKuser", secret);
    const up = await upstream((req, res, body) => {
      if (req.url!.startsWith("/v1/Rooms/")) {
        // A room whose status quotes the first 40 characters of the password: the validator reports it ("found").
        return json(res, 200, {
          sid: `RM${"1".repeat(32)}`,
          status: secret.slice(0, 40),
          "links\n::error::x\u001b]0;pwned\u0007": 1,
        });
      }
      const sent = JSON.parse(body) as { client_secret: string };
      json(res, 400, {
        code: 20001,
        message: `token ${sent.client_secret.slice(0, 100)}… rejected; auth ${authorization.slice(6)} for ${encodeURIComponent(secret)}`,
        detail: `quoted ${JSON.stringify(token)}`,
        api_key: token,
        status: 400,
      });
    });
    const out = join(dir, "secrets.ndjson");
    let stderr = "";
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const urlReady = new Promise<string>((resolve) => {
      void runProxyCli(["--upstream", up.url, "--out", out], {
        stdout: (t) => resolve(t.trim()),
        stderr: (t) => (stderr += t),
        stopped,
      }).then((code) => (exitCode = code));
    });
    let exitCode = -1;
    const proxyUrl = await urlReady;
    await fetch(`${proxyUrl}/v1/Rooms`, {
      method: "POST",
      headers: { Authorization: authorization, "Content-Type": "application/json" },
      body: JSON.stringify({ client_secret: token, UniqueName: "visible" }),
    });
    await fetch(`${proxyUrl}/v1/Rooms/RM${"1".repeat(32)}`, { headers: { Authorization: authorization } });
    stop();
    await new Promise((r) => setTimeout(r, 300));
    const written = readFileSync(out, "utf8");
    const b64 = authorization.slice(6);
    for (const [name, form] of Object.entries({
      secret,
      token,
      base64: b64,
      urlEncoded: encodeURIComponent(secret),
      jsonEscaped: JSON.stringify(secret).slice(1, -1),
      prefix: secret.slice(0, 14),
      escapedPrefix: JSON.stringify(secret).slice(1, 15),
      tokenPrefix: token.slice(0, 14),
    })) {
      expect(written, `${name} in the out file`).not.toContain(form);
      expect(stderr, `${name} on stderr`).not.toContain(form);
    }
    expect(written).toContain(String.raw`{\"client_secret\":\"REDACTED\",\"UniqueName\":\"visible\"}`);
    expect(written).toContain("visible");
    expect(stderr).toMatch(/error response\.body/);
    expect(exitCode).toBe(1);
    await up.close();
  });

  it("the shortest prefix hunted is MIN_SECRET_PREFIX characters: 12 go, 11 stay", () => {
    const r = new Redactor();
    r.learn("abcdefghijklmnopqrstuvwxyz");
    expect(r.scrubText("x abcdefghijkl y")).toBe("x REDACTED y");
    expect(r.scrubText("x abcdefghijk y")).toBe("x abcdefghijk y");
    expect(r.scrubText("abcdefghijklmnopqrstuvwxyz0")).toBe("REDACTED0");
  });
});

describe("the proxy forwards only under its upstream's path, and only for its own Host", () => {
  it("dot segments, encoded dots and slashes, backslashes cannot climb out of /api; a foreign Host is refused", async () => {
    const up = await upstream((_req, res) => json(res, 200, { ok: true }));
    const findings: ProxyFinding[] = [];
    const proxy = await startProxy({ upstream: `${up.url}/api`, onFinding: (f) => findings.push(f) });
    const port = Number(new URL(proxy.url).port);
    const get = (target: string, host = `127.0.0.1:${port}`) =>
      rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    const climbs = [
      "/../secret",
      "/v1/../../secret",
      "/%2e%2e/secret",
      "/%2E%2e%2fsecret",
      "/..%2fsecret",
      "/..%2Fsecret",
      "/..\\secret",
      "/%5c..%5csecret",
      "/v1/%252e%252e/%252e%252e/secret",
      "/./v1",
      "/v1/.%2e/..",
    ];
    const t = performance.now();
    for (const target of climbs) expect(await get(target), target).toMatch(/^HTTP\/1\.1 400/);
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(up.seen).toEqual([]);
    // DNS rebinding: a name the attacker controls, resolved to 127.0.0.1, is not this proxy's name.
    for (const host of ["evil.example", `evil.example:${port}`, "video.twilio.com", "127.0.0.1.evil.example"]) {
      expect(await get("/v1/Rooms", host), host).toMatch(/^HTTP\/1\.1 421/);
    }
    expect(up.seen).toEqual([]);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, "127.0.0.2", `[::1]:${port}`])
      expect(await get("/v1/Rooms", host), host).toMatch(/^HTTP\/1\.1 200/);
    expect(up.seen).toEqual(["/api/v1/Rooms", "/api/v1/Rooms", "/api/v1/Rooms", "/api/v1/Rooms"]);
    expect(findings.filter((f) => f.kind === "bad-request")).toHaveLength(climbs.length + 4);
    expect(findings.find((f) => f.message.includes("Host"))?.message).toMatch(/does not name this proxy/);
    await proxy.close();
    await up.close();
  }, 30_000);
});

describe("terminal and CI-log injection", () => {
  it("control characters, newlines and bidi overrides from URLs, names and bodies are escaped on stderr", () => {
    const evil = "x\u001b[2J\u001b]0;title\u0007\r\n::error::owned\u2028\u202e\u009b";
    const line = findingLine({
      kind: "error",
      exchange: 1,
      method: "GET",
      url: `http://h/${evil}`,
      where: `response.body/${evil}`,
      message: evil,
      found: JSON.stringify(evil),
      expected: evil,
      fails: true,
    });
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(line.split("\n").filter((l) => l.startsWith("::"))).toEqual([]);
    // One escaping for every printed line (command-line.ts terminalSafe): \n, \x1b, \u2028 spelled out.
    expect(printable("a\u001bb\nc\u2028")).toBe("a\\x1bb\\nc\\u2028");
    // Linear on 1 MiB of control characters.
    const t = performance.now();
    expect(printable("\u001b".repeat(1024 * 1024))).toHaveLength(4 * 1024 * 1024);
    expect(performance.now() - t).toBeLessThan(5000);
  });
});
