/**
 * `npm run bench:emulator`: does the emulator slow down as state grows?
 * (issue 12: GET by unique name, filtered lists and creates at 100,000 rooms
 * must cost at most 1.5× what they cost at 1,000.)
 *
 * The emulator runs in its own process (manual clock, no callbacks); this
 * process drives it over keep-alive loopback HTTP with 200 concurrent
 * clients. At each size the rooms are half completed, half in progress
 * (the clock is advanced past the unused-room timeout halfway through
 * filling). Both sizes run at once in two emulator processes, and each
 * round measures one then the other (alternating), so load from the rest of
 * the machine falls on both alike. Each scenario runs several rounds; the
 * median throughput is kept, and the ratio is cost at the large size over
 * cost at the small one (throughput small / throughput large): 1.00 = no
 * slowdown.
 *
 *   npm run bench:emulator -- [--small 1000] [--large 100000] [--requests 4000] [--rounds 5] [--json]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { parseCommandLine } from "../scripts/cli-args.js";

const USAGE = `usage: npm run bench:emulator -- [options]

Measures emulator throughput under 200 concurrent clients at two room counts
and prints the cost ratio (large / small) per scenario; the target is ≤ 1.5.

  --small N      rooms for the first measurement (default 1000)
  --large N      rooms for the second measurement (default 100000)
  --requests N   requests per scenario and round (default 4000; creates: a quarter)
  --rounds N     rounds per scenario and size; the median is kept (default 5)
  --clients N    concurrent clients (default 200)
  --json         print one JSON document instead of a table
  --help         this text`;

const TARGET_RATIO = 1.5;

/** An argument error: one line, exit 2, like every script's (scripts/cli-args.ts). */
function fail(message: string): never {
  process.stderr.write(`${message} (--help shows the usage)\n`);
  process.exit(2);
}

// ---- the emulator's process ---------------------------------------------------------

if (process.argv.includes("--serve")) {
  // Started by the bench itself (below); not an option for users.
  const { startEmulator } = await import("../src/emulator/index.js");
  const emulator = await startEmulator({ clock: "manual", statusCallbacks: false });
  process.stdout.write(
    `${JSON.stringify({ url: emulator.url, apiKeySid: emulator.credentials.apiKeySid, apiKeySecret: emulator.credentials.apiKeySecret })}\n`,
  );
  process.on("SIGTERM", () => void emulator.stop().then(() => process.exit(0)));
  await new Promise(() => undefined);
}

// ---- arguments --------------------------------------------------------------------------

const { values } = parseCommandLine({
  usage: USAGE,
  options: {
    small: { type: "string" },
    large: { type: "string" },
    requests: { type: "string" },
    rounds: { type: "string" },
    clients: { type: "string" },
    json: { type: "boolean" },
  },
});
const positive = (value: string | undefined, fallback: number, name: string): number => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isSafeInteger(n) || n < 1) fail(`--${name} must be a whole number, 1 or more`);
  return n;
};
const SMALL = positive(values.small, 1000, "small");
const LARGE = positive(values.large, 100_000, "large");
const REQUESTS = positive(values.requests, 4000, "requests");
const ROUNDS = positive(values.rounds, 5, "rounds");
const CLIENTS = positive(values.clients, 200, "clients");
if (LARGE <= SMALL) fail("--large must be more than --small");

// ---- load ---------------------------------------------------------------------------------

interface Server {
  child: ChildProcess;
  port: number;
  auth: string;
}

async function startServer(): Promise<Server> {
  const tsx = createRequire(import.meta.url).resolve("tsx/cli");
  const child = spawn(process.execPath, [tsx, fileURLToPath(import.meta.url), "--serve"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
    });
    child.on("exit", (code) => reject(new Error(`the emulator process exited (${code})`)));
  });
  process.on("exit", () => child.kill("SIGKILL"));
  const info = JSON.parse(line) as { url: string; apiKeySid: string; apiKeySecret: string };
  return {
    child,
    port: Number(new URL(info.url).port),
    auth: `Basic ${Buffer.from(`${info.apiKeySid}:${info.apiKeySecret}`).toString("base64")}`,
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

function call(
  server: Server,
  method: string,
  path: string,
  form?: Record<string, string>,
  json?: unknown,
): Promise<number> {
  const body = form ? new URLSearchParams(form).toString() : json !== undefined ? JSON.stringify(json) : undefined;
  const headers: Record<string, string> = { Authorization: server.auth };
  if (form) headers["Content-Type"] = "application/x-www-form-urlencoded";
  if (json !== undefined) headers["Content-Type"] = "application/json";
  if (body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed for idleness just as it was reused: send again (Node's documented pattern).
      if (req.reusedSocket && error.code === "ECONNRESET") call(server, method, path, form, json).then(resolve, reject);
      else reject(error);
    });
    req.end(body);
  });
}

/** Runs `total` requests from `CLIENTS` concurrent clients; answers requests per second and the median latency. */
async function load(
  total: number,
  make: (i: number) => Promise<number>,
  expected: number,
): Promise<{ rps: number; medianMs: number }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        const status = await make(i);
        latencies.push(performance.now() - t0);
        if (status !== expected) throw new Error(`request ${i}: status ${status}, expected ${expected}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: total / seconds, medianMs: latencies[Math.floor(latencies.length / 2)]! };
}

const name = (i: number) => `bench-room-${i}`;

/** One emulator process and what the bench put in it. */
interface Target extends Server {
  rooms: number;
  /** Rooms created so far (names bench-room-0 … bench-room-{created-1}). */
  created: number;
  /** Names from here on belong to rooms still in progress. */
  liveFrom: number;
}

/** Creates `rooms` rooms, completing the first half by moving the clock past their unused-room timeout. */
async function fill(target: Target): Promise<void> {
  const half = Math.floor(target.rooms / 2);
  await load(half, (i) => call(target, "POST", "/v1/Rooms", { UniqueName: name(i), UnusedRoomTimeout: "1" }), 201);
  await call(target, "POST", "/_emulator/clock/advance", undefined, { ms: 2 * 60_000 });
  await load(
    target.rooms - half,
    (i) => call(target, "POST", "/v1/Rooms", { UniqueName: name(half + i), UnusedRoomTimeout: "60" }),
    201,
  );
  target.created = target.rooms;
  target.liveFrom = half;
}

interface Scenario {
  name: string;
  run(target: Target): Promise<{ rps: number; medianMs: number }>;
}

/** Creates add rooms; fewer of them keep the small emulator near its size. */
const CREATES = Math.max(1, Math.floor(REQUESTS / 4));

const scenarios: Scenario[] = [
  {
    name: "GET /v1/Rooms/{UniqueName}",
    run: (t) =>
      load(REQUESTS, (i) => call(t, "GET", `/v1/Rooms/${name(t.liveFrom + (i % (t.rooms - t.liveFrom)))}`), 200),
  },
  {
    name: "GET /v1/Rooms?Status=in-progress (page of 50)",
    run: (t) => load(REQUESTS, () => call(t, "GET", "/v1/Rooms?Status=in-progress"), 200),
  },
  {
    name: "GET /v1/Rooms?Status=completed&PageSize=20",
    run: (t) => load(REQUESTS, () => call(t, "GET", "/v1/Rooms?Status=completed&PageSize=20"), 200),
  },
  {
    name: "GET /v1/Rooms?UniqueName=…&Status=completed",
    run: (t) =>
      load(
        REQUESTS,
        (i) => call(t, "GET", `/v1/Rooms?UniqueName=${name(i % Math.max(1, t.liveFrom))}&Status=completed`),
        200,
      ),
  },
  {
    name: "POST /v1/Rooms (create)",
    run: async (t) => {
      const first = t.created;
      t.created += CREATES;
      return load(
        CREATES,
        (i) => call(t, "POST", "/v1/Rooms", { UniqueName: name(first + i), UnusedRoomTimeout: "60" }),
        201,
      );
    },
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Measured {
  rps: number;
  medianMs: number;
  /** (max − min) / median of the rounds' throughput. */
  spread: number;
}

function summarise(rounds: Array<{ rps: number; medianMs: number }>): Measured {
  const rps = rounds.map((x) => x.rps);
  return {
    rps: median(rps),
    medianMs: median(rounds.map((x) => x.medianMs)),
    spread: (Math.max(...rps) - Math.min(...rps)) / median(rps),
  };
}

// Both sizes run at once, each in its own process, and every round measures both back to back
// (alternating which goes first), so the machine's other load falls on both alike.
const [small, large] = await Promise.all([startServer(), startServer()]);
const targets: [Target, Target] = [
  { ...small, rooms: SMALL, created: 0, liveFrom: 0 },
  { ...large, rooms: LARGE, created: 0, liveFrom: 0 },
];
try {
  const started = Date.now();
  for (const t of targets) await fill(t);
  const rows = [];
  for (const scenario of scenarios) {
    const rounds: [Array<{ rps: number; medianMs: number }>, Array<{ rps: number; medianMs: number }>] = [[], []];
    // One unmeasured round first: the JIT and the sockets warm up on this very scenario.
    for (const t of targets) await scenario.run(t);
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) rounds[i]!.push(await scenario.run(targets[i]!));
    }
    const a = summarise(rounds[0]);
    const b = summarise(rounds[1]);
    const ratio = a.rps / b.rps;
    rows.push({ scenario: scenario.name, small: a, large: b, ratio, withinTarget: ratio <= TARGET_RATIO });
  }
  const result = {
    benchmark: "emulator-scaling",
    date: new Date().toISOString(),
    node: process.version,
    clients: CLIENTS,
    requestsPerRound: REQUESTS,
    createsPerRound: CREATES,
    rounds: ROUNDS,
    rooms: { small: SMALL, large: LARGE, smallAtEnd: targets[0].created, largeAtEnd: targets[1].created },
    target: `cost at ${LARGE} rooms ≤ ${TARGET_RATIO}× cost at ${SMALL}`,
    seconds: Math.round((Date.now() - started) / 1000),
    rows,
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(
      `emulator scaling, ${CLIENTS} concurrent clients, ${REQUESTS} requests (creates: ${CREATES}) × ${ROUNDS} interleaved rounds (median), Node ${process.version}`,
    );
    console.log(`| scenario | req/s at ${SMALL} rooms | req/s at ${LARGE} rooms | cost ratio | ≤ ${TARGET_RATIO} |`);
    console.log("| --- | --- | --- | --- | --- |");
    for (const r of rows)
      console.log(
        `| ${r.scenario} | ${Math.round(r.small.rps)} | ${Math.round(r.large.rps)} | ${r.ratio.toFixed(2)} | ${r.withinTarget ? "yes" : "NO"} |`,
      );
  }
  process.exitCode = rows.every((r) => r.withinTarget) ? 0 : 1;
} finally {
  agent.destroy();
  for (const t of targets) t.child.kill("SIGTERM");
}
