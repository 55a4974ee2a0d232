/**
 * Scenarios A–D, run in-process against the bench server. Every scenario
 * warms each contestant up, then runs rounds in which every contestant takes
 * one turn, in an order rotated per round; each round's value is paired with
 * raw fetch's value from the same round.
 */
import type { Runner } from "./contestants.js";
import { rotation, summarize, type Summary } from "./stats.js";

export interface ScenarioResult {
  id: string;
  title: string;
  unit: string;
  /** Whether a smaller value is better (time) or a larger one (throughput). */
  better: "lower" | "higher";
  results: Record<string, Summary & { rssGrowthMB?: number }>;
}

export interface Sizes {
  rounds: number;
  sequential: number;
  concurrentRequests: number;
  concurrency: number;
  rooms: number;
  iterateRounds: number;
}

type Contestants = Array<{ id: string; runner: Runner }>;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

async function rounds(contestants: Contestants, count: number, measure: (runner: Runner) => Promise<number>, progress: (line: string) => void, title: string) {
  const values: Record<string, number[]> = Object.fromEntries(contestants.map((c) => [c.id, []]));
  for (let round = 0; round < count; round++) {
    for (const { id, runner } of rotation(contestants, round)) values[id]!.push(await measure(runner));
    progress(`${title}: round ${round + 1}/${count}`);
  }
  return values;
}

function results(values: Record<string, number[]>, extra: Record<string, { rssGrowthMB?: number }> = {}) {
  return Object.fromEntries(Object.entries(values).map(([id, rounds]) => [id, { ...summarize(rounds, values["raw-fetch"]), ...extra[id] }]));
}

async function sequential(run: () => Promise<unknown>, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await run();
  return ((performance.now() - start) * 1000) / count; // µs per request
}

async function concurrent(run: () => Promise<unknown>, total: number, inFlight: number): Promise<number> {
  let started = 0;
  const worker = async () => {
    while (started++ < total) await run();
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return total / ((performance.now() - start) / 1000); // requests per second
}

export async function scenarioA(contestants: Contestants, sizes: Sizes, progress: (line: string) => void): Promise<ScenarioResult> {
  for (const { runner } of contestants) await sequential(() => runner.get(), Math.ceil(sizes.sequential / 2));
  const values = await rounds(contestants, sizes.rounds, (r) => sequential(() => r.get(), sizes.sequential), progress, "A");
  return { id: "A", title: "sequential GET room", unit: "µs/request", better: "lower", results: results(values) };
}

export async function scenarioB(contestants: Contestants, sizes: Sizes, progress: (line: string) => void): Promise<ScenarioResult> {
  for (const { runner } of contestants) await concurrent(() => runner.get(), sizes.concurrency * 4, sizes.concurrency);
  const values = await rounds(contestants, sizes.rounds, (r) => concurrent(() => r.get(), sizes.concurrentRequests, sizes.concurrency), progress, "B");
  return { id: "B", title: `${sizes.concurrency} in flight, GET room`, unit: "requests/s", better: "higher", results: results(values) };
}

export async function scenarioC(contestants: Contestants, sizes: Sizes, progress: (line: string) => void): Promise<ScenarioResult> {
  for (const { runner } of contestants) await sequential(() => runner.create(), Math.ceil(sizes.sequential / 2));
  const values = await rounds(contestants, sizes.rounds, (r) => sequential(() => r.create(), sizes.sequential), progress, "C");
  return { id: "C", title: "POST create room (form)", unit: "µs/request", better: "lower", results: results(values) };
}

export async function scenarioD(contestants: Contestants, sizes: Sizes, progress: (line: string) => void): Promise<ScenarioResult> {
  for (const { runner } of contestants) await runner.iterate(Math.min(sizes.rooms, 2000), () => {});
  const growth: Record<string, number[]> = Object.fromEntries(contestants.map((c) => [c.id, []]));
  const values: Record<string, number[]> = Object.fromEntries(contestants.map((c) => [c.id, []]));
  for (let round = 0; round < sizes.iterateRounds; round++) {
    for (const { id, runner } of rotation(contestants, round)) {
      gc();
      const before = process.memoryUsage.rss();
      let peak = before;
      const start = performance.now();
      const count = await runner.iterate(Infinity, () => {
        const rss = process.memoryUsage.rss();
        if (rss > peak) peak = rss;
      });
      values[id]!.push(performance.now() - start);
      growth[id]!.push((peak - before) / 2 ** 20);
      if (count !== sizes.rooms) throw new Error(`${id} iterated ${count} rooms, expected ${sizes.rooms}`);
    }
    progress(`D: round ${round + 1}/${sizes.iterateRounds}`);
  }
  const rss = Object.fromEntries(Object.entries(growth).map(([id, mb]) => [id, { rssGrowthMB: Math.round(Math.max(...mb) * 10) / 10 }]));
  return { id: "D", title: `iterate ${sizes.rooms.toLocaleString("en-US")} rooms`, unit: "ms/run", better: "lower", results: results(values, rss) };
}
