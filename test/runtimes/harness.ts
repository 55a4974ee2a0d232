// Bundling test/runtimes modules for the four runtimes and running workerd on
// loopback: shared by runtimes.test.ts and workerd-deadlines.test.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { coreBuildOptions, REPO_ROOT } from "../../scripts/core-bundle.js";

export const BIN = join(REPO_ROOT, "node_modules/.bin");

/** One plain ESM file: the module and the client core it imports, bundled the way a Workers bundler would. */
export async function bundle(entry: string): Promise<string> {
  const result = await build(coreBuildOptions({ entryPoints: [entry], metafile: false }));
  return result.outputFiles![0]!.text;
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "twilio-video-runtimes-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Workerd {
  url: string;
  stop(): Promise<void>;
}

/**
 * `workerd serve` on a loopback port with one ES module worker. Its outbound
 * fetch goes to a network service that allows loopback (the default one only
 * allows public addresses); `bindings` become text bindings on `env`.
 */
export async function startWorkerd(
  dir: string,
  moduleSource: string,
  bindings: Record<string, string>,
): Promise<Workerd> {
  writeFileSync(join(dir, "worker.mjs"), moduleSource);
  const port = await freePort();
  const bindingList = Object.entries(bindings)
    .map(([name, text]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`)
    .join(", ");
  writeFileSync(
    join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed "worker.mjs") ],
  compatibilityDate = "2025-01-01",
  bindings = [ ${bindingList} ],
  globalOutbound = "loopback",
);
`,
  );
  const child: ChildProcess = spawn(join(BIN, "workerd"), ["serve", join(dir, "config.capnp")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill();
    await exited;
  };
  for (const until = Date.now() + 15_000; ; ) {
    if (child.exitCode !== null) throw new Error(`workerd exited: ${output}`);
    try {
      await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1000) });
      return { url, stop };
    } catch {
      if (Date.now() > until) {
        await stop();
        throw new Error(`workerd did not listen: ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
