/**
 * A ready-made status callback endpoint on Web standards: a
 * `(request: Request) => Promise<Response>` for Hono, Next.js route handlers,
 * Bun.serve, Deno.serve and Workers (Node's `(req, res)` adapter lives in
 * `twilio-video-ts/node/handler`).
 *
 * In order: the body is read up to a cap (413 beyond it, before any work),
 * the signature is checked (403, no callback runs), the event is parsed (400
 * when a genuine callback lacks what the spec requires), the callback for its
 * event runs, and the answer is 204. A callback that throws gives a bare 500:
 * details go to `onError`, never to the caller.
 */
import { named, TwilioConfigError, TwilioVideoError } from "../core/errors.js";
import { optionBag, optionNames, refuseUnknownOptions } from "../core/options.js";
import { readText } from "../core/read-text.js";
import { InvalidSignatureError, verifyStatusCallback } from "./webhooks.js";
import type {
  ParsedStatusCallback,
  StatusCallbackEventName,
  StatusCallbackOf,
  UnknownCallback,
} from "./status-callbacks.js";

type Awaitable<T> = T | Promise<T>;

/** One callback per event name; `unknown` receives events this version does not know. */
export type StatusCallbackListeners = {
  readonly [E in StatusCallbackEventName]?: (event: StatusCallbackOf<E>) => Awaitable<void>;
} & {
  readonly unknown?: (event: UnknownCallback) => Awaitable<void>;
};

/**
 * Options of {@link createStatusCallbackHandler}: the auth token that checks
 * Twilio's signature, the listeners per event (`on`), and how the public URL
 * and the body cap are determined. Only `authToken` and `on` are required.
 */
export interface StatusCallbackHandlerOptions {
  /** The account's auth token: Twilio signs callbacks with it. */
  authToken: string;
  /**
   * The public URL Twilio calls (the `StatusCallback` you configured), when
   * the URL your server sees differs (proxies, tunnels, path rewrites). The
   * request's query string is appended when this URL has none.
   */
  url?: string;
  /**
   * Rebuild the public URL from `X-Forwarded-Proto` and `X-Forwarded-Host`.
   * Only behind a proxy you control that sets them: otherwise anyone could
   * choose the URL the signature is checked against. Ignored when `url` is set.
   */
  trustProxy?: boolean;
  /** Larger bodies are refused with 413 (default 64 KiB; callbacks are well under 4 KiB). */
  maxBodyBytes?: number;
  /**
   * The callback to run per event name (`unknown` for events this version does not know); an event without one is still
   * answered 204.
   */
  on: StatusCallbackListeners;
  /** Sees every refused request and every callback failure (for logging); never the secret. */
  onError?: (error: unknown, context: { status: number }) => void;
}

/**
 * A status callback endpoint on Web standards, made by
 * {@link createStatusCallbackHandler}: give it the incoming `Request` and
 * return its `Response` (204 handled; 400, 403, 405 or 413 refused; 500 when
 * a listener threw). It never rejects.
 */
export type StatusCallbackHandler = (request: Request) => Promise<Response>;

/**
 * The default `maxBodyBytes` of a status callback handler: 65,536 bytes
 * (64 KiB). Twilio's callbacks are form posts well under 4 KiB, so a larger
 * body is refused with 413 before it is read to the end.
 */
export const DEFAULT_MAX_CALLBACK_BODY_BYTES = 64 * 1024;

/** The body exceeded `maxBodyBytes`. */
export class CallbackBodyTooLargeError extends TwilioVideoError {
  readonly kind = "callback" as const;
  static {
    named(this, "CallbackBodyTooLargeError");
  }
}

const HANDLER_OPTION_NAMES = optionNames<StatusCallbackHandlerOptions>({
  authToken: true,
  url: true,
  trustProxy: true,
  maxBodyBytes: true,
  on: true,
  onError: true,
});

/** Every option of the handler, checked when it is built (TwilioConfigError), so a typo fails at start. */
function checkHandlerOptions(given: StatusCallbackHandlerOptions): StatusCallbackHandlerOptions {
  const options = optionBag("createStatusCallbackHandler", given);
  if (options === undefined) throw new TwilioConfigError("createStatusCallbackHandler: authToken is required");
  refuseUnknownOptions("createStatusCallbackHandler", options, HANDLER_OPTION_NAMES);
  if (typeof options.authToken !== "string" || !options.authToken)
    throw new TwilioConfigError("createStatusCallbackHandler: authToken is required");
  if (options.url !== undefined && (typeof options.url !== "string" || !URL.canParse(options.url))) {
    throw new TwilioConfigError("createStatusCallbackHandler: url must be an absolute URL");
  }
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_CALLBACK_BODY_BYTES;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new TwilioConfigError("createStatusCallbackHandler: maxBodyBytes must be a positive whole number");
  return options;
}

/** Reads a body as UTF-8, stopping as soon as it passes `limit` bytes. */
export async function readBodyWithLimit(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (declared > limit) throw new CallbackBodyTooLargeError(`Body of ${declared} bytes exceeds ${limit}`);
  if (!request.body) return "";
  return readText(request.body.getReader(), limit, () => new CallbackBodyTooLargeError(`Body exceeds ${limit} bytes`));
}

/** The URL Twilio signed, from the options or the request. */
export function publicUrl(request: Request, options: Pick<StatusCallbackHandlerOptions, "url" | "trustProxy">): string {
  const seen = new URL(request.url);
  if (options.url) {
    if (!URL.canParse(options.url)) throw new TwilioConfigError("url must be an absolute URL");
    const configured = new URL(options.url);
    if (!configured.search && seen.search) configured.search = seen.search;
    return configured.toString();
  }
  if (options.trustProxy) {
    const first = (name: string) => request.headers.get(name)?.split(",")[0]?.trim();
    const proto = first("x-forwarded-proto");
    const host = first("x-forwarded-host");
    if (proto === "http" || proto === "https") seen.protocol = `${proto}:`;
    if (host) {
      try {
        return new URL(`${seen.protocol}//${host}${seen.pathname}${seen.search}`).toString();
      } catch {
        throw new InvalidSignatureError("X-Forwarded-Host does not form a URL, so the signature cannot be checked");
      }
    }
  }
  return seen.toString();
}

function answer(status: number): Response {
  return new Response(status === 204 ? null : `${status}`, {
    status,
    headers: status === 204 ? {} : { "content-type": "text/plain" },
  });
}

/**
 * Builds the handler. Throws `TwilioConfigError` at once for a missing auth
 * token, a malformed `url` / `maxBodyBytes` or an unknown option name, so a
 * misconfigured server fails at start, not on the first callback.
 *
 * @example
 * export const POST = createStatusCallbackHandler({
 *   authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   on: { "room-ended": (e) => console.log(e.RoomSid, e.RoomDuration) },
 * });
 */
export function createStatusCallbackHandler(given: StatusCallbackHandlerOptions): StatusCallbackHandler {
  const options = checkHandlerOptions(given);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_CALLBACK_BODY_BYTES;
  const listeners = options.on ?? {};
  const report = (error: unknown, status: number) => {
    try {
      options.onError?.(error, { status });
    } catch {
      // A failing logger must not change the answer.
    }
  };

  return async (request) => {
    if (request.method !== "POST" && request.method !== "GET")
      return new Response(null, { status: 405, headers: { allow: "GET, POST" } });
    let event: ParsedStatusCallback;
    try {
      const body = request.method === "POST" ? await readBodyWithLimit(request, limit) : "";
      event = await verifyStatusCallback(request, {
        authToken: options.authToken,
        url: publicUrl(request, options),
        body,
      });
    } catch (error) {
      // Anything else (a body that could not be read, a malformed genuine callback) is the sender's fault: 400.
      const status =
        error instanceof CallbackBodyTooLargeError ? 413 : error instanceof InvalidSignatureError ? 403 : 400;
      report(error, status);
      return answer(status);
    }
    const listener = (
      event.kind === "unknown" ? listeners.unknown : listeners[event.StatusCallbackEvent as StatusCallbackEventName]
    ) as ((e: ParsedStatusCallback) => Awaitable<void>) | undefined;
    try {
      await listener?.(event);
    } catch (error) {
      report(error, 500);
      return answer(500);
    }
    return answer(204);
  };
}
