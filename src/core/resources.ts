/**
 * The resource methods, declared as data (like Octokit's endpoint methods):
 * a tree whose leaves name the spec operation (method + path) and the shape
 * of the call, and whose branches bind a parent's path parameter
 * (`rooms.participants(roomSid)`). One generic builder turns it into methods.
 * The tree itself is derived from the spec (generated/endpoints.ts).
 */
import { endpointTree } from "../../generated/endpoints.js";
import type {
  ApiPromise,
  CallOptions,
  FormBody,
  HttpMethod,
  Operation,
  PageItem,
  Path,
  QueryParams,
  SuccessBody,
} from "./types.js";
import type { Endpoint, MediaLink, MediaOptions, Shape } from "./endpoint.js";

export type { Endpoint, Shape } from "./endpoint.js";

export interface Scope<C extends Node = Node> {
  /** Path parameter the branch function binds. */
  readonly param: string;
  readonly sid?: string;
  readonly children: C;
}

export type Node = { readonly [name: string]: Endpoint | Scope };

/**
 * The API's resource tree as data: each resource's operations (by spec operationId) and its nested resources. The
 * client is built from it.
 * Written by `npm run generate` into generated/endpoints.ts from each operation's `x-client-method` in spec/;
 * `satisfies` keeps every path a path of the spec and every leaf a well-formed endpoint.
 */
export const resourceTree = endpointTree satisfies Readonly<Record<string, Node>>;

export type ResourceTree = typeof resourceTree;

// ---- the types of the built methods -------------------------------------

type Op<E> = E extends { method: infer M extends HttpMethod; path: infer P extends Path } ? Operation<P, M> : never;
type Result<E> = SuccessBody<Op<E>>;
/** A body argument is optional when none of its fields is required. */
// biome-ignore lint/complexity/noBannedTypes: `{} extends B` holds exactly when every field of B is optional
type BodyArg<B> = [B] extends [never] ? [] : {} extends B ? [body?: B] : [body: B];

/** Options of `iterate()` and `all()`. */
export interface IterateOptions extends CallOptions {
  /** Stop after this many items. */
  limit?: number | undefined;
  /** Items per request (`PageSize`). */
  pageSize?: number | undefined;
}

type ListMethods<E> = {
  /** Fetches one page (`{ <key>: items, meta }`). */
  list(query?: QueryParams<Op<E>>, options?: CallOptions): ApiPromise<Result<E>>;
  /** Iterates every item lazily, one page in memory at a time, following `meta.next_page_url`. */
  iterate(query?: QueryParams<Op<E>>, options?: IterateOptions): AsyncGenerator<PageItem<Result<E>>, void, undefined>;
  /** Collects every item (up to `limit`) into an array. */
  all(query?: QueryParams<Op<E>>, options?: IterateOptions): Promise<Array<PageItem<Result<E>>>>;
};

type MediaMethods = {
  /** Asks for the media file's short-lived signed URL, without downloading it. */
  media(sid: string, media?: MediaOptions, options?: CallOptions): Promise<MediaLink>;
  /** Fetches the media file from its signed URL (no Twilio credentials are sent there); read the body as a stream. */
  download(sid: string, media?: MediaOptions, options?: CallOptions): Promise<Response>;
};

type Method<E> = E extends { shape: "create" }
  ? (...args: [...BodyArg<FormBody<Op<E>>>, options?: CallOptions]) => ApiPromise<Result<E>>
  : E extends { shape: "fetch" | "action" }
    ? (id: string, options?: CallOptions) => ApiPromise<Result<E>>
    : E extends { shape: "update" }
      ? (id: string, ...args: [...BodyArg<FormBody<Op<E>>>, options?: CallOptions]) => ApiPromise<Result<E>>
      : E extends { shape: "delete" }
        ? (id: string, options?: CallOptions) => ApiPromise<void>
        : E extends { shape: "singleton-fetch" }
          ? (options?: CallOptions) => ApiPromise<Result<E>>
          : E extends { shape: "singleton-update" }
            ? (...args: [...BodyArg<FormBody<Op<E>>>, options?: CallOptions]) => ApiPromise<Result<E>>
            : never;

/** The methods built from a node of the tree. */
export type Resource<N> = {
  [K in keyof N as N[K] extends { shape: "list" | "media" } ? never : K]: N[K] extends Scope<infer C>
    ? (id: string) => Resource<C>
    : Method<N[K]>;
} & (N extends { list: infer L } ? ListMethods<L> : unknown) &
  (N extends { media: { shape: "media" } } ? MediaMethods : unknown);

/** The typed resource methods of a {@link VideoClient}, derived from {@link resourceTree} and the spec. */
export type Resources = { [K in keyof ResourceTree]: Resource<ResourceTree[K]> };

/** One row per resource method: which operation it calls. */
export interface OperationRow {
  operationId: string;
  method: Uppercase<HttpMethod>;
  path: Path;
  shape: Shape;
  /** Access path in the client, e.g. ["rooms", "participants", "get"]; scopes take an id. */
  resource: string[];
  body?: Readonly<Record<string, string>>;
}

/** Every resource method with its operation, flattened from the tree (for docs, replay tests and coverage checks). */
export function operationRows(): OperationRow[] {
  const rows = (node: Node, prefix: string[]): OperationRow[] =>
    Object.entries(node).flatMap(([name, entry]): OperationRow[] =>
      "children" in entry
        ? rows(entry.children, [...prefix, name])
        : [
            {
              operationId: entry.operationId,
              method: entry.method.toUpperCase() as Uppercase<HttpMethod>,
              path: entry.path,
              shape: entry.shape,
              resource: [...prefix, name],
              ...(entry.body ? { body: entry.body } : {}),
            },
          ],
    );
  return Object.entries(resourceTree).flatMap(([name, node]) => rows(node, [name]));
}
