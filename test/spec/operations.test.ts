/**
 * The spec against the facts: every operation of test/spec/fixtures/video-v1-operations.md
 * (read at test time, `### METHOD /path — OperationId` headings and their
 * bullets) and the media subresources of video-v1-conventions.md exist in the
 * bundled document with the right method, path and operationId; every
 * documented parameter and form field is there (with its location, required
 * flag, type, pattern, enum and range); every documented status code is the
 * one answered; every documented response field is declared and `required`.
 *
 * Where the spec deliberately narrows a request enum (UpdateRoom `Status`
 * only `completed`) or makes a documented-nullable field non-null, that is
 * accepted: request enums must be a subset of the documented values, response
 * enums a superset, and nullability is not compared.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  at,
  branches,
  deref,
  documentValidator,
  enumOf,
  escapeToken,
  factsFile,
  HTTP_METHODS,
  isObject,
  loadDocument,
  parseMediaPaths,
  parseOperationsFacts,
  patternsOf,
  pointer,
  propertiesOf,
  repoRoot,
  requiredOf,
  typesOf,
  type FactField,
  type FactOperation,
  type JsonObject,
} from "./helpers.js";

const doc = loadDocument();
const facts = parseOperationsFacts(factsFile("video-v1-operations.md"));
const mediaPaths = parseMediaPaths(factsFile("video-v1-conventions.md"));
const { errorsOf } = documentValidator(doc);

/** The conventions file names the media paths but not their operation ids; these are ours. */
const MEDIA_OPERATION_IDS: Record<string, string> = {
  "/v1/Recordings/{Sid}/Media": "FetchRecordingMedia",
  "/v1/Rooms/{RoomSid}/Recordings/{Sid}/Media": "FetchRoomRecordingMedia",
  "/v1/Compositions/{Sid}/Media": "FetchCompositionMedia",
};

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

const operationPointer = (path: string, method: string) => pointer("paths", path, method);

function operation(path: string, method: string): JsonObject | undefined {
  const op = at(doc, operationPointer(path, method));
  return isObject(op) ? op : undefined;
}

/** Path-level and operation-level parameters (the latter win), keyed `in:name`, each with the pointer of its schema. */
function parametersOf(path: string, method: string): Map<string, { param: JsonObject; schema: string }> {
  const out = new Map<string, { param: JsonObject; schema: string }>();
  for (const base of [pointer("paths", path), operationPointer(path, method)]) {
    const list = at(doc, `${base}/parameters`);
    if (!Array.isArray(list)) continue;
    list.forEach((entry, i) => {
      const { node, ptr } = deref(doc, entry, `${base}/parameters/${i}`);
      if (isObject(node) && typeof node.name === "string" && typeof node.in === "string")
        out.set(`${node.in}:${node.name}`, { param: node, schema: `${ptr}/schema` });
    });
  }
  return out;
}

/** The form body of an operation: pointer of its media type object and of its schema. */
function formBody(path: string, method: string): { media: string; schema: string } | undefined {
  const body = deref(
    doc,
    at(doc, `${operationPointer(path, method)}/requestBody`),
    `${operationPointer(path, method)}/requestBody`,
  );
  if (!isObject(body.node)) return undefined;
  const media = `${body.ptr}/content/${escapeToken(FORM)}`;
  return isObject(at(doc, media)) ? { media, schema: `${media}/schema` } : undefined;
}

/** Problems of one documented field against the schema at `schemaPtr`; `request` selects the enum direction. */
function fieldProblems(field: FactField, schemaPtr: string, where: string, request: boolean): string[] {
  const problems: string[] = [];
  const schema = at(doc, schemaPtr);
  const expectedType = {
    string: "string",
    integer: "integer",
    boolean: "boolean",
    array: "array",
    object: "object",
    enum: "string",
    any: undefined,
  }[field.baseType];
  const types = typesOf(doc, schema, schemaPtr);
  if (expectedType && !types.has(expectedType))
    problems.push(`${where}: documented ${field.type}, spec types [${[...types].join(", ")}]`);
  if (field.pattern && !patternsOf(doc, schema, schemaPtr).has(field.pattern))
    problems.push(
      `${where}: pattern ${field.pattern} missing (spec: ${[...patternsOf(doc, schema, schemaPtr)].join(", ") || "none"})`,
    );
  if (field.format === "date-time" || field.format === "uri") {
    const formats = branches(doc, schema, schemaPtr).map((b) => b.node.format);
    if (!formats.includes(field.format)) problems.push(`${where}: format ${field.format} missing`);
  }
  if (field.enum) {
    const values = enumOf(doc, schema, schemaPtr);
    if (request) {
      // A request enum may narrow the documented one (deliberately), never widen it.
      if (!values || values.size === 0)
        problems.push(`${where}: documented enum(${field.enum.join("|")}) but the spec has no enum`);
      else
        for (const v of values)
          if (!field.enum.includes(v))
            problems.push(`${where}: spec allows ${v}, not in documented enum(${field.enum.join("|")})`);
    } else {
      // A response must accept every documented value.
      for (const v of field.enum) {
        const sample = field.baseType === "array" ? [v] : v;
        if (errorsOf(schemaPtr, sample).length > 0) problems.push(`${where}: documented value ${v} is rejected`);
      }
    }
  }
  if (field.range) {
    const node = deref(doc, schema, schemaPtr).node as JsonObject;
    if (node.minimum !== field.range.min)
      problems.push(`${where}: minimum ${String(node.minimum)}, documented ${field.range.min}`);
    if (node.maximum !== field.range.max)
      problems.push(`${where}: maximum ${String(node.maximum)}, documented ${String(field.range.max)}`);
  }
  return problems;
}

describe("facts files", () => {
  it("are read: the documented operations (each once), 14 resource schemas, the page envelope and the media paths", () => {
    // No count of operations here: the comparison with the spec below names any one missing on either side.
    expect(facts.operations.length).toBeGreaterThan(0);
    expect(new Set(facts.operations.map((o) => o.operationId)).size).toBe(facts.operations.length);
    expect(facts.resources.size).toBe(14);
    expect(facts.pageMeta).toEqual([
      "page",
      "page_size",
      "first_page_url",
      "previous_page_url",
      "url",
      "next_page_url",
      "key",
    ]);
    expect(mediaPaths.sort()).toEqual(Object.keys(MEDIA_OPERATION_IDS).sort());
    for (const op of facts.operations) expect(op.responses.length, op.operationId).toBeGreaterThan(0);
  });
});

describe("operations of the spec", () => {
  const expected = [
    ...facts.operations.map((o) => `${o.method} ${o.path} ${o.operationId}`),
    ...mediaPaths.map((p) => `get ${p} ${MEDIA_OPERATION_IDS[p]}`),
  ].sort();

  it("are exactly the documented operations plus the media operations", () => {
    const actual: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as JsonObject)) {
      for (const method of HTTP_METHODS) {
        const op = isObject(item) ? item[method] : undefined;
        if (isObject(op)) actual.push(`${method} ${path} ${String(op.operationId)}`);
      }
    }
    expect(actual.sort()).toEqual(expected);
  });
});

describe.each(facts.operations.map((o) => [`${o.method.toUpperCase()} ${o.path} — ${o.operationId}`, o] as const))(
  "%s",
  (_name, fact: FactOperation) => {
    const op = operation(fact.path, fact.method);

    it("exists with this method, path and operationId", () => {
      expect(op?.operationId).toBe(fact.operationId);
    });

    it("declares every documented path and query parameter", () => {
      const params = parametersOf(fact.path, fact.method);
      const problems: string[] = [];
      for (const field of fact.params.filter((p) => p.in !== "form")) {
        const where = `${field.in} ${field.name}`;
        const found = params.get(`${field.in}:${field.name}`);
        if (!found) {
          problems.push(`${where}: missing`);
          continue;
        }
        if (field.required && found.param.required !== true) problems.push(`${where}: documented required`);
        problems.push(...fieldProblems(field, found.schema, where, true));
        if (field.baseType === "array" && (found.param.explode === false || (found.param.style ?? "form") !== "form")) {
          problems.push(`${where}: an array must be sent as repeated keys (style form, explode true)`);
        }
      }
      // Path parameters of the template and the declared ones agree.
      const templateNames = [...fact.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = [...params.values()].filter((p) => p.param.in === "path").map((p) => p.param.name);
      expect(declared.sort()).toEqual(templateNames.sort());
      expect(problems.join("\n")).toBe("");
    });

    it("declares every documented form field", () => {
      const fields = fact.params.filter((p) => p.in === "form");
      const body = formBody(fact.path, fact.method);
      if (fields.length === 0) {
        // No documented body: the operation may omit it, or declare an empty-able one.
        if (body) expect(requiredOf(doc, at(doc, body.schema), body.schema).size).toBe(0);
        return;
      }
      expect(body, "form body").toBeDefined();
      const props = propertiesOf(doc, at(doc, body!.schema), body!.schema);
      const required = requiredOf(doc, at(doc, body!.schema), body!.schema);
      const problems: string[] = [];
      for (const field of fields) {
        const where = `form ${field.name}`;
        const schemaPtr = props.get(field.name);
        if (!schemaPtr) {
          problems.push(`${where}: missing`);
          continue;
        }
        if (field.required !== required.has(field.name))
          problems.push(`${where}: documented ${field.required ? "required" : "optional"}`);
        problems.push(...fieldProblems(field, schemaPtr, where, true));
      }
      const undocumented = [...props.keys()].filter((n) => !fields.some((f) => f.name === n));
      expect(undocumented, "form fields the facts do not name").toEqual([]);
      expect(problems.join("\n")).toBe("");
    });

    it("encodes JSON-valued form fields as application/json and arrays as repeated keys", () => {
      const fields = fact.params.filter((p) => p.in === "form");
      const body = formBody(fact.path, fact.method);
      if (!body) return;
      const encoding = (at(doc, `${body.media}/encoding`) ?? {}) as JsonObject;
      const problems: string[] = [];
      for (const field of fields) {
        const enc = encoding[field.name];
        const contentType = isObject(enc) ? enc.contentType : undefined;
        const jsonValued = field.baseType === "any" || field.baseType === "object";
        if (jsonValued && contentType !== JSON_TYPE)
          problems.push(`${field.name}: JSON-valued, needs encoding contentType ${JSON_TYPE}`);
        if (!jsonValued && contentType === JSON_TYPE)
          problems.push(`${field.name}: not JSON-valued, must not be encoded as ${JSON_TYPE}`);
        if (
          field.baseType === "array" &&
          isObject(enc) &&
          (enc.explode === false || (enc.style ?? "form") !== "form")
        ) {
          problems.push(`${field.name}: an array must be sent as repeated keys (style form, explode true)`);
        }
      }
      for (const name of Object.keys(encoding))
        if (!fields.some((f) => f.name === name)) problems.push(`encoding names unknown field ${name}`);
      expect(problems.join("\n")).toBe("");
    });

    it("answers the documented success status", () => {
      const responses = (op?.responses ?? {}) as JsonObject;
      const success = Object.keys(responses)
        .filter((s) => /^2\d\d$/.test(s))
        .sort();
      expect(success).toEqual(fact.responses.map((r) => String(r.status)).sort());
      for (const r of fact.responses.filter((r) => !r.resource)) {
        const response = deref(doc, responses[String(r.status)], "").node as JsonObject;
        expect(response.content, `${r.status} has no body`).toBeUndefined();
      }
    });

    it("declares and requires every documented response field", () => {
      const problems: string[] = [];
      for (const r of fact.responses.filter((r) => r.resource)) {
        const base = `${operationPointer(fact.path, fact.method)}/responses/${r.status}`;
        const response = deref(doc, at(doc, base), base);
        let schemaPtr = `${response.ptr}/content/${escapeToken(JSON_TYPE)}/schema`;
        if (at(doc, schemaPtr) === undefined) {
          problems.push(`${r.status}: no JSON body`);
          continue;
        }
        if (r.pageKey) {
          const page = propertiesOf(doc, at(doc, schemaPtr), schemaPtr);
          const pageRequired = requiredOf(doc, at(doc, schemaPtr), schemaPtr);
          for (const key of [r.pageKey, "meta"])
            if (!page.has(key) || !pageRequired.has(key)) problems.push(`${r.status}: page lacks required ${key}`);
          const meta = page.get("meta");
          if (meta) {
            const metaProps = propertiesOf(doc, at(doc, meta), meta);
            const metaRequired = requiredOf(doc, at(doc, meta), meta);
            for (const f of facts.pageMeta)
              if (!metaProps.has(f) || !metaRequired.has(f)) problems.push(`${r.status}: meta lacks required ${f}`);
          }
          const items = page.get(r.pageKey);
          if (!items) continue;
          schemaPtr = `${deref(doc, at(doc, items), items).ptr}/items`;
        }
        const fields = facts.resources.get(r.resource!);
        if (!fields) {
          problems.push(`${r.status}: facts have no resource ${r.resource}`);
          continue;
        }
        const props = propertiesOf(doc, at(doc, schemaPtr), schemaPtr);
        const required = requiredOf(doc, at(doc, schemaPtr), schemaPtr);
        // Evidence outranks the docs (issue 8): a field a real answer left out
        // is optional, and the schema names the evidence file that shows it.
        const itemSchema = deref(doc, at(doc, schemaPtr), schemaPtr).node as JsonObject | undefined;
        const byEvidence = (itemSchema?.["x-optional-by-evidence"] ?? {}) as { fields?: string[]; evidence?: string };
        for (const field of byEvidence.fields ?? []) {
          required.add(field);
          if (!byEvidence.evidence || !existsSync(resolve(repoRoot, byEvidence.evidence)))
            problems.push(`${r.status} ${r.resource}.${field}: optional by evidence, but the evidence file is missing`);
        }
        for (const field of fields) {
          const where = `${r.status} ${r.resource}.${field.name}`;
          const fieldPtr = props.get(field.name);
          if (!fieldPtr) {
            problems.push(`${where}: missing`);
            continue;
          }
          if (!required.has(field.name)) problems.push(`${where}: not required`);
          problems.push(...fieldProblems(field, fieldPtr, where, false));
        }
      }
      expect(problems.join("\n")).toBe("");
    });
  },
);

describe.each(mediaPaths.map((p) => [p] as const))("GET %s (media)", (path) => {
  const op = operation(path, "get");
  const responses = (op?.responses ?? {}) as JsonObject;

  it("exists with its operationId", () => {
    expect(op?.operationId).toBe(MEDIA_OPERATION_IDS[path]);
  });

  it("answers 302 with a required Location header and a {redirect_to} body, and 404", () => {
    const redirect = deref(doc, responses["302"], "").node as JsonObject;
    expect(Object.keys(responses).filter((s) => /^[23]\d\d$/.test(s))).toEqual(["302"]);
    expect(((redirect.headers as JsonObject).Location as JsonObject).required).toBe(true);
    const schemaPtr = pointer("paths", path, "get", "responses", "302", "content", JSON_TYPE, "schema");
    expect(errorsOf(schemaPtr, { redirect_to: "https://media.example.com/file.mka?sig=1" })).toEqual([]);
    expect(errorsOf(schemaPtr, {}).length).toBeGreaterThan(0);
    expect(responses["404"]).toBeDefined();
  });

  it("takes Ttl (1..3600) and ContentDisposition (attachment|inline[; filename=…]) query parameters", () => {
    const params = parametersOf(path, "get");
    const ttl = params.get("query:Ttl");
    const disposition = params.get("query:ContentDisposition");
    expect(ttl && disposition).toBeTruthy();
    expect(errorsOf(ttl!.schema, 1)).toEqual([]);
    expect(errorsOf(ttl!.schema, 3600)).toEqual([]);
    expect(errorsOf(ttl!.schema, 0).length).toBeGreaterThan(0);
    expect(errorsOf(ttl!.schema, 3601).length).toBeGreaterThan(0);
    for (const ok of ["attachment", "inline", "attachment; filename=a.mka"])
      expect(errorsOf(disposition!.schema, ok), ok).toEqual([]);
    expect(errorsOf(disposition!.schema, "download").length).toBeGreaterThan(0);
  });
});
