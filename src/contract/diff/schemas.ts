/**
 * The schema walker: compares two schemas in one direction. In a request,
 * narrowing (a client's valid value refused) breaks; in a response,
 * widening (a value the client never expected) breaks.
 */
import { isObject, jsonType, type JsonObject } from "../json-pointer.js";
import { add, child, compareDocs, DOC_KEYS, resolve, shape, short, type Direction, type Walk } from "./model.js";

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

export class SchemaWalker {
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
