/**
 * Synthetic traffic from the recorded corpus, of any size, written in slabs
 * (memory stays flat however large the file): HAR 1.2 captures as a recording
 * proxy exports them, and NDJSON. Shared by the conformance bench and the
 * tests that bound the CLI's memory.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { Recording } from "../../src/contract/index.js";

/** HAR 1.2 entry of a recording, with the headers and timings a proxy export carries. */
export function harEntry(r: Recording, i: number): unknown {
  const headers = (h: Record<string, string> | undefined) =>
    Object.entries(h ?? {}).map(([name, value]) => ({ name, value }));
  const body =
    r.response.body === null
      ? undefined
      : typeof r.response.body === "string"
        ? r.response.body
        : JSON.stringify(r.response.body);
  return {
    startedDateTime: new Date(Date.UTC(2026, 10, 24, 20, 0, 0) + i * 37).toISOString(),
    time: 41.5,
    request: {
      method: r.request.method,
      url: r.request.url,
      httpVersion: "HTTP/1.1",
      headers: [
        { name: "user-agent", value: "twilio-video-ts/0.1.0 node/20" },
        { name: "accept", value: "application/json" },
        ...headers(r.request.headers),
      ],
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: r.request.body?.length ?? 0,
      ...(r.request.body !== undefined
        ? { postData: { mimeType: "application/x-www-form-urlencoded", text: r.request.body } }
        : {}),
    },
    response: {
      status: r.response.status,
      statusText: "",
      httpVersion: "HTTP/1.1",
      headers: headers(r.response.headers),
      cookies: [],
      content:
        body === undefined
          ? { size: 0, mimeType: "x-unknown" }
          : { size: body.length, mimeType: r.response.headers?.["content-type"] ?? "application/json", text: body },
      redirectURL: "",
      headersSize: -1,
      bodySize: body?.length ?? 0,
    },
    cache: {},
    timings: { blocked: 0.2, dns: -1, connect: -1, ssl: -1, send: 0.1, wait: 40, receive: 1.2 },
  };
}

/** Writes `head`, then items from `next(n)` separated by `separator` until about `bytes`, then `tail`; answers the count. */
function writeUntil(
  file: string,
  bytes: number,
  head: string,
  next: (n: number) => string,
  separator: string,
  tail: string,
): number {
  const fd = openSync(file, "w");
  let written = 0;
  let n = 0;
  let slab = head;
  try {
    while (written + slab.length < bytes) {
      slab += `${n === 0 ? "" : separator}${next(n)}`;
      n++;
      if (slab.length > 1 << 20) {
        written += writeSync(fd, slab);
        slab = "";
      }
    }
    writeSync(fd, slab + tail);
  } finally {
    closeSync(fd);
  }
  return n;
}

/** A HAR of about `bytes` bytes whose entries are `entry(n)` (default: the recordings, in turn); answers its entry count. */
export function writeHar(
  file: string,
  bytes: number,
  recordings: Recording[],
  entry = (n: number): unknown => harEntry(recordings[n % recordings.length]!, n),
): number {
  const head = '{"log":{"version":"1.2","creator":{"name":"synthetic-traffic","version":"1"},"pages":[],"entries":[\n';
  return writeUntil(file, bytes, head, (n) => JSON.stringify(entry(n)), ",\n", "\n]}}\n");
}

/** NDJSON of about `bytes` bytes, one recording per line; answers its line count. */
export function writeNdjson(file: string, bytes: number, recordings: Recording[]): number {
  return writeUntil(file, bytes, "", (n) => JSON.stringify(recordings[n % recordings.length]), "\n", "\n");
}
