import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths } from "../../generated/openapi.js";
import { basicAuthorization, type CredentialOptions } from "./credentials.js";
import { TwilioConfigError, TwilioProtocolError } from "./errors.js";
import { combineHooks, debugFromEnvironment, debugHooks, type ClientHooks } from "./hooks.js";
import { call, checkId, type Context, type ResponseSink, type ResponseValidator, type ValidationMode } from "./invoke.js";
import { download, mediaLink } from "./media.js";
import { all, iterate } from "./paginate.js";
import { resourceTree, type Endpoint, type Node, type Resources } from "./resources.js";
import { serializeForm, serializeQuery } from "./serialize.js";
import { fetchExchange } from "./fetch-exchange.js";
import { createTransport, type CallPolicy, type Exchange, type RetryOptions, type Send, type WireResponse } from "./transport.js";
import type { ApiPromise, CallOptions, WithResponse } from "./types.js";
import { VERSION } from "./version.js";
import { trimTrailingSlashes } from "./trim.js";

/** Options of {@link createVideoClient}: credentials, endpoint, transport, retries and response validation. Every field is optional. */
export interface VideoClientOptions extends CredentialOptions, RetryOptions, ClientHooks {
  /** API root (default `https://video.twilio.com`). Point it at the emulator in tests. */
  baseUrl?: string | undefined;
  /** The fetch to use (default `globalThis.fetch`); also used, without credentials, for media downloads. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Time limit of one attempt in ms, body included (default 30000). */
  timeoutMs?: number | undefined;
  /** Largest response body read, in bytes (default 8 MiB; Twilio's largest list page is far smaller). A longer body ends in TwilioResponseTooLargeError. */
  maxResponseBytes?: number | undefined;
  /** Appended to the User-Agent, e.g. `my-app/1.2`. */
  userAgent?: string | undefined;
  /** openapi-fetch middleware (`{ onRequest, onResponse, onError }`), run on every API call. They never see the Authorization header. */
  middleware?: Middleware[] | undefined;
  /** Check every success response against the spec: off (default), warn, or throw TwilioResponseValidationError. Loads ajv on first use. */
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

/** The client {@link createVideoClient} returns: one property per API resource, plus `raw`, the spec-typed `openapi-fetch` client. */
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
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TwilioConfigError("baseUrl must use http or https");
  if (url.username || url.password) throw new TwilioConfigError("baseUrl must not contain credentials; pass them as options");
  if (url.search || url.hash) throw new TwilioConfigError("baseUrl must not have a query string or fragment");
  return `${url.origin}${trimTrailingSlashes(url.pathname)}`;
}

function runtime(): string {
  const g = globalThis as { Deno?: { version?: { deno?: string } }; Bun?: { version?: string }; process?: { versions?: { node?: string } } };
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

const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit; larger delays fire at once

function checkNumber(name: string, value: unknown, min: number, max: number, integer: boolean): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new TwilioConfigError(`${name} must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}, got ${String(value)}`);
  }
}

/** Every numeric option, checked once here so no call can fail later on a bad value. */
function checkNumbers(options: VideoClientOptions): void {
  checkNumber("timeoutMs", options.timeoutMs, 1, MAX_TIMER_MS, true);
  checkNumber("maxRetries", options.maxRetries, 0, 100, true);
  checkNumber("baseDelayMs", options.baseDelayMs, 0, MAX_TIMER_MS, false);
  checkNumber("maxDelayMs", options.maxDelayMs, 0, MAX_TIMER_MS, false);
  checkNumber("maxRetryAfterMs", options.maxRetryAfterMs, 0, MAX_TIMER_MS, false);
  checkNumber("maxResponseBytes", options.maxResponseBytes, 1, Number.MAX_SAFE_INTEGER, true);
}

/**
 * The client over an HTTP stack: `options.fetch` when given, else the
 * entry point's default (global fetch here, node:http in `twilio-video-ts/node`).
 */
export function buildClient(options: VideoClientOptions, defaultExchange: () => Exchange): VideoClient {
  const authorization = basicAuthorization(options);
  const baseUrl = parseBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  checkNumbers(options);
  const onWarning = options.onWarning ?? ((message: string) => console.warn(message));
  const debug = options.debug ?? debugFromEnvironment();
  const hooks = combineHooks(
    options.onRequest || options.onResponse || options.onRetry ? { onRequest: options.onRequest, onResponse: options.onResponse, onRetry: options.onRetry } : undefined,
    debug ? debugHooks() : undefined,
  );
  const send = createTransport({
    ...options,
    exchange: options.fetch ? fetchExchange(options.fetch) : defaultExchange(),
    authorization,
    origin: new URL(baseUrl).origin,
    userAgent: `twilio-video-ts/${VERSION} (${runtime()})${options.userAgent ? ` ${options.userAgent}` : ""}`,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxResponseBytes: options.maxResponseBytes ?? 8 * 1024 * 1024,
    hooks,
    onWarning,
  });
  const raw = createClient<paths>({
    baseUrl,
    fetch: openapiFetchAdapter(send),
    querySerializer: serializeQuery,
    bodySerializer: serializeForm,
    // openapi-fetch labels every body JSON; removing the label lets the
    // runtime derive it from the URLSearchParams body (form-urlencoded).
    headers: { "Content-Type": null },
  });
  const viaRaw = Boolean(options.middleware?.length);
  if (viaRaw) raw.use(...options.middleware!);

  const ctx: Context = {
    raw,
    send,
    viaRaw,
    rawFetch: (policy) => openapiFetchAdapter(send, policy),
    baseUrl,
    mediaFetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    validation: options.validateResponses ?? "off",
    ...(options.validator ? { validator: options.validator } : {}),
    onWarning,
  };
  const resources = Object.fromEntries(Object.entries(resourceTree).map(([name, node]) => [name, build(ctx, node, {})]));
  return { raw, ...(resources as Resources) };
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** The `fetch` openapi-fetch calls (for `raw` and for middleware): Request in, transport, Response out. */
function openapiFetchAdapter(send: Send, policy?: CallPolicy): (request: Request) => Promise<Response> {
  return async (request) => {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const body = request.body === null ? undefined : await request.text();
    const wire = await send({ method: request.method, url: request.url, headers, body }, request.signal, policy);
    if (wire.status < 200 || wire.status > 599) throw new TwilioProtocolError(`${request.method} answered HTTP ${wire.status}`);
    const responseHeaders = new Headers();
    wire.headers.forEach((value, name) => responseHeaders.append(name, value));
    const response = new Response(NULL_BODY.has(wire.status) ? null : wire.body, { status: wire.status, headers: responseHeaders });
    // A constructed Response has no URL; errors report where the call went.
    Object.defineProperty(response, "url", { value: wire.url });
    return response;
  };
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
  promise.withResponse = () => promise.then((data): WithResponse<T> => ({ data, response: responseInfo(sink.response!) }));
  return promise;
}

function responseInfo(response: WireResponse): WithResponse<unknown>["response"] {
  return { status: response.status, headers: response.headers, requestId: response.headers.get("twilio-request-id"), url: response.url };
}

/** The last path parameter of the endpoint that its scope has not bound: the method's own id. */
function ownId(endpoint: Endpoint, bound: Params): string | undefined {
  return [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).find((name) => !(name in bound));
}

function build(ctx: Context, node: Node, bound: Params): Record<string, unknown> {
  const api: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(node)) {
    if ("children" in entry) {
      api[name] = (id: string) => build(ctx, entry.children, { ...bound, [entry.param]: checkId(entry.param, id, entry.sid) });
      continue;
    }
    const idName = ownId(entry, bound);
    const withId = (id: unknown): Params => (idName ? { ...bound, [idName]: checkId(idName, id, entry.sid) } : bound);
    switch (entry.shape) {
      case "create":
      case "singleton-update":
        api[name] = (body?: Record<string, unknown>, options?: CallOptions) => respond((sink) => call(ctx, entry, { path: bound, body: body ?? {} }, options, sink));
        break;
      case "update":
        api[name] = (id: string, body?: Record<string, unknown>, options?: CallOptions) =>
          respond((sink) => call(ctx, entry, { path: withId(id), body: body ?? {} }, options, sink));
        break;
      case "action":
        api[name] = (id: string, options?: CallOptions) => respond((sink) => call(ctx, entry, { path: withId(id), body: { ...entry.body } }, options, sink));
        break;
      case "fetch":
        api[name] = (id: string, options?: CallOptions) => respond((sink) => call(ctx, entry, { path: withId(id) }, options, sink));
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
        api.list = (query?: Record<string, unknown>, options?: CallOptions) => respond((sink) => call(ctx, entry, { path: bound, query }, options, sink));
        api.iterate = (query?: Record<string, unknown>, options?: object) => iterate(ctx, entry, bound, query, options);
        api.all = (query?: Record<string, unknown>, options?: object) => all(ctx, entry, bound, query, options);
        break;
      case "media":
        api.media = async (id: string, media?: object, options?: CallOptions) => mediaLink(ctx, entry, withId(id), media, options);
        api.download = async (id: string, media?: object, options?: CallOptions) => download(ctx, entry, withId(id), media, options);
        break;
    }
  }
  return api;
}
