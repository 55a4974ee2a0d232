/**
 * Type plumbing from the generated `paths` to resource methods. Nothing here
 * describes a resource by hand: every request and result type is read off the
 * spec.
 */
import type { paths } from "../../generated/openapi.js";

export type Path = keyof paths;
export type HttpMethod = "get" | "post" | "delete";

/** The operation object of `method` on `path`. */
export type Operation<P extends Path, M extends HttpMethod> = NonNullable<paths[P][M]>;

type Responses<O> = O extends { responses: infer R } ? R : never;
type Json<R> = R extends { content: { "application/json": infer J } } ? J : never;

/** JSON body of the operation's 200/201/202 answer. */
export type SuccessBody<O> = Json<Responses<O>[Extract<keyof Responses<O>, 200 | 201 | 202>]>;

/** The form body an operation takes (wire names, JSON-valued fields as objects). */
export type FormBody<O> = O extends { requestBody?: { content: { "application/x-www-form-urlencoded": infer B } } } ? B : never;

/** The query parameters an operation takes. */
export type QueryParams<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** Items of a list page: the array next to `meta`. */
export type PageItem<Page> = Page extends { meta: unknown } ? (Page[Exclude<keyof Page, "meta">] extends ReadonlyArray<infer I> ? I : never) : never;

/** Per-call options of every resource method. */
export interface CallOptions {
  /** Aborts the call, including retries and the waits between them. */
  signal?: AbortSignal | undefined;
  /** Extra request headers (Authorization and User-Agent are the client's). */
  headers?: Record<string, string> | undefined;
}
