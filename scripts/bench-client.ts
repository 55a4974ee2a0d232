/**
 * Client overhead against raw fetch, in one run, on a loopback server that
 * answers a canned room / room page. Reports each mode's requests per second
 * and its cost as a ratio of raw fetch (1.00 = no overhead).
 *
 *   npm run bench:client [-- --requests 3000]
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createVideoClient } from "../src/index.js";

const requests = Number(process.argv[process.argv.indexOf("--requests") + 1]) || 3000;
const ROOM_SID = "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c";
const room = {
  sid: ROOM_SID, status: "in-progress", date_created: "2026-11-24T20:00:00Z", date_updated: "2026-11-24T20:00:00Z",
  account_sid: "AC0123456789abcdef0123456789abcdef", enable_turn: true, unique_name: "daily-standup", status_callback: null,
  status_callback_method: "POST", end_time: null, duration: null, type: "group", max_participants: 50, max_participant_duration: 14400,
  max_concurrent_published_tracks: 170, record_participants_on_connect: false, video_codecs: ["VP8"], media_region: "us1",
  audio_only: false, empty_room_timeout: 5, unused_room_timeout: 5, large_room: false,
  url: `https://video.twilio.com/v1/Rooms/${ROOM_SID}`,
  links: { participants: `https://video.twilio.com/v1/Rooms/${ROOM_SID}/Participants`, recordings: `https://video.twilio.com/v1/Rooms/${ROOM_SID}/Recordings` },
};
const roomJson = JSON.stringify(room);

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(req.method === "POST" ? 201 : 200, { "content-type": "application/json", "content-length": Buffer.byteLength(roomJson) });
    res.end(roomJson);
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const apiKeySid = "SK0123456789abcdef0123456789abcdef";
const apiKeySecret = "bench-secret";
const authorization = `Basic ${btoa(`${apiKeySid}:${apiKeySecret}`)}`;

const plain = createVideoClient({ apiKeySid, apiKeySecret, baseUrl: base });
const validating = createVideoClient({ apiKeySid, apiKeySecret, baseUrl: base, validateResponses: "throw" });

const modes: Record<string, () => Promise<unknown>> = {
  "raw fetch GET": async () => (await fetch(`${base}/v1/Rooms/${ROOM_SID}`, { headers: { authorization } })).json(),
  "client rooms.get": () => plain.rooms.get(ROOM_SID),
  "client rooms.get + validateResponses": () => validating.rooms.get(ROOM_SID),
  "raw fetch POST form": async () =>
    (await fetch(`${base}/v1/Rooms`, { method: "POST", headers: { authorization }, body: new URLSearchParams({ UniqueName: "daily-standup", Type: "group", RecordingRules: JSON.stringify([{ type: "include", all: true }]) }) })).json(),
  "client rooms.create": () => plain.rooms.create({ UniqueName: "daily-standup", Type: "group", RecordingRules: [{ type: "include", all: true }] }),
};

// Modes take turns in short rounds and each reports its median round, so
// load from other processes on the machine hits every mode alike.
const ROUNDS = 10;
async function round(run: () => Promise<unknown>, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await run();
  return count / ((performance.now() - start) / 1000);
}
for (const run of Object.values(modes)) await round(run, 200); // warm up JIT, sockets and lazy validators
const rates: Record<string, number[]> = Object.fromEntries(Object.keys(modes).map((name) => [name, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(modes)) rates[name]!.push(await round(run, Math.ceil(requests / ROUNDS)));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = Object.fromEntries(Object.entries(rates).map(([name, values]) => [name, median(values)]));
server.close();

const baseline = (name: string) => (name.includes("POST") || name.includes("create") ? results["raw fetch POST form"]! : results["raw fetch GET"]!);
console.log(`${requests} sequential requests per mode in ${ROUNDS} interleaved rounds (median), loopback, Node ${process.version}`);
for (const [name, rate] of Object.entries(results)) {
  console.log(`${name.padEnd(40)} ${rate.toFixed(0).padStart(6)} req/s   time ratio vs raw fetch: ${(baseline(name) / rate).toFixed(2)}`);
}
