/**
 * fast-check arbitraries for requests the spec accepts, read from the bundled
 * spec (generated/openapi.json): path parameters, query parameters and form
 * bodies of every operation, serialised the way the spec's `encoding` says
 * (JSON-valued fields, repeated keys for arrays, `true`/`false`).
 *
 * The generator covers the JSON Schema the spec's requests use ($ref, type,
 * enum, const, pattern, format, length and range bounds, arrays, objects,
 * anyOf/oneOf). Cross-field rules (allOf of required-sets, minProperties) are
 * not modelled: every generated request is checked with the contract
 * validator, and only the ones it accepts count as spec-valid.
 */
import fc from "fast-check";
import document from "../../../generated/openapi.json" with { type: "json" };

type Schema = Record<string, unknown>;
const doc = document as unknown as {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Schema>; parameters: Record<string, Schema> };
};

function deref<T = Schema>(node: unknown): T {
  let n = node as Schema;
  for (let i = 0; i < 20 && typeof n?.$ref === "string"; i++) {
    const [, , section, name] = (n.$ref as string).split("/");
    n = (doc.components as unknown as Record<string, Record<string, Schema>>)[section!]![name!]!;
  }
  return n as T;
}

const dateTime = fc
  .date({ min: new Date("2015-01-01T00:00:00Z"), max: new Date("2035-01-01T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().replace(/\.\d{3}Z$/, "Z"));
// Callbacks are off in the fuzz run, and these hosts are never resolved anyway.
const uri = fc
  .tuple(
    fc.constantFrom("https", "http"),
    fc.constantFrom("example.com", "hooks.example.org", "127.0.0.1:9"),
    fc.stringMatching(/^[a-z0-9/_-]{0,20}$/),
  )
  .map(([s, h, p]) => `${s}://${h}/${p}`);

/** An arbitrary of values valid for `schema` (approximately: see the module comment). */
export function arbitraryOf(node: unknown, depth = 0): fc.Arbitrary<unknown> {
  const schema = deref(node);
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const alternatives = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map((a) => arbitraryOf(a, depth + 1)));
  let type = schema.type as string | string[] | undefined;
  if (Array.isArray(type)) {
    const types = type.filter((t) => t !== "null");
    type = types[0];
  }
  if (type === undefined && schema.properties) type = "object";
  switch (type) {
    case "string": {
      const min = (schema.minLength as number | undefined) ?? 0;
      const max = (schema.maxLength as number | undefined) ?? 40;
      if (typeof schema.pattern === "string") {
        return fc
          .stringMatching(new RegExp(schema.pattern as string))
          .filter((s) => s.length >= min && s.length <= max);
      }
      if (schema.format === "date-time") return dateTime;
      if (schema.format === "uri") return uri;
      return fc.string({ minLength: min, maxLength: Math.min(max, min + 40), unit: "grapheme" });
    }
    case "integer":
      return fc.integer({
        min: (schema.minimum as number | undefined) ?? -1000,
        max: (schema.maximum as number | undefined) ?? 100_000,
      });
    case "number":
      return fc.double({
        min: (schema.minimum as number | undefined) ?? -1000,
        max: (schema.maximum as number | undefined) ?? 100_000,
        noNaN: true,
      });
    case "boolean":
      return fc.boolean();
    case "array": {
      const min = (schema.minItems as number | undefined) ?? 0;
      return fc.array(arbitraryOf(schema.items ?? {}, depth + 1), {
        minLength: min,
        maxLength: Math.max(min, Math.min((schema.maxItems as number | undefined) ?? 3, depth > 2 ? min : 3)),
      });
    }
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, unknown>;
      const required = new Set((schema.required ?? []) as string[]);
      const fields: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, sub] of Object.entries(properties)) fields[name] = arbitraryOf(sub, depth + 1);
      const extra = schema.additionalProperties;
      const known = fc.record(fields, { requiredKeys: [...required].filter((k) => k in fields) });
      if (extra && typeof extra === "object" && depth < 3) {
        return fc
          .tuple(
            known,
            fc.dictionary(fc.stringMatching(/^[a-zA-Z]{1,8}$/), arbitraryOf(extra, depth + 1), { maxKeys: 2 }),
          )
          .map(([a, b]) => ({ ...b, ...a }));
      }
      return known;
    }
    default:
      return fc.constant("x");
  }
}

export interface SpecOperation {
  operationId: string;
  method: string;
  /** Path template, e.g. /v1/Rooms/{RoomSid}/Participants. */
  path: string;
  pathParams: Array<{ name: string; schema: Schema }>;
  queryParams: Array<{ name: string; schema: Schema; required: boolean }>;
  body?: { schema: Schema; encoding: Record<string, { contentType?: string }> };
}

export function fuzzedOperations(): SpecOperation[] {
  const ops: SpecOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const shared = ((item as { parameters?: unknown[] }).parameters ?? []).map((p) => deref<Schema>(p));
    for (const method of ["get", "post", "delete"]) {
      const op = (item as Record<string, Schema | undefined>)[method];
      if (!op?.operationId) continue;
      const params = [...shared, ...((op.parameters as unknown[] | undefined) ?? []).map((p) => deref<Schema>(p))];
      const form = (
        op.requestBody as
          | { content?: Record<string, { schema: Schema; encoding?: Record<string, { contentType?: string }> }> }
          | undefined
      )?.content?.["application/x-www-form-urlencoded"];
      ops.push({
        operationId: op.operationId as string,
        method: method.toUpperCase(),
        path,
        pathParams: params
          .filter((p) => p.in === "path")
          .map((p) => ({ name: p.name as string, schema: p.schema as Schema })),
        queryParams: params
          .filter((p) => p.in === "query")
          .map((p) => ({ name: p.name as string, schema: p.schema as Schema, required: p.required === true })),
        ...(form ? { body: { schema: form.schema, encoding: form.encoding ?? {} } } : {}),
      });
    }
  }
  return ops;
}

/** Appends `value` to `params` as the spec's form style serialises it. */
function appendField(params: URLSearchParams, name: string, value: unknown, json: boolean): void {
  if (value === undefined) return;
  if (json) params.append(name, JSON.stringify(value));
  else if (Array.isArray(value)) for (const v of value) appendField(params, name, v, false);
  else params.append(name, typeof value === "string" ? value : String(value));
}

export interface GeneratedRequest {
  operationId: string;
  method: string;
  target: string;
  body?: string;
}

/**
 * Requests for `op`; each path parameter comes from the schema or, more often,
 * from `known` (SIDs and names that exist in the emulator, by the collection
 * segment before the parameter), so requests reach handlers and not only 404s.
 */
export function requestsFor(op: SpecOperation, known: (segment: string) => string[]): fc.Arbitrary<GeneratedRequest> {
  const pathArbs = Object.fromEntries(
    op.pathParams.map((p) => {
      // The literal segment before the parameter names the collection (`Rooms`, `Participants`, …).
      const segment = new RegExp(`/([A-Za-z]+)/\\{${p.name}\\}`).exec(op.path)?.[1] ?? "";
      const existing = known(segment);
      const fromSchema = arbitraryOf(p.schema).map(String);
      return [
        p.name,
        existing.length > 0
          ? fc.oneof({ arbitrary: fc.constantFrom(...existing), weight: 4 }, { arbitrary: fromSchema, weight: 1 })
          : fromSchema,
      ];
    }),
  );
  const queryArbs = Object.fromEntries(op.queryParams.map((p) => [p.name, arbitraryOf(p.schema)]));
  const queryRequired = op.queryParams.filter((p) => p.required).map((p) => p.name);
  const bodyArb = op.body ? arbitraryOf(op.body.schema) : fc.constant(undefined);
  return fc
    .tuple(fc.record(pathArbs), fc.record(queryArbs, { requiredKeys: queryRequired }), bodyArb)
    .map(([path, query, body]) => {
      const target = op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        encodeURIComponent(String((path as Record<string, string>)[name])),
      );
      const q = new URLSearchParams();
      for (const [name, value] of Object.entries(query as Record<string, unknown>)) appendField(q, name, value, false);
      let form: string | undefined;
      if (op.body && body !== undefined) {
        const params = new URLSearchParams();
        for (const [name, value] of Object.entries(body as Record<string, unknown>))
          appendField(params, name, value, op.body.encoding[name]?.contentType === "application/json");
        form = params.toString();
      }
      return {
        operationId: op.operationId,
        method: op.method,
        target: q.size ? `${target}?${q}` : target,
        ...(form !== undefined ? { body: form } : {}),
      };
    });
}
