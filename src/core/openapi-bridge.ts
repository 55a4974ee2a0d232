/**
 * openapi-fetch on top of the transport, for `video.raw` and for resource
 * calls when the caller gave middleware. Both go through the client's one
 * `send` (retries, timeouts, credentials, size cap), and resource calls get
 * their answer back as the transport's {@link WireResponse}, so the status is
 * mapped to errors in one place (`call` in invoke.ts) whichever path a call
 * took, and no body is parsed twice.
 *
 * How a resource call gets its answer back: openapi-fetch reads error bodies
 * itself (and JSON-parses them). An internal client runs a capture middleware
 * outermost, i.e. last on the way back, after the caller's middleware; it
 * takes the final response (the one the transport built, or one a middleware
 * put in its place), and hands openapi-fetch a bodiless copy to finish with.
 * A middleware that answers from `onRequest` skips every `onResponse`; its
 * response is copied when it is returned.
 */
import createClient, { type Client, type Middleware, type MiddlewareCallbackParams } from "openapi-fetch";
import type { Endpoint } from "./endpoint.js";
import { TwilioProtocolError, safeUrl } from "./errors.js";
import { readText } from "./read-text.js";
import { serializeForm, serializeQuery } from "./serialize.js";
import type { CallPolicy, Send, WireResponse } from "./transport.js";
import type { CallOptions } from "./types.js";

// Statuses whose Response must be built without a body.
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

// Responses built from a transport answer, and that answer: reading one back costs nothing.
const wires = new WeakMap<Response, WireResponse>();

/**
 * The `fetch` openapi-fetch calls: Request in, the transport, Response out. `policy` is one call's timeout and
 * retries.
 */
export function transportFetch(send: Send, policy?: CallPolicy): (request: Request) => Promise<Response> {
  return async (request) => {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const body = request.body === null ? undefined : await request.text();
    const wire = await send({ method: request.method, url: request.url, headers, body }, request.signal, policy);
    // A Response cannot carry these statuses; the caller would get a RangeError from its constructor.
    if (wire.status < 200 || wire.status > 599)
      throw new TwilioProtocolError(`${request.method} answered HTTP ${wire.status}`);
    const responseHeaders = new Headers();
    wire.headers.forEach((value, name) => responseHeaders.append(name, value));
    const response = new Response(NULL_BODY.has(wire.status) ? null : wire.body, {
      status: wire.status,
      headers: responseHeaders,
    });
    // A constructed Response has no URL; errors report where the call went.
    Object.defineProperty(response, "url", { value: wire.url });
    wires.set(response, wire);
    return response;
  };
}

/** openapi-fetch with Twilio's query and form encoding, over the transport. */
export function openapiClient<Paths extends {}>(baseUrl: string, send: Send): Client<Paths> {
  return createClient<Paths>({
    baseUrl,
    fetch: transportFetch(send),
    querySerializer: serializeQuery,
    bodySerializer: serializeForm,
    // openapi-fetch labels every body JSON; removing the label lets the
    // runtime derive it from the URLSearchParams body (form-urlencoded).
    headers: { "Content-Type": null },
  });
}

/**
 * Any operation of the spec, as the endpoint table describes it (checked against `paths` where the table is
 * declared).
 */
interface AnyOperation {
  parameters: { path?: Record<string, string>; query?: Record<string, unknown> };
  requestBody?: { content: { "application/x-www-form-urlencoded": Record<string, unknown> } };
  responses: Record<number, unknown>;
}
type AnyPaths = Record<string, Record<"get" | "post" | "delete", AnyOperation>>;

/** Where one call's final answer is left, keyed by the `params` object openapi-fetch hands every middleware. */
interface Slot {
  answer: WireResponse | Response | undefined;
}

/** One resource call through the caller's middleware; answers the final response, any status. */
export type MiddlewareSend = (endpoint: Endpoint, init: BridgeInit, options: CallOptions) => Promise<WireResponse>;

export interface BridgeInit {
  path?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
}

/** A middleware's `onRequest` that answers itself: its response is copied before openapi-fetch reads it. */
function watched(middleware: Middleware, slots: WeakMap<object, Slot>): Middleware {
  const { onRequest, onResponse, onError } = middleware;
  if (!onRequest) return middleware;
  return {
    onRequest: async (context: MiddlewareCallbackParams) => {
      const result = await onRequest.call(middleware, context);
      const slot = slots.get(context.params);
      if (result instanceof Response && slot) slot.answer = result.clone();
      return result;
    },
    ...(onResponse ? { onResponse: onResponse.bind(middleware) } : {}),
    ...(onError ? { onError: onError.bind(middleware) } : {}),
  } as Middleware;
}

async function toWire(answer: WireResponse | Response, fallbackUrl: string, maxBytes: number): Promise<WireResponse> {
  if (!(answer instanceof Response)) return answer;
  const known = wires.get(answer);
  if (known) return known;
  const tooLarge = () =>
    new TwilioProtocolError(`a middleware answered ${safeUrl(fallbackUrl)} with more than ${maxBytes} bytes`);
  const body = answer.body === null ? "" : await readText(answer.body.getReader(), maxBytes, tooLarge);
  return { status: answer.status, headers: answer.headers, body, url: answer.url || fallbackUrl };
}

/** Resource calls through openapi-fetch and the caller's middleware (only built when there is middleware). */
export function middlewareSender(
  baseUrl: string,
  send: Send,
  middleware: Middleware[],
  maxBytes: number,
): MiddlewareSend {
  const slots = new WeakMap<object, Slot>();
  const capture: Middleware = {
    async onResponse({ response, params }) {
      const slot = slots.get(params);
      if (!slot) return undefined;
      slot.answer = response;
      // Its body is this call's to read; openapi-fetch gets nothing to parse.
      return new Response(null, { status: response.status, headers: response.headers });
    },
  };
  // The tree is checked against `paths` at its declaration; here paths are plain strings.
  const client = openapiClient<AnyPaths>(baseUrl, send);
  client.use(capture, ...middleware.map((m) => watched(m, slots)));

  return async (endpoint, init, options) => {
    const params = { path: init.path ?? {}, query: init.query };
    const slot: Slot = { answer: undefined };
    slots.set(params, slot);
    const url = `${baseUrl}${endpoint.path}`;
    await client.request(endpoint.method, endpoint.path, {
      params,
      parseAs: "stream",
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      // The policy cannot travel inside a Request; this call's own fetch carries it to the transport.
      ...(options.timeout !== undefined || options.maxRetries !== undefined
        ? { fetch: transportFetch(send, options) }
        : {}),
    });
    if (slot.answer === undefined)
      throw new TwilioProtocolError(`${endpoint.operationId}: the middleware left no response`);
    return toWire(slot.answer, url, maxBytes);
  };
}
