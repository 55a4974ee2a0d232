// The Node (req, res) / Express adapter, over a real loopback server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { computeSignature } from "../../src/index.js";
import { createNodeStatusCallbackHandler, type NodeCallbackRequest } from "../../src/node/handler.js";
import { ROOM_CALLBACK } from "../fixtures/callbacks.js";

const TOKEN = "node-handler-auth-token";
const ROOM_ENDED = {
  ...ROOM_CALLBACK,
  RoomStatus: "completed",
  Timestamp: "2026-11-24T20:30:00Z",
  SequenceNumber: "9",
  RoomDuration: "1800",
  StatusCallbackEvent: "room-ended",
};

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  );
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function post(url: string, fields: Record<string, string>, signedUrl = url, extra: Record<string, string> = {}) {
  const form = new URLSearchParams(fields);
  return fetch(url, {
    method: "POST",
    body: form.toString(),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Twilio-Signature": await computeSignature(TOKEN, signedUrl, form),
      ...extra,
    },
  });
}

describe("createNodeStatusCallbackHandler", () => {
  it("verifies, parses and dispatches over node:http; 204", async () => {
    const ended = vi.fn();
    const origin = await serve(createNodeStatusCallbackHandler({ authToken: TOKEN, on: { "room-ended": ended } }));
    const response = await post(`${origin}/video/events?tenant=7`, ROOM_ENDED);
    expect(response.status).toBe(204);
    expect(ended).toHaveBeenCalledWith(
      expect.objectContaining({ kind: "room", RoomDuration: 1800, SequenceNumber: 9 }),
    );
  });

  it("403 for a forged signature, 500 for a throwing listener (no details), and the server lives on", async () => {
    const ended = vi.fn(() => {
      throw new Error("secret stack detail");
    });
    const origin = await serve(createNodeStatusCallbackHandler({ authToken: TOKEN, on: { "room-ended": ended } }));
    const forged = await post(`${origin}/cb`, ROOM_ENDED, `${origin}/other`);
    expect(forged.status).toBe(403);
    expect(ended).not.toHaveBeenCalled();
    const failing = await post(`${origin}/cb`, ROOM_ENDED);
    expect(failing.status).toBe(500);
    expect(await failing.text()).toBe("500");
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it("413 for a body over the cap, streamed without Content-Length, and the server keeps answering", async () => {
    const ended = vi.fn();
    const onError = vi.fn();
    const origin = await serve(
      createNodeStatusCallbackHandler({ authToken: TOKEN, maxBodyBytes: 1024, onError, on: { "room-ended": ended } }),
    );
    const chunk = new Uint8Array(4096).fill(0x61);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ > 256) return controller.close(); // 1 MB at most
        controller.enqueue(chunk);
      },
    });
    const big = await fetch(`${origin}/cb`, { method: "POST", body, duplex: "half" } as RequestInit).catch(
      (e: unknown) => e,
    );
    // The server may close the socket while the client still uploads; either way it said 413 or hung up, never 2xx.
    if (big instanceof Response) expect(big.status).toBe(413);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![1]).toEqual({ status: 413 });
    const declared = await fetch(`${origin}/cb`, { method: "POST", body: "x".repeat(2048) });
    expect(declared.status).toBe(413);
    expect(onError).toHaveBeenCalledTimes(2);
    expect((await post(`${origin}/cb`, ROOM_ENDED)).status).toBe(204);
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it("works behind a body parser that already read the form (Express urlencoded)", async () => {
    const ended = vi.fn();
    const handler = createNodeStatusCallbackHandler({ authToken: TOKEN, on: { "room-ended": ended } });
    const origin = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        (req as NodeCallbackRequest).body = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
        void handler(req, res);
      });
    });
    expect((await post(`${origin}/cb`, ROOM_ENDED)).status).toBe(204);
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it("reads the stream when a parser for another type left an empty req.body (express.json() before a form post)", async () => {
    const ended = vi.fn();
    const handler = createNodeStatusCallbackHandler({ authToken: TOKEN, on: { "room-ended": ended } });
    const origin = await serve((req, res) => {
      (req as NodeCallbackRequest).body = {};
      void handler(req, res);
    });
    expect((await post(`${origin}/cb`, ROOM_ENDED)).status).toBe(204);
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it("url option and trustProxy rebuild the public URL", async () => {
    const pub = "https://app.example.com/video/events";
    const a = await serve(createNodeStatusCallbackHandler({ authToken: TOKEN, url: pub, on: {} }));
    expect((await post(`${a}/video/events`, ROOM_ENDED, pub)).status).toBe(204);
    const b = await serve(createNodeStatusCallbackHandler({ authToken: TOKEN, trustProxy: true, on: {} }));
    const forwarded = { "X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example.com" };
    expect((await post(`${b}/video/events`, ROOM_ENDED, pub, forwarded)).status).toBe(204);
    const c = await serve(createNodeStatusCallbackHandler({ authToken: TOKEN, on: {} }));
    expect((await post(`${c}/video/events`, ROOM_ENDED, pub, forwarded)).status).toBe(403);
  });

  it("a request with an unusable Host header is refused, not a crash", async () => {
    const origin = await serve(createNodeStatusCallbackHandler({ authToken: TOKEN, on: {} }));
    const { port } = new URL(origin);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          "POST /cb HTTP/1.1\r\nHost: a b[\r\nX-Twilio-Signature: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\na=1",
        );
      });
      let data = "";
      socket.on("data", (d) => (data += d.toString()));
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 (400|403)/);
    expect((await post(`${origin}/cb`, ROOM_ENDED)).status).toBe(204);
  });
});
