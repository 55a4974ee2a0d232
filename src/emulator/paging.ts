/**
 * Pages as the real API forms them: `PageSize` (default 50), `Page` (index,
 * echoed back) and `PageToken` (`PA<sid>`: the page after that item, `PB<sid>`:
 * the page before it). Every page URL in `meta` is absolute and repeats the
 * request's filters, so following `next_page_url` as given keeps filtering.
 */
import type { components } from "../../generated/openapi.js";
import { badRequest } from "./errors.js";
import { firstAfter, type ListView } from "./seqlist.js";

type PageMeta = components["schemas"]["PageMeta"];

const PAGING_PARAMS = new Set(["PageSize", "Page", "PageToken"]);
const DEFAULT_PAGE_SIZE = 50;

export interface PageInput<T extends { sid: string; seq: number }> {
  /** Absolute API base (origin). */
  base: string;
  /** Path of the list, e.g. /v1/Rooms. */
  path: string;
  query: URLSearchParams;
  /** Items after filtering, in list order (by seq: ascending for "asc", descending for "desc"). */
  items: ListView<T>;
  /** seq of any record ever created (a token may point at an item that left the filter). */
  seqOfSid(sid: string): number | undefined;
  /** List order: newest first (`desc`) or oldest first. */
  order: "asc" | "desc";
}

export interface Page<T> {
  items: T[];
  meta: Omit<PageMeta, "key">;
}

/** One page of `items`, reading only the page's own items (positions come from binary search). */
export function paginate<T extends { sid: string; seq: number }>(input: PageInput<T>): Page<T> {
  const { query, items } = input;
  const pageSize = query.has("PageSize") ? Number(query.get("PageSize")) : DEFAULT_PAGE_SIZE;
  const pageIndex = query.has("Page") ? Number(query.get("Page")) : 0;
  const token = query.get("PageToken");

  let start: number;
  let end: number;
  if (token) {
    const m = /^P([AB])([A-Za-z]{2}[0-9a-fA-F]{32}|[A-Za-z0-9_-]+)$/.exec(token);
    const anchor = m ? input.seqOfSid(m[2]!) : undefined;
    if (!m || anchor === undefined) throw badRequest(21481, "Invalid PageToken");
    // Position of the anchor in list order, whether or not it is still in the list.
    const boundary = firstAfter(items, anchor, input.order);
    if (m[1] === "A") {
      // An anchor that is itself still listed is not repeated.
      start = boundary;
      end = Math.min(items.length, start + pageSize);
    } else {
      // The anchor itself, when still listed, sits just before the boundary.
      const anchorListed = boundary > 0 && items.at(boundary - 1).sid === m[2];
      end = anchorListed ? boundary - 1 : boundary;
      start = Math.max(0, end - pageSize);
    }
  } else {
    start = Math.min(items.length, pageIndex * pageSize);
    end = Math.min(items.length, start + pageSize);
  }

  const pageItems: T[] = [];
  for (let i = start; i < end; i++) pageItems.push(items.at(i));
  const filters = [...query].filter(([name]) => !PAGING_PARAMS.has(name));
  const pageUrl = (page: number, pageToken?: string): string => {
    const params = new URLSearchParams(filters);
    params.append("PageSize", String(pageSize));
    params.append("Page", String(page));
    if (pageToken) params.append("PageToken", pageToken);
    return `${input.base}${input.path}?${params.toString()}`;
  };
  const first = pageItems[0];
  const last = pageItems.at(-1);
  return {
    items: pageItems,
    meta: {
      page: pageIndex,
      page_size: pageSize,
      first_page_url: pageUrl(0),
      previous_page_url:
        pageIndex > 0 && start > 0 ? pageUrl(pageIndex - 1, first ? `PB${first.sid}` : undefined) : null,
      url: pageUrl(pageIndex, token ?? undefined),
      next_page_url: end < items.length && last ? pageUrl(pageIndex + 1, `PA${last.sid}`) : null,
    },
  };
}
