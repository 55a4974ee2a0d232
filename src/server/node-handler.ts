/**
 * twilio-video-ts/node/handler: the status callback handler for Node's
 * `http` server and Express/Connect (`(req, res)`), on top of the
 * Web-standard one in the client entry. Same order and answers: 413 over the
 * body cap, 403 on a bad signature (no callback runs), 400 for a malformed
 * genuine callback, 204 after the callback, bare 500 when it throws.
 *
 * Works with or without a body parser in front: an unread stream is read up
 * to the cap; a body a parser already consumed (`express.urlencoded()`, or a
 * raw string/Buffer) is used as is. JSON-body callbacks (`bodySHA256`) are
 * signed over the exact bytes: leave them unparsed, or keep the raw string.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  CallbackBodyTooLargeError,
  createStatusCallbackHandler,
  DEFAULT_MAX_CALLBACK_BODY_BYTES,
  type StatusCallbackHandlerOptions,
} from "./callback-handler.js";

/** The options of {@link createNodeStatusCallbackHandler}, the same as the Web-standard handler's. */
export type { StatusCallbackHandlerOptions } from "./callback-handler.js";
export type { StatusCallbackListeners } from "./callback-handler.js";

/** Node / Express request: `body` is what a body parser may have left. */
export type NodeCallbackRequest = IncomingMessage & { body?: unknown; originalUrl?: string };
/**
 * A status callback endpoint for Node's `http` server or an Express/Connect
 * route, made by {@link createNodeStatusCallbackHandler}: it writes the
 * answer to `res` (204, or 400/403/405/413/500 like the Web-standard
 * handler) and its promise settles once the answer is sent; it never rejects.
 */
export type NodeStatusCallbackHandler = (req: NodeCallbackRequest, res: ServerResponse) => Promise<void>;

function parsedBody(body: unknown): string | undefined {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  if (typeof body !== "object" || body === null) return undefined;
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) {
    for (const v of Array.isArray(value) ? value : [value]) form.append(name, String(v));
  }
  return form.toString();
}

/** Reads the raw stream, giving up past `limit` bytes (the handler then answers 413). */
function readStream(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers["content-length"]);
    if (declared > limit) return resolve("too-large");
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    // The body handed on may be a re-encoded parsed body: its length is not the wire's.
    if (value === undefined || name === "content-length" || name === "transfer-encoding") continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

/**
 * Builds a `(req, res)` handler for `http.createServer` or an Express route.
 *
 * @example
 * app.post("/video/events", createNodeStatusCallbackHandler({
 *   authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   url: "https://example.com/video/events",
 *   on: { "participant-connected": (e) => console.log(e.ParticipantIdentity) },
 * }));
 */
export function createNodeStatusCallbackHandler(options: StatusCallbackHandlerOptions): NodeStatusCallbackHandler {
  const handle = createStatusCallbackHandler(options);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_CALLBACK_BODY_BYTES;

  const report = (error: unknown, status: number) => {
    try {
      options.onError?.(error, { status });
    } catch {
      // A failing logger must not change the answer.
    }
  };

  async function respond(req: NodeCallbackRequest, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
    // Without a usable Host the URL Twilio signed cannot be rebuilt: only `url` can say it.
    // A target or Host that does not parse leaves a URL no signature matches: 403, not a 500 from a TypeError.
    const target = req.originalUrl ?? req.url ?? "/";
    const base = `${encrypted ? "https" : "http"}://${req.headers.host ?? "invalid.invalid"}`;
    const url = URL.canParse(target, base) ? new URL(target, base).toString() : "http://invalid.invalid/";
    let body: string | undefined;
    if (method === "POST") {
      // A parser that did not match the content type (express.json() before a form post) leaves
      // `req.body = {}` with the stream unread: the stream, when still unread, is the truth.
      body = req.readableEnded ? parsedBody(req.body) : undefined;
      if (body === undefined) {
        const raw = await readStream(req, limit);
        if (raw === "too-large") {
          report(new CallbackBodyTooLargeError(`Body exceeds ${limit} bytes`), 413);
          res.writeHead(413, { "content-type": "text/plain", connection: "close" }).end("413");
          return;
        }
        body = raw.toString("utf8");
      }
    }
    const response = await handle(
      new Request(url, { method, headers: toHeaders(req), ...(body !== undefined ? { body } : {}) }),
    );
    const text = await response.text();
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(text);
  }

  return async (req, res) => {
    try {
      await respond(req, res);
    } catch (error) {
      // Never let a request end the process: a failure here is answered, and reported.
      report(error, 500);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("500");
    }
  };
}
