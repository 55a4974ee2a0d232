/**
 * Scenarios A–D, each contestant in a process of its own (bench/drivers.ts)
 * against the bench server. Every scenario warms each contestant up, then
 * runs many short rounds: in a round every contestant runs one slice (a
 * dozen requests, one burst of concurrent ones, or an iteration of a few
 * thousand rooms), in rotated order, so all slices of a round fall within a
 * fraction of a second of each other. Each round's value is paired with raw
 * fetch's value from the same round; the table shows the median of those
 * per-round ratios. On a shared 2-core VM the machine's speed drifts by tens
 * of percent over seconds: short rounds pair like with like, and many of
 * them give a stable median (rounds of eight long slices each, as this bench
 * first had, moved ±0.1 between runs).
 */
import type { Driver } from "./drivers.js";
import type { Command } from "./types.js";
import { rotation, summarize, type Summary } from "./stats.js";

export interface ScenarioResult {
  id: string;
  title: string;
  unit: string;
  /** Whether a smaller value is better (time) or a larger one (throughput). */
  better: "lower" | "higher";
  results: Record<string, Summary & { rssGrowthMB?: number; cpu?: Summary }>;
}

export interface Sizes {
  /** Rounds of A and C; each contestant runs `sequential` requests per round. */
  rounds: number;
  sequential: number;
  /** Rounds of B; each contestant runs `concurrentRequests` requests, `concurrency` in flight, per round. */
  concurrentRounds: number;
  concurrentRequests: number;
  concurrency: number;
  /** Rooms on the server: D's full iteration. */
  rooms: number;
  /** D's timed rounds, each an iteration of `legRooms` rooms from the first page. */
  legRounds: number;
  legRooms: number;
}

type Drivers = Driver[];

/**
 * Runs `count` rounds of `command` (every contestant once per round, in
 * rotated order) and returns each contestant's per-round values, with its
 * process's CPU time per request beside them (`cpu`).
 */
async function rounds(
  drivers: Drivers,
  count: number,
  command: Command,
  value: (ms: number, requests: number) => number,
  progress: (line: string) => void,
  title: string,
) {
  const values: Record<string, number[]> = Object.fromEntries(drivers.map((d) => [d.id, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(drivers.map((d) => [d.id, []]));
  for (let round = 0; round < count; round++) {
    for (const driver of rotation(drivers, round)) {
      const { ms, requests, cpuMs } = await driver.run(command);
      values[driver.id]!.push(value(ms, requests));
      cpu[driver.id]!.push((cpuMs * 1000) / requests);
    }
    if ((round + 1) % Math.ceil(count / 10) === 0 || round + 1 === count)
      progress(`${title}: round ${round + 1}/${count}`);
  }
  return { values, cpu };
}

const perRequestMicros = (ms: number, requests: number) => (ms * 1000) / requests;
const perSecond = (ms: number, requests: number) => requests / (ms / 1000);

function results(
  values: Record<string, number[]>,
  extra: Record<string, { rssGrowthMB?: number }> = {},
  cpu?: Record<string, number[]>,
) {
  return Object.fromEntries(
    Object.entries(values).map(([id, rounds]) => [
      id,
      {
        ...summarize(rounds, values["raw-fetch"]),
        ...extra[id],
        ...(cpu ? { cpu: summarize(cpu[id]!, cpu["raw-fetch"]) } : {}),
      },
    ]),
  );
}

async function warmUp(drivers: Drivers, command: Command, times: number): Promise<void> {
  for (const driver of drivers) for (let i = 0; i < times; i++) await driver.run(command);
}

export async function scenarioA(
  drivers: Drivers,
  sizes: Sizes,
  progress: (line: string) => void,
): Promise<ScenarioResult> {
  const command: Command = { kind: "sequential", op: "get", count: sizes.sequential };
  await warmUp(drivers, command, 20);
  const { values, cpu } = await rounds(drivers, sizes.rounds, command, perRequestMicros, progress, "A");
  return {
    id: "A",
    title: "sequential GET room",
    unit: "µs/request",
    better: "lower",
    results: results(values, {}, cpu),
  };
}

export async function scenarioB(
  drivers: Drivers,
  sizes: Sizes,
  progress: (line: string) => void,
): Promise<ScenarioResult> {
  const command: Command = { kind: "concurrent", count: sizes.concurrentRequests, inFlight: sizes.concurrency };
  // Long enough for each client to open its pool of connections and settle.
  await warmUp(drivers, command, 8);
  const { values, cpu } = await rounds(drivers, sizes.concurrentRounds, command, perSecond, progress, "B");
  return {
    id: "B",
    title: `${sizes.concurrency} in flight, GET room`,
    unit: "requests/s",
    better: "higher",
    results: results(values, {}, cpu),
  };
}

export async function scenarioC(
  drivers: Drivers,
  sizes: Sizes,
  progress: (line: string) => void,
): Promise<ScenarioResult> {
  const command: Command = { kind: "sequential", op: "create", count: sizes.sequential };
  await warmUp(drivers, command, 20);
  const { values, cpu } = await rounds(drivers, sizes.rounds, command, perRequestMicros, progress, "C");
  return {
    id: "C",
    title: "POST create room (form)",
    unit: "µs/request",
    better: "lower",
    results: results(values, {}, cpu),
  };
}

/**
 * D: the time of iterating `sizes.rooms` rooms, from rounds that each
 * iterate `legRooms` of them from the first page (scaled to the whole
 * list), then one full iteration per contestant for its peak RSS growth.
 */
export async function scenarioD(
  drivers: Drivers,
  sizes: Sizes,
  progress: (line: string) => void,
): Promise<ScenarioResult> {
  const leg: Command = { kind: "iterate", count: sizes.legRooms };
  await warmUp(drivers, leg, 2);
  const scale = sizes.rooms / sizes.legRooms;
  const { values, cpu } = await rounds(drivers, sizes.legRounds, leg, (ms) => ms * scale, progress, "D");
  const rss: Record<string, { rssGrowthMB: number }> = {};
  for (const driver of drivers) {
    const full = await driver.run({ kind: "iterate", count: null, measureRss: true });
    if (full.requests !== sizes.rooms)
      throw new Error(`${driver.id} iterated ${full.requests} rooms, expected ${sizes.rooms}`);
    rss[driver.id] = { rssGrowthMB: Math.round(full.rssGrowthMB! * 10) / 10 };
  }
  progress("D: full iterations (peak RSS growth) done");
  return {
    id: "D",
    title: `iterate ${sizes.rooms.toLocaleString("en-US")} rooms`,
    unit: "ms/run",
    better: "lower",
    results: results(values, rss, cpu),
  };
}
