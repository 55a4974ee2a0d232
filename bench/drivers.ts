/**
 * The parent's side of bench/contestant-process.ts: one child process per
 * contestant, each sent one slice at a time. Only one child works at a
 * time; the others wait on their IPC channel, so nothing but the bench
 * server shares the machine with the contestant being measured.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CONTESTANT_CPU, pin } from "./affinity.js";
import type { Command, SliceResult } from "./types.js";

export interface Driver {
  id: string;
  label: string;
  run(command: Command): Promise<SliceResult>;
  close(): Promise<void>;
}

const PROGRAM = fileURLToPath(new URL("./contestant-process.ts", import.meta.url));

type Reply = { ready: true } | { ok: true; result: SliceResult } | { ok: false; error: string };

export async function startDriver(id: string, label: string, origin: string, cwd: string): Promise<Driver> {
  const child: ChildProcess = fork(PROGRAM, [id, origin], {
    cwd,
    execArgv: ["--expose-gc", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  // Whoever waits on the child: first its "ready", then one slice at a time.
  let pending: { resolve: (r: SliceResult | undefined) => void; reject: (e: Error) => void } | undefined;
  const take = () => {
    const waiting = pending;
    pending = undefined;
    return waiting;
  };
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      take()?.reject(new Error(`contestant ${id} exited (${code})`));
      resolve();
    }),
  );
  child.once("error", (error) => take()?.reject(error));
  child.on("message", (reply: Reply) => {
    const waiting = take();
    if ("ready" in reply) waiting?.resolve(undefined);
    else if (reply.ok) waiting?.resolve(reply.result);
    else waiting?.reject(new Error(reply.error));
  });
  const wait = () => new Promise<SliceResult | undefined>((resolve, reject) => (pending = { resolve, reject }));
  await wait();
  pin(child.pid, CONTESTANT_CPU);
  return {
    id,
    label,
    async run(command) {
      if (pending) throw new Error(`contestant ${id} is already running a slice`);
      const result = wait();
      child.send(command);
      return (await result)!;
    },
    async close() {
      if (child.exitCode === null && child.connected) child.send({ kind: "close" });
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      child.kill();
    },
  };
}
