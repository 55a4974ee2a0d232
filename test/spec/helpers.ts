/**
 * Shared by the spec tests: the bundled document, JSON-pointer helpers, an
 * ajv 2020 instance that knows the whole document, and a parser of the facts
 * files in test/spec/fixtures (the independent yardstick the spec is checked against).
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import * as ajvFormats from "ajv-formats";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const repoRoot = resolve(import.meta.dirname, "..", "..");

/** A fresh deep copy of generated/openapi.json (tests may mutate their copy); VIDEO_SPEC_JSON checks another bundle. */
export function loadDocument(): JsonObject {
  const file = process.env.VIDEO_SPEC_JSON ?? resolve(repoRoot, "generated", "openapi.json");
  return JSON.parse(readFileSync(file, "utf8")) as JsonObject;
}

/** The fact sheets live in the repository (test/spec/fixtures): tests read nothing outside the tree. */
export function factsFile(name: string): string {
  const file = resolve(repoRoot, "test", "spec", "fixtures", name);
  if (!existsSync(file)) throw new Error(`facts file ${file} not found`);
  return readFileSync(file, "utf8");
}

// ---------------------------------------------------------------- pointers

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const escapeToken = (token: string | number) => String(token).replace(/~/g, "~0").replace(/\//g, "~1");
const unescapeToken = (token: string) => token.replace(/~1/g, "/").replace(/~0/g, "~");

export const pointer = (...tokens: (string | number)[]) => tokens.map((t) => `/${escapeToken(t)}`).join("");

/** The value at a JSON pointer ("" or "/a/b"), or undefined. */
export function at(doc: Json, ptr: string): Json | undefined {
  if (ptr === "") return doc;
  let node: Json | undefined = doc;
  for (const raw of ptr.slice(1).split("/")) {
    const token = unescapeToken(raw);
    if (Array.isArray(node)) node = /^(0|[1-9][0-9]*)$/.test(token) ? node[Number(token)] : undefined;
    else if (isObject(node)) node = Object.hasOwn(node, token) ? node[token] : undefined;
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** Follows `$ref`s (local only) until a node without one; returns the node and its pointer. */
export function deref(doc: JsonObject, node: Json | undefined, ptr: string): { node: Json | undefined; ptr: string } {
  const seen = new Set<string>();
  while (isObject(node) && typeof node.$ref === "string") {
    const ref = node.$ref;
    if (!ref.startsWith("#")) throw new Error(`external $ref ${ref} at ${ptr}`);
    if (seen.has(ref)) throw new Error(`$ref cycle through ${ref}`);
    seen.add(ref);
    ptr = decodeURIComponent(ref.slice(1));
    node = at(doc, ptr);
  }
  return { node, ptr };
}

/** Calls `visit` for every node of the document, depth first, with its pointer. */
export function walk(node: Json, visit: (node: Json, ptr: string) => void, ptr = ""): void {
  visit(node, ptr);
  if (Array.isArray(node)) node.forEach((child, i) => walk(child, visit, `${ptr}/${i}`));
  else if (isObject(node))
    for (const [key, child] of Object.entries(node)) walk(child, visit, `${ptr}/${escapeToken(key)}`);
}

// ---------------------------------------------------------------- schemas

/** Every subschema reachable from a schema through $ref, allOf/anyOf/oneOf (not into properties). */
export function branches(
  doc: JsonObject,
  schema: Json | undefined,
  ptr: string,
  out: { node: JsonObject; ptr: string }[] = [],
) {
  const r = deref(doc, schema, ptr);
  if (!isObject(r.node)) return out;
  out.push({ node: r.node, ptr: r.ptr });
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    const list = r.node[key];
    if (Array.isArray(list)) list.forEach((s, i) => branches(doc, s, `${r.ptr}/${key}/${i}`, out));
  }
  return out;
}

/** The properties a schema declares, merged over its allOf members; each with the pointer of its schema. */
export function propertiesOf(doc: JsonObject, schema: Json | undefined, ptr: string): Map<string, string> {
  const props = new Map<string, string>();
  const r = deref(doc, schema, ptr);
  if (!isObject(r.node)) return props;
  const own = r.node.properties;
  if (isObject(own)) for (const name of Object.keys(own)) props.set(name, `${r.ptr}/properties/${escapeToken(name)}`);
  const allOf = r.node.allOf;
  if (Array.isArray(allOf))
    allOf.forEach((s, i) => propertiesOf(doc, s, `${r.ptr}/allOf/${i}`).forEach((p, n) => props.set(n, p)));
  return props;
}

export function requiredOf(doc: JsonObject, schema: Json | undefined, ptr: string): Set<string> {
  const r = deref(doc, schema, ptr);
  const required = new Set<string>();
  if (!isObject(r.node)) return required;
  if (Array.isArray(r.node.required)) for (const n of r.node.required) if (typeof n === "string") required.add(n);
  const allOf = r.node.allOf;
  if (Array.isArray(allOf))
    allOf.forEach((s, i) => requiredOf(doc, s, `${r.ptr}/allOf/${i}`).forEach((n) => required.add(n)));
  return required;
}

/** JSON types a schema allows (through $ref and combinators), "null" included. */
export function typesOf(doc: JsonObject, schema: Json | undefined, ptr: string): Set<string> {
  const types = new Set<string>();
  for (const { node } of branches(doc, schema, ptr)) {
    if (typeof node.type === "string") types.add(node.type);
    if (Array.isArray(node.type)) for (const t of node.type) if (typeof t === "string") types.add(t);
  }
  return types;
}

export function patternsOf(doc: JsonObject, schema: Json | undefined, ptr: string): Set<string> {
  const patterns = new Set<string>();
  for (const b of branches(doc, schema, ptr)) {
    if (typeof b.node.pattern === "string") patterns.add(b.node.pattern);
    if (b.node.items !== undefined) patternsOf(doc, b.node.items, `${b.ptr}/items`).forEach((p) => patterns.add(p));
  }
  return patterns;
}

/** Enum values of a schema (or of its array items), null left out; undefined when nothing restricts them. */
export function enumOf(doc: JsonObject, schema: Json | undefined, ptr: string): Set<string> | undefined {
  let values: Set<string> | undefined;
  for (const b of branches(doc, schema, ptr)) {
    const list = Array.isArray(b.node.enum) ? b.node.enum : b.node.const !== undefined ? [b.node.const] : undefined;
    const found = list ? list.filter((v) => v !== null).map(String) : [];
    if (b.node.items !== undefined) found.push(...(enumOf(doc, b.node.items, `${b.ptr}/items`) ?? []));
    if (found.length > 0) values = new Set([...(values ?? []), ...found]);
  }
  return values;
}

export const DOCUMENT_ID = "https://twilio-video-ts.test/openapi.json";

type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats: FormatsPlugin =
  (ajvFormats as unknown as { default?: FormatsPlugin }).default ?? (ajvFormats as unknown as FormatsPlugin);

/** An ajv 2020 instance holding the whole document; `validator(ptr)` compiles `{$ref: <doc>#<ptr>}`. */
export function documentValidator(doc: JsonObject) {
  // OpenAPI 3.1 schemas are JSON Schema 2020-12 plus annotation keywords ajv
  // does not know (example, discriminator, xml, externalDocs): strict off.
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOCUMENT_ID });
  const cache = new Map<string, ValidateFunction>();
  const validator = (ptr: string): ValidateFunction => {
    let fn = cache.get(ptr);
    if (!fn) {
      fn = ajv.compile({
        $ref: `${DOCUMENT_ID}#${ptr
          .split("/")
          .map((t) => encodeURIComponent(t))
          .join("/")}`,
      });
      cache.set(ptr, fn);
    }
    return fn;
  };
  const errorsOf = (ptr: string, value: unknown): ErrorObject[] => {
    const fn = validator(ptr);
    return fn(value) ? [] : [...(fn.errors ?? [])];
  };
  return { ajv, validator, errorsOf };
}

export const describeErrors = (errors: ErrorObject[]) =>
  errors.map((e) => `${e.instancePath || "(root)"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`).join("; ");

// ---------------------------------------------------------------- facts

export type FactLocation = "path" | "query" | "form";

export interface FactField {
  /** Where an operation parameter lives (response fields have none). */
  in?: FactLocation;
  name: string;
  required: boolean;
  nullable: boolean;
  /** The documented type text after the colon, e.g. `array of string /^…$/`. */
  type: string;
  baseType: "string" | "integer" | "boolean" | "array" | "object" | "any" | "enum";
  pattern?: string;
  enum?: string[];
  format?: string;
  range?: { min: number; max?: number };
}

export interface FactResponse {
  status: number;
  /** The resource schema name (`video.v1.room`), or undefined for `no body`. */
  resource?: string;
  /** For list pages: the name of the item array (`rooms`). */
  pageKey?: string;
}

export interface FactOperation {
  method: string;
  path: string;
  operationId: string;
  params: FactField[];
  responses: FactResponse[];
}

export interface Facts {
  operations: FactOperation[];
  resources: Map<string, FactField[]>;
  pageMeta: string[];
}

function parseType(text: string): Omit<FactField, "name" | "required" | "in"> {
  const nullable = /\bnullable$/.test(text);
  const pattern = /\/(\^.*\$)\//.exec(text)?.[1];
  const enumText = /enum\(([^)]*)\)/.exec(text)?.[1];
  const format = /\[([a-z0-9-]+)\]/.exec(text)?.[1];
  const range = /\brange (\d+)\.\.(\d*)/.exec(text);
  const baseType = text.startsWith("array of")
    ? "array"
    : text.startsWith("any")
      ? "any"
      : text.startsWith("object")
        ? "object"
        : text.startsWith("enum(")
          ? "enum"
          : (/^(string|integer|boolean)/.exec(text)?.[1] as "string" | "integer" | "boolean" | undefined);
  if (!baseType) throw new Error(`facts: unknown type text "${text}"`);
  return {
    type: text,
    nullable,
    baseType,
    ...(pattern ? { pattern } : {}),
    ...(enumText ? { enum: enumText.split("|") } : {}),
    ...(format ? { format } : {}),
    ...(range ? { range: { min: Number(range[1]), ...(range[2] ? { max: Number(range[2]) } : {}) } } : {}),
  };
}

/** Parses video-v1-operations.md: `### METHOD /path — OperationId` headings, their bullets, and the resource schemas. */
export function parseOperationsFacts(markdown: string): Facts {
  const operations: FactOperation[] = [];
  const resources = new Map<string, FactField[]>();
  const pageMeta: string[] = [];
  let section = "";
  let op: FactOperation | undefined;
  let resource: FactField[] | undefined;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("## ")) {
      section = line.slice(3).trim();
      op = undefined;
      resource = undefined;
      continue;
    }
    const heading = /^### ([A-Z]+) (\/\S+) — ([A-Za-z]+)\s*$/.exec(line);
    if (heading) {
      op = {
        method: heading[1]!.toLowerCase(),
        path: heading[2]!,
        operationId: heading[3]!,
        params: [],
        responses: [],
      };
      operations.push(op);
      resource = undefined;
      continue;
    }
    const resourceHeading = /^### (video\.v1\.[a-z_.]+)\s*$/.exec(line);
    if (resourceHeading) {
      resource = [];
      resources.set(resourceHeading[1]!, resource);
      op = undefined;
      continue;
    }
    if (section.startsWith("Page envelope") && line.trim() !== "") {
      for (const m of line.matchAll(/`([a-z0-9_]+)` (?:integer|uri|string)/g)) pageMeta.push(m[1]!);
      continue;
    }
    const param = /^- (path|query|form) `([^`]+)`( \(required\))?: (.+)$/.exec(line);
    if (param && op) {
      op.params.push({
        in: param[1] as FactLocation,
        name: param[2]!,
        required: Boolean(param[3]),
        ...parseType(param[4]!.trim()),
      });
      continue;
    }
    const response = /^- response (\d{3}): (.+)$/.exec(line);
    if (response && op) {
      const body = response[2]!.trim();
      const page = /^page: ([a-z_]+)\[\] of (video\.v1\.[a-z_.]+), meta$/.exec(body);
      const status = Number(response[1]);
      if (page) op.responses.push({ status, pageKey: page[1]!, resource: page[2]! });
      else if (body === "no body") op.responses.push({ status });
      else if (/^video\.v1\.[a-z_.]+$/.test(body)) op.responses.push({ status, resource: body });
      else throw new Error(`facts: cannot read response line "${line}"`);
      continue;
    }
    const field = /^- `([a-z0-9_]+)`: (.+)$/.exec(line);
    if (field && resource) {
      resource.push({ name: field[1]!, required: true, ...parseType(field[2]!.trim()) });
      continue;
    }
    if (line.startsWith("- ") && (op || resource)) throw new Error(`facts: cannot read line "${line}"`);
  }
  return { operations, resources, pageMeta };
}

/** The media subresources listed in video-v1-conventions.md (`GET /v1/…/Media`). */
export function parseMediaPaths(markdown: string): string[] {
  const start = markdown.indexOf("## Media subresources");
  if (start < 0) throw new Error("facts: no Media subresources section");
  const end = markdown.indexOf("\n## ", start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/`GET (\/v1\/[^`\s]+\/Media)`/g)].map((m) => m[1]!);
}

export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
