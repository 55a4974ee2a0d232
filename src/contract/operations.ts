/**
 * The operations of a bundled OpenAPI document, and matching a request's
 * method + URL to one of them by path template.
 */
import { deref, escapePointerToken, isObject, type JsonObject } from "./json-pointer.js";
import type { OperationMatch } from "./types.js";
import { trimTrailingSlashes } from "../core/trim.js";

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** A parameter with the pointer of its schema (for ajv) and the schema itself (for coercion). */
export interface ParameterInfo {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  schema: unknown;
  schemaPointer: string | undefined;
}

export interface OperationInfo {
  operationId: string;
  method: string; // upper case
  pathTemplate: string;
  /** Pointer to the operation object inside the document. */
  pointer: string;
  operation: JsonObject;
  parameters: ParameterInfo[];
  segments: Segment[];
}

type Segment = { literal: string } | { param: string };

export function collectOperations(document: JsonObject): OperationInfo[] {
  const paths = document.paths;
  if (!isObject(paths)) return [];
  const operations: OperationInfo[] = [];
  for (const [template, rawItem] of Object.entries(paths)) {
    const itemPointer = `/paths/${escapePointerToken(template)}`;
    const item = deref(document, rawItem, itemPointer);
    if (!item) continue;
    const shared = readParameters(document, item.node.parameters, `${item.pointer}/parameters`);
    for (const method of HTTP_METHODS) {
      const op = item.node[method];
      if (!isObject(op)) continue;
      const own = readParameters(document, op.parameters, `${item.pointer}/${method}/parameters`);
      // Operation-level parameters override path-level ones of the same name and location.
      const merged = new Map<string, ParameterInfo>();
      for (const p of [...shared, ...own]) merged.set(`${p.in}:${p.name}`, p);
      operations.push({
        operationId: typeof op.operationId === "string" ? op.operationId : `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        pathTemplate: template,
        pointer: `${item.pointer}/${method}`,
        operation: op,
        parameters: [...merged.values()],
        segments: splitTemplate(template),
      });
    }
  }
  return operations;
}

function readParameters(document: JsonObject, list: unknown, pointer: string): ParameterInfo[] {
  if (!Array.isArray(list)) return [];
  const out: ParameterInfo[] = [];
  list.forEach((raw, index) => {
    const resolved = deref(document, raw, `${pointer}/${index}`);
    if (!resolved) return;
    const p = resolved.node;
    const location = p.in;
    if (location !== "path" && location !== "query" && location !== "header" && location !== "cookie") return;
    out.push({
      name: String(p.name),
      in: location,
      required: p.required === true || location === "path",
      schema: p.schema,
      schemaPointer: p.schema === undefined ? undefined : `${resolved.pointer}/schema`,
    });
  });
  return out;
}

function splitTemplate(template: string): Segment[] {
  return template
    .split("/")
    .slice(1)
    .map((s) => {
      const m = /^\{([^}]+)\}$/.exec(s);
      return m ? { param: m[1]! } : { literal: s };
    });
}

/** Twilio's Video hosts: `video.twilio.com` and the edge/region form `video.<edge>.<region>.twilio.com`. */
const TWILIO_HOST = /^video(\.[a-z0-9-]+\.[a-z0-9-]+)?\.twilio\.com$/i;

export interface BaseUrl {
  origin: string;
  /** Path prefix without a trailing slash ("" for none). */
  prefix: string;
}

export function parseBaseUrls(urls: readonly string[]): BaseUrl[] {
  return urls.map((u) => {
    const parsed = new URL(u);
    return { origin: parsed.origin, prefix: trimTrailingSlashes(parsed.pathname) };
  });
}

/** The API path of `url` when its host is accepted, else undefined. */
export function apiPath(url: URL, baseUrls: readonly BaseUrl[]): string | undefined {
  if (url.protocol === "https:" && TWILIO_HOST.test(url.hostname) && (url.port === "" || url.port === "443"))
    return url.pathname;
  for (const base of baseUrls) {
    if (url.origin !== base.origin) continue;
    if (base.prefix === "") return url.pathname;
    if (url.pathname === base.prefix || url.pathname.startsWith(`${base.prefix}/`))
      return url.pathname.slice(base.prefix.length) || "/";
  }
  return undefined;
}

/**
 * Path-template matcher. Templates are tried most specific first: at the
 * first position where two templates differ, a literal segment wins over a
 * parameter, so `/CompositionSettings/Default` is never taken for an id.
 */
export class OperationIndex {
  private readonly byMethod = new Map<string, OperationInfo[]>();
  readonly byId = new Map<string, OperationInfo>();

  constructor(readonly operations: OperationInfo[]) {
    for (const op of operations) {
      this.byId.set(op.operationId, op);
      const list = this.byMethod.get(op.method) ?? [];
      list.push(op);
      this.byMethod.set(op.method, list);
    }
    for (const list of this.byMethod.values()) list.sort((a, b) => compareSpecificity(a.segments, b.segments));
  }

  match(method: string, path: string): OperationMatch | undefined {
    const candidates = this.byMethod.get(method.toUpperCase());
    if (!candidates) return undefined;
    // Twilio answers paths with one trailing slash as without (its docs'
    // samples use both, e.g. `.../PublishedTracks/`).
    const parts = (path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path).split("/").slice(1);
    for (const op of candidates) {
      const params = matchSegments(op.segments, parts);
      if (params)
        return { operationId: op.operationId, method: op.method, pathTemplate: op.pathTemplate, pathParams: params };
    }
    return undefined;
  }

  /** Whether any method has a template matching the path (to tell "wrong method" from "unknown path"). */
  methodsForPath(path: string): string[] {
    const parts = path.split("/").slice(1);
    const methods: string[] = [];
    for (const [method, list] of this.byMethod)
      if (list.some((op) => matchSegments(op.segments, parts))) methods.push(method);
    return methods.sort();
  }
}

function compareSpecificity(a: Segment[], b: Segment[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const al = "literal" in a[i]!;
    const bl = "literal" in b[i]!;
    if (al !== bl) return al ? -1 : 1;
  }
  return a.length - b.length;
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const part = parts[i]!;
    if ("literal" in seg) {
      if (seg.literal !== part) return undefined;
      continue;
    }
    if (part === "") return undefined;
    try {
      params[seg.param] = decodeURIComponent(part);
    } catch {
      return undefined; // not a valid percent-encoded segment
    }
  }
  return params;
}
