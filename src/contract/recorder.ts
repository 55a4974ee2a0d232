/**
 * A recording middleware for the client (openapi-fetch `{ onRequest,
 * onResponse }`): every API call becomes a Recording, redacted so it can be
 * committed. Only an allow-list of headers is kept, secret-looking form and
 * JSON fields are masked, signatures in signed URLs are masked, and account
 * SIDs can be replaced by a placeholder.
 */
import type { Recording } from "./types.js";

/** Options of {@link createRecordingMiddleware}. */
export interface RecorderOptions {
  /** Receives each finished recording. */
  onRecording: (recording: Recording) => void;
  /** Replace every account SID (`AC…`) with this placeholder (e.g. `AC` + 32 zeros). */
  accountSidPlaceholder?: string | undefined;
  /** The `source` field of each recording (default `recorded <ISO date>`). */
  source?: string | undefined;
  /** Describes a recording (default: METHOD path). */
  describe?: ((method: string, url: string, status: number) => string) | undefined;
}

/** What a removed secret is replaced with. */
export const REDACTED = "REDACTED";

/** Headers worth keeping: they carry contract facts and never credentials. */
const KEPT_REQUEST_HEADERS = ["content-type"];
const KEPT_RESPONSE_HEADERS = ["content-type", "location", "retry-after", "twilio-request-id"];
/** Form and JSON field names that hold secrets. */
const SECRET_FIELD = /secret|password|auth_?token|authtoken|api_?key_?secret|^token$|access_?token|private_?key/i;
/** Query parameters that sign a storage URL (S3, GCS, CloudFront, Azure SAS, generic). */
const SIGNATURE_PARAM = /^(x-amz-(signature|credential|security-token)|x-goog-(signature|credential)|signature|sig|token|policy|key-pair-id|se|skoid|sktid)$/i;
const ACCOUNT_SID = /AC[0-9a-fA-F]{32}/g;

/** Masks signature parameters of a URL; other strings pass through. */
export function redactUrl(value: string): string {
  if (!/^https?:\/\/[^\s]+\?/.test(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  let changed = false;
  for (const key of [...url.searchParams.keys()]) {
    if (SIGNATURE_PARAM.test(key) && url.searchParams.get(key) !== REDACTED) {
      url.searchParams.set(key, REDACTED);
      changed = true;
    }
  }
  return changed ? url.toString() : value;
}

function redactJson(value: unknown): unknown {
  if (typeof value === "string") return redactUrl(value);
  if (Array.isArray(value)) return value.map(redactJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) && typeof v === "string" ? REDACTED : redactJson(v)]));
  }
  return value;
}

function redactForm(body: string): string {
  if (body === "") return body;
  const params = new URLSearchParams(body);
  const out = new URLSearchParams();
  for (const [k, v] of params) out.append(k, SECRET_FIELD.test(k) ? REDACTED : v);
  return out.toString();
}

function keepHeaders(headers: Headers, keep: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of keep) {
    const value = headers.get(name);
    if (value !== null) out[name] = name === "location" ? redactUrl(value) : value;
  }
  return out;
}

function replaceAccount<T>(value: T, placeholder: string | undefined): T {
  if (placeholder === undefined) return value;
  return JSON.parse(JSON.stringify(value).replace(ACCOUNT_SID, placeholder)) as T;
}

/** Reads a response body the way recordings store it: parsed JSON, a string, or null when empty. */
export async function recordedBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return null;
  if (/json/i.test(response.headers.get("content-type") ?? "")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

type RequestParams = { request: Request; id: string };

/** The middleware; pass it in the client's `middleware` option. */
export function createRecordingMiddleware(options: RecorderOptions): {
  onRequest: (params: RequestParams) => Promise<undefined>;
  onResponse: (params: RequestParams & { response: Response }) => Promise<undefined>;
} {
  const pending = new Map<string, { method: string; url: string; body: string; headers: Record<string, string> }>();
  const source = options.source ?? `recorded ${new Date().toISOString().slice(0, 10)}`;
  return {
    async onRequest({ request, id }) {
      // Clone: the original body stream still has to be sent.
      const body = request.body ? await request.clone().text() : "";
      pending.set(id, { method: request.method, url: redactUrl(request.url), body, headers: keepHeaders(request.headers, KEPT_REQUEST_HEADERS) });
      return undefined;
    },
    async onResponse({ request, response, id }) {
      const sent = pending.get(id) ?? { method: request.method, url: request.url, body: "", headers: {} };
      pending.delete(id);
      const body = redactJson(await recordedBody(response.clone()));
      const recording: Recording = {
        description: options.describe?.(sent.method, sent.url, response.status) ?? `${sent.method} ${new URL(sent.url).pathname}`,
        source,
        request: {
          method: sent.method,
          url: sent.url,
          ...(sent.body !== "" ? { headers: sent.headers, body: redactForm(sent.body) } : {}),
        },
        response: { status: response.status, headers: keepHeaders(response.headers, KEPT_RESPONSE_HEADERS), body },
      };
      options.onRecording(replaceAccount(recording, options.accountSidPlaceholder));
      return undefined;
    },
  };
}
