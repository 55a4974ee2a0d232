/**
 * The benchmark's API server, run in its own process (so its work does not
 * count against the contestants): node:http with keep-alive, bodies rendered
 * once at start. Prints its origin on stdout, then serves until killed.
 *
 *   GET  /v1/Rooms/{Sid}                 → 200, one room (~1.1 KB)
 *   POST /v1/Rooms                       → 201, one room (the form body is read, not checked)
 *   GET  /v1/Rooms?PageSize=100&Page=n   → 200, page n of --rooms rooms (~110 KB)
 *
 *   tsx bench/server.ts [--rooms 50000]
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { ROOM_SID, PAGE_SIZE, room, roomPage } from "./fixtures.js";

const usage = "usage: tsx bench/server.ts [--rooms N]   (serves Twilio-shaped rooms on 127.0.0.1; prints its origin)";
let values: { rooms?: string; help?: boolean };
try {
  ({ values } = parseArgs({ options: { rooms: { type: "string" }, help: { type: "boolean" } }, strict: true }));
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const total = Number(values.rooms ?? 50_000);
if (!Number.isInteger(total) || total < 0) {
  console.error(`--rooms must be a whole number\n${usage}`);
  process.exit(2);
}

const server = createServer({ keepAliveTimeout: 60_000 });
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const roomBody = json(room(origin, ROOM_SID));
const pages = Array.from({ length: Math.max(1, Math.ceil(total / PAGE_SIZE)) }, (_, p) =>
  json(roomPage(origin, p, total)),
);
const notFound = json({
  code: 20404,
  message: "The requested resource was not found",
  more_info: "https://www.twilio.com/docs/errors/20404",
  status: 404,
});

function send(res: import("node:http").ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": body.length,
    "twilio-request-id": "RQ00000000000000000000000000000000",
  });
  res.end(body);
}

server.on("request", (req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    const url = req.url ?? "/";
    if (req.method === "POST" && url === "/v1/Rooms") return send(res, 201, roomBody);
    if (req.method === "GET" && url.startsWith("/v1/Rooms/")) return send(res, 200, roomBody);
    if (req.method === "GET" && (url === "/v1/Rooms" || url.startsWith("/v1/Rooms?"))) {
      const query = new URLSearchParams(url.slice(url.indexOf("?") + 1));
      if (query.has("PageSize") && Number(query.get("PageSize")) !== PAGE_SIZE) return send(res, 404, notFound);
      const page = Number(query.get("Page") ?? 0);
      return send(res, pages[page] ? 200 : 404, pages[page] ?? notFound);
    }
    send(res, 404, notFound);
  });
});
console.log(origin);
