/**
 * A breaking-change report between two bundled OpenAPI documents, for the
 * CLIENTS of the API: the people who send its requests and read its
 * responses. Pure (documents in, changes out; no I/O), so it runs anywhere.
 *
 * The rule behind every verdict: a request change breaks a client when
 * something it may send today is refused tomorrow (narrowing); a response
 * change breaks a client when something it may read tomorrow was never
 * promised today (widening), or something promised today goes away. The
 * opposite directions are additions (minor). Text that only documents
 * (descriptions, summaries, examples, `x-` extensions) is a patch.
 *
 * Webhooks (status callbacks) run the other way: Twilio sends the request
 * and the consumer reads it, so a webhook's request body is judged as a
 * response and its response as a request.
 */
import { escapePointerToken, getAtPointer, isObject, type JsonObject } from "./json-pointer.js";

/** How a change affects a client: `patch` is documentation only. */
export type ChangeSeverity = "breaking" | "non-breaking" | "patch";

/** The semantic-version bump one change calls for. */
export type SemverLevel = "major" | "minor" | "patch";

/** The bump the whole diff calls for: the highest of its changes, or `none` when nothing changed. */
export type DiffVerdict = SemverLevel | "none";

/** The kinds of change {@link diffSpecs} reports. */
export type ChangeKind =
  | "operation-removed"
  | "operation-added"
  | "operation-deprecated"
  | "operation-undeprecated"
  | "operation-id-changed"
  | "path-parameter-renamed"
  | "servers-changed"
  | "security-changed"
  | "request-parameter-removed"
  | "request-parameter-added"
  | "request-parameter-added-required"
  | "request-parameter-now-required"
  | "request-parameter-now-optional"
  | "request-parameter-serialization-changed"
  | "request-body-removed"
  | "request-body-added"
  | "request-body-added-required"
  | "request-body-now-required"
  | "request-body-now-optional"
  | "request-content-type-removed"
  | "request-content-type-added"
  | "request-encoding-changed"
  | "request-field-removed"
  | "request-field-added"
  | "request-field-added-required"
  | "request-field-now-required"
  | "request-field-now-optional"
  | "request-type-changed"
  | "request-type-widened"
  | "request-enum-value-removed"
  | "request-enum-value-added"
  | "request-enum-added"
  | "request-enum-removed"
  | "request-constraint-narrowed"
  | "request-constraint-widened"
  | "request-union-variant-removed"
  | "request-union-variant-added"
  | "response-status-removed"
  | "response-status-added"
  | "response-content-type-removed"
  | "response-content-type-added"
  | "response-body-removed"
  | "response-body-added"
  | "response-header-removed"
  | "response-header-added"
  | "response-field-removed"
  | "response-field-added"
  | "response-field-now-optional"
  | "response-field-now-required"
  | "response-became-nullable"
  | "response-no-longer-nullable"
  | "response-type-changed"
  | "response-type-widened"
  | "response-type-narrowed"
  | "response-enum-value-added"
  | "response-enum-value-removed"
  | "response-enum-added"
  | "response-enum-removed"
  | "response-constraint-changed"
  | "response-union-variant-added"
  | "response-union-variant-removed"
  | "schema-composition-changed"
  | "schema-changed"
  | "description-changed"
  | "summary-changed"
  | "title-changed"
  | "example-changed"
  | "external-docs-changed"
  | "extension-changed"
  | "tags-changed"
  | "info-changed";

/** One difference between the two documents. */
export interface SpecChange {
  kind: ChangeKind;
  severity: ChangeSeverity;
  semver: SemverLevel;
  /** `GET /v1/Rooms/{Sid}` (the NEW document's path when both have it), `webhook roomStatusCallback POST`, or `document` for top-level changes. */
  operation: string;
  /** Where inside the operation, JSON-pointer-ish: `request.body/Type`, `request.query/Status`, `response.200.body/rooms/items/status`. */
  path: string;
  /** One line for a human. */
  message: string;
  /** Set on response changes that break an exhaustive `switch` over an enum (a new value the switch does not handle). */
  exhaustiveSwitch?: true;
}

/** What {@link diffSpecs} returns. */
export interface SpecDiff {
  verdict: DiffVerdict;
  /** Breaking first, then non-breaking, then patch; each group in document order. */
  changes: SpecChange[];
  counts: { breaking: number; nonBreaking: number; patch: number };
}

/** Thrown by {@link diffSpecs} when an input is not an OpenAPI 3 document. */
export class NotOpenApiError extends Error {
  constructor(which: "old" | "new", why: string) {
    super(`the ${which} document is not an OpenAPI 3 document (${why})`);
    this.name = "NotOpenApiError";
  }
}

const SEVERITY: Record<SemverLevel, ChangeSeverity> = { major: "breaking", minor: "non-breaking", patch: "patch" };
const RANK: Record<DiffVerdict, number> = { none: 0, patch: 1, minor: 2, major: 3 };
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** Keys that only document: a difference in them is a patch. */
const DOC_KEYS: Record<string, ChangeKind> = {
  description: "description-changed",
  summary: "summary-changed",
  title: "title-changed",
  example: "example-changed",
  examples: "example-changed",
  externalDocs: "external-docs-changed",
  $comment: "description-changed",
};

/**
 * Constraint keywords: `up` ones bound from above (lowering narrows), `down`
 * ones from below (raising narrows).
 */
const UPPER = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"] as const;
const LOWER = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"] as const;
/** Keywords where any change (added, changed) narrows and removal widens. */
const NARROWING_WHEN_ADDED = ["pattern", "format", "multipleOf", "uniqueItems"] as const;
/** Keywords this walker models; any other validation keyword is compared whole (schema-changed). */
const MODELLED = new Set<string>([
  "$ref", "type", "nullable", "enum", "const", "properties", "required", "additionalProperties", "items", "prefixItems",
  "allOf", "oneOf", "anyOf", "deprecated", "default", "readOnly", "writeOnly", "discriminator", "xml",
  ...UPPER, ...LOWER, ...NARROWING_WHEN_ADDED, ...Object.keys(DOC_KEYS), "contentMediaType", "contentEncoding",
]);

type Direction = "request" | "response";

interface Walk {
  oldDoc: JsonObject;
  newDoc: JsonObject;
  operation: string;
  out: SpecChange[];
}

function add(walk: Walk, kind: ChangeKind, semver: SemverLevel, path: string, message: string, exhaustiveSwitch = false): void {
  walk.out.push({ kind, severity: SEVERITY[semver], semver, operation: walk.operation, path, message, ...(exhaustiveSwitch ? { exhaustiveSwitch: true as const } : {}) });
}

/** Follows `#/…` references (at most 32 hops); an unresolvable one reads as an empty object. */
function resolve(doc: JsonObject, node: unknown): { node: JsonObject; ref?: string } {
  let current = node;
  let ref: string | undefined;
  for (let hops = 0; hops < 32 && isObject(current) && typeof current.$ref === "string"; hops++) {
    ref = current.$ref;
    current = ref.startsWith("#") ? getAtPointer(doc, ref.slice(1)) : undefined;
  }
  if (isObject(current) && typeof current.$ref === "string") return { node: {}, ref: ref! };
  return { node: isObject(current) ? current : {}, ...(ref !== undefined ? { ref } : {}) };
}

/** Stable JSON of a value with documentation keys left out at every depth. */
function shape(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!isObject(v)) return v;
    const kept: JsonObject = {};
    for (const key of Object.keys(v).sort()) if (!(key in DOC_KEYS) && !key.startsWith("x-")) kept[key] = v[key];
    return kept;
  });
}

const short = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const child = (path: string, token: string): string => `${path}/${escapePointerToken(token)}`;

/** Documentation-only keys of one node (descriptions, examples, extensions). */
function compareDocs(walk: Walk, oldNode: JsonObject, newNode: JsonObject, path: string, keys: readonly string[] = Object.keys(DOC_KEYS)): void {
  for (const key of keys) {
    if (JSON.stringify(oldNode[key]) !== JSON.stringify(newNode[key])) {
      const what = oldNode[key] === undefined ? "added" : newNode[key] === undefined ? "removed" : "changed";
      add(walk, DOC_KEYS[key] ?? "description-changed", "patch", child(path, key), `${key} ${what}`);
    }
  }
  const extensions = new Set([...Object.keys(oldNode), ...Object.keys(newNode)].filter((k) => k.startsWith("x-")));
  for (const key of [...extensions].sort()) {
    if (JSON.stringify(oldNode[key]) !== JSON.stringify(newNode[key])) {
      const what = oldNode[key] === undefined ? "added" : newNode[key] === undefined ? "removed" : "changed";
      add(walk, "extension-changed", "patch", child(path, key), `extension ${key} ${what}`);
    }
  }
}

// ---------------------------------------------------------------- schemas

/** The JSON types a schema admits ("null" included), or undefined when it does not say. */
function types(schema: JsonObject): Set<string> | undefined {
  let out: Set<string> | undefined;
  if (typeof schema.type === "string") out = new Set([schema.type]);
  else if (Array.isArray(schema.type)) out = new Set(schema.type.filter((t): t is string => typeof t === "string"));
  else if ("const" in schema) out = new Set([jsonType(schema.const)]);
  else if (Array.isArray(schema.enum)) out = new Set(schema.enum.map(jsonType));
  if (out && schema.nullable === true) out.add("null");
  // An integer is a number: "number" admits every integer.
  return out;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Whether type set `wide` admits every value of type `t`. */
const admits = (wide: Set<string>, t: string): boolean => wide.has(t) || (t === "integer" && wide.has("number"));

function enumValues(schema: JsonObject): unknown[] | undefined {
  if ("const" in schema) return [schema.const];
  if (!Array.isArray(schema.enum)) return undefined;
  // `nullable: true` (3.0) admits null even with an enum that does not list it.
  return schema.nullable === true && !schema.enum.includes(null) ? [...schema.enum, null] : schema.enum;
}

const isUnconstrained = (schema: JsonObject): boolean => Object.keys(schema).every((k) => k in DOC_KEYS || k.startsWith("x-") || k === "default" || k === "deprecated");

const composition = (schema: JsonObject): "allOf" | "oneOf" | "anyOf" | undefined =>
  Array.isArray(schema.oneOf) ? "oneOf" : Array.isArray(schema.anyOf) ? "anyOf" : Array.isArray(schema.allOf) ? "allOf" : undefined;

class SchemaWalker {
  /** Pairs of references on the current descent: a cycle stops where it would repeat. */
  private readonly onPath = new Set<string>();

  constructor(private readonly walk: Walk, private readonly direction: Direction) {}

  compare(oldRaw: unknown, newRaw: unknown, path: string, depth = 0): void {
    const o = resolve(this.walk.oldDoc, oldRaw);
    const n = resolve(this.walk.newDoc, newRaw);
    const key = `${o.ref ?? ""}\u0000${n.ref ?? ""}`;
    if ((o.ref !== undefined || n.ref !== undefined) && this.onPath.has(key)) return;
    if (depth > 64) return;
    if (o.ref !== undefined || n.ref !== undefined) this.onPath.add(key);
    try {
      this.compareResolved(o.node, n.node, path, depth);
    } finally {
      if (o.ref !== undefined || n.ref !== undefined) this.onPath.delete(key);
    }
  }

  private compareResolved(oldS: JsonObject, newS: JsonObject, path: string, depth: number): void {
    const walk = this.walk;
    const req = this.direction === "request";

    // Unions and intersections first: they decide what the rest means.
    const oc = composition(oldS);
    const nc = composition(newS);
    if (oc || nc) {
      if (oc === nc && oc) this.compareComposition(oc, oldS[oc] as unknown[], newS[nc!] as unknown[], path, depth);
      else if (oc && nc) add(walk, "schema-composition-changed", "major", path, `${oc} became ${nc}`);
      else {
        // `X` ↔ `oneOf [X, {type: null}]`: only nullability changed; X is compared with X.
        const nonNullNew = nc ? this.onlyAddsNull(nc, oldS, newS, walk.newDoc) : undefined;
        const nonNullOld = oc ? this.onlyAddsNull(oc, newS, oldS, walk.oldDoc) : undefined;
        if (nonNullNew) {
          this.nullability(types(oldS)!, new Set([...types(oldS)!, "null"]), path);
          return this.compareResolved(oldS, nonNullNew, path, depth + 1);
        }
        if (nonNullOld) {
          this.nullability(new Set([...types(newS)!, "null"]), types(newS)!, path);
          return this.compareResolved(nonNullOld, newS, path, depth + 1);
        }
        add(walk, "schema-composition-changed", "major", path, oc ? `${oc} removed: the schema is no longer a composition` : `the schema became a ${nc} composition`);
      }
    }

    compareDocs(walk, oldS, newS, path);
    this.compareTypes(oldS, newS, path, oc !== undefined || nc !== undefined);
    this.compareEnums(oldS, newS, path);
    this.compareConstraints(oldS, newS, path);
    this.compareObjects(oldS, newS, path, depth);

    if (oldS.items !== undefined || newS.items !== undefined) {
      if (oldS.items !== undefined && newS.items !== undefined) this.compare(oldS.items, newS.items, child(path, "items"), depth + 1);
      else if (newS.items !== undefined) add(walk, req ? "request-constraint-narrowed" : "response-constraint-changed", req ? "major" : "minor", child(path, "items"), "array items are now constrained");
      else add(walk, req ? "request-constraint-widened" : "response-type-widened", req ? "minor" : "major", child(path, "items"), "array items are no longer constrained");
    }

    // Keywords not modelled above (if/then/else, not, dependentRequired, …): compared whole, conservatively.
    const unmodelled = new Set([...Object.keys(oldS), ...Object.keys(newS)].filter((k) => !MODELLED.has(k) && !k.startsWith("x-")));
    for (const k of [...unmodelled].sort()) {
      if (shape(oldS[k]) !== shape(newS[k])) add(walk, "schema-changed", "major", child(path, k), `${k} ${oldS[k] === undefined ? "added" : newS[k] === undefined ? "removed" : "changed"} (not analysed further; treated as breaking)`);
    }
  }

  /** `X` → `oneOf/anyOf [X, {type: null}]`: the union's non-null variant when the union only adds null (`unionDoc` holds the union). */
  private onlyAddsNull(kind: string, plain: JsonObject, union: JsonObject, unionDoc: JsonObject): JsonObject | undefined {
    if (kind === "allOf") return undefined;
    const variants = (union[kind] as unknown[]).map((v) => resolve(unionDoc, v).node);
    if (variants.length !== 2) return undefined;
    const isNull = (v: JsonObject) => { const t = types(v); return t?.size === 1 && t.has("null"); };
    const other = variants.filter((v) => !isNull(v));
    if (other.length !== 1) return undefined;
    const t = types(other[0]!);
    return t && types(plain) && [...t].every((x) => types(plain)!.has(x)) && [...types(plain)!].filter((x) => x !== "null").every((x) => t.has(x)) ? other[0] : undefined;
  }

  private nullability(oldT: Set<string>, newT: Set<string>, path: string): void {
    const req = this.direction === "request";
    if (!oldT.has("null") && newT.has("null")) {
      if (req) add(this.walk, "request-type-widened", "minor", path, "now accepts null");
      else add(this.walk, "response-became-nullable", "major", path, "may now be null: clients reading it must handle null");
    } else if (oldT.has("null") && !newT.has("null")) {
      if (req) add(this.walk, "request-type-changed", "major", path, "no longer accepts null");
      else add(this.walk, "response-no-longer-nullable", "minor", path, "is no longer null");
    }
  }

  private compareTypes(oldS: JsonObject, newS: JsonObject, path: string, composed: boolean): void {
    const req = this.direction === "request";
    // undefined: any type (`{}`); null: the schema does not say here (a composition, a bare pattern).
    const infer = (s: JsonObject): Set<string> | undefined | null =>
      types(s) ?? (isObject(s.properties) ? new Set(["object"]) : s.items !== undefined ? new Set(["array"]) : isUnconstrained(s) ? undefined : null);
    const oldT = infer(oldS);
    const newT = infer(newS);
    if (oldT === null || newT === null || (composed && (!oldT || !newT))) return;
    if (!oldT && !newT) return;
    const list = (t: Set<string>) => [...t].join(" | ");
    if (!oldT) {
      if (req) add(this.walk, "request-type-changed", "major", path, `now only accepts ${list(newT!)} (was any type)`);
      else add(this.walk, "response-type-narrowed", "minor", path, `is now always ${list(newT!)} (was any type)`);
      return;
    }
    if (!newT) {
      if (req) add(this.walk, "request-type-widened", "minor", path, `now accepts any type (was ${list(oldT)})`);
      else add(this.walk, "response-type-widened", "major", path, `may now be any type (was ${list(oldT)}): clients may read a type they do not expect`);
      return;
    }
    const removed = [...oldT].filter((t) => !admits(newT, t));
    const added = [...newT].filter((t) => !admits(oldT, t));
    if (removed.length === 0 && added.length === 0) return;
    const nonNull = (l: string[]) => l.filter((t) => t !== "null");
    if (nonNull(removed).length === 0 && nonNull(added).length === 0) return this.nullability(oldT, newT, path);
    const was = `${list(oldT)} → ${list(newT)}`;
    if (req) {
      if (removed.length > 0) add(this.walk, "request-type-changed", "major", path, `type changed ${was}: values clients send today may be refused`);
      else add(this.walk, "request-type-widened", "minor", path, `type widened ${was}`);
    } else if (removed.length > 0 && added.length > 0) add(this.walk, "response-type-changed", "major", path, `type changed ${was}`);
    else if (added.length > 0) add(this.walk, "response-type-widened", "major", path, `type widened ${was}: clients may read a type they do not expect`);
    else add(this.walk, "response-type-narrowed", "minor", path, `type narrowed ${was}`);
  }

  private compareEnums(oldS: JsonObject, newS: JsonObject, path: string): void {
    const req = this.direction === "request";
    const oldE = enumValues(oldS);
    const newE = enumValues(newS);
    if (!oldE && !newE) return;
    if (!oldE) {
      if (req) add(this.walk, "request-enum-added", "major", path, `now only accepts ${newE!.map(short).join(", ")}`);
      else add(this.walk, "response-enum-added", "minor", path, `is now one of ${newE!.map(short).join(", ")}`);
      return;
    }
    if (!newE) {
      if (req) add(this.walk, "request-enum-removed", "minor", path, `no longer limited to ${oldE.map(short).join(", ")}`);
      else add(this.walk, "response-enum-removed", "minor", path, `no longer limited to ${oldE.map(short).join(", ")}: any value may arrive, which breaks exhaustive switches`, true);
      return;
    }
    const keyOf = (v: unknown) => JSON.stringify(v);
    const oldKeys = new Set(oldE.map(keyOf));
    const newKeys = new Set(newE.map(keyOf));
    for (const v of oldE) {
      if (newKeys.has(keyOf(v))) continue;
      if (req) add(this.walk, "request-enum-value-removed", "major", path, `value ${short(v)} is no longer accepted`);
      else add(this.walk, "response-enum-value-removed", "minor", path, `value ${short(v)} is no longer returned`);
    }
    for (const v of newE) {
      if (oldKeys.has(keyOf(v))) continue;
      if (req) add(this.walk, "request-enum-value-added", "minor", path, `value ${short(v)} is now accepted`);
      else add(this.walk, "response-enum-value-added", "minor", path, `value ${short(v)} may now be returned: this breaks exhaustive switches over the enum`, true);
    }
  }

  private compareConstraints(oldS: JsonObject, newS: JsonObject, path: string): void {
    const req = this.direction === "request";
    const report = (keyword: string, narrowed: boolean, what: string) => {
      const at = child(path, keyword);
      if (req) add(this.walk, narrowed ? "request-constraint-narrowed" : "request-constraint-widened", narrowed ? "major" : "minor", at, `${what}${narrowed ? ": values clients send today may be refused" : ""}`);
      else add(this.walk, "response-constraint-changed", "minor", at, what);
    };
    const bound = (keyword: string, upper: boolean) => {
      const o = oldS[keyword];
      const n = newS[keyword];
      // 3.0's boolean exclusiveMaximum/exclusiveMinimum modify the bound; compare them whole.
      if (JSON.stringify(o) === JSON.stringify(n)) return;
      if (typeof o === "boolean" || typeof n === "boolean") return report(keyword, true, `${keyword} ${short(o)} → ${short(n)}`);
      if (o === undefined) return report(keyword, true, `${keyword} ${short(n)} added`);
      if (n === undefined) return report(keyword, false, `${keyword} ${short(o)} removed`);
      if (typeof o !== "number" || typeof n !== "number") return report(keyword, true, `${keyword} ${short(o)} → ${short(n)}`);
      report(keyword, upper ? n < o : n > o, `${keyword} ${upper ? (n < o ? "lowered" : "raised") : n > o ? "raised" : "lowered"} ${o} → ${n}`);
    };
    for (const k of UPPER) bound(k, true);
    for (const k of LOWER) bound(k, false);
    for (const k of NARROWING_WHEN_ADDED) {
      const o = oldS[k];
      const n = newS[k];
      if (JSON.stringify(o) === JSON.stringify(n)) continue;
      if (k === "uniqueItems") report(k, n === true, `uniqueItems ${short(o ?? false)} → ${short(n ?? false)}`);
      else if (n === undefined) report(k, false, `${k} ${short(o)} removed`);
      else report(k, true, o === undefined ? `${k} ${short(n)} added` : `${k} ${short(o)} → ${short(n)}`);
    }
  }

  private compareObjects(oldS: JsonObject, newS: JsonObject, path: string, depth: number): void {
    const walk = this.walk;
    const req = this.direction === "request";
    const oldP = isObject(oldS.properties) ? oldS.properties : {};
    const newP = isObject(newS.properties) ? newS.properties : {};
    const oldR = new Set(Array.isArray(oldS.required) ? (oldS.required as unknown[]).filter((r): r is string => typeof r === "string") : []);
    const newR = new Set(Array.isArray(newS.required) ? (newS.required as unknown[]).filter((r): r is string => typeof r === "string") : []);
    for (const name of Object.keys(oldP)) {
      const at = child(path, name);
      if (!(name in newP)) {
        if (req) add(walk, "request-field-removed", "major", at, `field ${name} removed: clients that send it may be refused`);
        else add(walk, "response-field-removed", "major", at, `field ${name} removed: clients that read it break`);
        continue;
      }
      // readOnly fields are not sent, writeOnly ones never read.
      this.compare(oldP[name], newP[name], at, depth + 1);
      if (!oldR.has(name) && newR.has(name)) {
        if (req) add(walk, "request-field-now-required", "major", at, `field ${name} is now required: clients that omit it are refused`);
        else add(walk, "response-field-now-required", "minor", at, `field ${name} is now always present`);
      } else if (oldR.has(name) && !newR.has(name)) {
        if (req) add(walk, "request-field-now-optional", "minor", at, `field ${name} is now optional`);
        else add(walk, "response-field-now-optional", "major", at, `field ${name} may now be absent: clients that rely on it break`);
      }
    }
    for (const name of Object.keys(newP)) {
      if (name in oldP) continue;
      const at = child(path, name);
      if (req) {
        if (newR.has(name)) add(walk, "request-field-added-required", "major", at, `required field ${name} added: clients that do not send it are refused`);
        else add(walk, "request-field-added", "minor", at, `optional field ${name} added`);
      } else add(walk, "response-field-added", "minor", at, `field ${name} added`);
    }
    // A required name without a property (allowed by JSON Schema).
    for (const name of newR) if (!(name in newP) && !(name in oldP) && !oldR.has(name)) {
      if (req) add(walk, "request-field-now-required", "major", child(path, name), `field ${name} is now required`);
      else add(walk, "response-field-now-required", "minor", child(path, name), `field ${name} is now always present`);
    }

    const oa = oldS.additionalProperties;
    const na = newS.additionalProperties;
    if (oa === undefined && na === undefined) return;
    if (isObject(oa) && isObject(na)) return this.compare(oa, na, child(path, "additionalProperties"), depth + 1);
    if (shape(oa) === shape(na)) return;
    const closedOld = oa === false;
    const closedNew = na === false;
    const at = child(path, "additionalProperties");
    if (req) {
      if (!closedOld && closedNew) add(walk, "request-constraint-narrowed", "major", at, "other fields are now refused");
      else if (closedOld && !closedNew) add(walk, "request-constraint-widened", "minor", at, "other fields are now accepted");
      else add(walk, "request-constraint-narrowed", "major", at, `additionalProperties changed`);
    } else add(walk, "response-constraint-changed", "minor", at, closedNew ? "no other fields are returned" : "other fields may now be returned");
  }

  /** Variants matched by their `$ref` when they have one, else by position. */
  private compareComposition(kind: "allOf" | "oneOf" | "anyOf", oldV: unknown[], newV: unknown[], path: string, depth: number): void {
    const walk = this.walk;
    const req = this.direction === "request";
    const label = (v: unknown, i: number) => (isObject(v) && typeof v.$ref === "string" ? v.$ref.split("/").pop()! : `#${i}`);
    const oldLabels = oldV.map(label);
    const newLabels = newV.map(label);
    const matched = new Set<number>();
    oldV.forEach((variant, i) => {
      const byRef = isObject(variant) && typeof variant.$ref === "string" ? newLabels.indexOf(oldLabels[i]!) : -1;
      const j = byRef >= 0 ? byRef : !oldLabels[i]!.startsWith("#") ? -1 : i < newV.length && newLabels[i]!.startsWith("#") ? i : -1;
      const at = child(child(path, kind), String(i));
      if (j < 0 || matched.has(j)) {
        if (kind === "allOf") add(walk, "schema-composition-changed", "major", at, `allOf member ${oldLabels[i]} removed`);
        else if (req) add(walk, "request-union-variant-removed", "major", at, `${kind} variant ${oldLabels[i]} removed: clients sending that shape are refused`);
        else add(walk, "response-union-variant-removed", "minor", at, `${kind} variant ${oldLabels[i]} is no longer returned`);
        return;
      }
      matched.add(j);
      this.compare(variant, newV[j], child(child(path, kind), String(j)), depth + 1);
    });
    newV.forEach((_variant, j) => {
      if (matched.has(j)) return;
      const at = child(child(path, kind), String(j));
      if (kind === "allOf") add(walk, "schema-composition-changed", "major", at, `allOf member ${newLabels[j]} added`);
      else if (req) add(walk, "request-union-variant-added", "minor", at, `${kind} variant ${newLabels[j]} is now accepted`);
      else add(walk, "response-union-variant-added", "major", at, `${kind} variant ${newLabels[j]} may now be returned: clients may read a shape they do not expect`);
    });
  }
}

// ---------------------------------------------------------------- operations

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
      const key = `${method} ${section === "paths" ? path.replace(/\{[^}]*\}/g, "{}") : path}`;
      out.set(key, { key, path, method, item, op: item[method] });
    }
  }
  return out;
}

interface Param {
  node: JsonObject;
  name: string;
  location: string;
}

/** Path-level and operation-level parameters, the latter winning; path ones keyed by position so a rename still matches. */
function parameters(doc: JsonObject, ref: OperationRef): Map<string, Param> {
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
  const templateNames = [...ref.path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  const out = new Map<string, Param>();
  for (const [key, p] of byName) {
    const index = p.location === "path" ? templateNames.indexOf(p.name) : -1;
    out.set(index >= 0 ? `path:#${index}` : key, p);
  }
  return out;
}

function compareParameters(walk: Walk, oldRef: OperationRef, newRef: OperationRef, request: Direction): void {
  const oldPs = parameters(walk.oldDoc, oldRef);
  const newPs = parameters(walk.newDoc, newRef);
  const req = request === "request";
  const where = (p: Param) => `request.${p.location}/${escapePointerToken(p.name)}`;
  for (const [key, o] of oldPs) {
    const n = newPs.get(key);
    if (!n) {
      if (req) add(walk, "request-parameter-removed", "major", where(o), `${o.location} parameter ${o.name} removed: clients that send it may be refused`);
      else add(walk, "response-field-removed", "major", where(o), `${o.location} parameter ${o.name} is no longer sent`);
      continue;
    }
    if (o.name !== n.name) add(walk, "path-parameter-renamed", "patch", where(n), `path parameter ${o.name} renamed ${n.name} (the URL is unchanged)`);
    compareDocs(walk, o.node, n.node, where(n), ["description", "example", "examples"]);
    const oReq = o.node.required === true;
    const nReq = n.node.required === true;
    if (!oReq && nReq) {
      if (req) add(walk, "request-parameter-now-required", "major", where(n), `${n.location} parameter ${n.name} is now required`);
      else add(walk, "response-field-now-required", "minor", where(n), `${n.location} parameter ${n.name} is now always sent`);
    } else if (oReq && !nReq) {
      if (req) add(walk, "request-parameter-now-optional", "minor", where(n), `${n.location} parameter ${n.name} is now optional`);
      else add(walk, "response-field-now-optional", "major", where(n), `${n.location} parameter ${n.name} may now be absent`);
    }
    if (o.node.deprecated !== true && n.node.deprecated === true) add(walk, "operation-deprecated", "minor", where(n), `${n.location} parameter ${n.name} is deprecated`);
    for (const k of ["style", "explode", "allowReserved", "content"] as const) {
      if (k === "content" ? shape(o.node.content) !== shape(n.node.content) : JSON.stringify(o.node[k]) !== JSON.stringify(n.node[k])) {
        add(walk, "request-parameter-serialization-changed", "major", child(where(n), k), `${n.location} parameter ${n.name}: ${k} changed`);
      }
    }
    new SchemaWalker(walk, request).compare(o.node.schema, n.node.schema, where(n));
  }
  for (const [key, n] of newPs) {
    if (oldPs.has(key)) continue;
    if (!req) add(walk, "response-field-added", "minor", where(n), `${n.location} parameter ${n.name} is now sent`);
    else if (n.node.required === true) add(walk, "request-parameter-added-required", "major", where(n), `required ${n.location} parameter ${n.name} added: clients that do not send it are refused`);
    else add(walk, "request-parameter-added", "minor", where(n), `optional ${n.location} parameter ${n.name} added`);
  }
}

const DEFAULT_REQUEST_TYPE = "application/x-www-form-urlencoded";
const DEFAULT_RESPONSE_TYPE = "application/json";
const bodyPath = (prefix: string, type: string, fallback: string) => (type === fallback ? `${prefix}.body` : `${prefix}.body(${type})`);

/** A request body the client sends (or, for a webhook, reads). */
function compareRequestBody(walk: Walk, oldRaw: unknown, newRaw: unknown, direction: Direction): void {
  const req = direction === "request";
  if (oldRaw === undefined && newRaw === undefined) return;
  const o = resolve(walk.oldDoc, oldRaw).node;
  const n = resolve(walk.newDoc, newRaw).node;
  if (oldRaw === undefined) {
    if (!req) add(walk, "response-body-added", "minor", "request.body", "a body is now sent");
    else if (n.required === true) add(walk, "request-body-added-required", "major", "request.body", "a required request body was added");
    else add(walk, "request-body-added", "minor", "request.body", "an optional request body was added");
    return;
  }
  if (newRaw === undefined) {
    if (req) add(walk, "request-body-removed", "major", "request.body", "the request body was removed: clients that send one may be refused");
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
function compareContent(walk: Walk, oldRaw: unknown, newRaw: unknown, side: string, fallback: string, direction: Direction): void {
  const req = direction === "request";
  const oldC = isObject(oldRaw) ? oldRaw : {};
  const newC = isObject(newRaw) ? newRaw : {};
  for (const type of Object.keys(oldC)) {
    const at = bodyPath(side, type, fallback);
    if (!(type in newC)) {
      if (req) add(walk, "request-content-type-removed", "major", at, `content type ${type} is no longer accepted`);
      else add(walk, "response-content-type-removed", "major", at, `content type ${type} is no longer returned: clients that parse it break`);
      continue;
    }
    const om = resolve(walk.oldDoc, oldC[type]).node;
    const nm = resolve(walk.newDoc, newC[type]).node;
    compareDocs(walk, om, nm, at, ["example", "examples"]);
    new SchemaWalker(walk, direction).compare(om.schema, nm.schema, at);
    const oe = isObject(om.encoding) ? om.encoding : {};
    const ne = isObject(nm.encoding) ? nm.encoding : {};
    for (const field of new Set([...Object.keys(oe), ...Object.keys(ne)])) {
      if (shape(oe[field]) === shape(ne[field])) continue;
      const where = child(at, field);
      if (!req) add(walk, "response-constraint-changed", "minor", child(where, "encoding"), `encoding of ${field} changed`);
      else if (field in oe) add(walk, "request-encoding-changed", "major", child(where, "encoding"), `encoding of ${field} changed: clients encode it the old way`);
      else add(walk, "request-encoding-changed", "minor", child(where, "encoding"), `encoding of ${field} added`);
    }
  }
  for (const type of Object.keys(newC)) {
    if (type in oldC) continue;
    const at = bodyPath(side, type, fallback);
    if (req) add(walk, "request-content-type-added", "minor", at, `content type ${type} is now accepted`);
    else if (Object.keys(oldC).length === 0) add(walk, "response-body-added", "minor", at, `a ${type} body is now returned`);
    else add(walk, "response-content-type-added", "minor", at, `content type ${type} may now be returned (negotiated by Accept)`);
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
      if (req) add(walk, "request-constraint-widened", "minor", at, `status ${status} is no longer documented as a reply`);
      else if (isSuccess(status) && !covered) add(walk, "response-status-removed", "major", at, `success status ${status} is no longer returned: clients that expect it break`);
      else add(walk, "response-status-removed", "minor", at, `status ${status} is no longer documented${covered ? " on its own" : ""}`);
      continue;
    }
    const o = resolve(walk.oldDoc, oldR[status]).node;
    const n = resolve(walk.newDoc, newR[status]).node;
    compareDocs(walk, o, n, at, ["description"]);
    const oHasBody = isObject(o.content) && Object.keys(o.content).length > 0;
    const nHasBody = isObject(n.content) && Object.keys(n.content).length > 0;
    if (oHasBody && !nHasBody && !req) add(walk, "response-body-removed", "major", `${at}.body`, `status ${status} no longer has a body`);
    else if (oHasBody && !nHasBody) add(walk, "request-body-removed", "major", `${at}.body`, `status ${status} no longer takes a body`);
    else compareContent(walk, o.content, n.content, at, DEFAULT_RESPONSE_TYPE, direction);
    compareHeaders(walk, o.headers, n.headers, at, direction);
  }
  for (const status of Object.keys(newR)) {
    if (status in oldR) continue;
    const at = `response.${status}`;
    const covered = Object.keys(oldR).some((s) => covers(s, status) || s === "default");
    if (req) add(walk, "request-constraint-narrowed", "minor", at, `status ${status} is now documented as a reply`);
    else if (isSuccess(status) && !covered) add(walk, "response-status-added", "major", at, `success status ${status} may now be returned: clients that check for the old one break`);
    else add(walk, "response-status-added", "minor", at, `status ${status} is now documented${covered ? " on its own" : ""}`);
  }
}

function compareHeaders(walk: Walk, oldRaw: unknown, newRaw: unknown, at: string, direction: Direction): void {
  const lower = (h: unknown) => new Map(Object.entries(isObject(h) ? h : {}).map(([k, v]) => [k.toLowerCase(), [k, v] as const]));
  const oldH = lower(oldRaw);
  const newH = lower(newRaw);
  for (const [key, [name, raw]] of oldH) {
    const where = `${at}.header/${escapePointerToken(name)}`;
    const other = newH.get(key);
    if (!other) {
      if (direction === "response") add(walk, "response-header-removed", "major", where, `header ${name} is no longer returned`);
      continue;
    }
    const o = resolve(walk.oldDoc, raw).node;
    const n = resolve(walk.newDoc, other[1]).node;
    compareDocs(walk, o, n, where, ["description", "example", "examples"]);
    new SchemaWalker(walk, direction).compare(o.schema, n.schema, where);
  }
  for (const [key, [name]] of newH) {
    if (!oldH.has(key) && direction === "response") add(walk, "response-header-added", "minor", `${at}.header/${escapePointerToken(name)}`, `header ${name} is now returned`);
  }
}

const label = (ref: OperationRef, section: "paths" | "webhooks") => (section === "paths" ? `${ref.method.toUpperCase()} ${ref.path}` : `webhook ${ref.path} ${ref.method.toUpperCase()}`);

function compareOperations(oldDoc: JsonObject, newDoc: JsonObject, out: SpecChange[], section: "paths" | "webhooks"): void {
  const oldOps = operations(oldDoc, section);
  const newOps = operations(newDoc, section);
  // Webhooks turn the exchange around: Twilio sends the request, the consumer reads it.
  const inbound: Direction = section === "paths" ? "request" : "response";
  const outbound: Direction = section === "paths" ? "response" : "request";
  for (const [key, o] of oldOps) {
    const n = newOps.get(key);
    const walk: Walk = { oldDoc, newDoc, operation: label(n ?? o, section), out };
    if (!n) {
      if (section === "paths") add(walk, "operation-removed", "major", "", `operation ${o.op.operationId ?? ""} removed: clients that call it break`.replace("  ", " "));
      else add(walk, "operation-removed", "minor", "", `webhook ${o.path} ${o.method.toUpperCase()} is no longer sent`);
      continue;
    }
    compareDocs(walk, o.op, n.op, "", ["summary", "description", "externalDocs"]);
    if (o.op.operationId !== n.op.operationId) add(walk, "operation-id-changed", "patch", "/operationId", `operationId ${short(o.op.operationId)} → ${short(n.op.operationId)} (the wire is unchanged; generated method names may change)`);
    if (JSON.stringify(o.op.tags) !== JSON.stringify(n.op.tags)) add(walk, "tags-changed", "patch", "/tags", "tags changed");
    if (o.op.deprecated !== true && n.op.deprecated === true) add(walk, "operation-deprecated", "minor", "/deprecated", "the operation is now deprecated");
    if (o.op.deprecated === true && n.op.deprecated !== true) add(walk, "operation-undeprecated", "minor", "/deprecated", "the operation is no longer deprecated");
    const oSec = o.op.security ?? oldDoc.security;
    const nSec = n.op.security ?? newDoc.security;
    if (shape(oSec) !== shape(nSec)) add(walk, "security-changed", "major", "/security", "security requirements changed: clients may need other credentials");
    compareParameters(walk, o, n, inbound);
    compareRequestBody(walk, o.op.requestBody, n.op.requestBody, inbound);
    compareResponses(walk, o.op.responses, n.op.responses, outbound);
  }
  for (const [key, n] of newOps) {
    if (oldOps.has(key)) continue;
    const walk: Walk = { oldDoc, newDoc, operation: label(n, section), out };
    if (section === "paths") add(walk, "operation-added", "minor", "", `operation ${n.op.operationId ?? ""} added`.replace("  ", " "));
    else add(walk, "operation-added", "minor", "", `webhook ${n.path} ${n.method.toUpperCase()} is now sent`);
  }
}

function checkDocument(doc: unknown, which: "old" | "new"): asserts doc is JsonObject {
  if (!isObject(doc)) throw new NotOpenApiError(which, "not a JSON object");
  if (typeof doc.openapi !== "string" || !/^3\./.test(doc.openapi)) throw new NotOpenApiError(which, typeof doc.swagger === "string" ? "Swagger 2.0 is not supported" : 'no "openapi": "3.x" field');
  if (doc.paths !== undefined && !isObject(doc.paths)) throw new NotOpenApiError(which, '"paths" is not an object');
}

/**
 * Compares two parsed OpenAPI 3.x documents (bundled: `$ref`s local to each
 * document) and classifies every difference for clients of the API.
 *
 * @example
 * ```ts
 * const { verdict, changes } = diffSpecs(previous, openApiDocument);
 * if (verdict === "major") console.log(changes.filter((c) => c.severity === "breaking"));
 * ```
 * @throws {@link NotOpenApiError} when either input is not an OpenAPI 3 document.
 */
export function diffSpecs(oldDocument: unknown, newDocument: unknown): SpecDiff {
  checkDocument(oldDocument, "old");
  checkDocument(newDocument, "new");
  const out: SpecChange[] = [];
  const top: Walk = { oldDoc: oldDocument, newDoc: newDocument, operation: "document", out };
  const oldInfo = isObject(oldDocument.info) ? oldDocument.info : {};
  const newInfo = isObject(newDocument.info) ? newDocument.info : {};
  if (JSON.stringify(oldInfo) !== JSON.stringify(newInfo)) add(top, "info-changed", "patch", "/info", `info changed${oldInfo.version !== newInfo.version ? ` (version ${short(oldInfo.version)} → ${short(newInfo.version)})` : ""}`);
  const urls = (doc: JsonObject) => new Set((Array.isArray(doc.servers) ? doc.servers : []).map((s) => (isObject(s) ? String(s.url) : "")));
  const oldUrls = urls(oldDocument);
  const newUrls = urls(newDocument);
  for (const url of oldUrls) if (!newUrls.has(url)) add(top, "servers-changed", "major", "/servers", `server ${url} removed: clients pointed at it break`);
  for (const url of newUrls) if (!oldUrls.has(url)) add(top, "servers-changed", "minor", "/servers", `server ${url} added`);
  compareOperations(oldDocument, newDocument, out, "paths");
  compareOperations(oldDocument, newDocument, out, "webhooks");

  // One entry per distinct change (a component reached twice in one operation is one change).
  const seen = new Set<string>();
  const unique = out.filter((c) => {
    const key = `${c.operation}\u0000${c.path}\u0000${c.kind}\u0000${c.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const order: Record<ChangeSeverity, number> = { breaking: 0, "non-breaking": 1, patch: 2 };
  const changes = unique.map((c, i) => [c, i] as const).sort(([a, i], [b, j]) => order[a.severity] - order[b.severity] || i - j).map(([c]) => c);
  const counts = { breaking: 0, nonBreaking: 0, patch: 0 };
  let verdict: DiffVerdict = "none";
  for (const c of changes) {
    if (c.severity === "breaking") counts.breaking++;
    else if (c.severity === "non-breaking") counts.nonBreaking++;
    else counts.patch++;
    if (RANK[c.semver] > RANK[verdict]) verdict = c.semver;
  }
  return { verdict, changes, counts };
}
