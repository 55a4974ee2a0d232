// `npm pack` of this repository for the packaging tests. Its prepack rebuilds dist/ in place, so
// two test files packing at once (vitest runs files in parallel) would write the same files
// together; a lock directory beside the repository's node_modules makes them take turns.
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/core-bundle.js";

const LOCK = join(REPO_ROOT, "node_modules", ".cache", "twilio-video-ts-pack.lock");
/** A lock older than this is a crashed run's: packing never takes this long. */
const STALE_MS = 10 * 60_000;

async function acquire(): Promise<void> {
  mkdirSync(join(LOCK, ".."), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch {
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Packs the repository into `destination` (its prepack builds dist/ first); answers the tarball's path. */
export async function packRepository(destination: string): Promise<string> {
  mkdirSync(destination, { recursive: true });
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(NODE_OPTIONS$|VITEST|npm_)/.test(name)),
  );
  await acquire();
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const args = ["pack", "--pack-destination", destination, "--no-audit", "--no-fund"];
      execFile("npm", args, { cwd: REPO_ROOT, env, timeout: 300_000, maxBuffer: 32 << 20 }, (error, stdout, stderr) =>
        error ? reject(new Error(`npm pack failed: ${String(error)}\n${stdout}${stderr}`)) : resolve(stdout),
      );
    });
    const file = readdirSync(destination).find((name) => name.endsWith(".tgz"));
    if (!file) throw new Error(`npm pack wrote no tarball:\n${output}`);
    return join(destination, file);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
