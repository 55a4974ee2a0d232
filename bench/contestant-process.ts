/**
 * One contestant in a process of its own, driven by bench/run.ts over IPC:
 * it builds its client once, then runs each slice it is sent and answers
 * with the slice's wall time, its own CPU time and (for iterations) its peak
 * RSS growth. A process per contestant keeps their heaps apart: when they
 * shared one, the garbage that fetch-based clients leave was collected
 * during whichever contestant ran next, and the leanest ones paid for it
 * (ours on node:http measured 0.78 of raw fetch in a shared process and 0.60
 * beside raw fetch alone).
 *
 *   node --expose-gc --import tsx bench/contestant-process.ts <id> <origin>   (started by bench/run.ts)
 */
import { CONTESTANTS } from "./contestants.js";
import type { Command, SliceResult } from "./types.js";

const [id, origin] = process.argv.slice(2);
const contestant = CONTESTANTS.find((c) => c.id === id);
if (!contestant || !origin || !process.send) {
  console.error("usage: started by bench/run.ts with an IPC channel: contestant-process.ts <contestant id> <origin>");
  process.exit(2);
}
const runner = contestant.make(origin);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

async function run(command: Command): Promise<SliceResult> {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let requests = command.kind === "iterate" ? 0 : command.count;
  let rssGrowthMB: number | undefined;
  if (command.kind === "sequential") {
    const operation = command.op === "get" ? () => runner.get() : () => runner.create();
    for (let i = 0; i < command.count; i++) await operation();
  } else if (command.kind === "concurrent") {
    let started = 0;
    const worker = async () => {
      while (started++ < command.count) await runner.get();
    };
    await Promise.all(Array.from({ length: command.inFlight }, worker));
  } else if (command.kind === "iterate" && !command.measureRss) {
    requests = await runner.iterate(command.count ?? Infinity, () => {});
  } else {
    // The heap starts clean so the growth is this iteration's own; the
    // collection itself happens before the clock starts. (Only for these
    // runs: a forced full collection before every short iteration slowed
    // some contestants far more than others.)
    gc();
    const before = process.memoryUsage.rss();
    let peak = before;
    const iterateStart = performance.now();
    const cpuIterate = process.cpuUsage();
    requests = await runner.iterate(command.count ?? Infinity, () => {
      const rss = process.memoryUsage.rss();
      if (rss > peak) peak = rss;
    });
    const used = process.cpuUsage(cpuIterate);
    rssGrowthMB = (peak - before) / 2 ** 20;
    return { ms: performance.now() - iterateStart, cpuMs: (used.user + used.system) / 1000, requests, rssGrowthMB };
  }
  const used = process.cpuUsage(cpuBefore);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, requests };
}

process.on("message", (message: Command | { kind: "close" }) => {
  if (message.kind === "close") {
    void Promise.resolve(runner.close?.()).finally(() => process.exit(0));
    return;
  }
  run(message).then(
    (result) => process.send!({ ok: true, result }),
    (error: unknown) => process.send!({ ok: false, error: `${id}: ${(error as Error)?.stack ?? String(error)}` }),
  );
});
process.send({ ready: true });
