/**
 * Lists: one page, a lazy iterator over every item, or all items at once.
 * The iterator follows `meta.next_page_url` as Twilio gives it (it carries
 * `PageToken` and the filters), one page in memory at a time. It refuses a
 * next page that is not this list under the configured `baseUrl` (so
 * credentials never leave the API host, and a proxy at `https://proxy/twilio`
 * works), and a next page it has already seen (a loop would page forever).
 */
import { TwilioArgumentError, TwilioProtocolError, safeUrl } from "./errors.js";
import { call, CALL_OPTION_NAMES, checkCallOptions, type Context } from "./invoke.js";
import { optionBag } from "./options.js";
import type { Endpoint, IterateOptions } from "./resources.js";
import type { CallOptions } from "./types.js";

interface Page {
  meta: { key: string; next_page_url: string | null; url?: unknown };
  [key: string]: unknown;
}

function asPage(body: unknown, endpoint: Endpoint): Page {
  const page = body as Partial<Page> | null;
  if (
    !page ||
    typeof page !== "object" ||
    !page.meta ||
    typeof page.meta.key !== "string" ||
    !Array.isArray(page[page.meta.key])
  ) {
    throw new TwilioProtocolError(`${endpoint.operationId} answered without a list page ({<key>: [...], meta})`);
  }
  return page as Page;
}

/** A path segment decoded; a malformed `%`-escape is a TwilioProtocolError, never a raw URIError. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new TwilioProtocolError(
      `next_page_url has a malformed %-escape in the path segment ${JSON.stringify(segment.slice(0, 40))}`,
    );
  }
}

/** Path parameters of `url` when it is the same list as `endpoint.path`, else undefined. */
function matchListPath(template: string, pathname: string): Record<string, string> | undefined {
  const want = template.split("/");
  const got = pathname.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const name = /^\{(\w+)\}$/.exec(want[i]!)?.[1];
    if (name) params[name] = decodeSegment(got[i]!);
    else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

/** A URL the API sent, resolved against the base; anything unparsable is a protocol error. */
function apiUrl(value: unknown, ctx: Context, endpoint: Endpoint, field: string): URL {
  const url =
    typeof value === "string" && URL.canParse(value, `${ctx.baseUrl}/`) ? new URL(value, `${ctx.baseUrl}/`) : undefined;
  if (url === undefined) throw new TwilioProtocolError(`${endpoint.operationId} answered a ${field} that is not a URL`);
  return url;
}

/** The names iterate() and all() take: the call options, `limit` and `pageSize`. */
const ITERATE_OPTION_NAMES: ReadonlySet<string> = new Set([...CALL_OPTION_NAMES, "limit", "pageSize"]);

function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const seen = query[name];
    query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}

const DONE: IteratorReturnResult<void> = Object.freeze({ value: undefined, done: true });

/**
 * The iterator `iterate()` returns. Written out rather than as an async
 * generator: a generator takes three promise turns per item, which dominate
 * iterating a long list (here an item already in hand is one resolved
 * promise; measured in bench/). Like a generator it starts on the first
 * `next()`, queues calls made while a page is on its way, and is finished
 * after an error, `return()` or `throw()`.
 */
class ListIterator implements AsyncGenerator<unknown, void, undefined> {
  private items: readonly unknown[] = [];
  private index = 0;
  private yielded = 0;
  private started = false;
  private finished = false;
  private nextUrl: string | null = null;
  /** A page on its way; calls made meanwhile wait for it. */
  private loading: Promise<void> | undefined;
  private readonly seen = new Set<string>();
  private readonly limit: number;
  private readonly pageSize: number | undefined;
  private readonly callOptions: CallOptions;

  constructor(
    private readonly ctx: Context,
    private readonly endpoint: Endpoint,
    private readonly path: Record<string, string>,
    private readonly query: Record<string, unknown>,
    options: IterateOptions,
  ) {
    const { limit = Infinity, pageSize, ...callOptions } = options;
    this.limit = limit;
    this.pageSize = pageSize;
    this.callOptions = callOptions;
  }

  next(): Promise<IteratorResult<unknown, void>> {
    if (this.loading) return this.loading.then(() => this.next());
    if (this.index < this.items.length) {
      const value = this.items[this.index++];
      if (++this.yielded >= this.limit) this.close();
      return Promise.resolve({ value, done: false });
    }
    if (this.finished || (this.started && this.nextUrl === null)) {
      this.close();
      return Promise.resolve(DONE);
    }
    // The page just read is garbage from here on, not kept alive while the next one is read and parsed.
    this.items = [];
    const loading = this.load().then(
      () => {
        this.loading = undefined;
      },
      (error: unknown) => {
        this.loading = undefined;
        this.close();
        throw error;
      },
    );
    this.loading = loading;
    return loading.then(() => this.next());
  }

  return(): Promise<IteratorResult<unknown, void>> {
    const done = () => {
      this.close();
      return DONE;
    };
    return this.loading ? this.loading.then(done, done) : Promise.resolve(done());
  }

  throw(error: unknown): Promise<IteratorResult<unknown, void>> {
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private close(): void {
    this.finished = true;
    this.items = [];
    this.index = 0;
  }

  /** Fetches the first page, or the one `next_page_url` names after checking it. */
  private async load(): Promise<void> {
    const { ctx, endpoint } = this;
    let body: unknown;
    if (!this.started) {
      this.started = true;
      if (!(this.limit >= 0)) throw new TwilioArgumentError("limit must be zero or more");
      if (this.limit === 0) return this.close();
      // A small limit needs no more than one small page.
      const size = this.pageSize ?? (this.limit < 50 ? this.limit : undefined);
      body = await call(
        ctx,
        endpoint,
        { path: this.path, query: size === undefined ? this.query : { ...this.query, PageSize: size } },
        this.callOptions,
      );
    } else {
      const url = apiUrl(this.nextUrl, ctx, endpoint, "meta.next_page_url");
      // Under the configured base: same origin and path prefix; the rest must be this list's path.
      const nextPath = url.href.startsWith(`${ctx.baseUrl}/`)
        ? matchListPath(endpoint.path, url.pathname.slice(ctx.baseUrl.length - url.origin.length))
        : undefined;
      if (!nextPath) {
        throw new TwilioProtocolError(
          `${endpoint.operationId}: refusing next_page_url ${safeUrl(`${url.origin}${url.pathname}`)}, which is not ` +
            `this list under ${ctx.baseUrl}`,
        );
      }
      const key = pageKey(url);
      if (this.seen.has(key)) {
        throw new TwilioProtocolError(
          `${endpoint.operationId}: next_page_url ${safeUrl(`${url.origin}${url.pathname}`)} points at a page ` +
            `already read (a loop); stopped after ${this.yielded} items`,
        );
      }
      this.seen.add(key);
      body = await call(ctx, endpoint, { path: nextPath, query: queryOf(url) }, this.callOptions);
    }
    const page = asPage(body, endpoint);
    // A page's own URL is usually the next_page_url just followed, whose key is already in `seen`.
    const own = page.meta.url;
    if (typeof own === "string" && own !== this.nextUrl && URL.canParse(own, `${ctx.baseUrl}/`))
      this.seen.add(pageKey(new URL(own, `${ctx.baseUrl}/`)));
    this.items = page[page.meta.key] as unknown[];
    this.index = 0;
    const next: unknown = page.meta.next_page_url;
    if (next && typeof next !== "string")
      throw new TwilioProtocolError(`${endpoint.operationId} answered a meta.next_page_url that is not a string`);
    this.nextUrl = (next as string) || null;
  }
}

export function iterate(
  ctx: Context,
  endpoint: Endpoint,
  path: Record<string, string>,
  query: Record<string, unknown> = {},
  given?: IterateOptions | null,
): AsyncGenerator<unknown, void, undefined> {
  const options = optionBag("iterate options", given) ?? {};
  checkCallOptions(options, ITERATE_OPTION_NAMES);
  return new ListIterator(ctx, endpoint, path, query, options);
}

/** A page's identity: its path with its query parameters in a stable order. */
function pageKey(url: URL): string {
  const params = new URLSearchParams(url.searchParams);
  params.sort();
  return `${url.pathname}?${params}`;
}

export async function all(
  ctx: Context,
  endpoint: Endpoint,
  path: Record<string, string>,
  query?: Record<string, unknown>,
  options?: IterateOptions,
): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of iterate(ctx, endpoint, path, query, options)) items.push(item);
  return items;
}
