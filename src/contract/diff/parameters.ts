/**
 * An operation's parameters (path-level and operation-level) matched by
 * location and name, path ones by their position in the template so a
 * renamed path parameter still matches, then compared one by one.
 */
import { escapePointerToken, type JsonObject } from "../json-pointer.js";
import { add, child, compareDocs, resolve, sameJson, sameShape, type Direction, type Walk } from "./model.js";
import { SchemaWalker } from "./schemas.js";

interface Param {
  node: JsonObject;
  name: string;
  location: string;
}

/** Where a path item and one of its operations are. */
export interface ParameterSource {
  path: string;
  item: JsonObject;
  op: JsonObject;
}

/** Path-level and operation-level parameters, the latter winning; path ones keyed by position. */
function parameters(doc: JsonObject, ref: ParameterSource): Map<string, Param> {
  const byName = new Map<string, Param>();
  for (const list of [ref.item.parameters, ref.op.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const node = resolve(doc, raw).node;
      if (typeof node.name !== "string" || typeof node.in !== "string") continue;
      const name = node.in === "header" ? node.name.toLowerCase() : node.name;
      byName.set(`${node.in}:${name}`, { node, name: node.name, location: node.in });
    }
  }
  const templateNames = [...ref.path.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]);
  const out = new Map<string, Param>();
  for (const [key, p] of byName) {
    const index = p.location === "path" ? templateNames.indexOf(p.name) : -1;
    out.set(index >= 0 ? `path:#${index}` : key, p);
  }
  return out;
}

const where = (p: Param) => `request.${p.location}/${escapePointerToken(p.name)}`;

/** One parameter present in both documents. */
function compareParameter(walk: Walk, o: Param, n: Param, direction: Direction): void {
  const req = direction === "request";
  const at = where(n);
  const what = `${n.location} parameter ${n.name}`;
  if (o.name !== n.name) {
    add(
      walk,
      "path-parameter-renamed",
      "patch",
      at,
      `path parameter ${o.name} renamed ${n.name} (the URL is unchanged)`,
    );
  }
  compareDocs(walk, o.node, n.node, at, ["description", "example", "examples"]);
  const oReq = o.node.required === true;
  const nReq = n.node.required === true;
  if (!oReq && nReq) {
    if (req) add(walk, "request-parameter-now-required", "major", at, `${what} is now required`);
    else add(walk, "response-field-now-required", "minor", at, `${what} is now always sent`);
  } else if (oReq && !nReq) {
    if (req) add(walk, "request-parameter-now-optional", "minor", at, `${what} is now optional`);
    else add(walk, "response-field-now-optional", "major", at, `${what} may now be absent`);
  }
  if (o.node.deprecated !== true && n.node.deprecated === true) {
    add(walk, "operation-deprecated", "minor", at, `${what} is deprecated`);
  }
  for (const k of ["style", "explode", "allowReserved", "content"] as const) {
    const same = k === "content" ? sameShape(o.node.content, n.node.content) : sameJson(o.node[k], n.node[k]);
    if (!same) add(walk, "request-parameter-serialization-changed", "major", child(at, k), `${what}: ${k} changed`);
  }
  new SchemaWalker(walk, direction).compare(o.node.schema, n.node.schema, at);
}

export function compareParameters(
  walk: Walk,
  oldRef: ParameterSource,
  newRef: ParameterSource,
  direction: Direction,
): void {
  const oldPs = parameters(walk.oldDoc, oldRef);
  const newPs = parameters(walk.newDoc, newRef);
  const req = direction === "request";
  for (const [key, o] of oldPs) {
    const n = newPs.get(key);
    if (n) compareParameter(walk, o, n, direction);
    else if (req) {
      const why = `${o.location} parameter ${o.name} removed: clients that send it may be refused`;
      add(walk, "request-parameter-removed", "major", where(o), why);
    } else
      add(walk, "response-field-removed", "major", where(o), `${o.location} parameter ${o.name} is no longer sent`);
  }
  for (const [key, n] of newPs) {
    if (oldPs.has(key)) continue;
    const what = `${n.location} parameter ${n.name}`;
    if (!req) add(walk, "response-field-added", "minor", where(n), `${what} is now sent`);
    else if (n.node.required === true) {
      const why = `required ${what} added: clients that do not send it are refused`;
      add(walk, "request-parameter-added-required", "major", where(n), why);
    } else add(walk, "request-parameter-added", "minor", where(n), `optional ${what} added`);
  }
}
