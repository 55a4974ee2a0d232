/**
 * Regression guard for the `video_layout` mistake (issue 8): responses echo
 * objects normalized, with `null`, `0` or `[]` for what was never set, so a
 * response schema must accept those "unset" forms wherever a field is
 * optional or nullable.
 *
 * Generated from the spec: for every documented success response with a JSON
 * body, each of its examples is walked together with its schema. For every
 * declared field (present in the example or not) that is optional or
 * nullable, variants are built in which that one field is absent, `null`
 * (when nullable), `0` (when numeric) or `[]` (when an array); every variant
 * must still validate against the response schema. A new schema that puts a
 * request bound (minimum, minItems, ...) on an echoed field fails here.
 */
import { describe, expect, it } from "vitest";
import {
  at,
  branches,
  deref,
  documentValidator,
  describeErrors,
  escapeToken,
  HTTP_METHODS,
  isObject,
  loadDocument,
  propertiesOf,
  requiredOf,
  typesOf,
  type Json,
  type JsonObject,
} from "./helpers.js";

interface Case {
  name: string;
  schemaPtr: string;
  example: Json;
}

/** Every JSON example of every documented success response. */
function successExamples(doc: JsonObject): Case[] {
  const cases: Case[] = [];
  const paths = (doc.paths ?? {}) as JsonObject;
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op) || !isObject(op.responses)) continue;
      for (const [status, raw] of Object.entries(op.responses)) {
        if (!/^(2\d\d|302)$/.test(status)) continue;
        const base = `/paths/${escapeToken(path)}/${method}/responses/${status}`;
        const response = deref(doc, raw, base);
        if (!isObject(response.node) || !isObject(response.node.content)) continue;
        const media = response.node.content["application/json"];
        if (!isObject(media)) continue;
        const schemaPtr = `${response.ptr}/content/application~1json/schema`;
        const examples: Array<[string, Json | undefined]> = [];
        if (media.example !== undefined) examples.push(["example", media.example]);
        if (isObject(media.examples)) {
          for (const [name, ex] of Object.entries(media.examples)) {
            const resolved = deref(doc, ex, `${response.ptr}/content/application~1json/examples/${escapeToken(name)}`);
            if (isObject(resolved.node)) examples.push([name, resolved.node.value]);
          }
        }
        for (const [name, example] of examples) {
          if (example !== undefined)
            cases.push({ name: `${String(op.operationId)} ${status} ${name}`, schemaPtr, example });
        }
      }
    }
  }
  return cases;
}

type Step = string | number;

/** The schema of a field of an object schema: a declared property, else additionalProperties. */
function fieldSchema(doc: JsonObject, schemaPtr: string, key: string): string | undefined {
  const props = propertiesOf(doc, at(doc, schemaPtr), schemaPtr);
  const declared = props.get(key);
  if (declared) return declared;
  for (const b of branches(doc, at(doc, schemaPtr), schemaPtr)) {
    if (isObject(b.node.additionalProperties)) return `${b.ptr}/additionalProperties`;
  }
  return undefined;
}

function itemsSchema(doc: JsonObject, schemaPtr: string): string | undefined {
  for (const b of branches(doc, at(doc, schemaPtr), schemaPtr)) if (isObject(b.node.items)) return `${b.ptr}/items`;
  return undefined;
}

function setAt(root: Json, path: Step[], value: Json | undefined): Json {
  const copy = structuredClone(root);
  let node = copy as Json;
  for (const step of path.slice(0, -1)) node = (node as Record<string | number, Json>)[step]!;
  const last = path[path.length - 1]!;
  if (value === undefined) delete (node as Record<string | number, Json>)[last];
  else (node as Record<string | number, Json>)[last] = value;
  return copy;
}

/** Variants of `example` in which one optional or nullable field takes an unset form. */
export function unsetVariants(
  doc: JsonObject,
  schemaPtr: string,
  example: Json,
): Array<{ where: string; value: Json }> {
  const variants: Array<{ where: string; value: Json }> = [];
  const visit = (instance: Json | undefined, ptr: string, path: Step[]): void => {
    if (Array.isArray(instance)) {
      const items = itemsSchema(doc, ptr);
      if (items) instance.forEach((item, i) => visit(item, items, [...path, i]));
      return;
    }
    if (!isObject(instance)) return;
    const required = requiredOf(doc, at(doc, ptr), ptr);
    const keys = new Set([...propertiesOf(doc, at(doc, ptr), ptr).keys(), ...Object.keys(instance)]);
    for (const key of keys) {
      const fieldPtr = fieldSchema(doc, ptr, key);
      if (!fieldPtr) continue;
      const types = typesOf(doc, at(doc, fieldPtr), fieldPtr);
      const nullable = types.has("null");
      const optional = !required.has(key);
      const where = `/${[...path, key].join("/")}`;
      if (nullable) variants.push({ where: `${where} = null`, value: setAt(example, [...path, key], null) });
      if (optional || nullable) {
        if (types.has("integer") || types.has("number"))
          variants.push({ where: `${where} = 0`, value: setAt(example, [...path, key], 0) });
        if (types.has("array")) variants.push({ where: `${where} = []`, value: setAt(example, [...path, key], []) });
      }
      if (optional && key in instance)
        variants.push({ where: `${where} absent`, value: setAt(example, [...path, key], undefined) });
      if (key in instance) visit(instance[key], fieldPtr, [...path, key]);
    }
  };
  visit(example, schemaPtr, []);
  return variants;
}

/** `<case> <where>: <errors>` for every unset variant the response schema refuses. */
export function refusedUnsetForms(doc: JsonObject): string[] {
  const { errorsOf } = documentValidator(doc);
  const failures: string[] = [];
  for (const c of successExamples(doc)) {
    if (errorsOf(c.schemaPtr, c.example).length > 0) continue; // examples.test.ts reports invalid examples
    for (const v of unsetVariants(doc, c.schemaPtr, c.example)) {
      const errors = errorsOf(c.schemaPtr, v.value);
      if (errors.length > 0) failures.push(`${c.name} ${v.where}: ${describeErrors(errors)}`);
    }
  }
  return failures;
}

describe("response schemas accept the unset forms of optional and nullable fields", () => {
  const doc = loadDocument();

  it("covers every success response that has a JSON example", () => {
    const cases = successExamples(doc);
    expect(cases.length).toBeGreaterThan(40);
    const variants = cases.reduce((n, c) => n + unsetVariants(doc, c.schemaPtr, c.example).length, 0);
    expect(variants).toBeGreaterThan(500);
  });

  it("every variant validates", () => {
    expect(refusedUnsetForms(doc)).toEqual([]);
  });

  it("bites: a request bound on an echoed field (the video_layout mistake) is reported", () => {
    const copy = structuredClone(doc) as JsonObject;
    const schemas = (copy.components as JsonObject).schemas as JsonObject;
    const region = schemas.VideoLayoutRegionResult as JsonObject;
    ((region.properties as JsonObject).width as JsonObject).minimum = 16;
    const failures = refusedUnsetForms(copy);
    expect(failures.some((f) => /video_layout\/\w+\/width = 0/.test(f))).toBe(true);
    // A nullable count with an invented minimum rejects the 0 a fresh resource echoes.
    const participant = schemas.Participant as JsonObject;
    ((participant.properties as JsonObject).duration as JsonObject).minimum = 1;
    expect(refusedUnsetForms(copy).some((f) => /\/duration = 0/.test(f))).toBe(true);
  });
});
