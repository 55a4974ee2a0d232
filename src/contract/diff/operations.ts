/**
 * Operations matched between the documents (by method and path with the
 * parameter names blanked), then their parameters, bodies, responses and
 * headers compared through the schema walker.
 */
import { escapePointerToken, isObject, type JsonObject } from "../json-pointer.js";
import { add, child, compareDocs, resolve, sameJson, sameShape, short, type Direction, type Walk } from "./model.js";
import { comparePathItem, compareServers } from "./document.js";
import { compareParameters } from "./parameters.js";
import { SchemaWalker } from "./schemas.js";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

interface OperationRef {
  /** Path with parameter names blanked (`/v1/Rooms/{}`): how operations are matched. */
  key: string;
  path: string;
  method: string;
  item: JsonObject;
  op: JsonObject;
}

function operations(doc: JsonObject, section: "paths" | "webhooks"): Map<string, OperationRef> {
  const out = new Map<string, OperationRef>();
  const paths = isObject(doc[section]) ? doc[section] : {};
  for (const [path, raw] of Object.entries(paths)) {
    const item = resolve(doc, raw).node;
    for (const method of METHODS) {
      if (!isObject(item[method])) continue;
      const key = `${method} ${section === "paths" ? path.replace(/\{[^{}]*\}/g, "{}") : path}`;
      out.set(key, { key, path, method, item, op: item[method] });
    }
  }
  return out;
}

const DEFAULT_REQUEST_TYPE = "application/x-www-form-urlencoded";
const DEFAULT_RESPONSE_TYPE = "application/json";
const bodyPath = (prefix: string, type: string, fallback: string) =>
  type === fallback ? `${prefix}.body` : `${prefix}.body(${type})`;

/** A request body the client sends (or, for a webhook, reads). */
function compareRequestBody(walk: Walk, oldRaw: unknown, newRaw: unknown, direction: Direction): void {
  const req = direction === "request";
  if (oldRaw === undefined && newRaw === undefined) return;
  const o = resolve(walk.oldDoc, oldRaw).node;
  const n = resolve(walk.newDoc, newRaw).node;
  if (oldRaw === undefined) {
    if (!req) add(walk, "response-body-added", "minor", "request.body", "a body is now sent");
    else if (n.required === true)
      add(walk, "request-body-added-required", "major", "request.body", "a required request body was added");
    else add(walk, "request-body-added", "minor", "request.body", "an optional request body was added");
    return;
  }
  if (newRaw === undefined) {
    if (req)
      add(
        walk,
        "request-body-removed",
        "major",
        "request.body",
        "the request body was removed: clients that send one may be refused",
      );
    else add(walk, "response-body-removed", "major", "request.body", "the body is no longer sent");
    return;
  }
  compareDocs(walk, o, n, "request.body", ["description"]);
  if (o.required !== true && n.required === true) {
    if (req) add(walk, "request-body-now-required", "major", "request.body", "the request body is now required");
  } else if (o.required === true && n.required !== true) {
    if (req) add(walk, "request-body-now-optional", "minor", "request.body", "the request body is now optional");
  }
  compareContent(walk, o.content, n.content, "request", DEFAULT_REQUEST_TYPE, direction);
}

/** The media types of a body: `side` names where in the exchange (`request`, `response.200`). */
function compareContent(
  walk: Walk,
  oldRaw: unknown,
  newRaw: unknown,
  side: string,
  fallback: string,
  direction: Direction,
): void {
  const req = direction === "request";
  const oldC = isObject(oldRaw) ? oldRaw : {};
  const newC = isObject(newRaw) ? newRaw : {};
  for (const type of Object.keys(oldC)) {
    const at = bodyPath(side, type, fallback);
    if (!(type in newC)) {
      if (req) add(walk, "request-content-type-removed", "major", at, `content type ${type} is no longer accepted`);
      else
        add(
          walk,
          "response-content-type-removed",
          "major",
          at,
          `content type ${type} is no longer returned: clients that parse it break`,
        );
      continue;
    }
    const om = resolve(walk.oldDoc, oldC[type]).node;
    const nm = resolve(walk.newDoc, newC[type]).node;
    compareDocs(walk, om, nm, at, ["example", "examples"]);
    new SchemaWalker(walk, direction).compare(om.schema, nm.schema, at);
    const oe = isObject(om.encoding) ? om.encoding : {};
    const ne = isObject(nm.encoding) ? nm.encoding : {};
    for (const field of new Set([...Object.keys(oe), ...Object.keys(ne)])) {
      if (sameShape(oe[field], ne[field])) continue;
      const where = child(at, field);
      if (!req)
        add(walk, "response-constraint-changed", "minor", child(where, "encoding"), `encoding of ${field} changed`);
      else if (field in oe)
        add(
          walk,
          "request-encoding-changed",
          "major",
          child(where, "encoding"),
          `encoding of ${field} changed: clients encode it the old way`,
        );
      else add(walk, "request-encoding-changed", "minor", child(where, "encoding"), `encoding of ${field} added`);
    }
  }
  for (const type of Object.keys(newC)) {
    if (type in oldC) continue;
    const at = bodyPath(side, type, fallback);
    if (req) add(walk, "request-content-type-added", "minor", at, `content type ${type} is now accepted`);
    else if (Object.keys(oldC).length === 0)
      add(walk, "response-body-added", "minor", at, `a ${type} body is now returned`);
    else
      add(
        walk,
        "response-content-type-added",
        "minor",
        at,
        `content type ${type} may now be returned (negotiated by Accept)`,
      );
  }
}

const isSuccess = (status: string) => /^[23]/.test(status);
const covers = (range: string, status: string) => /^[1-5]XX$/i.test(range) && range[0] === status[0];

/** Responses the client reads (or, for a webhook, sends). */
function compareResponses(walk: Walk, oldRaw: unknown, newRaw: unknown, direction: Direction): void {
  const req = direction === "request"; // a webhook's response: the consumer sends it
  const oldR = isObject(oldRaw) ? oldRaw : {};
  const newR = isObject(newRaw) ? newRaw : {};
  for (const status of Object.keys(oldR)) {
    const at = `response.${status}`;
    if (!(status in newR)) {
      const covered = Object.keys(newR).some((s) => covers(s, status) || s === "default");
      if (req)
        add(walk, "request-constraint-widened", "minor", at, `status ${status} is no longer documented as a reply`);
      else if (isSuccess(status) && !covered)
        add(
          walk,
          "response-status-removed",
          "major",
          at,
          `success status ${status} is no longer returned: clients that expect it break`,
        );
      else
        add(
          walk,
          "response-status-removed",
          "minor",
          at,
          `status ${status} is no longer documented${covered ? " on its own" : ""}`,
        );
      continue;
    }
    const o = resolve(walk.oldDoc, oldR[status]).node;
    const n = resolve(walk.newDoc, newR[status]).node;
    compareDocs(walk, o, n, at, ["description"]);
    const oHasBody = isObject(o.content) && Object.keys(o.content).length > 0;
    const nHasBody = isObject(n.content) && Object.keys(n.content).length > 0;
    if (oHasBody && !nHasBody && !req)
      add(walk, "response-body-removed", "major", `${at}.body`, `status ${status} no longer has a body`);
    else if (oHasBody && !nHasBody)
      add(walk, "request-body-removed", "major", `${at}.body`, `status ${status} no longer takes a body`);
    else compareContent(walk, o.content, n.content, at, DEFAULT_RESPONSE_TYPE, direction);
    compareHeaders(walk, o.headers, n.headers, at, direction);
  }
  for (const status of Object.keys(newR)) {
    if (status in oldR) continue;
    const at = `response.${status}`;
    const covered = Object.keys(oldR).some((s) => covers(s, status) || s === "default");
    if (req) add(walk, "request-constraint-narrowed", "minor", at, `status ${status} is now documented as a reply`);
    else if (isSuccess(status) && !covered)
      add(
        walk,
        "response-status-added",
        "major",
        at,
        `success status ${status} may now be returned: clients that check for the old one break`,
      );
    else
      add(
        walk,
        "response-status-added",
        "minor",
        at,
        `status ${status} is now documented${covered ? " on its own" : ""}`,
      );
  }
}

function compareHeaders(walk: Walk, oldRaw: unknown, newRaw: unknown, at: string, direction: Direction): void {
  const lower = (h: unknown) =>
    new Map(Object.entries(isObject(h) ? h : {}).map(([k, v]) => [k.toLowerCase(), [k, v] as const]));
  const oldH = lower(oldRaw);
  const newH = lower(newRaw);
  for (const [key, [name, raw]] of oldH) {
    const where = `${at}.header/${escapePointerToken(name)}`;
    const other = newH.get(key);
    if (!other) {
      if (direction === "response")
        add(walk, "response-header-removed", "major", where, `header ${name} is no longer returned`);
      continue;
    }
    const o = resolve(walk.oldDoc, raw).node;
    const n = resolve(walk.newDoc, other[1]).node;
    compareDocs(walk, o, n, where, ["description", "example", "examples"]);
    new SchemaWalker(walk, direction).compare(o.schema, n.schema, where);
  }
  for (const [key, [name]] of newH) {
    if (!oldH.has(key) && direction === "response")
      add(
        walk,
        "response-header-added",
        "minor",
        `${at}.header/${escapePointerToken(name)}`,
        `header ${name} is now returned`,
      );
  }
}

const label = (ref: OperationRef, section: "paths" | "webhooks") =>
  section === "paths" ? `${ref.method.toUpperCase()} ${ref.path}` : `webhook ${ref.path} ${ref.method.toUpperCase()}`;

/** Path items matched like operations (parameter names blanked); their own keys compared once each. */
function comparePathItems(top: Walk, section: "paths" | "webhooks"): void {
  const items = (doc: JsonObject) => {
    const out = new Map<string, [string, JsonObject]>();
    const paths = isObject(doc[section]) ? doc[section] : {};
    for (const [path, raw] of Object.entries(paths))
      out.set(section === "paths" ? path.replace(/\{[^{}]*\}/g, "{}") : path, [path, resolve(doc, raw).node]);
    return out;
  };
  const oldItems = items(top.oldDoc);
  for (const [key, [path, n]] of items(top.newDoc)) {
    const o = oldItems.get(key);
    if (o) comparePathItem({ ...top, operation: section === "paths" ? path : `webhook ${path}` }, o[1], n);
  }
}

const ID_TYPES =
  "this package's exported types change: the generated `operations` map and `OperationRow.operationId` are keyed by it";

export function compareOperations(top: Walk, section: "paths" | "webhooks"): void {
  const { oldDoc, newDoc } = top;
  comparePathItems(top, section);
  const oldOps = operations(oldDoc, section);
  const newOps = operations(newDoc, section);
  // Webhooks turn the exchange around: Twilio sends the request, the consumer reads it.
  const inbound: Direction = section === "paths" ? "request" : "response";
  const outbound: Direction = section === "paths" ? "response" : "request";
  for (const [key, o] of oldOps) {
    const n = newOps.get(key);
    const walk: Walk = { ...top, operation: label(n ?? o, section) };
    if (!n) {
      if (section === "paths")
        add(
          walk,
          "operation-removed",
          "major",
          "",
          `operation ${o.op.operationId ?? ""} removed: clients that call it break`.replace("  ", " "),
        );
      else add(walk, "operation-removed", "minor", "", `webhook ${o.path} ${o.method.toUpperCase()} is no longer sent`);
      continue;
    }
    compareDocs(walk, o.op, n.op, "", ["summary", "description", "externalDocs"]);
    if (o.op.operationId !== n.op.operationId) {
      const ids = `operationId ${short(o.op.operationId)} → ${short(n.op.operationId)}`;
      add(walk, "operation-id-changed", "patch", "/operationId", `${ids} (the wire is unchanged; ${ID_TYPES})`, {
        exportedTypes: true,
      });
    }
    compareServers(walk, o.op.servers, n.op.servers, "/servers");
    if (!sameJson(o.op.tags, n.op.tags)) add(walk, "tags-changed", "patch", "/tags", "tags changed");
    if (o.op.deprecated !== true && n.op.deprecated === true)
      add(walk, "operation-deprecated", "minor", "/deprecated", "the operation is now deprecated");
    if (o.op.deprecated === true && n.op.deprecated !== true)
      add(walk, "operation-undeprecated", "minor", "/deprecated", "the operation is no longer deprecated");
    const oSec = o.op.security ?? oldDoc.security;
    const nSec = n.op.security ?? newDoc.security;
    if (!sameShape(oSec, nSec))
      add(
        walk,
        "security-changed",
        "major",
        "/security",
        "security requirements changed: clients may need other credentials",
      );
    compareParameters(walk, o, n, inbound);
    compareRequestBody(walk, o.op.requestBody, n.op.requestBody, inbound);
    compareResponses(walk, o.op.responses, n.op.responses, outbound);
  }
  for (const [key, n] of newOps) {
    if (oldOps.has(key)) continue;
    const walk: Walk = { ...top, operation: label(n, section) };
    if (section === "paths")
      add(walk, "operation-added", "minor", "", `operation ${n.op.operationId ?? ""} added`.replace("  ", " "));
    else add(walk, "operation-added", "minor", "", `webhook ${n.path} ${n.method.toUpperCase()} is now sent`);
  }
}
