/**
 * A recording middleware for the client (openapi-fetch `{ onRequest,
 * onResponse }`): every API call becomes a Recording, redacted so it can be
 * committed. Only an allow-list of headers is kept, secrets are removed by
 * rule (see redact.ts: userinfo, sensitive parameter names in URLs, fragments,
 * form and JSON bodies, and any later repetition of a removed value), and
 * account SIDs can be replaced by a placeholder.
 */
import { Redactor } from "./redact.js";
import { redactRecording, requestHeadersOf, responseHeadersOf } from "./redact-recording.js";
import type { Recording } from "./types.js";

export { DEFAULT_SENSITIVE_NAMES, REDACTED, redactUrl, Redactor } from "./redact.js";

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
  /** More parameter names to treat as secrets, besides {@link DEFAULT_SENSITIVE_NAMES} (case-insensitive). */
  sensitiveNames?: readonly string[] | undefined;
  /**
   * Told when `onRecording` throws (its folder is missing, say): the API call
   * still answers with its result, and that recording is lost. Default: a
   * console warning.
   */
  onWarning?: ((message: string) => void) | undefined;
}

const ACCOUNT_SID = /AC[0-9a-fA-F]{32}/g;

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

const oneLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 300);

type RequestParams = { request: Request; id: string };

/** The middleware; pass it in the client's `middleware` option. */
export function createRecordingMiddleware(options: RecorderOptions): {
  onRequest: (params: RequestParams) => Promise<undefined>;
  onResponse: (params: RequestParams & { response: Response }) => Promise<undefined>;
  /** Applies this session's redaction to any other text (a log line, an error message). */
  redactText: (text: string) => string;
} {
  const pending = new Map<string, { method: string; url: string; body: string; headers: Record<string, string> }>();
  const source = options.source ?? `recorded ${new Date().toISOString().slice(0, 10)}`;
  // One redactor for the whole session: a secret seen in one call is removed from every later one too.
  const redactor = new Redactor(options.sensitiveNames, { maxSecrets: 256 });
  const warn = (message: string): void => {
    try {
      (options.onWarning ?? ((m: string) => console.warn(m)))(message);
    } catch {
      // A throwing warning listener is ignored, as the client's hooks do.
    }
  };
  return {
    redactText: (text) => redactor.scrubText(redactor.text(text)),
    async onRequest({ request, id }) {
      // Clone: the original body stream still has to be sent.
      const body = request.body ? await request.clone().text() : "";
      pending.set(id, {
        method: request.method,
        url: request.url,
        body,
        headers: requestHeadersOf((n) => request.headers.get(n) ?? undefined),
      });
      return undefined;
    },
    async onResponse({ request, response, id }) {
      const sent = pending.get(id) ?? { method: request.method, url: request.url, body: "", headers: {} };
      pending.delete(id);
      const raw: Recording = {
        description: "",
        source,
        request: {
          method: sent.method,
          url: sent.url,
          ...(sent.body !== "" ? { headers: sent.headers, body: sent.body } : {}),
        },
        response: {
          status: response.status,
          headers: responseHeadersOf((n) => response.headers.get(n) ?? undefined),
          body: await recordedBody(response.clone()),
        },
      };
      const redacted = redactRecording(redactor, raw);
      const url = redacted.request.url;
      const described =
        options.describe?.(sent.method, url, response.status) ?? `${sent.method} ${new URL(url).pathname}`;
      const recording = { ...redacted, description: redactor.scrubText(described) };
      try {
        options.onRecording(replaceAccount(recording, options.accountSidPlaceholder));
      } catch (e) {
        // A recording lost must not fail the call it records (the room exists by now).
        warn(
          `recorder: onRecording threw; the recording of ${sent.method} ${url} is lost: ` +
            `${redactor.scrubText(oneLine(e))}`,
        );
      }
      return undefined;
    },
  };
}
