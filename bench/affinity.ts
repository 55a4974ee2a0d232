/**
 * Pins the main thread of the bench server to one CPU and that of every
 * contestant to another, where the machine has two or more and `taskset`
 * exists (Linux). Unpinned, the scheduler put a contestant's process on the
 * server's core in some runs and not others: a sequential GET then took 8%
 * longer or shorter for the whole run, so a contestant doing strictly more
 * work (ours + validate) measured faster than ours. Pinned, every contestant meets the server the same way.
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";

/** Whether processes are pinned in this run (reported with the machine). */
export const pinned = cpus().length >= 2 && spawnSync("taskset", ["--version"], { stdio: "ignore" }).status === 0;

/** The server's CPU and the contestants' CPU. */
export const SERVER_CPU = 0;
export const CONTESTANT_CPU = 1;

/**
 * Binds the main thread of `pid` (where its JavaScript runs) to `cpu`; its
 * helper threads (V8's garbage collector, libuv's pool) stay free, so a
 * client that allocates more is not also made to collect on its own core. A
 * no-op where pinning is not available.
 */
export function pin(pid: number | undefined, cpu: number): void {
  if (!pinned || pid === undefined) return;
  const result = spawnSync("taskset", ["-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });
  if (result.status !== 0)
    throw new Error(`taskset could not pin process ${pid} to CPU ${cpu} (exit ${result.status})`);
}
