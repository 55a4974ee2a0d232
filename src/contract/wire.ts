/**
 * Turns the wire format (query strings, form bodies, path segments: all
 * strings) into the JSON values the spec's schemas describe, using those
 * schemas to decide: repeated keys become arrays only where the schema says
 * array, "true"/"false" (any case) become booleans and digit strings integers only where
 * the schema allows them, and JSON-encoded form fields are parsed.
 *
 * A value that cannot be converted is left as the string it was, so the schema
 * check reports it with the value actually sent.
 */
import { deref, isObject, jsonType, type JsonObject } from "./json-pointer.js";

/**
 * Answers by document and schema object: each recording asks the same
 * questions of the same parameter schemas, and a loaded document does not change.
 */
function memoized<T>(compute: (document: JsonObject, schema: unknown) => T) {
  const byDocument = new WeakMap<JsonObject, WeakMap<object, T>>();
  return (document: JsonObject, schema: unknown): T => {
    if (schema === null || typeof schema !== "object") return compute(document, schema);
    let cache = byDocument.get(document);
    if (!cache) {
      cache = new WeakMap();
      byDocument.set(document, cache);
    }
    if (cache.has(schema)) return cache.get(schema) as T;
    const answer = compute(document, schema);
    cache.set(schema, answer);
    return answer;
  };
}

const admittedTypesOnce = memoized((document, schema) => admittedTypes(document, schema));

/** The JSON types a schema admits, looking through $ref, allOf, anyOf and oneOf. Empty = any. */
export function admittedTypes(document: JsonObject, schema: unknown, depth = 0): ReadonlySet<string> {
  const found = new Set<string>();
  if (depth > 16) return found;
  const resolved = deref(document, schema, "");
  if (!resolved) return found;
  const node = resolved.node;
  const type = node.type;
  if (typeof type === "string") found.add(type);
  else if (Array.isArray(type)) for (const t of type) found.add(String(t));
  if ("const" in node) found.add(jsonType(node.const));
  if (Array.isArray(node.enum)) for (const v of node.enum) found.add(jsonType(v));
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const list = node[key];
    if (Array.isArray(list))
      for (const sub of list) for (const t of admittedTypes(document, sub, depth + 1)) found.add(t);
  }
  return found;
}

/** The schema of array items (through $ref/allOf/anyOf), or undefined. */
export const itemsSchema = memoized((document, schema) => itemsOf(document, schema, 0));

function itemsOf(document: JsonObject, schema: unknown, depth: number): unknown {
  if (depth > 16) return undefined;
  const resolved = deref(document, schema, "");
  if (!resolved) return undefined;
  if (resolved.node.items !== undefined) return resolved.node.items;
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    const list = resolved.node[key];
    if (Array.isArray(list)) {
      for (const sub of list) {
        const items = itemsOf(document, sub, depth + 1);
        if (items !== undefined) return items;
      }
    }
  }
  return undefined;
}

/** Property schemas of an object schema, merged over $ref and allOf (anyOf/oneOf branches included). */
export const propertySchemas: (document: JsonObject, schema: unknown) => ReadonlyMap<string, unknown> = memoized(
  (document, schema) => propertiesOf(document, schema, 0),
);

function propertiesOf(document: JsonObject, schema: unknown, depth: number): Map<string, unknown> {
  const props = new Map<string, unknown>();
  if (depth > 16) return props;
  const resolved = deref(document, schema, "");
  if (!resolved) return props;
  const own = resolved.node.properties;
  if (isObject(own)) for (const [name, sub] of Object.entries(own)) if (!props.has(name)) props.set(name, sub);
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    const list = resolved.node[key];
    if (Array.isArray(list))
      for (const sub of list)
        for (const [name, s] of propertiesOf(document, sub, depth + 1)) if (!props.has(name)) props.set(name, s);
  }
  return props;
}

/** Converts one wire string to the JSON value the schema expects, when it unambiguously can. */
export function coerceScalar(document: JsonObject, schema: unknown, raw: string): unknown {
  const types = admittedTypesOnce(document, schema);
  if (types.size === 0 || types.has("string")) {
    // A string is acceptable as-is; only convert when the schema rules strings out.
    return raw;
  }
  if ((types.has("integer") || types.has("number")) && /^-?\d+$/.test(raw)) return Number(raw);
  // One way to read each digit (`\d+\.?\d*` splits a digit run many ways, and backtracks quadratically).
  if (types.has("number") && /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(raw)) return Number(raw);
  // Any case: Twilio's own twilio-python 7.x sends str(True), "True", and the API takes it.
  if (types.has("boolean") && /^(?:true|false)$/i.test(raw)) return raw.toLowerCase() === "true";
  if (types.has("null") && raw === "null") return null;
  return raw;
}

export function isArraySchema(document: JsonObject, schema: unknown): boolean {
  return admittedTypesOnce(document, schema).has("array");
}

/**
 * Splits an x-www-form-urlencoded string into key → values in order.
 * Invalid percent-escapes are reported instead of thrown.
 */
export function parseForm(text: string): { fields: Map<string, string[]>; malformed: string[] } {
  const fields = new Map<string, string[]>();
  const malformed: string[] = [];
  if (text === "") return { fields, malformed };
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? "" : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeFormPart(rawKey);
      value = decodeFormPart(rawValue);
    } catch {
      malformed.push(pair);
      continue;
    }
    const list = fields.get(key);
    if (list) list.push(value);
    else fields.set(key, [value]);
  }
  return { fields, malformed };
}

/** One key or value of a form: `+` is a space, then percent-escapes (most parts have neither). */
function decodeFormPart(raw: string): string {
  const spaced = raw.includes("+") ? raw.replace(/\+/g, " ") : raw;
  return spaced.includes("%") ? decodeURIComponent(spaced) : spaced;
}

/** A header's value by name, any case. */
export function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** The media type of a Content-Type value, lower case, without parameters. */
export function baseType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  return contentType.split(";")[0]!.trim().toLowerCase() || undefined;
}
