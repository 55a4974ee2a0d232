/**
 * Scenarios A–D, run in-process against the bench server. Every scenario
 * warms each contestant up, then runs rounds; each round's value is paired
 * with raw fetch's value from the same round. Within a round of A, B and C
 * the contestants alternate in short slices (tens of requests, rotated), so
 * load from other processes on a shared machine falls on all of them alike;
 * a round of D is one full iteration per contestant, in rotated order.
 */
import type { Runner } from "./types.js";
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
  rounds: number;
  /** Slices per round in A, B and C. */
  slices: number;
  /** Requests per slice in A and C. */
  sequential: number;
  /** Requests per slice in B, and slices per round in B. */
  concurrentRequests: number;
  concurrentSlices: number;
  concurrency: number;
  rooms: number;
  iterateRounds: number;
}

type Contestants = Array<{ id: string; runner: Runner }>;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/**
 * `measure` runs one slice and returns [elapsed ms, requests]; a round's value
 * is the sum over its slices. The bench process's CPU time per request is
 * kept beside it (`cpu`): on a loaded machine it shows the client's own work
 * with less of the waiting for a core that wall time includes.
 */
async function rounds(
  contestants: Contestants,
  sizes: Sizes,
  measure: (runner: Runner) => Promise<[number, number]>,
  value: (ms: number, requests: number) => number,
  progress: (line: string) => void,
  title: string,
) {
  const values: Record<string, number[]> = Object.fromEntries(contestants.map((c) => [c.id, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(contestants.map((c) => [c.id, []]));
  for (let round = 0; round < sizes.rounds; round++) {
    const totals = Object.fromEntries(contestants.map((c) => [c.id, [0, 0, 0]])) as Record<string, [number, number, number]>;
    for (let slice = 0; slice < sizes.slices; slice++) {
      for (const { id, runner } of rotation(contestants, round * sizes.slices + slice)) {
        const before = process.cpuUsage();
        const [ms, requests] = await measure(runner);
        const used = process.cpuUsage(before);
        totals[id]![0] += ms;
        totals[id]![1] += requests;
        totals[id]![2] += (used.user + used.system) / 1000;
      }
    }
    for (const [id, [ms, requests, cpuMs]] of Object.entries(totals)) {
      values[id]!.push(value(ms, requests));
      cpu[id]!.push((cpuMs * 1000) / requests);
    }
    progress(`${title}: round ${round + 1}/${sizes.rounds}`);
  }
  return { values, cpu };
}

const perRequestMicros = (ms: number, requests: number) => (ms * 1000) / requests;
const perSecond = (ms: number, requests: number) => requests / (ms / 1000);

function results(values: Record<string, number[]>, extra: Record<string, { rssGrowthMB?: number }> = {}, cpu?: Record<string, number[]>) {
  return Object.fromEntries(
    Object.entries(values).map(([id, rounds]) => [
      id,
      { ...summarize(rounds, values["raw-fetch"]), ...extra[id], ...(cpu ? { cpu: summarize(cpu[id]!, cpu["raw-fetch"]) } : {}) },
    ]),
  );
}

async function sequential(run: () => Promise<unknown>, count: number): Promise<[number, number]> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await run();
  return [performance.now() - start, count];
}

async function concurrent(run: () => Promise<unknown>, total: number, inFlight: number): Promise<[number, number]> {
  let started = 0;
  const worker = async () => {
    while (started++ < total) await run();
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return [performance.now() - start, total];
}

export async function scenarioA(contestants: Contestants, sizes: Sizes, progress: (line: string) => void): Promise<ScenarioResult> {
  for (const { runner } of contestants) await sequential(() => runner.get(), sizes.sequential * 4);
  const { values, cpu } = await rounds(contestants, sizes, (r) => sequential(() => r.get(), sizes.sequential), perRequestMicros, progress, "A");
  return { id: "A", title: "sequential GET room", unit: "µs/request", better: "lower", results: results(values, {}, cpu) };
}

export async function scenarioB(contestants: Contestants, sizes: Sizes, progress: (line: string) => void): Promise<ScenarioResult> {
  for (const { runner } of contestants) await concurrent(() => runner.get(), sizes.concurrentRequests, sizes.concurrency);
  const bSizes = { ...sizes, slices: sizes.concurrentSlices };
  const { values, cpu } = await rounds(contestants, bSizes, (r) => concurrent(() => r.get(), sizes.concurrentRequests, sizes.concurrency), perSecond, progress, "B");
  return { id: "B", title: `${sizes.concurrency} in flight, GET room`, unit: "requests/s", better: "higher", results: results(values, {}, cpu) };
}

export async function scenarioC(contestants: Contestants, sizes: Sizes, progress: (line: string) => void): Promise<ScenarioResult> {
  for (const { runner } of contestants) await sequential(() => runner.create(), sizes.sequential * 4);
  const { values, cpu } = await rounds(contestants, sizes, (r) => sequential(() => r.create(), sizes.sequential), perRequestMicros, progress, "C");
  return { id: "C", title: "POST create room (form)", unit: "µs/request", better: "lower", results: results(values, {}, cpu) };
}

export async function scenarioD(contestants: Contestants, sizes: Sizes, progress: (line: string) => void): Promise<ScenarioResult> {
  for (const { runner } of contestants) await runner.iterate(Math.min(sizes.rooms, 10_000), () => {});
  const growth: Record<string, number[]> = Object.fromEntries(contestants.map((c) => [c.id, []]));
  const values: Record<string, number[]> = Object.fromEntries(contestants.map((c) => [c.id, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(contestants.map((c) => [c.id, []]));
  for (let round = 0; round < sizes.iterateRounds; round++) {
    for (const { id, runner } of rotation(contestants, round)) {
      gc();
      const before = process.memoryUsage.rss();
      let peak = before;
      const start = performance.now();
      const cpuBefore = process.cpuUsage();
      const count = await runner.iterate(Infinity, () => {
        const rss = process.memoryUsage.rss();
        if (rss > peak) peak = rss;
      });
      values[id]!.push(performance.now() - start);
      const used = process.cpuUsage(cpuBefore);
      cpu[id]!.push((used.user + used.system) / 1000);
      growth[id]!.push((peak - before) / 2 ** 20);
      if (count !== sizes.rooms) throw new Error(`${id} iterated ${count} rooms, expected ${sizes.rooms}`);
    }
    progress(`D: round ${round + 1}/${sizes.iterateRounds}`);
  }
  const rss = Object.fromEntries(Object.entries(growth).map(([id, mb]) => [id, { rssGrowthMB: Math.round(Math.max(...mb) * 10) / 10 }]));
  return { id: "D", title: `iterate ${sizes.rooms.toLocaleString("en-US")} rooms`, unit: "ms/run", better: "lower", results: results(values, rss, cpu) };
}
