// The fake Twilio Video API the runtime probe talks to: a loopback node:http
// server. Room SIDs carry what the probe wants in their first hex digits
// (RM404…, RM503…, RMdead…, RMbeef…), so runs on several runtimes at once
// never share state beyond their own SIDs.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const room = (sid: string, extra: Record<string, unknown> = {}) => ({
  sid,
  status: "in-progress",
  unique_name: sid,
  type: "group",
  ...extra,
});

export interface FakeApi {
  url: string;
  close(): Promise<void>;
}

export async function startFakeApi(): Promise<FakeApi> {
  const failedOnce = new Set<string>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const url = new URL(req.url!, "http://fake");
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(value));
    };
    const base = `http://${req.headers.host}`;
    if (req.method === "POST" && url.pathname === "/v1/Rooms") {
      const form = new URLSearchParams(body);
      return json(
        201,
        room("RM0123456789abcdef0123456789abcdef", { unique_name: form.get("UniqueName"), type: form.get("Type") }),
      );
    }
    if (req.method === "GET" && url.pathname === "/v1/Rooms") {
      if (url.searchParams.get("Status") === "in-progress") {
        return json(200, {
          rooms: [room("RM01"), room("RM02")],
          meta: { key: "rooms", page: 0, page_size: 50, next_page_url: null, url: `${base}${req.url}` },
        });
      }
      const second = url.searchParams.get("Page") === "1";
      const next = second ? null : `${base}/v1/Rooms?PageSize=2&Page=1&PageToken=PT1`;
      const rooms = second
        ? [room("RMc", { unique_name: "c" })]
        : [room("RMa", { unique_name: "a" }), room("RMb", { unique_name: "b" })];
      return json(200, {
        rooms,
        meta: { key: "rooms", page: second ? 1 : 0, page_size: 2, next_page_url: next, url: `${base}${req.url}` },
      });
    }
    const media = /^\/v1\/Recordings\/(RT[0-9a-f]{32})\/Media$/.exec(url.pathname);
    if (media) {
      res.writeHead(302, { location: `https://media.example.com/signed/${media[1]!.slice(0, 6)}` });
      return res.end();
    }
    const fetched = /^\/v1\/Rooms\/(RM[0-9a-f]{32})$/.exec(url.pathname);
    if (req.method === "GET" && fetched) {
      const sid = fetched[1]!;
      if (sid.startsWith("RMdead")) return; // never answers: the client's timeout or signal must end it
      if (sid.startsWith("RM404"))
        return json(404, {
          code: 20404,
          message: "The requested resource was not found",
          more_info: "https://www.twilio.com/docs/errors/20404",
          status: 404,
        });
      if (sid.startsWith("RM503") && !failedOnce.has(sid)) {
        failedOnce.add(sid);
        return json(503, { code: 20503, message: "Service unavailable", status: 503 });
      }
      if (sid.startsWith("RMbeef")) return setTimeout(() => json(200, room(sid)), 100);
      return json(200, room(sid));
    }
    json(404, { code: 20404, message: `no route ${req.method} ${url.pathname}`, status: 404 });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
