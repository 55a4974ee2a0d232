/**
 * Every example of the bundled spec validates against its schema: media-type
 * `example`/`examples` of responses, request bodies and webhook requests
 * (following `$ref`s into components.examples), parameter examples, and the
 * `examples` arrays of schemas. Each example is its own test, named by the
 * JSON pointer of the example, so a failure says exactly which one broke.
 */
import { describe, expect, it } from "vitest";
import {
  at,
  deref,
  describeErrors,
  documentValidator,
  escapeToken,
  isObject,
  loadDocument,
  walk,
  type Json,
  type JsonObject,
} from "./helpers.js";

interface ExampleCase {
  /** Where the example is used (the media type's or parameter's `examples/<name>`, or the schema's `examples/<i>`). */
  where: string;
  /** Pointer of the schema it must satisfy. */
  schema: string;
  value: Json;
  kind: "media" | "parameter" | "schema";
  /** The components.examples entry it came from, when referenced. */
  component?: string;
}

/** Collects every example of the document with the schema it must satisfy. */
function collectExamples(doc: JsonObject): ExampleCase[] {
  const cases: ExampleCase[] = [];
  walk(doc, (node, ptr) => {
    if (!isObject(node)) return;
    // A schema's `examples` is an array (JSON Schema 2020-12); a media type's
    // or parameter's `examples` is a map of Example objects.
    if (Array.isArray(node.examples)) {
      node.examples.forEach((value, i) =>
        cases.push({ where: `${ptr}/examples/${i}`, schema: ptr, value, kind: "schema" }),
      );
    }
    // Media Type and Parameter objects: `schema` next to `example`/`examples`.
    // Parameters also carry `in`; components/schemas never have a `schema` key.
    if (!isObject(node.schema) || ptr.startsWith("/components/schemas/")) return;
    const kind = typeof node.in === "string" ? "parameter" : "media";
    const schema = `${ptr}/schema`;
    if (node.example !== undefined) cases.push({ where: `${ptr}/example`, schema, value: node.example, kind });
    if (isObject(node.examples)) {
      for (const [name, entry] of Object.entries(node.examples)) {
        const where = `${ptr}/examples/${escapeToken(name)}`;
        const target = deref(doc, entry, where);
        if (!isObject(target.node) || !("value" in target.node))
          throw new Error(`example ${where} has no value (externalValue is not used in this spec)`);
        cases.push({
          where,
          schema,
          value: target.node.value as Json,
          kind,
          ...(target.ptr !== where ? { component: target.ptr } : {}),
        });
      }
    }
  });
  return cases;
}

type ErrorsOf = ReturnType<typeof documentValidator>["errorsOf"];

/** The examples of `doc` that fail; `errorsOf` validates against the (unchanged) schemas. */
function failures(doc: JsonObject, errorsOf: ErrorsOf) {
  return collectExamples(doc)
    .map((c) => ({ ...c, errors: errorsOf(c.schema, c.value) }))
    .filter((c) => c.errors.length > 0);
}

const doc = loadDocument();
const cases = collectExamples(doc);
const { errorsOf } = documentValidator(doc);

describe("spec examples", () => {
  it("finds examples of every kind: responses, request bodies, webhooks, components, schemas", () => {
    const media = cases.filter((c) => c.kind === "media");
    expect(media.filter((c) => /\/responses\//.test(c.where)).length).toBeGreaterThan(30);
    expect(
      media.filter((c) => c.where.startsWith("/paths/") && /\/requestBody\//.test(c.where)).length,
    ).toBeGreaterThanOrEqual(4);
    expect(media.filter((c) => c.where.startsWith("/webhooks/")).length).toBeGreaterThanOrEqual(4);
    expect(media.filter((c) => c.where.startsWith("/components/responses/")).length).toBeGreaterThanOrEqual(6);
    expect(cases.filter((c) => c.kind === "schema").length).toBeGreaterThan(10);
  });

  it("uses every components.examples entry at least once", () => {
    const used = new Set(cases.map((c) => c.component).filter((c) => c !== undefined));
    const defined = Object.keys((doc.components as JsonObject).examples as JsonObject).map(
      (n) => `/components/examples/${escapeToken(n)}`,
    );
    expect(defined.filter((d) => !used.has(d))).toEqual([]);
  });

  it("gives every success response at least one example", () => {
    const missing: string[] = [];
    walk(doc, (node, ptr) => {
      const m = /^\/(paths|webhooks)\/[^/]+\/[a-z]+\/responses\/(2\d\d|302)$/.exec(ptr);
      if (!m) return;
      const response = deref(doc, node, ptr);
      const content = isObject(response.node) ? response.node.content : undefined;
      if (!isObject(content)) return;
      for (const [type, media] of Object.entries(content)) {
        if (isObject(media) && media.example === undefined && media.examples === undefined)
          missing.push(`${ptr}/content/${escapeToken(type)}`);
      }
    });
    expect(missing).toEqual([]);
  });

  it.each(cases.map((c) => [c.where, c] as const))("%s", (_where, c) => {
    const errors = errorsOf(c.schema, c.value);
    expect(
      errors,
      `${c.where}${c.component ? ` (${c.component})` : ""} against ${c.schema}: ${describeErrors(errors)}`,
    ).toEqual([]);
  });
});

// The negative tests break example values only, never schemas, so they reuse
// the validators compiled from the pristine document.
describe("the example check can fail", () => {
  const roomExample = "/components/examples/RoomInProgress";

  it("rejects a component example whose SID is malformed, at every place that uses it", () => {
    const broken = loadDocument();
    const value = at(broken, `${roomExample}/value`) as JsonObject;
    value.sid = "RM-not-a-sid";
    const found = failures(broken, errorsOf);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.component === roomExample)).toBe(true);
    expect(found.map((f) => f.where)).toContain(
      "/paths/~1v1~1Rooms/post/responses/201/content/application~1json/examples/group",
    );
    expect(found.flatMap((f) => f.errors).some((e) => e.instancePath === "/sid" && e.keyword === "pattern")).toBe(true);
  });

  it("rejects a response example that lacks a required field or adds an unknown one", () => {
    const broken = loadDocument();
    const value = at(broken, `${roomExample}/value`) as JsonObject;
    delete value.end_time;
    value.surprise = true;
    const errors = failures(broken, errorsOf).flatMap((f) => f.errors);
    expect(
      errors.some(
        (e) => e.keyword === "required" && (e.params as { missingProperty?: string }).missingProperty === "end_time",
      ),
    ).toBe(true);
    expect(errors.some((e) => e.keyword === "additionalProperties")).toBe(true);
  });

  it("rejects a bad inline webhook example and a bad schema `examples` entry", () => {
    const broken = loadDocument();
    const webhook =
      "/webhooks/roomStatusCallback/post/requestBody/content/application~1x-www-form-urlencoded/examples/participantConnected/value";
    (at(broken, webhook) as JsonObject).ParticipantSid = "PA123";
    ((broken.components as JsonObject).schemas as JsonObject).AccountSid = {
      ...(((broken.components as JsonObject).schemas as JsonObject).AccountSid as JsonObject),
      examples: ["AC-too-short"],
    };
    const where = failures(broken, errorsOf).map((f) => f.where);
    expect(where).toContain(
      "/webhooks/roomStatusCallback/post/requestBody/content/application~1x-www-form-urlencoded/examples/participantConnected",
    );
    expect(where).toContain("/components/schemas/AccountSid/examples/0");
  });

  it("passes the unmodified document (the negative tests start from a clean baseline)", () => {
    expect(failures(loadDocument(), errorsOf).map((f) => `${f.where}: ${describeErrors(f.errors)}`)).toEqual([]);
  });
});
