/**
 * forward.ts on the wire, fast (issue 32): each test runs the real proxy against a tiny loopback upstream
 * (node:http, or raw TCP when the test needs bytes no server would send) and takes well under a second, so
 * Stryker can run them for every mutant (stryker/proxy-forward.json). No timing floods: time bounds here only
 * bound waits for events.
 */
import { connect } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { startProxy, type ProxyFinding, type ProxyOptions, type RunningProxy } from "../src/contract/node-tools.js";
import { parsed, rawExchange, rawUpstream, sendJson, until, upstream } from "./lib/proxy-wire.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function proxyTo(url: string, options: ProxyOptions = {}) {
  const findings: ProxyFinding[] = [];
  const proxy: RunningProxy = await startProxy({ upstream: url, onFinding: (f) => findings.push(f), ...options });
  cleanups.push(() => proxy.close());
  const port = Number(new URL(proxy.url).port);
  const send = (head: string, body = "") =>
    rawExchange(
      port,
      `${head.replaceAll("\n", "\r\n")}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n${body}`,
    );
  return { proxy, port, findings, send };
}

/** A raw upstream answering every request with `answer` once the request head is in. */
async function answering(answer: string | Buffer) {
  const up = await rawUpstream((received, socket) => {
    if (received.includes("\r\n\r\n") && !socket.writableEnded) socket.end(answer);
  });
  cleanups.push(() => up.close());
  return up;
}

describe("request headers", () => {
  it("hop-by-hop headers stay behind, the rest go on, Host names the upstream, the body follows", async () => {
    const up = await upstream((_req, res) => sendJson(res, 200, {}));
    cleanups.push(() => up.close());
    const { send } = await proxyTo(`${up.url}/api`);
    const hop = [
      "Keep-Alive: timeout=99",
      "Proxy-Connection: marker-pc",
      "Proxy-Authenticate: marker-pa",
      "Proxy-Authorization: Basic marker-pz",
      "TE: marker-te",
      "Trailer: marker-tr",
      "Trailers: marker-ts",
      "Upgrade: marker-up",
    ];
    const head = [
      "POST /v1/Rooms?x=1 HTTP/1.1",
      ...hop,
      "X-Custom: kept",
      "Content-Type: text/plain",
      "Content-Length: 3",
    ];
    expect(parsed(await send(head.join("\n"), "a=1")).status).toBe(200);
    const seen = up.requests[0]!;
    expect(seen).toMatchObject({ method: "POST", url: "/api/v1/Rooms?x=1" });
    expect(seen.body.toString()).toBe("a=1");
    expect(seen.headers["x-custom"]).toBe("kept");
    expect(seen.headers.host).toBe(new URL(up.url).host);
    expect(JSON.stringify(seen.headers)).not.toMatch(/marker|timeout=99/);
  });

  it("a Connection header's own value is not passed on", async () => {
    const up = await upstream((_req, res) => sendJson(res, 200, {}));
    cleanups.push(() => up.close());
    const { port } = await proxyTo(up.url);
    await rawExchange(port, `GET /v1/Rooms HTTP/1.1\r\nHost: localhost\r\nConnection: close, marker-conn\r\n\r\n`);
    expect(String(up.requests[0]!.headers.connection)).not.toContain("marker");
  });

  it("an https upstream is spoken to in TLS (its first byte is a TLS handshake record)", async () => {
    const first: number[] = [];
    const up = await rawUpstream((received, socket) => {
      first.push(received[0]!);
      socket.destroy();
    });
    cleanups.push(() => up.close());
    const { send, findings } = await proxyTo(`https://127.0.0.1:${up.port}`);
    expect(parsed(await send("GET /v1/Rooms HTTP/1.1")).status).toBe(502);
    expect(first[0]).toBe(0x16);
    expect(findings[0]).toMatchObject({ kind: "upstream-unreachable", where: "upstream" });
  });
});

describe("response headers and bodies", () => {
  it("hop-by-hop response headers are dropped, Content-Length and the status text kept", async () => {
    const hop = ["Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer"];
    const more = ["Trailers", "Upgrade", "Host"].map((n) => `${n}: marker-${n}`);
    const up = await answering(
      [
        "HTTP/1.1 203 Custom Words",
        "Content-Type: text/plain",
        "Content-Length: 5",
        ...hop.map((n) => `${n}: marker-${n}`),
        ...more,
        "X-Other: kept",
        "",
        "hello",
      ].join("\r\n"),
    );
    const { send } = await proxyTo(up.url);
    const answer = parsed(await send("GET /v1/Rooms HTTP/1.1"));
    expect(answer.head).toMatch(/^HTTP\/1\.1 203 Custom Words\r\n/);
    expect(answer.head).toMatch(/\r\ncontent-length: 5\r\n/i);
    expect(answer.head).toMatch(/\r\nx-other: kept\r\n/i);
    expect(answer.head).not.toMatch(/marker/);
    expect(answer.body).toBe("hello");
  });

  it("a body without Content-Length goes out chunked, as it came", async () => {
    const up = await answering("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstreamed to the end");
    const { send } = await proxyTo(up.url);
    const answer = parsed(await send("GET /v1/Rooms HTTP/1.1"));
    expect(answer.head).not.toMatch(/content-length/i);
    expect(answer.head).toMatch(/transfer-encoding: chunked/i);
    expect(answer.body).toBe("streamed to the end");
  });

  it("JSON and Location naming the upstream are rewritten to the origin the client used, gzip undone", async () => {
    let base = "";
    const up = await upstream((req, res) => {
      const body = gzipSync(JSON.stringify({ url: `${base}/v1/Rooms/RM1`, other: "https://else.example/v1" }));
      res.writeHead(201, {
        "Content-Type": "Application/JSON; charset=utf-8",
        "Content-Encoding": "gzip",
        "Content-Length": body.length,
        Location: `${base}/v1/Rooms/RM1?x=${req.url?.length}`,
      });
      res.end(body);
    });
    base = `${up.url}/api`;
    cleanups.push(() => up.close());
    const { port } = await proxyTo(base);
    const raw = await rawExchange(port, "GET /v1/Rooms HTTP/1.1\r\nHost: localhost:1234\r\nConnection: close\r\n\r\n");
    const answer = parsed(raw);
    const body = JSON.stringify({ url: "http://localhost:1234/v1/Rooms/RM1", other: "https://else.example/v1" });
    expect(answer.status).toBe(201);
    expect(answer.body).toBe(body);
    expect(answer.head).toMatch(new RegExp(`\\r\\ncontent-length: ${body.length}\\r\\n`, "i"));
    expect(answer.head).not.toMatch(/content-encoding/i);
    expect(answer.head).toMatch(/\r\nlocation: http:\/\/localhost:1234\/v1\/Rooms\/RM1\?x=13\r\n/i);
  });

  it("a held JSON body with nothing to rewrite goes out as it came, encoding and all; an empty one too", async () => {
    const zipped = gzipSync('{"a":1}');
    const up = await upstream((req, res) => {
      if (req.url?.endsWith("/empty")) return res.writeHead(200, { "Content-Type": "application/json" }).end();
      res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" }).end(zipped);
    });
    cleanups.push(() => up.close());
    const { send } = await proxyTo(up.url);
    const answer = parsed(await send("GET /v1/Rooms HTTP/1.1"));
    expect(answer.head).toMatch(/\r\ncontent-encoding: gzip\r\n/i);
    expect(Buffer.from(answer.body, "latin1").equals(zipped)).toBe(true);
    const empty = parsed(await send("GET /v1/empty HTTP/1.1"));
    expect(empty.status).toBe(200);
    expect(empty.body).toBe("");
  });

  it("JSON answers without a body (HEAD, 204, 304) keep their head as it came, Content-Length included", async () => {
    const up = await upstream((req, res) => {
      const status = req.url?.endsWith("/204") ? 204 : req.url?.endsWith("/304") ? 304 : 200;
      const headers = { "Content-Type": "application/json", ...(status === 200 ? { "Content-Length": "50" } : {}) };
      res.writeHead(status, headers).end(req.method === "HEAD" || status !== 200 ? undefined : "x".repeat(50));
    });
    cleanups.push(() => up.close());
    const { send } = await proxyTo(up.url);
    const head = parsed(await send("HEAD /v1/Rooms HTTP/1.1"));
    expect(head.status).toBe(200);
    expect(head.head).toMatch(/\r\ncontent-length: 50\r\n/i);
    expect(head.body).toBe("");
    for (const status of [204, 304]) {
      const answer = parsed(await send(`GET /v1/${status} HTTP/1.1`));
      expect(answer.status).toBe(status);
      expect(answer.body).toBe("");
    }
  });

  it("a rewritten chunked JSON body goes out with its new Content-Length, no Transfer-Encoding", async () => {
    let base = "";
    const up = await rawUpstream((received, socket) => {
      if (!received.includes("\r\n\r\n") || socket.writableEnded) return;
      const body = JSON.stringify({ url: `${base}/v1/Rooms` });
      const chunk = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}`);
    });
    base = up.url;
    cleanups.push(() => up.close());
    const { port } = await proxyTo(up.url);
    const raw = await rawExchange(port, "GET /v1/Rooms HTTP/1.1\r\nHost: localhost:7\r\nConnection: close\r\n\r\n");
    const answer = parsed(raw);
    const body = JSON.stringify({ url: "http://localhost:7/v1/Rooms" });
    expect(answer.head).not.toMatch(/transfer-encoding/i);
    expect(answer.head).toMatch(new RegExp(`\\r\\ncontent-length: ${body.length}(\\r\\n|$)`, "i"));
    expect(answer.body).toBe(body);
  });

  it("with rewriting off, JSON naming the upstream streams through untouched", async () => {
    let base = "";
    const up = await upstream((_req, res) => sendJson(res, 200, { url: `${base}/v1/x` }, { Location: `${base}/v1/y` }));
    base = up.url;
    cleanups.push(() => up.close());
    const { send } = await proxyTo(up.url, { rewriteUrls: false });
    const answer = parsed(await send("GET /v1/Rooms HTTP/1.1"));
    expect(answer.body).toBe(JSON.stringify({ url: `${base}/v1/x` }));
    expect(answer.head).toContain(`${base}/v1/y`);
  });

  it("a JSON body over the cap goes through byte for byte, and its finding says it was not rewritten", async () => {
    const text = JSON.stringify({ pieces: Array.from({ length: 40 }, (_, i) => `piece-${i}`) });
    const up = await rawUpstream((received, socket) => {
      if (!received.includes("\r\n\r\n") || socket.writableEnded) return;
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n`);
      // In pieces, so the proxy holds some before the cap is crossed.
      const step = 30;
      const next = (at: number): void => {
        if (at >= text.length) return void socket.end();
        socket.write(text.slice(at, at + step));
        setTimeout(() => next(at + step), 2);
      };
      next(0);
    });
    cleanups.push(() => up.close());
    const { send, findings } = await proxyTo(up.url, { maxBodyBytes: 100 });
    const answer = parsed(await send("GET /v1/Rooms HTTP/1.1"));
    expect(answer.body).toBe(text);
    expect(answer.head).toMatch(new RegExp(`content-length: ${text.length}\\r\\n`, "i"));
    expect(findings.find((f) => f.kind === "body-too-large")?.message).toMatch(/its URLs not rewritten$/);
  });

  it("a gzip body that decodes past the cap is sent as it came and noted as not rewritten", async () => {
    const bomb = gzipSync(JSON.stringify({ pad: "x".repeat(5000) }));
    const up = await upstream((_req, res) =>
      res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" }).end(bomb),
    );
    cleanups.push(() => up.close());
    const { send, findings } = await proxyTo(up.url, { maxBodyBytes: 1000 });
    const answer = parsed(await send("GET /v1/Rooms HTTP/1.1"));
    expect(Buffer.from(answer.body, "latin1").equals(bomb)).toBe(true);
    expect(answer.head).toMatch(/content-encoding: gzip/i);
    expect(findings.find((f) => f.kind === "body-too-large")?.message).toMatch(/its URLs not rewritten$/);
  });
});

describe("failures on either side", () => {
  it("an unreachable upstream: 502 with a JSON body, one upstream-unreachable finding, redacted URL", async () => {
    const gone = await rawUpstream(() => undefined);
    await gone.close();
    const { send, findings, proxy } = await proxyTo(`${gone.url}/api`);
    const answer = parsed(await send("GET /v1/Rooms?Token=secret-value-123 HTTP/1.1"));
    expect(answer.status).toBe(502);
    expect(answer.head).toMatch(/\r\ncontent-type: application\/json\r\n/i);
    expect(answer.head).toMatch(/\r\nconnection: close\r\n/i);
    const body = JSON.parse(answer.body) as { code: number; status: number; message: string };
    expect(body.code).toBe(502);
    expect(body.status).toBe(502);
    expect(body.message).toMatch(
      new RegExp(`^twilio-video-conformance proxy: upstream ${gone.url.replaceAll(".", "\\.")} unreachable: \\S`),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: "upstream-unreachable",
      exchange: 1,
      method: "GET",
      url: `${gone.url}/api/v1/Rooms?Token=REDACTED`,
      where: "upstream",
      fails: true,
    });
    expect(findings[0]!.message).toBe(body.message.replace("twilio-video-conformance proxy: ", ""));
    expect(await proxy.close()).toMatchObject({ exchanges: 1, recorded: 0, aborted: 0, failed: 1 });
  });

  it("an upstream breaking off mid-body: the client's connection is cut, the exchange counted aborted", async () => {
    for (const type of ["text/plain", "application/json"]) {
      const up = await rawUpstream((received, socket) => {
        if (!received.includes("\r\n\r\n") || socket.writableEnded) return;
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nContent-Length: 100\r\n\r\n{"partial":`);
        setTimeout(() => socket.destroy(), 20);
      });
      cleanups.push(() => up.close());
      const { send, findings, proxy } = await proxyTo(up.url);
      const raw = await send("GET /v1/Rooms HTTP/1.1");
      expect(parsed(raw).body.length, type).toBeLessThan(100);
      await until(() => findings.length > 0);
      expect(findings[0], type).toMatchObject({ kind: "upstream-unreachable", where: "upstream", fails: true });
      expect(findings[0]!.message, type).toBe("upstream broke off the response");
      // The client's side closing after the break is the same exchange: counted once, however late it comes.
      await until(() => proxy.summary().aborted > 0);
      await new Promise((r) => setTimeout(r, 50));
      expect(await proxy.close()).toMatchObject({ aborted: 1, recorded: 0, failed: 1 });
    }
  });

  it("a client hanging up mid-response stops the upstream side too", async () => {
    let upstreamClosed = false;
    const up = await rawUpstream((received, socket) => {
      if (!received.includes("\r\n\r\n") || socket.writableEnded) return;
      socket.on("close", () => (upstreamClosed = true));
      socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nfirst part");
    });
    cleanups.push(() => up.close());
    const { port, proxy } = await proxyTo(up.url);
    await new Promise<void>((resolve) => {
      const client = connect(port, "127.0.0.1", () =>
        client.write("GET /v1/Rooms HTTP/1.1\r\nHost: localhost\r\n\r\n"),
      );
      client.on("data", (d) => {
        if (d.toString().includes("first part")) {
          client.destroy();
          resolve();
        }
      });
    });
    await until(() => upstreamClosed);
    // The client left: that is not the upstream failing.
    expect(await proxy.close()).toMatchObject({ aborted: 1, recorded: 0, failed: 0, findings: {} });
  });

  it("close(): an exchange that ends within drainMs is waited for, one that does not is aborted", async () => {
    let slowClosed = false;
    const up = await rawUpstream((received, socket) => {
      if (!received.includes("\r\n\r\n") || socket.writableEnded) return;
      if (received.includes("/slow")) return void socket.on("close", () => (slowClosed = true)); // never answers
      setTimeout(() => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), 60);
    });
    cleanups.push(() => up.close());
    const waited = await proxyTo(up.url, { drainMs: 5000 });
    const late = waited.send("GET /v1/Rooms HTTP/1.1");
    await until(() => waited.proxy.summary().exchanges === 1);
    const summary = await waited.proxy.close();
    expect(parsed(await late).body).toBe("ok");
    expect(summary).toMatchObject({ aborted: 0, recorded: 1 });
    const cut = await proxyTo(up.url, { drainMs: 30 });
    const hung = cut.send("GET /v1/slow HTTP/1.1");
    await until(() => cut.proxy.summary().exchanges === 1);
    expect(await cut.proxy.close()).toMatchObject({ aborted: 1, recorded: 0, failed: 0, findings: {} });
    expect(await hung).toBe("");
    // The upstream side of the aborted exchange is closed too, not left to the upstream's own timeout.
    await until(() => slowClosed);
  });

  it("a request body over the cap streams through whole and is reported, not recorded", async () => {
    const up = await upstream((_req, res) => sendJson(res, 200, {}));
    cleanups.push(() => up.close());
    const { send, findings, proxy } = await proxyTo(up.url, { maxBodyBytes: 1000 });
    const body = "k=".padEnd(300_000, "v");
    const type = "Content-Type: application/x-www-form-urlencoded";
    const head = `POST /v1/Rooms HTTP/1.1\n${type}\nContent-Length: ${body.length}`;
    expect(parsed(await send(head, body)).status).toBe(200);
    expect(up.requests[0]!.body.toString()).toBe(body);
    const tooLarge = findings.find((f) => f.kind === "body-too-large");
    expect(tooLarge).toMatchObject({ where: "request.body" });
    // The response was small and rewritten as usual: the finding does not say otherwise.
    expect(tooLarge?.message).not.toMatch(/unmodified|not rewritten/);
    expect(await proxy.close()).toMatchObject({ recorded: 1, aborted: 0 });
  });
});
