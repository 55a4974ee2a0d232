/**
 * index.ts of the capture proxy, fast (issue 32): admission (bad targets 400, malformed bytes 400, slow
 * clients 408), exchange numbering, the listening URL, the summary and close(). Loopback only; each test
 * well under a second, for Stryker (stryker/proxy-forward.json).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  startProxy,
  type ProxyExchange,
  type ProxyFinding,
  type ProxyOptions,
  type RunningProxy,
} from "../src/contract/node-tools.js";
import { parsed, rawExchange, sendJson, until, upstream, type Upstream } from "./lib/proxy-wire.js";

const dir = mkdtempSync(join(tmpdir(), "proxy-index-units-"));
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let shared: Upstream | undefined;
async function rooms(): Promise<Upstream> {
  shared ??= await upstream((_req, res) => sendJson(res, 200, { rooms: [], meta: { page: 0 } }));
  return shared;
}
afterAll(() => shared?.close());

async function proxyWith(options: ProxyOptions = {}) {
  const findings: ProxyFinding[] = [];
  const exchanges: ProxyExchange[] = [];
  const up = await rooms();
  const proxy: RunningProxy = await startProxy({
    upstream: up.url,
    onFinding: (f) => findings.push(f),
    onExchange: (e) => exchanges.push(e),
    ...options,
  });
  cleanups.push(() => proxy.close());
  const port = Number(new URL(proxy.url).port);
  return { proxy, port, findings, exchanges, up };
}

describe("admission", () => {
  it("a target that is not a path gets 400 with the refusal's reason; nothing reaches the upstream", async () => {
    const { port, findings, up } = await proxyWith();
    const before = up.seen.length;
    const raw = await rawExchange(port, "GET http://evil.example/v1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const answer = parsed(raw);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      code: 400,
      status: 400,
      message: "twilio-video-conformance proxy: invalid request target: expected an absolute path such as /v1/Rooms",
    });
    expect(findings).toEqual([
      {
        kind: "bad-request",
        exchange: 1,
        method: "GET",
        where: "request",
        message: "invalid request target: expected an absolute path such as /v1/Rooms",
        fails: true,
      },
    ]);
    expect(up.seen.length).toBe(before);
  });

  it("a foreign Host gets 421; admitted requests are validated against the upstream's base", async () => {
    const { port, findings, exchanges } = await proxyWith();
    const refused = parsed(await rawExchange(port, "GET /v1/Rooms HTTP/1.1\r\nHost: evil.example\r\n\r\n"));
    expect(refused.status).toBe(421);
    expect(findings[0]).toMatchObject({ kind: "bad-request", exchange: 1, method: "GET", where: "request" });
    const ok = parsed(
      await rawExchange(port, "GET /v1/Rooms HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    );
    expect(ok.status).toBe(200);
    await until(() => exchanges.length === 1);
    // The emulator-like upstream is accepted as an API host: the request matched its operation.
    expect(exchanges[0]!.result?.operationId).toBe("ListRoom");
    expect(exchanges[0]!.exchange).toBe(2);
  });

  it("bytes that are not HTTP: an exact 400, one finding numbered after the exchanges before it", async () => {
    const { port, findings } = await proxyWith();
    await rawExchange(port, "GET nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const raw = await rawExchange(port, "\u0001\u0002 not http\r\n\r\n");
    expect(raw).toBe(
      "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 12\r\n\r\n" +
        "Bad Request\n",
    );
    expect(findings[1]).toEqual({
      kind: "bad-request",
      exchange: 2,
      where: "request",
      message: expect.stringMatching(/^malformed HTTP request: HPE_[A-Z_]+$/),
      fails: true,
    });
  });

  it("a client too slow with its headers gets an exact 408, soon after the limit", async () => {
    const { port, findings } = await proxyWith({ headersTimeoutMs: 40, requestTimeoutMs: 40 });
    const started = performance.now();
    const raw = await rawExchange(port, "GET /v1/Rooms HTTP/1.1\r\nHost: loc");
    const took = performance.now() - started;
    expect(raw).toBe(
      "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 16\r\n\r\n" +
        "Request Timeout\n",
    );
    expect(findings).toEqual([
      {
        kind: "bad-request",
        exchange: 1,
        where: "request",
        message: "request timed out: headers or body not received in time",
        fails: true,
      },
    ]);
    // Checked every quarter of the limit (at least 50 ms), not Node's default 30 s or the 1 s ceiling.
    expect(took).toBeLessThan(900);
  });

  it("a client that resets its connection mid-request leaves no finding and no exchange", async () => {
    const { port, proxy, findings } = await proxyWith();
    await new Promise<void>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write("GET /v1/Rooms HTTP/1.1\r\nHost: loc");
        setTimeout(() => socket.resetAndDestroy(), 20);
      });
      socket.on("close", () => resolve());
      socket.on("error", () => undefined);
    });
    // A later request is numbered 1 and is the only finding: the reset counted for nothing.
    await new Promise((r) => setTimeout(r, 100));
    await rawExchange(port, "GET http://x/ HTTP/1.1\r\nHost: localhost\r\n\r\n");
    expect(findings.map((f) => [f.exchange, f.message])).toEqual([
      [1, expect.stringMatching(/^invalid request target/)],
    ]);
    expect(proxy.summary().exchanges).toBe(1);
  });
});

describe("what a refused request and a client's Host can carry", () => {
  it("the request's own credentials are scrubbed from a refusal's finding, even echoed in the Host", async () => {
    const { port, findings } = await proxyWith();
    const secret = "hunter2-password-42";
    const auth = `Basic ${Buffer.from(`SKx:${secret}`).toString("base64")}`;
    const raw = await rawExchange(port, `GET /v1/Rooms HTTP/1.1\r\nHost: ${secret}\r\nAuthorization: ${auth}\r\n\r\n`);
    expect(parsed(raw).status).toBe(421);
    expect(findings).toHaveLength(1);
    expect(JSON.stringify(findings)).not.toContain("hunter2");
    expect(findings[0]!.message).toContain("REDACTED");
  });

  it("a Host that is not a plain host[:port] gets upstream URLs rewritten to the listening URL", async () => {
    let base = "";
    const up = await upstream((_req, res) => sendJson(res, 200, { url: `${base}/v1/Rooms/RM1` }));
    base = up.url;
    cleanups.push(() => up.close());
    const { port, proxy } = await proxyWith({ upstream: up.url });
    const raw = await rawExchange(
      port,
      "GET /v1/Rooms HTTP/1.1\r\nHost: 127.0.0.1:999999\r\nConnection: close\r\n\r\n",
    );
    expect(JSON.parse(parsed(raw).body)).toEqual({ url: `${proxy.url}/v1/Rooms/RM1` });
  });
});

describe("startProxy and close()", () => {
  it("close() does not wait for a client still sending its headers: its connection is closed", async () => {
    const { port, proxy } = await proxyWith({ headersTimeoutMs: 60_000 });
    let clientClosed = false;
    await new Promise<void>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write("GET /v1/Rooms HTTP/1.1\r\nHost: loc");
        resolve();
      });
      socket.on("close", () => (clientClosed = true));
      socket.on("error", () => undefined);
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(clientClosed).toBe(false);
    await proxy.close();
    await until(() => clientClosed);
  });

  it("the summary starts empty, follows strict, and is a copy", async () => {
    const { proxy } = await proxyWith({ strict: true });
    const first = proxy.summary();
    expect(first).toEqual({ exchanges: 0, recorded: 0, aborted: 0, findings: {}, failed: 0, strict: true });
    first.findings.error = 5;
    first.exchanges = 9;
    expect(proxy.summary()).toEqual({ exchanges: 0, recorded: 0, aborted: 0, findings: {}, failed: 0, strict: true });
    expect((await proxyWith()).proxy.summary().strict).toBe(false);
  });

  it("listens where asked: an IPv6 address is bracketed in its URL; the port given is used", async () => {
    const { proxy } = await proxyWith({ host: "::1" });
    expect(proxy.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    const port = Number(new URL(proxy.url).port);
    await proxy.close();
    const again = await proxyWith({ port });
    expect(again.proxy.url).toBe(`http://127.0.0.1:${port}`);
    await expect(startProxy({ port, upstream: "http://127.0.0.1:9" })).rejects.toThrow(/EADDRINUSE/);
  });

  it("close() is idempotent, stops listening and ends idle keep-alive connections at once", async () => {
    const { proxy, port } = await proxyWith({ keepAliveTimeoutMs: 60_000 });
    let closedByServer = false;
    await new Promise<void>((resolve) => {
      const socket = connect(port, "127.0.0.1", () =>
        socket.write("GET /v1/Rooms HTTP/1.1\r\nHost: localhost\r\n\r\n"),
      );
      socket.on("data", () => resolve());
      socket.on("close", () => (closedByServer = true));
      socket.on("error", () => undefined);
    });
    const started = performance.now();
    const [a, b] = await Promise.all([proxy.close(), proxy.close()]);
    expect(a).toEqual(b);
    expect(a.exchanges).toBe(1);
    expect(performance.now() - started).toBeLessThan(5000);
    await until(() => closedByServer);
    expect(await rawExchange(port, "GET / HTTP/1.1\r\n\r\n")).toBe("");
  });

  it("an out file that cannot be opened rejects with the path; the file is complete after close", async () => {
    const missing = join(dir, "no", "such", "dir", "x.ndjson");
    await expect(startProxy({ out: missing })).rejects.toThrow(`cannot open --out ${missing}: ENOENT`);
    const out = join(dir, "t.ndjson");
    const { port, proxy } = await proxyWith({ out });
    await rawExchange(port, "GET /v1/Rooms HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    await proxy.close();
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).request.url).toMatch(/\/v1\/Rooms$/);
  });
});
