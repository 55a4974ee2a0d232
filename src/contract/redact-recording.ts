/**
 * The one redaction path of a recording, shared by the recording middleware
 * (recorder.ts) and the capture proxy (proxy/record.ts): headers reduced to
 * the allow-list, URL, form and JSON bodies redacted by rule, and last every
 * string scrubbed of what was removed (an error message quoting a password).
 */
import { RECORDED_REQUEST_HEADERS, RECORDED_RESPONSE_HEADERS } from "./recording-format.js";
import { type Redactor, REDACTED } from "./redact.js";
import type { Recording } from "./types.js";

/** Options of {@link redactRecording}. */
export interface RedactRecordingOptions {
  /**
   * Treat a `Location` header and a `redirect_to` field as signed URLs: every
   * query value goes (long ones are hunted elsewhere too), names stay. Off,
   * they are redacted by name like any URL.
   */
  signedUrls?: boolean | undefined;
}

/** The allow-listed headers, looked up through `get` (which answers undefined for a missing one). */
export function keptHeaders(
  get: (name: string) => string | undefined,
  names: readonly string[],
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of names) {
    const value = get(name);
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

/** The request headers a recording keeps. */
export const requestHeadersOf = (get: (name: string) => string | undefined): Record<string, string> =>
  keptHeaders(get, RECORDED_REQUEST_HEADERS);
/** The response headers a recording keeps. */
export const responseHeadersOf = (get: (name: string) => string | undefined): Record<string, string> =>
  keptHeaders(get, RECORDED_RESPONSE_HEADERS);

/** A signed URL's query is its credential: every value goes, names stay. */
export function signedUrl(redactor: Redactor, value: string): string {
  const q = value.indexOf("?");
  if (q === -1) return redactor.text(value);
  const hash = value.indexOf("#", q);
  const query = value.slice(q + 1, hash === -1 ? undefined : hash);
  const params = query.split("&").map((pair) => {
    const eq = pair.indexOf("=");
    if (eq === -1) return pair;
    const raw = pair.slice(eq + 1);
    // Long values (signatures, tokens, credentials) are hunted elsewhere too; short ones (an expiry) are not.
    if (raw.length >= 16) {
      redactor.learn(raw);
      try {
        redactor.learn(decodeURIComponent(raw.replaceAll("+", " ")));
      } catch {
        // not percent-encoded text; the raw form is remembered
      }
    }
    return `${pair.slice(0, eq)}=${REDACTED}`;
  });
  return `${redactor.url(value.slice(0, q))}?${params.join("&")}`;
}

function signedRedirects(redactor: Redactor, value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => signedRedirects(redactor, v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      k === "redirect_to" && typeof v === "string" ? signedUrl(redactor, v) : signedRedirects(redactor, v, depth + 1);
  }
  return out;
}

/** A request body as recorded: a JSON one redacted by key like a form, anything else as form parameters. */
export function redactRequestBody(redactor: Redactor, body: string, contentType: string | undefined): string {
  if (/json/i.test(contentType ?? "")) {
    try {
      return JSON.stringify(redactor.json(JSON.parse(body)));
    } catch {
      // Not JSON after all: redacted as text below.
    }
  }
  return redactor.params(body);
}

/** A recording with every rule applied; the input keeps only allow-listed headers already. */
export function redactRecording(
  redactor: Redactor,
  recording: Recording,
  options: RedactRecordingOptions = {},
): Recording {
  const { request, response } = recording;
  const headers = (h: Record<string, string>, signed: boolean): Record<string, string> =>
    Object.fromEntries(
      Object.entries(h).map(([name, v]) => [
        name,
        signed && name === "location" ? signedUrl(redactor, v) : redactor.text(v),
      ]),
    );
  const signed = options.signedUrls === true;
  const body = signed ? signedRedirects(redactor, response.body) : response.body;
  const redacted: Recording = {
    ...recording,
    request: {
      method: request.method,
      url: redactor.url(request.url),
      ...(request.headers !== undefined ? { headers: headers(request.headers, false) } : {}),
      ...(request.body !== undefined
        ? { body: redactRequestBody(redactor, request.body, request.headers?.["content-type"]) }
        : {}),
    },
    response: {
      status: response.status,
      ...(response.headers !== undefined ? { headers: headers(response.headers, signed) } : {}),
      body: redactor.json(body),
    },
  };
  // Last: anything that repeats a removed value (an error message quoting a secret).
  return redactor.scrub(redacted);
}
