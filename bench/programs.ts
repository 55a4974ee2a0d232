/**
 * Each contestant as a stand-alone program (ESM source, resolved from
 * bench/): used by the cold-start measure (import, construct, one GET) and
 * the bundle-size measure (an app that lists every room).
 */
import { ACCOUNT_SID, API_KEY_SECRET, API_KEY_SID, AUTH_TOKEN, PAGE_SIZE, ROOM_SID } from "./fixtures.js";

export interface Program {
  /** esbuild platform for the bundle: fetch-based clients target any runtime. */
  platform: "neutral" | "node";
  imports: string;
  /** Statements with `origin` in scope. */
  construct: string;
  getRoom: string;
  listRooms: string;
}

const auth = `const authorization = "Basic " + btoa(${JSON.stringify(`${API_KEY_SID}:${API_KEY_SECRET}`)});`;
const follow = (get: string) =>
  `let next = origin + "/v1/Rooms?PageSize=${PAGE_SIZE}"; const all = []; while (next) { const page = ${get}; all.push(...page.rooms); next = page.meta.next_page_url; } console.log(all.length);`;
const ours = (entry: string): Program => ({
  platform: entry.endsWith("node.ts") ? "node" : "neutral",
  imports: `import { createVideoClient } from "${entry}";`,
  construct: `const video = createVideoClient({ apiKeySid: "${API_KEY_SID}", apiKeySecret: "${API_KEY_SECRET}", baseUrl: origin });`,
  getRoom: `await video.rooms.get("${ROOM_SID}");`,
  listRooms: `console.log((await video.rooms.all({}, { pageSize: ${PAGE_SIZE} })).length);`,
});
const nodeHttpRequest = `const agent = new http.Agent({ keepAlive: true });
const request = (path) => new Promise((resolve, reject) => {
  const req = http.request(origin + path, { agent, headers: { authorization } }, (res) => {
    const chunks = []; res.on("data", (c) => chunks.push(c)); res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")))); res.on("error", reject);
  });
  req.on("error", reject); req.end();
});`;

export const PROGRAMS: Record<string, Program> = {
  "raw-fetch": {
    platform: "neutral",
    imports: "",
    construct: auth,
    getRoom: `await (await fetch(origin + "/v1/Rooms/${ROOM_SID}", { headers: { authorization } })).json();`,
    listRooms: follow(`await (await fetch(next, { headers: { authorization } })).json()`),
  },
  "openapi-fetch": {
    platform: "neutral",
    imports: `import createClient from "openapi-fetch";`,
    construct: `${auth} const client = createClient({ baseUrl: origin, headers: { authorization } });`,
    getRoom: `await client.GET("/v1/Rooms/{Sid}", { params: { path: { Sid: "${ROOM_SID}" } } });`,
    listRooms: `let query = { PageSize: ${PAGE_SIZE} }; const all = []; for (;;) { const { data } = await client.GET("/v1/Rooms", { params: { query } }); all.push(...data.rooms); if (!data.meta.next_page_url) break; query = Object.fromEntries(new URL(data.meta.next_page_url).searchParams); } console.log(all.length);`,
  },
  ours: ours("../src/index.ts"),
  // Bundled apps hand the validator over (README): the lazy import has no file next to a bundle.
  "ours-validate": {
    ...ours("../src/index.ts"),
    imports: `import { createVideoClient } from "../src/index.ts"; import { defaultContractValidator } from "../src/contract/index.ts";`,
    construct: `const video = createVideoClient({ apiKeySid: "${API_KEY_SID}", apiKeySecret: "${API_KEY_SECRET}", baseUrl: origin, validateResponses: "warn", validator: defaultContractValidator() });`,
  },
  "ours-node": ours("../src/node.ts"),
  twilio: {
    platform: "node",
    imports: `import twilio from "twilio";`,
    construct: `const client = twilio("${ACCOUNT_SID}", "${AUTH_TOKEN}"); client.video.baseUrl = origin;`,
    getRoom: `await client.video.v1.rooms("${ROOM_SID}").fetch();`,
    listRooms: `console.log((await client.video.v1.rooms.list({ pageSize: ${PAGE_SIZE} })).length);`,
  },
  "node-http": {
    platform: "node",
    imports: `import * as http from "node:http";`,
    construct: `${auth}\n${nodeHttpRequest}`,
    getRoom: `await request("/v1/Rooms/${ROOM_SID}"); agent.destroy();`,
    listRooms: `${follow(`await request(next.slice(origin.length))`)} agent.destroy();`,
  },
  "undici-pool": {
    platform: "node",
    imports: `import { Pool } from "undici";`,
    construct: `${auth} const pool = new Pool(origin);`,
    getRoom: `await (await pool.request({ method: "GET", path: "/v1/Rooms/${ROOM_SID}", headers: { authorization } })).body.json(); await pool.close();`,
    listRooms: `${follow(`await (await pool.request({ method: "GET", path: next.slice(origin.length), headers: { authorization } })).body.json()`)} await pool.close();`,
  },
};

export function coldSource(program: Program): string {
  return `${program.imports}\nconst origin = process.argv[2];\n${program.construct}\n${program.getRoom}\nconsole.log(performance.now());\n`;
}

export function listSource(program: Program): string {
  return `${program.imports}\nconst origin = "https://video.twilio.com";\n${program.construct}\n${program.listRooms}\n`;
}
