/**
 * Type plumbing from the generated `paths` to resource methods. Nothing here
 * describes a resource by hand: every request and result type is read off the
 * spec.
 */
import type { paths } from "../../generated/openapi.js";
import type { ResponseHeaders } from "./transport.js";

export type Path = keyof paths;
export type HttpMethod = "get" | "post" | "delete";

/** The operation object of `method` on `path`. */
export type Operation<P extends Path, M extends HttpMethod> = NonNullable<paths[P][M]>;

type Responses<O> = O extends { responses: infer R } ? R : never;
type Json<R> = R extends { content: { "application/json": infer J } } ? J : never;

/** JSON body of the operation's 200/201/202 answer. */
export type SuccessBody<O> = Json<Responses<O>[Extract<keyof Responses<O>, 200 | 201 | 202>]>;

/** The form body an operation takes (wire names, JSON-valued fields as objects). */
export type FormBody<O> = O extends { requestBody?: { content: { "application/x-www-form-urlencoded": infer B } } }
  ? B
  : never;

/** The query parameters an operation takes. */
export type QueryParams<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** Items of a list page: the array next to `meta`. */
export type PageItem<Page> = Page extends { meta: unknown }
  ? Page[Exclude<keyof Page, "meta">] extends ReadonlyArray<infer I>
    ? I
    : never
  : never;

/**
 * Per-call options of every resource method. `timeout` and `maxRetries`
 * override the client's `timeoutMs` and `maxRetries` for this call only; an
 * invalid value (negative, NaN, fractional) rejects the call with
 * TwilioArgumentError before anything is sent.
 */
export interface CallOptions {
  /** Time limit of each attempt of this call in ms, body included (default: the client's `timeoutMs`). */
  timeout?: number | undefined;
  /** Retries of this call after its first attempt, 0 to 100 (default: the client's `maxRetries`). */
  maxRetries?: number | undefined;
  /** Aborts the call, including retries and the waits between them. */
  signal?: AbortSignal | undefined;
  /** Extra request headers (Authorization and User-Agent are the client's). */
  headers?: Record<string, string> | undefined;
}

/** The HTTP side of a successful call: what `.withResponse()` adds to the parsed result. */
export interface ResponseInfo {
  /** HTTP status of the answer the data came from (after any retries). */
  status: number;
  /** Its response headers. */
  headers: ResponseHeaders;
  /** Twilio's `Twilio-Request-Id`, null when the answer had none: quote it to Twilio support. */
  requestId: string | null;
  /** The request URL (it never holds credentials: they travel in the Authorization header). */
  url: string;
}

/** What `.withResponse()` resolves to: the parsed result and the response it came from. */
export interface WithResponse<T> {
  data: T;
  response: ResponseInfo;
}

/**
 * The promise every resource method (except `iterate()`/`all()` and the
 * media methods) returns: awaiting it gives the parsed result, as before;
 * `.withResponse()` gives the same result with the response's status,
 * headers and request id, from the same single request.
 */
export interface ApiPromise<T> extends Promise<T> {
  /** The parsed result plus the response it came from; sends nothing more. */
  withResponse(): Promise<WithResponse<T>>;
}
