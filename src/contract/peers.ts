/**
 * Loading an entry point whose module graph needs the optional peers ajv and
 * ajv-formats, with a message that says what to install when one is missing.
 *
 * Why not a plain `import`: ES modules resolve every static import before any
 * of their code runs, so a missing peer surfaces as Node's bare
 * ERR_MODULE_NOT_FOUND with no chance to explain. Node ≥ 20.19 (this
 * package's engines) can `require()` an ES module synchronously, and that
 * failure can be caught. The Node entries (`node.ts` here and in
 * src/emulator/) use this; bundlers resolve the "module" export condition to
 * the plain entry instead and never see it.
 */
import { createRequire } from "node:module";

/** The optional peer dependencies of `twilio-video-ts/contract` and `twilio-video-ts/emulator`. */
export const PEERS = ["ajv", "ajv-formats"] as const;

export type Peer = (typeof PEERS)[number];

/**
 * Which of `peers` a module-resolution failure is about, if any. Node names
 * the specifier in quotes (`Cannot find package 'ajv' imported from …`,
 * `Cannot find module 'ajv/dist/2020.js'`); its first path segment is the
 * package.
 */
export function missingPeer(error: unknown, peers: readonly Peer[] = PEERS): Peer | undefined {
  const e = error as { code?: unknown; peer?: unknown } | null;
  if (e?.code === "ERR_TWILIO_VIDEO_MISSING_PEER") return peers.find((p) => p === e.peer);
  if (e?.code !== "ERR_MODULE_NOT_FOUND" && e?.code !== "MODULE_NOT_FOUND") return undefined;
  const message = error instanceof Error ? error.message : "";
  const open = message.indexOf("'");
  const close = open === -1 ? -1 : message.indexOf("'", open + 1);
  if (close === -1) return undefined;
  const name = message.slice(open + 1, close).split("/")[0];
  return peers.find((p) => p === name);
}

/** The error thrown in place of Node's resolution error. */
export class MissingPeerDependencyError extends Error {
  override readonly name = "MissingPeerDependencyError";
  readonly code = "ERR_TWILIO_VIDEO_MISSING_PEER";
  constructor(
    readonly entry: string,
    readonly peer: string,
    cause: unknown,
  ) {
    super(`${entry} needs the optional peer dependency ${peer}: npm install ${PEERS.join(" ")}`, { cause });
  }
}

/**
 * `require(specifier)` relative to `parentUrl`, naming the missing peer instead of failing with a bare resolution
 * error.
 */
export function loadWithPeers<T>(parentUrl: string, specifier: string, entry: string): T {
  try {
    return createRequire(parentUrl)(specifier) as T;
  } catch (error) {
    const peer = missingPeer(error);
    if (peer) throw new MissingPeerDependencyError(entry, peer, error);
    throw error;
  }
}
