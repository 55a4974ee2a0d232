import type { Client, Middleware } from "openapi-fetch";
import type { paths } from "../../generated/openapi.js";
import { basicAuthorization, type CredentialOptions } from "./credentials.js";
import { TwilioConfigError } from "./errors.js";
import { combineHooks, debugFromEnvironment, debugHooks, type ClientHooks } from "./hooks.js";
import {
  call,
  checkId,
  type Context,
  type ResponseSink,
  type ResponseValidator,
  type ValidationMode,
} from "./invoke.js";
import { download, mediaLink } from "./media.js";
import { middlewareSender, openapiClient } from "./openapi-bridge.js";
import { checkNumber, describeValue, MAX_TIMER_MS, optionBag, optionNames, refuseUnknownOptions } from "./options.js";
import { all, iterate } from "./paginate.js";
import { resourceTree, type Endpoint, type Node, type Resources } from "./resources.js";
import { fetchExchange } from "./fetch-exchange.js";
import { createTransport, MAX_RETRIES_RULE, type Exchange, type RetryOptions, type WireResponse } from "./transport.js";
import type { ApiPromise, CallOptions, WithResponse } from "./types.js";
import { VERSION } from "./version.js";
import { trimTrailingSlashes } from "./trim.js";

/**
 * Options of {@link createVideoClient}: credentials, endpoint, transport, retries and response validation. Every field
 * is optional.
 */
export interface VideoClientOptions extends CredentialOptions, RetryOptions, ClientHooks {
  /** API root (default `https://video.twilio.com`). Point it at the emulator in tests. */
  baseUrl?: string | undefined;
  /** The fetch to use (default `globalThis.fetch`); also used, without credentials, for media downloads. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Time limit of one attempt in ms, body included (default 30000). */
  timeoutMs?: number | undefined;
  /**
   * Largest response body read, in bytes (default 8 MiB; Twilio's largest list page is far smaller). A longer body ends
   * in TwilioResponseTooLargeError.
   */
  maxResponseBytes?: number | undefined;
  /** Appended to the User-Agent, e.g. `my-app/1.2`. */
  userAgent?: string | undefined;
  /**
   * openapi-fetch middleware (`{ onRequest, onResponse, onError }`), run on every API call. They never see the
   * Authorization header.
   */
  middleware?: Middleware[] | undefined;
  /**
   * Check every success response against the spec: off (default), warn, or throw TwilioResponseValidationError. Loads
   * ajv on first use.
   */
  validateResponses?: ValidationMode | undefined;
  /**
   * The validator `validateResponses` uses. By default the contract module is
   * loaded on first use; bundled apps (Workers, Vite) pass
   * `defaultContractValidator()` from `twilio-video-ts/contract` here so the
   * bundler sees the dependency only when it is wanted.
   */
  validator?: ResponseValidator | undefined;
  /** Where `validateResponses: "warn"` and hooks that throw report (default console.warn). */
  onWarning?: ((message: string) => void) | undefined;
  /**
   * Print every request, response and retry (redacted, as the hooks see them)
   * with console.error. Default: on when the `TWILIO_VIDEO_DEBUG` environment
   * variable is set (not "", "0" or "false") where a `process.env` exists.
   */
  debug?: boolean | undefined;
}

/**
 * The client {@link createVideoClient} returns: one property per API resource, plus `raw`, the spec-typed
 * `openapi-fetch` client.
 */
export type VideoClient = Resources & {
  /** The openapi-fetch client typed by the spec's `paths`: every operation by path, errors as data. */
  readonly raw: Client<paths>;
};

const DEFAULT_BASE_URL = "https://video.twilio.com";

function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TwilioConfigError("baseUrl must be an absolute http(s) URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new TwilioConfigError("baseUrl must use http or https");
  if (url.username || url.password)
    throw new TwilioConfigError("baseUrl must not contain credentials; pass them as options");
  if (url.search || url.hash) throw new TwilioConfigError("baseUrl must not have a query string or fragment");
  return `${url.origin}${trimTrailingSlashes(url.pathname)}`;
}

function runtime(): string {
  const g = globalThis as {
    Deno?: { version?: { deno?: string } };
    Bun?: { version?: string };
    process?: { versions?: { node?: string } };
  };
  if (g.Deno?.version?.deno) return `deno/${g.Deno.version.deno}`;
  if (g.Bun?.version) return `bun/${g.Bun.version}`;
  if (g.process?.versions?.node) return `node/${g.process.versions.node}`;
  return "fetch";
}

/**
 * Creates a Video API client. Credentials come from the options or, where a
 * `process.env` exists, from `TWILIO_API_KEY_SID` + `TWILIO_API_KEY_SECRET`
 * (or `TWILIO_ACCOUNT_SID` + `TWILIO_AUTH_TOKEN`).
 *
 * @example
 * const video = createVideoClient({ apiKeySid, apiKeySecret });
 * const room = await video.rooms.create({ UniqueName: "standup", Type: "group" });
 * for await (const p of video.rooms.participants(room.sid).iterate()) console.log(p.identity);
 */
export function createVideoClient(options: VideoClientOptions = {}): VideoClient {
  return buildClient(options, () => fetchExchange(globalThis.fetch.bind(globalThis)));
}

/**
 * The names {@link VideoClientOptions} may have; `optionNames` fails to compile when the list and the interface differ.
 */
export const CLIENT_OPTION_NAMES = optionNames<VideoClientOptions>({
  apiKeySid: true,
  apiKeySecret: true,
  accountSid: true,
  authToken: true,
  maxRetries: true,
  baseDelayMs: true,
  maxDelayMs: true,
  maxRetryAfterMs: true,
  onRequest: true,
  onResponse: true,
  onRetry: true,
  baseUrl: true,
  fetch: true,
  timeoutMs: true,
  maxResponseBytes: true,
  userAgent: true,
  middleware: true,
  validateResponses: true,
  validator: true,
  onWarning: true,
  debug: true,
});

const VALIDATION_MODES: ReadonlySet<unknown> = new Set(["off", "warn", "throw"]);

/** Every option checked once here, so no call can fail later on a bad value or a misspelt name. */
function checkOptions(options: VideoClientOptions, known: ReadonlySet<string>): void {
  refuseUnknownOptions("createVideoClient", options, known);
  const ms = (min: number) => ({ min, max: MAX_TIMER_MS, integer: false });
  checkNumber("timeoutMs", options.timeoutMs, { ...ms(1), integer: true });
  checkNumber("maxRetries", options.maxRetries, MAX_RETRIES_RULE);
  checkNumber("baseDelayMs", options.baseDelayMs, ms(0));
  checkNumber("maxDelayMs", options.maxDelayMs, ms(0));
  checkNumber("maxRetryAfterMs", options.maxRetryAfterMs, ms(0));
  checkNumber("maxResponseBytes", options.maxResponseBytes, { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true });
  if (options.validateResponses !== undefined && !VALIDATION_MODES.has(options.validateResponses)) {
    throw new TwilioConfigError(
      `validateResponses must be "off", "warn" or "throw", got ${describeValue(options.validateResponses)}`,
    );
  }
}

/**
 * The client over an HTTP stack: `options.fetch` when given, else the
 * entry point's default (global fetch here, node:http in `twilio-video-ts/node`).
 * `known` lists the option names the entry point takes (the Node one adds `agent`).
 */
export function buildClient(
  given: VideoClientOptions | undefined,
  defaultExchange: () => Exchange,
  known: ReadonlySet<string> = CLIENT_OPTION_NAMES,
): VideoClient {
  const options = optionBag("createVideoClient", given) ?? {};
  checkOptions(options, known);
  const authorization = basicAuthorization(options);
  const baseUrl = parseBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const onWarning = options.onWarning ?? ((message: string) => console.warn(message));
  const debug = options.debug ?? debugFromEnvironment();
  const hooks = combineHooks(
    options.onRequest || options.onResponse || options.onRetry
      ? { onRequest: options.onRequest, onResponse: options.onResponse, onRetry: options.onRetry }
      : undefined,
    debug ? debugHooks() : undefined,
  );
  const maxResponseBytes = options.maxResponseBytes ?? 8 * 1024 * 1024;
  const transport = createTransport({
    maxRetries: options.maxRetries,
    baseDelayMs: options.baseDelayMs,
    maxDelayMs: options.maxDelayMs,
    maxRetryAfterMs: options.maxRetryAfterMs,
    exchange: options.fetch ? fetchExchange(options.fetch) : defaultExchange(),
    authorization,
    origin: new URL(baseUrl).origin,
    userAgent: `twilio-video-ts/${VERSION} (${runtime()})${options.userAgent ? ` ${options.userAgent}` : ""}`,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxResponseBytes,
    hooks,
    onWarning,
  });
  const raw = openapiClient<paths>(baseUrl, transport);
  const middleware = options.middleware ?? [];
  if (middleware.length) raw.use(...middleware);

  const ctx: Context = {
    send: transport,
    viaMiddleware: middleware.length ? middlewareSender(baseUrl, transport, middleware, maxResponseBytes) : undefined,
    baseUrl,
    mediaFetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    validation: options.validateResponses ?? "off",
    ...(options.validator ? { validator: options.validator } : {}),
    onWarning,
  };
  const resources = Object.fromEntries(
    Object.entries(resourceTree).map(([name, node]) => [name, build(ctx, node, {})]),
  );
  return { raw, ...(resources as Resources) };
}

type Params = Record<string, string>;

/**
 * Starts a call at once (like any promise) and adds `.withResponse()`, which
 * reads the answer the same call recorded in its sink: no second request.
 * A bad argument rejects rather than throws. (`run` is not wrapped in an
 * async function: that would add a promise and two turns to every call.)
 */
function respond<T>(run: (sink: ResponseSink) => Promise<T>): ApiPromise<T> {
  const sink: ResponseSink = { response: undefined };
  let promise: ApiPromise<T>;
  try {
    promise = run(sink) as ApiPromise<T>;
  } catch (error) {
    promise = Promise.reject(error) as ApiPromise<T>;
  }
  promise.withResponse = () =>
    promise.then((data): WithResponse<T> => ({ data, response: responseInfo(sink.response!) }));
  return promise;
}

function responseInfo(response: WireResponse): WithResponse<unknown>["response"] {
  return {
    status: response.status,
    headers: response.headers,
    requestId: response.headers.get("twilio-request-id"),
    url: response.url,
  };
}

/** The last path parameter of the endpoint that its scope has not bound: the method's own id. */
function ownId(endpoint: Endpoint, bound: Params): string | undefined {
  return [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).find((name) => !(name in bound));
}

function build(ctx: Context, node: Node, bound: Params): Record<string, unknown> {
  const api: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(node)) {
    if ("children" in entry) {
      api[name] = (id: string) =>
        build(ctx, entry.children, { ...bound, [entry.param]: checkId(entry.param, id, entry.sid) });
      continue;
    }
    const idName = ownId(entry, bound);
    const withId = (id: unknown): Params => (idName ? { ...bound, [idName]: checkId(idName, id, entry.sid) } : bound);
    switch (entry.shape) {
      case "create":
      case "singleton-update":
        api[name] = (body?: Record<string, unknown>, options?: CallOptions) =>
          respond((sink) => call(ctx, entry, { path: bound, body: body ?? {} }, options, sink));
        break;
      case "update":
        api[name] = (id: string, body?: Record<string, unknown>, options?: CallOptions) =>
          respond((sink) => call(ctx, entry, { path: withId(id), body: body ?? {} }, options, sink));
        break;
      case "action":
        api[name] = (id: string, options?: CallOptions) =>
          respond((sink) => call(ctx, entry, { path: withId(id), body: { ...entry.body } }, options, sink));
        break;
      case "fetch":
        api[name] = (id: string, options?: CallOptions) =>
          respond((sink) => call(ctx, entry, { path: withId(id) }, options, sink));
        break;
      case "singleton-fetch":
        api[name] = (options?: CallOptions) => respond((sink) => call(ctx, entry, { path: bound }, options, sink));
        break;
      case "delete":
        api[name] = (id: string, options?: CallOptions) =>
          respond(async (sink) => {
            await call(ctx, entry, { path: withId(id) }, options, sink);
          });
        break;
      case "list":
        api.list = (query?: Record<string, unknown>, options?: CallOptions) =>
          respond((sink) => call(ctx, entry, { path: bound, query }, options, sink));
        api.iterate = (query?: Record<string, unknown>, options?: object) => iterate(ctx, entry, bound, query, options);
        api.all = (query?: Record<string, unknown>, options?: object) => all(ctx, entry, bound, query, options);
        break;
      case "media":
        api.media = async (id: string, media?: object, options?: CallOptions) =>
          mediaLink(ctx, entry, withId(id), media, options);
        api.download = async (id: string, media?: object, options?: CallOptions) =>
          download(ctx, entry, withId(id), media, options);
        break;
    }
  }
  return api;
}
