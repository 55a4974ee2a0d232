/**
 * HAR 1.2 (what browser devtools and recording proxies export) → recordings.
 * Every entry whose URL is the Video API (or a configured base URL) becomes
 * one recording; other traffic in the capture is skipped.
 */
import { isObject } from "./json-pointer.js";
import { apiPath, parseBaseUrls } from "./operations.js";
import type { Recording } from "./types.js";

/** The Twilio Video exchanges found in a HAR file, as recordings. */
export interface HarExtraction {
  /** `index` is the entry's position in `log.entries`, to name it in reports. */
  recordings: { index: number; recording: Recording }[];
  /** Entries for other hosts. */
  skipped: number;
  /** Why the file is not usable HAR, if it is not. */
  error?: string;
}

/** Whether a parsed JSON value looks like a HAR file (`log.entries`). */
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

function decodeBase64(text: string): string {
  const binary = atob(text);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
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
    for (const p of postData.params as { name: string; value?: string }[]) form.append(p.name, p.value ?? "");
    return form.toString();
  }
  return undefined;
}

/** Turns the Twilio Video entries of a HAR 1.2 capture (and those of `options.baseUrls`) into recordings. */
export function recordingsFromHar(har: unknown, options: { baseUrls?: string[] } = {}): HarExtraction {
  if (!isHar(har)) return { recordings: [], skipped: 0, error: "not a HAR file (expected log.entries)" };
  const bases = parseBaseUrls(options.baseUrls ?? []);
  const entries = (har as { log: { entries: unknown[] } }).log.entries;
  const recordings: HarExtraction["recordings"] = [];
  let skipped = 0;
  entries.forEach((entry, index) => {
    if (!isObject(entry) || !isObject(entry.request) || !isObject(entry.response)) {
      skipped++;
      return;
    }
    const url = String(entry.request.url);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      skipped++;
      return;
    }
    if (apiPath(parsed, bases) === undefined) {
      skipped++;
      return;
    }
    const reqHeaders = headerMap(entry.request.headers);
    const resHeaders = headerMap(entry.response.headers);
    const body = requestBody(entry.request.postData);
    const recording: Recording = {
      description: `HAR entry ${index}`,
      request: { method: String(entry.request.method), url, ...(reqHeaders ? { headers: reqHeaders } : {}), ...(body !== undefined && body !== "" ? { body } : {}) },
      response: { status: Number(entry.response.status), ...(resHeaders ? { headers: resHeaders } : {}), body: responseBody(entry.response.content) },
    };
    recordings.push({ index, recording });
  });
  return { recordings, skipped };
}
