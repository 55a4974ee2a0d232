/** Small pieces every step of the proxy uses: the bounded body copy, header lookup, one-line errors. */
import type { IncomingHttpHeaders } from "node:http";

export const oneLine = (e: unknown): string =>
  (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 300);

/** Collects up to `cap` bytes of a stream; past it, drops what it had and only counts. */
export class Capture {
  private chunks: Buffer[] = [];
  size = 0;
  over = false;
  constructor(private readonly cap: number) {}
  /**
   * Adds a chunk; on the one that goes over the cap, returns what it held (that chunk included) as it lets go of it.
   */
  add(chunk: Buffer): Buffer[] | undefined {
    this.size += chunk.length;
    if (this.over) return undefined;
    if (this.size > this.cap) {
      this.over = true;
      const held = [...this.chunks, chunk];
      this.chunks = [];
      return held;
    }
    this.chunks.push(chunk);
    return undefined;
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}
