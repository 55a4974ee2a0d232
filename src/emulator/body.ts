/**
 * Reading request bodies with a size cap. An over-limit body is read to its
 * end and thrown away (up to a drain limit), so the client gets its 413
 * answer instead of a connection reset; only a body past the drain limit, or
 * one that declares such a length up front, is answered at once and the
 * connection closed.
 */
import type { IncomingMessage } from "node:http";

/** Default cap on a request body (API and control API). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** How much of an over-limit body is drained (and discarded) to answer 413 cleanly. */
const DRAIN_FACTOR = 16;

export type BodyRead =
  | { kind: "ok"; text: string }
  /** `drained`: the whole body was read, the connection can stay open. */
  | { kind: "too-large"; drained: boolean }
  /** The client went away; there is no one to answer. */
  | { kind: "aborted" };

export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const drainLimit = maxBytes * DRAIN_FACTOR;
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > drainLimit) return Promise.resolve({ kind: "too-large", drained: false });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (result: BodyRead) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else {
        chunks.length = 0;
        if (size > drainLimit) {
          req.pause();
          done({ kind: "too-large", drained: false });
        }
      }
    });
    req.on("end", () =>
      done(
        size > maxBytes
          ? { kind: "too-large", drained: true }
          : { kind: "ok", text: Buffer.concat(chunks).toString("utf8") },
      ),
    );
    req.on("error", () => done({ kind: "aborted" }));
    req.on("aborted", () => done({ kind: "aborted" }));
    req.on("close", () => done(size > maxBytes ? { kind: "too-large", drained: false } : { kind: "aborted" }));
  });
}
