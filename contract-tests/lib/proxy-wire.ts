/**
 * Loopback pieces for the fast proxy tests (proxy-allow-host, proxy-forward-units): a tiny in-process
 * upstream on 127.0.0.1 and a raw HTTP/1.1 exchange that sends exactly the bytes given (a Host header
 * fetch would not let a test choose).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface Upstream {
  url: string;
  /** The request targets it received, in order. */
  seen: string[];
  /** The requests it received: their headers and bodies. */
  requests: Array<{ method: string; url: string; headers: IncomingMessage["headers"]; body: Buffer }>;
  close: () => Promise<void>;
}

/** A loopback upstream that reads each whole body and hands it to `handler`. */
export async function upstream(handler: UpstreamHandler): Promise<Upstream> {
  const seen: string[] = [];
  const requests: Upstream["requests"] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.url ?? "");
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return { url, seen, requests, close };
}

export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));

/** Sends raw bytes (latin1) on one connection; resolves with everything that came back once the server closed it. */
export function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes, "latin1"));
    let got = "";
    socket.on("data", (d) => (got += d.toString("latin1")));
    socket.on("close", () => resolve(got));
    socket.on("error", () => resolve(got));
  });
}

/** A GET of `target` with exactly this Host header (none when undefined), on a closing connection. */
export function getWithHost(port: number, target: string, host: string | undefined): Promise<string> {
  const hostLine = host === undefined ? "" : `Host: ${host}\r\n`;
  return rawExchange(port, `GET ${target} HTTP/1.1\r\n${hostLine}Connection: close\r\n\r\n`);
}

/** A chunked body's data. */
function dechunk(text: string): string {
  let body = "";
  let at = 0;
  for (;;) {
    const line = text.indexOf("\r\n", at);
    const size = line === -1 ? 0 : Number.parseInt(text.slice(at, line), 16);
    if (!(size > 0)) return body;
    body += text.slice(line + 2, line + 2 + size);
    at = line + 2 + size + 2;
  }
}

/** The status code, the head and the body (de-chunked) of a raw HTTP/1.1 answer. */
export function parsed(raw: string): { status: number; head: string; body: string } {
  const end = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, end);
  const rest = raw.slice(end + 4);
  const chunked = /\r\ntransfer-encoding: chunked/i.test(head);
  return { status: Number(raw.slice(9, 12)), head, body: chunked ? dechunk(rest) : rest };
}

/** An upstream that speaks raw TCP: `onData` gets each connection's bytes so far and may write any answer. */
export async function rawUpstream(
  onData: (received: Buffer, socket: import("node:net").Socket) => void,
): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const { createServer: createTcpServer } = await import("node:net");
  const sockets = new Set<import("node:net").Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    let received = Buffer.alloc(0);
    socket.on("data", (d: Buffer) => {
      received = Buffer.concat([received, d]);
      onData(received, socket);
    });
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return { url: `http://127.0.0.1:${port}`, port, close };
}

/** Resolves once `check` holds, polling every few milliseconds (rejects after `ms`). */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
