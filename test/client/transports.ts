// Runs the same scripted exchange over both HTTP stacks the client has: the
// fetch default (an injected scripted fetch) and the Node fast path
// (node:http against a loopback server that replays the same script).
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createVideoClient, type VideoClient, type VideoClientOptions } from "../../src/index.js";
import { createVideoClient as createNodeClient } from "../../src/node.js";
import { nodeExchange } from "../../src/node/exchange.js";
import { fetchExchange } from "../../src/core/fetch-exchange.js";
import type { Exchange } from "../../src/core/transport.js";
import { API_KEY_SECRET, API_KEY_SID, scriptedFetch, type Call } from "./helpers.js";

export type TransportKind = "fetch" | "node";
export const TRANSPORTS: TransportKind[] = ["fetch", "node"];

/** Never answers; the attempt must be ended by its timeout or the caller's signal. */
export const HANG = Symbol("hang");
/** The connection drops after the request was sent (ECONNRESET). */
export const RESET = Symbol("reset");
/** Answers 200 with the start of a JSON body that never finishes. */
export const SLOW_BODY = Symbol("slow body");

/** Answers 200 declaring a 100-byte body, sends 7 bytes and closes the connection. */
export const CUT_BODY = Symbol("cut body");

export type Action = Response | typeof HANG | typeof RESET | typeof SLOW_BODY | typeof CUT_BODY;
export type Reply = Action | ((call: Call, index: number) => Action | Promise<Action>);

export interface Scripted {
  exchange: Exchange;
  /** Origin the script answers on (send requests here). */
  origin: string;
  calls: Call[];
  client(options?: Partial<VideoClientOptions>): VideoClient;
  close(): Promise<void>;
}

const FETCH_ORIGIN = "https://video.twilio.com";

function resetError(): Error {
  return Object.assign(new TypeError("fetch failed"), {
    cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
  });
}

export async function scripted(kind: TransportKind, ...replies: Reply[]): Promise<Scripted> {
  const pick = (call: Call, index: number) => {
    const reply = replies[Math.min(index, replies.length - 1)]!;
    return typeof reply === "function" ? reply(call, index) : reply;
  };
  if (kind === "fetch") {
    const { fetch, calls } = scriptedFetch(async (call, index) => {
      const action = await pick(call, index);
      if (action === RESET) throw resetError();
      if (action === HANG) return new Promise<Response>(() => {});
      if (action === SLOW_BODY)
        return new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"sid":')) }), {
          status: 200,
        });
      if (action === CUT_BODY) {
        // What undici's fetch does when the connection closes mid-body: the stream errors.
        const body = new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode('{"sid":'));
            c.error(
              Object.assign(new TypeError("terminated"), {
                cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
              }),
            );
          },
        });
        return new Response(body, { status: 200, headers: { "content-length": "100" } });
      }
      return action.clone();
    });
    // The scripted fetch does not see the signal; wrap it so aborts end a hanging reply, as a real fetch does.
    const abortable: typeof globalThis.fetch = (input, init) =>
      new Promise((resolve, reject) => {
        const signal = init?.signal;
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        fetch(input, init).then((response) => {
          if (!response.body || !signal) return resolve(response);
          // Bodies stop with the signal too.
          const reader = response.body.getReader();
          const body = new ReadableStream({
            pull: async (c) => {
              const { done, value } = await reader.read();
              if (done) c.close();
              else c.enqueue(value);
            },
            start: (c) => signal.addEventListener("abort", () => c.error(signal.reason), { once: true }),
          });
          resolve(new Response(body, { status: response.status, headers: response.headers }));
        }, reject);
      });
    return {
      exchange: fetchExchange(abortable),
      origin: FETCH_ORIGIN,
      calls,
      client: (options = {}) =>
        createVideoClient({ apiKeySid: API_KEY_SID, apiKeySecret: API_KEY_SECRET, fetch: abortable, ...options }),
      close: async () => {},
    };
  }

  const calls: Call[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const call: Call = {
        method: req.method!,
        url: new URL(req.url!, origin),
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      calls.push(call);
      await answer(res, await pick(call, calls.length - 1));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    exchange: nodeExchange(),
    origin,
    calls,
    client: (options = {}) =>
      createNodeClient({ apiKeySid: API_KEY_SID, apiKeySecret: API_KEY_SECRET, baseUrl: origin, ...options }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function answer(res: ServerResponse, action: Action): Promise<void> {
  if (action === HANG) return;
  if (action === RESET) {
    res.socket?.destroy();
    return;
  }
  if (action === SLOW_BODY) {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"sid":');
    return;
  }
  if (action === CUT_BODY) {
    res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
    res.write('{"sid":', () => res.socket?.destroy());
    return;
  }
  const headers: Record<string, string> = {};
  action.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = Buffer.from(await action.clone().arrayBuffer());
  res.writeHead(action.status, { ...headers, "content-length": String(body.length) });
  res.end(body);
}

/** The base URL a scripted client talks to; absolute URLs in replies (next_page_url, media) use it. */
export const urlOn = (s: Scripted, path: string) => `${s.origin}${path}`;
