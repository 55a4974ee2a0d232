// The Node exchange's keep-alive pool (src/node/exchange.ts, IdleSockets):
// a fresh socket is reused, an idle one is closed by the client before the
// server would close it, and a server's shorter Keep-Alive timeout wins.
import { createServer, type OutgoingHttpHeaders } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { nodeExchange } from "../../src/node/exchange.js";

const attempt = () => ({ aborted: false, reason: undefined, onabort: null });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until `done()` holds (checked every 10 ms), for at most `ms`; a loaded machine delays timers. */
async function until(done: () => boolean, ms: number): Promise<void> {
  for (const end = performance.now() + ms; !done() && performance.now() < end; ) await sleep(10);
}

/** A loopback server that counts connections and notes when the client closed each. */
async function server(headers: OutgoingHttpHeaders = {}) {
  const sockets: Socket[] = [];
  const closed: number[] = [];
  const started = performance.now();
  const http = createServer({ keepAliveTimeout: 60_000 }, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "2", ...headers });
    res.end("{}");
  });
  http.on("connection", (socket: Socket) => {
    sockets.push(socket);
    socket.on("close", () => closed.push(performance.now() - started));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1/Rooms`;
  return {
    url,
    sockets,
    closed,
    close: () => {
      http.closeAllConnections();
      return new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

describe("the node exchange's idle sockets", () => {
  it("reuses a socket while it is fresh and closes it once it has been idle for idleSocketMs", async () => {
    const s = await server();
    try {
      const exchange = nodeExchange({ idleSocketMs: 300 });
      await exchange({ method: "GET", url: s.url, headers: {} }, attempt(), 100);
      await sleep(100);
      await exchange({ method: "GET", url: s.url, headers: {} }, attempt(), 100);
      expect(s.sockets).toHaveLength(1);
      await sleep(150);
      expect(s.closed).toHaveLength(0); // 150 ms idle: still open
      await until(() => s.closed.length > 0, 5000);
      expect(s.closed).toHaveLength(1); // closed by the client, long before the server's 60 s
      await exchange({ method: "GET", url: s.url, headers: {} }, attempt(), 100);
      expect(s.sockets).toHaveLength(2);
    } finally {
      await s.close();
    }
  });

  it("a server's Keep-Alive timeout shorter than idleSocketMs closes the socket a second before the server would", async () => {
    const s = await server({ "keep-alive": "timeout=2" });
    try {
      const exchange = nodeExchange({ idleSocketMs: 60_000 });
      await exchange({ method: "GET", url: s.url, headers: {} }, attempt(), 100);
      await sleep(600);
      expect(s.closed).toHaveLength(0);
      await until(() => s.closed.length > 0, 5000);
      expect(s.closed).toHaveLength(1);
      expect(s.closed[0]!).toBeGreaterThanOrEqual(950); // the hint less a second, not the server's hint itself
    } finally {
      await s.close();
    }
  });

  it("a Keep-Alive timeout of a second or less means the socket is not kept at all", async () => {
    const s = await server({ "keep-alive": "timeout=1" });
    try {
      const exchange = nodeExchange();
      await exchange({ method: "GET", url: s.url, headers: {} }, attempt(), 100);
      await exchange({ method: "GET", url: s.url, headers: {} }, attempt(), 100);
      expect(s.sockets).toHaveLength(2);
    } finally {
      await s.close();
    }
  });
});
