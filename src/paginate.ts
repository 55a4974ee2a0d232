/**
 * Lists: one page, a lazy iterator over every item, or all items at once.
 * The iterator follows `meta.next_page_url` as Twilio gives it (it carries
 * `PageToken` and the filters), one page in memory at a time. It refuses a
 * next page that is not this list under the configured `baseUrl` (so
 * credentials never leave the API host, and a proxy at `https://proxy/twilio`
 * works), and a next page it has already seen (a loop would page forever).
 */
import { TwilioArgumentError, TwilioProtocolError, safeUrl } from "./errors.js";
import { call, type Context } from "./invoke.js";
import type { Endpoint, IterateOptions } from "./resources.js";

interface Page {
  meta: { key: string; next_page_url: string | null; url?: unknown };
  [key: string]: unknown;
}

function asPage(body: unknown, endpoint: Endpoint): Page {
  const page = body as Partial<Page> | null;
  if (!page || typeof page !== "object" || !page.meta || typeof page.meta.key !== "string" || !Array.isArray(page[page.meta.key])) {
    throw new TwilioProtocolError(`${endpoint.operationId} answered without a list page ({<key>: [...], meta})`);
  }
  return page as Page;
}

/** Path parameters of `url` when it is the same list as `endpoint.path`, else undefined. */
function matchListPath(template: string, pathname: string): Record<string, string> | undefined {
  const want = template.split("/");
  const got = pathname.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const name = /^\{(\w+)\}$/.exec(want[i]!)?.[1];
    if (name) params[name] = decodeURIComponent(got[i]!);
    else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const seen = query[name];
    query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}

export async function* iterate(
  ctx: Context,
  endpoint: Endpoint,
  path: Record<string, string>,
  query: Record<string, unknown> = {},
  options: IterateOptions = {},
): AsyncGenerator<unknown, void, undefined> {
  const { limit = Infinity, pageSize, ...callOptions } = options;
  if (!(limit >= 0)) throw new TwilioArgumentError("limit must be zero or more");
  if (limit === 0) return;
  // A small limit needs no more than one small page.
  const size = pageSize ?? (limit < 50 ? limit : undefined);
  let page = asPage(await call(ctx, endpoint, { path, query: size === undefined ? query : { ...query, PageSize: size } }, callOptions), endpoint);
  const seen = new Set<string>();
  let yielded = 0;
  for (;;) {
    if (typeof page.meta.url === "string") seen.add(pageKey(page.meta.url, ctx.baseUrl));
    for (const item of page[page.meta.key] as unknown[]) {
      yield item;
      if (++yielded >= limit) return;
    }
    const next = page.meta.next_page_url;
    if (!next) return;
    const url = new URL(next, `${ctx.baseUrl}/`);
    const key = pageKey(url.href, ctx.baseUrl);
    // Under the configured base: same origin and path prefix; the rest must be this list's path.
    const nextPath = url.href.startsWith(`${ctx.baseUrl}/`) ? matchListPath(endpoint.path, url.pathname.slice(ctx.baseUrl.length - url.origin.length)) : undefined;
    if (!nextPath) {
      throw new TwilioProtocolError(`${endpoint.operationId}: refusing next_page_url ${safeUrl(`${url.origin}${url.pathname}`)}, which is not this list under ${ctx.baseUrl}`);
    }
    if (seen.has(key)) throw new TwilioProtocolError(`${endpoint.operationId}: next_page_url ${safeUrl(`${url.origin}${url.pathname}`)} points at a page already read (a loop); stopped after ${yielded} items`);
    seen.add(key);
    page = asPage(await call(ctx, endpoint, { path: nextPath, query: queryOf(url) }, callOptions), endpoint);
  }
}

/** A page's identity: its URL resolved against the base, with its query parameters in a stable order. */
function pageKey(href: string, baseUrl: string): string {
  const url = new URL(href, `${baseUrl}/`);
  url.searchParams.sort();
  return `${url.pathname}?${url.searchParams}`;
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
