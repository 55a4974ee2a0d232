import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createVideoClient, type VideoClientOptions } from "../../src/index.js";
import type { Emulator } from "../../src/emulator/index.js";

/** A client for the emulator, with fast retries so fault tests stay quick. */
export function clientFor(emulator: Emulator, options: Partial<VideoClientOptions> = {}) {
  return createVideoClient({ ...emulator.clientOptions, baseDelayMs: 5, maxDelayMs: 20, ...options });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** Plain fetch against the emulator with its API key. */
export function api(
  emulator: Emulator,
  path: string,
  init: { method?: string; form?: Record<string, string | string[]>; auth?: string | null } = {},
) {
  const headers: Record<string, string> = {};
  if (init.auth !== null)
    headers.Authorization = init.auth ?? basic(emulator.credentials.apiKeySid, emulator.credentials.apiKeySecret);
  let body: string | undefined;
  if (init.form) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(init.form)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
    body = params.toString();
    headers["Content-Type"] = "application/x-www-form-urlencoded";
  }
  return fetch(`${emulator.url}${path}`, {
    method: init.method ?? (init.form ? "POST" : "GET"),
    headers,
    ...(body ? { body } : {}),
    redirect: "manual",
  });
}

export function control(emulator: Emulator, path: string, method = "POST", body?: unknown) {
  return fetch(`${emulator.url}/_emulator${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } } : {}),
  });
}

export interface ReceivedCallback {
  method: string;
  /** Full URL as the emulator called it. */
  url: string;
  signature: string | undefined;
  params: Record<string, string>;
}

/** A loopback status callback receiver. */
export async function startReceiver(): Promise<{
  url: string;
  received: ReceivedCallback[];
  close(): Promise<void>;
  server: Server;
}> {
  const received: ReceivedCallback[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url}`;
      const form =
        req.method === "POST" ? new URLSearchParams(Buffer.concat(chunks).toString()) : new URL(url).searchParams;
      const signature = req.headers["x-twilio-signature"];
      received.push({
        method: req.method ?? "",
        url,
        signature: typeof signature === "string" ? signature : undefined,
        params: Object.fromEntries(form),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
