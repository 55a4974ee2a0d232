/**
 * Pairs each value of a response body with the schema that governs it, so the
 * mutation tests can break values in ways the schema must notice (an enum
 * value, a SID pattern, a date-time). Independent of the validator's own code.
 */
import type { Recording } from "../../src/contract/index.js";

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

export interface Location {
  pointer: string;
  schema: Json;
  value: unknown;
}

export function resolveRef(document: Json, node: unknown): Json | undefined {
  let current = node;
  for (let i = 0; i < 20 && isObj(current) && typeof current.$ref === "string"; i++) {
    current = (current.$ref as string)
      .slice(2)
      .split("/")
      .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce<unknown>((n, t) => (isObj(n) ? n[t] : undefined), document);
  }
  return isObj(current) ? current : undefined;
}

export function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

export function admitted(document: Json, schema: Json): Set<string> {
  const out = new Set<string>();
  const t = schema.type;
  if (typeof t === "string") out.add(t);
  if (Array.isArray(t)) t.forEach((x) => out.add(String(x)));
  for (const key of ["anyOf", "oneOf"]) {
    const list = schema[key];
    if (Array.isArray(list))
      for (const b of list) {
        const r = resolveRef(document, b);
        if (r) admitted(document, r).forEach((x) => out.add(x));
      }
  }
  if (out.has("integer")) out.add("integer");
  if (out.has("number")) out.add("integer");
  return out;
}

function escapeToken(t: string): string {
  return t.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function locate(
  document: Json,
  schemaNode: unknown,
  value: unknown,
  pointer = "",
  out: Location[] = [],
  depth = 0,
): Location[] {
  const schema = resolveRef(document, schemaNode);
  if (!schema || depth > 30) return out;
  for (const key of ["anyOf", "oneOf"]) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    const branch = list
      .map((b) => resolveRef(document, b))
      .find(
        (b) =>
          b && b.type !== "null" && (admitted(document, b).has(jsonType(value)) || admitted(document, b).size === 0),
      );
    if (branch && value !== null) return locate(document, branch, value, pointer, out, depth + 1);
  }
  out.push({ pointer, schema, value });
  if (isObj(value)) {
    const props = isObj(schema.properties) ? schema.properties : {};
    for (const [k, v] of Object.entries(value)) {
      const sub = props[k] ?? (isObj(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (sub !== undefined) locate(document, sub, v, `${pointer}/${escapeToken(k)}`, out, depth + 1);
    }
  } else if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((item, i) => locate(document, schema.items, item, `${pointer}/${i}`, out, depth + 1));
  }
  return out;
}

export function setAt<T>(root: T, pointer: string, value: unknown): T {
  if (pointer === "") return value as T;
  const tokens = pointer
    .split("/")
    .slice(1)
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node: unknown = root;
  for (const t of tokens.slice(0, -1)) node = (node as Json)[t];
  (node as Json)[tokens[tokens.length - 1]!] = value;
  return root;
}

/** The documented response object (after $ref) for a recording, and the schema of its body. */
export function responseSchema(
  document: Json,
  method: string,
  pathTemplate: string,
  recording: Recording,
): { responses: Json; schema?: unknown } {
  const item = resolveRef(document, (document.paths as Json)[pathTemplate])!;
  const op = resolveRef(document, item[method.toLowerCase()])!;
  const responses = resolveRef(document, op.responses)!;
  const status = recording.response.status;
  const key = [String(status), `${Math.floor(status / 100)}XX`, "default"].find((k) => k in responses);
  const response = key ? resolveRef(document, responses[key]) : undefined;
  const content = response && isObj(response.content) ? response.content : {};
  const ct = Object.entries(recording.response.headers ?? {})
    .find(([k]) => k.toLowerCase() === "content-type")?.[1]
    ?.split(";")[0];
  const media = ct
    ? content[ct]
    : typeof recording.response.body === "string"
      ? (content["text/plain"] ?? content["text/html"])
      : content["application/json"];
  return { responses, schema: isObj(media) ? media.schema : undefined };
}

/** Whether `status` is documented (exact, range or default) in a responses object. */
export function documents(responses: Json, status: number): boolean {
  return String(status) in responses || `${Math.floor(status / 100)}XX` in responses || "default" in responses;
}
