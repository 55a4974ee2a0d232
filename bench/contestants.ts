/**
 * The contestants, each doing the same three jobs against the bench server:
 * fetch one room, create a room from a form body, and iterate every room by
 * following `next_page_url`. Each is written the way its documentation
 * shows, with the client built once.
 */
import * as http from "node:http";
import createClient from "openapi-fetch";
import twilio from "twilio";
import { Pool } from "undici";
import type { paths } from "../generated/openapi.js";
import { ACCOUNT_SID, API_KEY_SECRET, API_KEY_SID, AUTH_TOKEN, PAGE_SIZE, ROOM_SID } from "./fixtures.js";
import type { Contestant, Runner } from "./types.js";

export type { Contestant, Runner } from "./types.js";

// Our client as its users run it: the compiled package (dist/, built by
// bench/run.ts first), not the TypeScript loader's output, which wraps every
// closure in a name-keeping helper that no consumer pays for.
const { createVideoClient } = (await import(
  new URL("../dist/src/index.js", import.meta.url).href
)) as typeof import("../src/index.js");
const { createVideoClient: createNodeVideoClient } = (await import(
  new URL("../dist/src/node.js", import.meta.url).href
)) as typeof import("../src/node.js");

const FORM = { UniqueName: "daily-standup", Type: "group", MaxParticipants: "50" };
const authorization = `Basic ${Buffer.from(`${API_KEY_SID}:${API_KEY_SECRET}`).toString("base64")}`;
const formHeaders = { authorization, "content-type": "application/x-www-form-urlencoded" };

interface Page {
  rooms: unknown[];
  meta: { next_page_url: string | null };
}

function ours(video: ReturnType<typeof createVideoClient>): Runner {
  return {
    get: () => video.rooms.get(ROOM_SID),
    create: () => video.rooms.create({ UniqueName: "daily-standup", Type: "group", MaxParticipants: 50 }),
    async iterate(limit, onPage) {
      let count = 0;
      for await (const _room of video.rooms.iterate({}, { pageSize: PAGE_SIZE, limit })) {
        if (++count % PAGE_SIZE === 0) onPage();
      }
      return count;
    },
  };
}

export const CONTESTANTS: Contestant[] = [
  {
    id: "raw-fetch",
    label: "raw fetch",
    make: (origin) => ({
      get: async () => (await fetch(`${origin}/v1/Rooms/${ROOM_SID}`, { headers: { authorization } })).json(),
      create: async () =>
        (
          await fetch(`${origin}/v1/Rooms`, {
            method: "POST",
            headers: formHeaders,
            body: new URLSearchParams(FORM).toString(),
          })
        ).json(),
      async iterate(limit, onPage) {
        let count = 0;
        let next: string | null = `${origin}/v1/Rooms?PageSize=${PAGE_SIZE}`;
        while (next && count < limit) {
          const page = (await (await fetch(next, { headers: { authorization } })).json()) as Page;
          count += page.rooms.length;
          onPage();
          next = page.meta.next_page_url;
        }
        return count;
      },
    }),
  },
  {
    id: "openapi-fetch",
    label: "openapi-fetch",
    make(origin) {
      const client = createClient<paths>({ baseUrl: origin, headers: { authorization } });
      return {
        get: async () => (await client.GET("/v1/Rooms/{Sid}", { params: { path: { Sid: ROOM_SID } } })).data,
        create: async () =>
          (
            await client.POST("/v1/Rooms", {
              body: { UniqueName: "daily-standup", Type: "group", MaxParticipants: 50 },
              bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
              headers: { "content-type": "application/x-www-form-urlencoded" },
            })
          ).data,
        async iterate(limit, onPage) {
          let count = 0;
          let query: Record<string, string | number> = { PageSize: PAGE_SIZE };
          for (;;) {
            const { data } = await client.GET("/v1/Rooms", { params: { query } });
            count += data!.rooms!.length;
            onPage();
            const next = data!.meta!.next_page_url;
            if (!next || count >= limit) return count;
            query = Object.fromEntries(new URL(next).searchParams);
          }
        },
      };
    },
  },
  {
    id: "ours",
    label: "ours (fetch)",
    make: (origin) =>
      ours(createVideoClient({ apiKeySid: API_KEY_SID, apiKeySecret: API_KEY_SECRET, baseUrl: origin })),
  },
  {
    id: "ours-validate",
    label: "ours + validate (warn)",
    make: (origin) =>
      ours(
        createVideoClient({
          apiKeySid: API_KEY_SID,
          apiKeySecret: API_KEY_SECRET,
          baseUrl: origin,
          validateResponses: "warn",
          onWarning: (m) => console.error(m),
        }),
      ),
  },
  {
    id: "ours-node",
    label: "ours (node fast path)",
    make: (origin) =>
      ours(createNodeVideoClient({ apiKeySid: API_KEY_SID, apiKeySecret: API_KEY_SECRET, baseUrl: origin })),
  },
  {
    id: "twilio",
    label: "twilio-node",
    make(origin) {
      const client = twilio(ACCOUNT_SID, AUTH_TOKEN);
      // twilio-node has no base URL option; its Video domain keeps one.
      client.video.baseUrl = origin;
      const rooms = client.video.v1.rooms;
      return {
        get: () => rooms(ROOM_SID).fetch(),
        create: () => rooms.create({ uniqueName: "daily-standup", type: "group", maxParticipants: 50 }),
        iterate: (limit, onPage) =>
          new Promise((resolve, reject) => {
            let count = 0;
            rooms.each({
              pageSize: PAGE_SIZE,
              ...(Number.isFinite(limit) ? { limit } : {}),
              callback: () => {
                if (++count % PAGE_SIZE === 0) onPage();
              },
              done: (error?: Error) => (error ? reject(error) : resolve(count)),
            });
          }),
      };
    },
  },
  {
    id: "node-http",
    label: "node:http keep-alive",
    make(origin) {
      const agent = new http.Agent({ keepAlive: true });
      const { hostname, port } = new URL(origin);
      const request = (method: string, path: string, body?: string) =>
        new Promise<unknown>((resolve, reject) => {
          const headers: http.OutgoingHttpHeaders =
            body === undefined ? { authorization } : { ...formHeaders, "content-length": Buffer.byteLength(body) };
          const req = http.request({ hostname, port, path, method, agent, headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
            res.on("error", reject);
          });
          req.on("error", reject);
          req.end(body);
        });
      return {
        ...pathOperations(origin, request),
        close: async () => agent.destroy(),
      };
    },
  },
  {
    id: "undici-pool",
    label: "undici Pool",
    make(origin) {
      const pool = new Pool(origin);
      const request = async (method: "GET" | "POST", path: string, body?: string) => {
        const response = await pool.request({
          method,
          path,
          headers: body === undefined ? { authorization } : formHeaders,
          body,
        });
        return response.body.json();
      };
      return {
        ...pathOperations(origin, request),
        close: () => pool.close(),
      };
    },
  },
];

/** get / create / iterate over a bare `request(method, path, body)` of a floor contestant (node:http, undici): paths, no URLs, no client. */
function pathOperations(
  origin: string,
  request: (method: "GET" | "POST", path: string, body?: string) => Promise<unknown>,
) {
  return {
    get: () => request("GET", `/v1/Rooms/${ROOM_SID}`),
    create: () => request("POST", "/v1/Rooms", new URLSearchParams(FORM).toString()),
    async iterate(limit: number, onPage: () => void) {
      let count = 0;
      let path: string | null = `/v1/Rooms?PageSize=${PAGE_SIZE}`;
      while (path && count < limit) {
        const page = (await request("GET", path)) as Page;
        count += page.rooms.length;
        onPage();
        const next = page.meta.next_page_url;
        path = next ? next.slice(origin.length) : null;
      }
      return count;
    },
  };
}
