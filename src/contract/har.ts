/**
 * HAR 1.2 (what browser devtools and recording proxies export) → recordings.
 * Every entry whose URL is the Video API (or a configured base URL) becomes
 * one recording; other traffic in the capture is skipped, and counted by
 * reason. An entry that is Video API traffic but cannot be read (a body that
 * is not valid base64, say) is a failure of that entry, never an exception.
 */
import { isObject } from "./json-pointer.js";
import { apiPath, parseBaseUrls, type BaseUrl } from "./operations.js";
import type { Recording } from "./types.js";

/** Why an entry was skipped (the keys of `skippedBy`). */
export const SKIP_FOREIGN_HOST = "not a Video API host";
export const SKIP_NOT_AN_ENTRY = "not a HAR entry (no request or response)";
export const SKIP_BAD_URL = "request URL is not absolute";

/**
 * What {@link recordingsFromHar} found in a HAR file: the Video API
 * exchanges as recordings (with their entry index), the API entries it could
 * not convert and why, how many other entries were skipped and why, or
 * `error` when the file is not HAR at all. Nothing is dropped silently.
 */
export interface HarExtraction {
  /** `index` is the entry's position in `log.entries`, to name it in reports. */
  recordings: { index: number; recording: Recording }[];
  /** Video API entries that could not be turned into a recording, with why. */
  failures: { index: number; message: string }[];
  /** Entries skipped, in total. */
  skipped: number;
  /** Entries skipped, by reason. */
  skippedBy: Record<string, number>;
  /** Why the file is not usable HAR, if it is not. */
  error?: string;
}

/** One entry's fate. */
export type HarEntryOutcome = { recording: Recording } | { skip: string } | { failure: string };

/**
 * Whether a parsed JSON document looks like HAR (an object with a
 * `log.entries` array), to tell a HAR capture from a recording before
 * choosing how to read it. It checks the shape only, not every entry.
 */
export function isHar(value: unknown): boolean {
  return isObject(value) && isObject(value.log) && Array.isArray(value.log.entries);
}

type HarHeader = { name: string; value: string };

function headerMap(list: unknown): Record<string, string> | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Record<string, string> = {};
  for (const h of list as HarHeader[]) {
    if (!isObject(h) || typeof h.name !== "string") continue;
    const key = h.name.toLowerCase();
    // HTTP/2 pseudo-headers (":authority") are transport details, not part of the interaction.
    if (key.startsWith(":")) continue;
    out[key] = out[key] === undefined ? String(h.value) : `${out[key]}, ${String(h.value)}`;
  }
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

class EntryError extends Error {}

/** Strict base64 (whitespace tolerated, as some tools wrap lines); anything else is the entry's failure. */
function decodeBase64(text: string): string {
  const compact = text.replace(/\s+/g, "");
  if (compact.length % 4 === 1 || !BASE64.test(compact))
    throw new EntryError("response.content.text is marked base64 but is not valid base64");
  // atob, not Buffer: the contract library runs outside Node too.
  const binary = atob(compact);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

function responseBody(content: unknown): unknown {
  if (!isObject(content) || typeof content.text !== "string" || content.text === "") return null;
  const text = content.encoding === "base64" ? decodeBase64(content.text) : content.text;
  const mime = typeof content.mimeType === "string" ? content.mimeType.toLowerCase() : "";
  if (/json/.test(mime)) {
    try {
      return JSON.parse(text);
    } catch {
      return text; // recorded as a string, so the check reports a non-JSON body
    }
  }
  return text;
}

function requestBody(postData: unknown): string | undefined {
  if (!isObject(postData)) return undefined;
  if (typeof postData.text === "string") return postData.text;
  if (Array.isArray(postData.params)) {
    const form = new URLSearchParams();
    for (const p of postData.params as unknown[])
      if (isObject(p) && typeof p.name === "string") form.append(p.name, typeof p.value === "string" ? p.value : "");
    return form.toString();
  }
  return undefined;
}

/** Turns one `log.entries` item into a recording, a skip reason, or a failure. */
export function harEntryToRecording(entry: unknown, index: number, bases: readonly BaseUrl[]): HarEntryOutcome {
  if (!isObject(entry) || !isObject(entry.request) || !isObject(entry.response)) return { skip: SKIP_NOT_AN_ENTRY };
  const url = String(entry.request.url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { skip: SKIP_BAD_URL };
  }
  if (apiPath(parsed, bases) === undefined) return { skip: SKIP_FOREIGN_HOST };
  try {
    const reqHeaders = headerMap(entry.request.headers);
    const resHeaders = headerMap(entry.response.headers);
    const body = requestBody(entry.request.postData);
    const recording: Recording = {
      description: `HAR entry ${index}`,
      request: {
        method: String(entry.request.method),
        url,
        ...(reqHeaders ? { headers: reqHeaders } : {}),
        ...(body !== undefined && body !== "" ? { body } : {}),
      },
      response: {
        status: Number(entry.response.status),
        ...(resHeaders ? { headers: resHeaders } : {}),
        body: responseBody(entry.response.content),
      },
    };
    return { recording };
  } catch (e) {
    if (e instanceof EntryError) return { failure: e.message };
    throw e;
  }
}

/**
 * Turns a parsed HAR 1.2 document (browser devtools, recording proxies) into
 * recordings the contract validator checks. Only entries to the Video API
 * (`https://video.twilio.com` and its regional hosts, plus any `baseUrls`
 * such as a local emulator)
 * are kept; every other entry is counted in `skippedBy`. Never throws on a
 * bad document: one that is not HAR comes back with `error` set.
 */
export function recordingsFromHar(har: unknown, options: { baseUrls?: string[] } = {}): HarExtraction {
  if (!isHar(har))
    return { recordings: [], failures: [], skipped: 0, skippedBy: {}, error: "not a HAR file (expected log.entries)" };
  const bases = parseBaseUrls(options.baseUrls ?? []);
  const entries = (har as { log: { entries: unknown[] } }).log.entries;
  const out: HarExtraction = { recordings: [], failures: [], skipped: 0, skippedBy: {} };
  entries.forEach((entry, index) => {
    const outcome = harEntryToRecording(entry, index, bases);
    if ("recording" in outcome) out.recordings.push({ index, recording: outcome.recording });
    else if ("failure" in outcome) out.failures.push({ index, message: outcome.failure });
    else {
      out.skipped++;
      out.skippedBy[outcome.skip] = (out.skippedBy[outcome.skip] ?? 0) + 1;
    }
  });
  return out;
}
