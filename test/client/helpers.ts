import { createVideoClient, type VideoClientOptions } from "../../src/index.js";

export const API_KEY_SID = "SK0123456789abcdef0123456789abcdef";
export const API_KEY_SECRET = "sup3r-s3cret-value-never-to-leak";
export const ROOM_SID = "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c";

export interface Call {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

type Reply = Response | ((call: Call, index: number) => Response | Promise<Response>);

/** A per-client fake fetch: records every request and answers from a script (last reply repeats). */
export function scriptedFetch(...replies: Reply[]) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const call = {
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: await request.text(),
    };
    calls.push(call);
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)]!;
    return typeof reply === "function" ? reply(call, calls.length - 1) : reply.clone();
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export function twilioError(
  status: number,
  code: number,
  message = "error",
  headers: Record<string, string> = {},
): Response {
  return json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

export function client(fetch: typeof globalThis.fetch, options: Partial<VideoClientOptions> = {}) {
  return createVideoClient({ apiKeySid: API_KEY_SID, apiKeySecret: API_KEY_SECRET, fetch, ...options });
}
