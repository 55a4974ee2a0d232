/**
 * Object schemas compared field by field: removed, added and re-required
 * properties, then `additionalProperties`. In a request, a field the client
 * may no longer send (or must now send) breaks; in a response, a field the
 * client may no longer find breaks.
 */
import { isObject, type JsonObject } from "../json-pointer.js";
import type { Descend } from "./composition.js";
import type { Side } from "./keywords.js";
import { add, child, sameShape } from "./model.js";

function requiredNames(schema: JsonObject): Set<string> {
  return new Set(
    Array.isArray(schema.required)
      ? (schema.required as unknown[]).filter((r): r is string => typeof r === "string")
      : [],
  );
}

/** A field present in both: its schema, then whether it became required or optional. */
function compareKeptField(side: Side, name: string, at: string, was: boolean, is: boolean): void {
  const { walk, req } = side;
  if (!was && is) {
    if (req)
      add(
        walk,
        "request-field-now-required",
        "major",
        at,
        `field ${name} is now required: clients that omit it are refused`,
      );
    else add(walk, "response-field-now-required", "minor", at, `field ${name} is now always present`);
  } else if (was && !is) {
    if (req) add(walk, "request-field-now-optional", "minor", at, `field ${name} is now optional`);
    else
      add(
        walk,
        "response-field-now-optional",
        "major",
        at,
        `field ${name} may now be absent: clients that rely on it break`,
      );
  }
}

function compareOldFields(
  side: Side,
  fields: { oldP: JsonObject; newP: JsonObject; oldR: Set<string>; newR: Set<string> },
  path: string,
  descend: Descend,
): void {
  const { walk, req } = side;
  const { oldP, newP, oldR, newR } = fields;
  for (const name of Object.keys(oldP)) {
    const at = child(path, name);
    if (!(name in newP)) {
      if (req)
        add(walk, "request-field-removed", "major", at, `field ${name} removed: clients that send it may be refused`);
      else add(walk, "response-field-removed", "major", at, `field ${name} removed: clients that read it break`);
      continue;
    }
    // readOnly fields are not sent, writeOnly ones never read.
    descend(oldP[name], newP[name], at);
    compareKeptField(side, name, at, oldR.has(name), newR.has(name));
  }
}

function compareNewFields(
  side: Side,
  fields: { oldP: JsonObject; newP: JsonObject; oldR: Set<string>; newR: Set<string> },
  path: string,
): void {
  const { walk, req } = side;
  const { oldP, newP, oldR, newR } = fields;
  for (const name of Object.keys(newP)) {
    if (name in oldP) continue;
    const at = child(path, name);
    if (req) {
      if (newR.has(name))
        add(
          walk,
          "request-field-added-required",
          "major",
          at,
          `required field ${name} added: clients that do not send it are refused`,
        );
      else add(walk, "request-field-added", "minor", at, `optional field ${name} added`);
    } else add(walk, "response-field-added", "minor", at, `field ${name} added`);
  }
  // A required name without a property (allowed by JSON Schema).
  for (const name of newR)
    if (!(name in newP) && !(name in oldP) && !oldR.has(name)) {
      if (req) add(walk, "request-field-now-required", "major", child(path, name), `field ${name} is now required`);
      else add(walk, "response-field-now-required", "minor", child(path, name), `field ${name} is now always present`);
    }
}

function compareAdditional(side: Side, oldS: JsonObject, newS: JsonObject, path: string, descend: Descend): void {
  const { walk, req } = side;
  const oa = oldS.additionalProperties;
  const na = newS.additionalProperties;
  if (oa === undefined && na === undefined) return;
  if (isObject(oa) && isObject(na)) {
    descend(oa, na, child(path, "additionalProperties"));
    return;
  }
  if (sameShape(oa, na)) return;
  const closedOld = oa === false;
  const closedNew = na === false;
  const at = child(path, "additionalProperties");
  if (req) {
    if (!closedOld && closedNew) add(walk, "request-constraint-narrowed", "major", at, "other fields are now refused");
    else if (closedOld && !closedNew)
      add(walk, "request-constraint-widened", "minor", at, "other fields are now accepted");
    else add(walk, "request-constraint-narrowed", "major", at, `additionalProperties changed`);
  } else
    add(
      walk,
      "response-constraint-changed",
      "minor",
      at,
      closedNew ? "no other fields are returned" : "other fields may now be returned",
    );
}

/** Compares two object schemas' properties, required lists and additionalProperties. */
export function compareObjects(side: Side, oldS: JsonObject, newS: JsonObject, path: string, descend: Descend): void {
  const fields = {
    oldP: isObject(oldS.properties) ? oldS.properties : {},
    newP: isObject(newS.properties) ? newS.properties : {},
    oldR: requiredNames(oldS),
    newR: requiredNames(newS),
  };
  compareOldFields(side, fields, path, descend);
  compareNewFields(side, fields, path);
  compareAdditional(side, oldS, newS, path, descend);
}
