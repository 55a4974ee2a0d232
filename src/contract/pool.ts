/**
 * Runs work items in order-stable batches: in this thread, or spread over
 * worker threads (one per core) for large inputs. Results come back in the
 * order the items were submitted, whatever order the workers finish in, and
 * at most `maxInFlight` batches are outstanding, so memory stays flat however
 * large the input is (the producer waits while the window is full).
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ItemChecker, Outcome, WorkItem } from "./check.js";
import type { WorkerConfig } from "./worker.js";

export interface Executor {
  run(items: WorkItem[]): Promise<Outcome[]>;
  close(): Promise<void>;
}

export class InlineExecutor implements Executor {
  constructor(private readonly checker: ItemChecker) {}
  async run(items: WorkItem[]): Promise<Outcome[]> {
    return items.map((item) => this.checker.check(item));
  }
  async close(): Promise<void> {}
}

/**
 * How to start a worker from this module. Compiled (.js), the worker file runs
 * as is. As .ts source (tsx, vitest), Node 20 does not apply the parent's
 * loader hooks in workers, so a tiny bootstrap registers tsx first.
 */
function workerEntry(): { script: URL | string; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return { script: new URL("./worker.js", here), eval: false };
  // require.resolve finds the CommonJS twin of tsx's ESM API; the ESM one sits beside it.
  const tsxApi = pathToFileURL(
    createRequire(here)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href;
  const worker = new URL("./worker.ts", here).href;
  return {
    script:
      `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(` +
      `${JSON.stringify(worker)}); });`,
    eval: true,
  };
}

interface Slot {
  worker: Worker;
  busy: number;
}

export class WorkerExecutor implements Executor {
  private readonly slots: Slot[] = [];
  private readonly waiting = new Map<
    number,
    { resolve: (o: Outcome[]) => void; reject: (e: Error) => void; slot: Slot }
  >();
  private nextId = 0;
  private failed: Error | undefined;

  constructor(threads: number, config: WorkerConfig) {
    const entry = workerEntry();
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(entry.script, { workerData: config, eval: entry.eval });
      const slot: Slot = { worker, busy: 0 };
      worker.on("message", (message: { id: number; outcomes: string }) => {
        const waiter = this.waiting.get(message.id);
        if (!waiter) return;
        this.waiting.delete(message.id);
        waiter.slot.busy--;
        waiter.resolve(JSON.parse(message.outcomes) as Outcome[]);
      });
      const fail = (error: Error): void => {
        this.failed ??= error;
        for (const [id, waiter] of this.waiting)
          if (waiter.slot === slot) {
            this.waiting.delete(id);
            waiter.reject(error);
          }
      };
      worker.on("error", fail);
      worker.on("exit", (code) => code !== 0 && fail(new Error(`a conformance worker exited with code ${code}`)));
      this.slots.push(slot);
    }
  }

  run(items: WorkItem[]): Promise<Outcome[]> {
    if (this.failed) return Promise.reject(this.failed);
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, slot });
      // Packed HAR entries move to the worker (their buffers are their own); everything else is copied.
      const transfer = items.flatMap((item) => (item.t === "har" ? [item.bytes.buffer as ArrayBuffer] : []));
      slot.worker.postMessage({ id, items }, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/** A batch is sent once its items hold this many bytes, whatever their count. */
const BATCH_BYTES = 1 << 20;
/** Bytes of input outstanding at most (beyond one batch), however large each item is. */
const IN_FLIGHT_BYTES = 16 << 20;

/** The input bytes an item carries (its share of the memory in flight). */
export function itemBytes(item: WorkItem): number {
  return item.t === "har" ? item.bytes.byteLength : item.t === "line" ? item.text.length * 2 : 0;
}

/**
 * Batches items, keeps a bounded window of batches in flight (by count and by bytes), and hands outcomes to `emit`
 * in submission order.
 */
export class OrderedRunner {
  private batch: WorkItem[] = [];
  private batchBytes = 0;
  private readonly inFlight: { outcomes: Promise<Outcome[]>; bytes: number }[] = [];
  private inFlightBytes = 0;

  constructor(
    private executor: Executor,
    private readonly emit: (outcome: Outcome) => void,
    private batchSize: number,
    private maxInFlight: number,
  ) {}

  /** Later batches go to `executor`; batches already in flight keep their place in the order. */
  switchTo(executor: Executor, batchSize: number, maxInFlight: number): void {
    this.executor = executor;
    this.batchSize = batchSize;
    this.maxInFlight = maxInFlight;
  }

  async push(item: WorkItem): Promise<void> {
    this.batch.push(item);
    this.batchBytes += itemBytes(item);
    if (this.batch.length >= this.batchSize || this.batchBytes >= BATCH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const outcomes = this.executor.run(this.batch);
    outcomes.catch(() => {}); // awaited in order by drainOne; this only keeps an early failure from being "unhandled"
    this.inFlight.push({ outcomes, bytes: this.batchBytes });
    this.inFlightBytes += this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    while (
      this.inFlight.length > this.maxInFlight ||
      (this.inFlight.length > 1 && this.inFlightBytes > IN_FLIGHT_BYTES)
    )
      await this.drainOne();
  }

  private async drainOne(): Promise<void> {
    const { outcomes, bytes } = this.inFlight.shift()!;
    this.inFlightBytes -= bytes;
    for (const outcome of await outcomes) this.emit(outcome);
  }

  async finish(): Promise<void> {
    await this.flush();
    while (this.inFlight.length > 0) await this.drainOne();
  }
}
