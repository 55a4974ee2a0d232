/**
 * Every constraint narrower than its type says where it comes from (issue 8).
 *
 * The spec's rule: a limit no public source states does not exist. So every
 * schema node that carries one of these constraints needs an `x-source` (a
 * public https URL, or a list of them) on the same node:
 *   - minimum / maximum / exclusiveMinimum / exclusiveMaximum
 *   - pattern, except the SID patterns (`^XX[0-9a-fA-F]{32}$`)
 *   - minItems / maxItems / maxLength
 *   - enum on a request field (requests: what the API accepts)
 *   - additionalProperties: false
 *   - required on a response or status callback schema
 * The walk starts at every operation's parameters, request body and
 * responses, and at every webhook, and follows `$ref`s, so each node is
 * judged in the contexts (request, response, callback) it is used in.
 */
import { describe, expect, it } from "vitest";
import { isObject, loadDocument, type Json, type JsonObject } from "./helpers.js";

type Context = "request" | "response" | "callback";

const SID_PATTERN = /^\^(\[a-zA-Z\]\{2\}|[A-Z]{2})\[0-9a-fA-F\]\{32\}\$$/;
const BOUNDS = [
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minItems",
  "maxItems",
  "maxLength",
] as const;

/** The constraints of one schema node that need a source in this context. */
export function constraintsNeedingSource(node: JsonObject, context: Context): string[] {
  const found: string[] = [];
  for (const key of BOUNDS) if (key in node) found.push(key);
  if (typeof node.pattern === "string" && !SID_PATTERN.test(node.pattern)) found.push("pattern");
  if (context === "request" && Array.isArray(node.enum)) found.push("enum");
  if (node.additionalProperties === false) found.push("additionalProperties: false");
  if (context !== "request" && Array.isArray(node.required) && node.required.length > 0) found.push("required");
  return found;
}

export function hasSource(node: JsonObject): boolean {
  const source = node["x-source"];
  const urls = Array.isArray(source) ? source : [source];
  return urls.length > 0 && urls.every((u) => typeof u === "string" && /^https:\/\/[^\s]+$/.test(u));
}

/** Walks every schema reachable from the operations and webhooks; returns `<context> <pointer>: <constraints>` for each unsourced one. */
export function unsourcedConstraints(doc: JsonObject): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();

  const resolve = (ref: string): { node: Json | undefined; ptr: string } => {
    let node: Json | undefined = doc;
    for (const raw of ref.slice(2).split("/")) {
      const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      node = isObject(node) ? node[token] : undefined;
    }
    return { node, ptr: ref.slice(1) };
  };

  const walkSchema = (node: Json | undefined, ptr: string, context: Context): void => {
    if (!isObject(node)) return;
    const key = `${context} ${ptr}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (typeof node.$ref === "string") {
      const target = resolve(node.$ref);
      walkSchema(target.node, target.ptr, context);
    }
    const missing = constraintsNeedingSource(node, context);
    if (missing.length > 0 && !hasSource(node)) out.add(`${context} ${ptr}: ${missing.join(", ")}`);
    for (const sub of ["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"]) {
      if (isObject(node[sub])) walkSchema(node[sub], `${ptr}/${sub}`, context);
    }
    for (const list of ["allOf", "anyOf", "oneOf", "prefixItems"]) {
      const items = node[list];
      if (Array.isArray(items)) items.forEach((s, i) => walkSchema(s, `${ptr}/${list}/${i}`, context));
    }
    for (const map of ["properties", "patternProperties", "$defs"]) {
      const props = node[map];
      if (isObject(props))
        for (const [name, s] of Object.entries(props))
          walkSchema(s, `${ptr}/${map}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`, context);
    }
  };

  const deref = (node: Json | undefined, ptr: string): { node: Json | undefined; ptr: string } => {
    let current = { node, ptr };
    for (let i = 0; i < 10 && isObject(current.node) && typeof current.node.$ref === "string"; i++)
      current = resolve(current.node.$ref);
    return current;
  };

  const walkContent = (content: Json | undefined, ptr: string, context: Context) => {
    if (!isObject(content)) return;
    for (const [type, media] of Object.entries(content)) {
      if (isObject(media)) walkSchema(media.schema, `${ptr}/${type.replace(/\//g, "~1")}/schema`, context);
    }
  };

  // A webhook's parameters and body (X-Twilio-Signature, the event) are sent by Twilio: callback context.
  const walkOperation = (op: JsonObject, ptr: string, bodyContext: Context, parameters: Json[]) => {
    for (const [i, p] of [...parameters, ...(Array.isArray(op.parameters) ? op.parameters : [])].entries()) {
      const param = deref(p, `${ptr}/parameters/${i}`);
      if (isObject(param.node)) walkSchema(param.node.schema, `${param.ptr}/schema`, bodyContext);
    }
    const body = deref(op.requestBody, `${ptr}/requestBody`);
    if (isObject(body.node)) walkContent(body.node.content, `${body.ptr}/content`, bodyContext);
    if (isObject(op.responses)) {
      for (const [status, r] of Object.entries(op.responses)) {
        const response = deref(r, `${ptr}/responses/${status}`);
        if (!isObject(response.node)) continue;
        walkContent(response.node.content, `${response.ptr}/content`, "response");
        if (isObject(response.node.headers)) {
          for (const [name, h] of Object.entries(response.node.headers)) {
            const header = deref(h, `${response.ptr}/headers/${name}`);
            if (isObject(header.node)) walkSchema(header.node.schema, `${header.ptr}/schema`, "response");
          }
        }
      }
    }
  };

  const methods = ["get", "put", "post", "delete", "patch", "head", "options"];
  for (const [group, bodyContext] of [
    ["paths", "request"],
    ["webhooks", "callback"],
  ] as const) {
    const items = doc[group];
    if (!isObject(items)) continue;
    for (const [path, rawItem] of Object.entries(items)) {
      const base = `/${group}/${path.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      const item = deref(rawItem, base);
      if (!isObject(item.node)) continue;
      const shared = Array.isArray(item.node.parameters) ? item.node.parameters : [];
      for (const method of methods) {
        const op = item.node[method];
        if (isObject(op)) walkOperation(op, `${item.ptr}/${method}`, bodyContext, shared);
      }
    }
  }
  return [...out].sort();
}

describe("constraint sources", () => {
  const doc = loadDocument();

  it("every constraint narrower than its type carries an x-source URL", () => {
    expect(unsourcedConstraints(doc)).toEqual([]);
  });

  it("bites: an unsourced bound, pattern, request enum, closed object or response required list is reported", () => {
    const copy = structuredClone(doc) as JsonObject;
    const schemas = (copy.components as JsonObject).schemas as JsonObject;
    const before = unsourcedConstraints(copy).length;
    // A request bound without a source (MaxParticipantDuration's old, invented minimum).
    const create = schemas.CreateRoomRequest as JsonObject;
    ((create.properties as JsonObject).MaxParticipantDuration as JsonObject).minimum = 600;
    delete ((create.properties as JsonObject).MaxParticipantDuration as JsonObject)["x-source"];
    // A response required list without a source.
    delete (schemas.Room as JsonObject)["x-source"];
    // A callback family without a source.
    delete (schemas.RecordingCallbackEvent as JsonObject)["x-source"];
    const after = unsourcedConstraints(copy);
    expect(after.length).toBeGreaterThanOrEqual(before + 3);
    expect(
      after.some((l) =>
        l.startsWith("request /components/schemas/CreateRoomRequest/properties/MaxParticipantDuration: minimum"),
      ),
    ).toBe(true);
    expect(after.some((l) => l.startsWith("response /components/schemas/Room:") && l.includes("required"))).toBe(true);
    expect(
      after.some((l) => l.startsWith("callback /components/schemas/RecordingCallbackEvent:") && l.includes("required")),
    ).toBe(true);
  });

  it("judges a node by the context it is used in: enums only on requests, required only on responses and callbacks", () => {
    expect(constraintsNeedingSource({ type: "string", enum: ["a"] }, "response")).toEqual([]);
    expect(constraintsNeedingSource({ type: "string", enum: ["a"] }, "request")).toEqual(["enum"]);
    expect(constraintsNeedingSource({ type: "object", required: ["a"] }, "request")).toEqual([]);
    expect(constraintsNeedingSource({ type: "object", required: ["a"] }, "callback")).toEqual(["required"]);
    expect(constraintsNeedingSource({ type: "string", pattern: "^RM[0-9a-fA-F]{32}$" }, "request")).toEqual([]);
    expect(constraintsNeedingSource({ type: "string", pattern: "^[0-9]+$" }, "request")).toEqual(["pattern"]);
    expect(hasSource({ "x-source": "https://www.twilio.com/docs/video/api/rooms-resource" })).toBe(true);
    expect(hasSource({ "x-source": ["https://a.example/x", "not a url"] })).toBe(false);
    expect(hasSource({})).toBe(false);
  });
});
