/**
 * One schema node's own keywords compared in one direction: its types
 * (nullability included), enum values and validation constraints. The
 * walker in schemas.ts calls these and descends into the children itself.
 */
import { isObject, jsonType, type JsonObject } from "../json-pointer.js";
import { add, canonicalJson, child, DOC_KEYS, short, type Walk } from "./model.js";

/** The walk a comparison reports into, and whether it judges a request (narrowing breaks) or a response. */
export interface Side {
  walk: Walk;
  req: boolean;
}

/** Constraint keywords bounding from above (lowering narrows) and from below (raising narrows). */
export const UPPER = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"] as const;
export const LOWER = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"] as const;
/** Keywords where any change (added, changed) narrows and removal widens; `format` has its own rule. */
export const NARROWING_WHEN_ADDED = ["pattern", "multipleOf", "uniqueItems"] as const;

/**
 * The formats this package's validator checks (ajv-formats). Any other format
 * (`int64`, `double`, `password`, vendor ones such as `http-method`) only
 * annotates: nothing a client sends or reads is refused because of it.
 */
const CHECKED_FORMATS = new Set([
  "date",
  "time",
  "date-time",
  "iso-time",
  "iso-date-time",
  "duration",
  "uri",
  "uri-reference",
  "uri-template",
  "url",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "regex",
  "uuid",
  "json-pointer",
  "json-pointer-uri-fragment",
  "relative-json-pointer",
  "byte",
]);

/** The JSON types a schema admits ("null" included), or undefined when it does not say. */
export function types(schema: JsonObject): Set<string> | undefined {
  let out: Set<string> | undefined;
  if (typeof schema.type === "string") out = new Set([schema.type]);
  else if (Array.isArray(schema.type)) out = new Set(schema.type.filter((t): t is string => typeof t === "string"));
  else if ("const" in schema) out = new Set([jsonType(schema.const)]);
  else if (Array.isArray(schema.enum)) out = new Set(schema.enum.map(jsonType));
  if (out && schema.nullable === true) out.add("null");
  return out;
}

/** Whether type set `wide` admits every value of type `t` (an integer is a number). */
const admits = (wide: Set<string>, t: string): boolean => wide.has(t) || (t === "integer" && wide.has("number"));

function enumValues(schema: JsonObject): unknown[] | undefined {
  if ("const" in schema) return [schema.const];
  if (!Array.isArray(schema.enum)) return undefined;
  // `nullable: true` (3.0) admits null even with an enum that does not list it.
  return schema.nullable === true && !schema.enum.includes(null) ? [...schema.enum, null] : schema.enum;
}

/**
 * Whether a schema admits any value. OpenAPI 3.0's `nullable: true` without a
 * `type` adds nothing to "any value" (3.0 defines it only next to a type), so
 * `{nullable: true}` is unconstrained, not silent.
 */
const isUnconstrained = (schema: JsonObject): boolean =>
  Object.keys(schema).every(
    (k) => k in DOC_KEYS || k.startsWith("x-") || k === "default" || k === "deprecated" || k === "nullable",
  );

export function nullability(side: Side, oldT: Set<string>, newT: Set<string>, path: string): boolean {
  const { walk, req } = side;
  if (!oldT.has("null") && newT.has("null")) {
    if (req) add(walk, "request-type-widened", "minor", path, "now accepts null");
    else add(walk, "response-became-nullable", "major", path, "may now be null: clients reading it must handle null");
    return true;
  }
  if (oldT.has("null") && !newT.has("null")) {
    if (req) add(walk, "request-type-changed", "major", path, "no longer accepts null");
    else add(walk, "response-no-longer-nullable", "minor", path, "is no longer null");
    return true;
  }
  return false;
}

/** Compares the types two schemas admit; true when it reported a change of null alone (the enum then skips null). */
export function compareTypes(side: Side, oldS: JsonObject, newS: JsonObject, path: string, composed: boolean): boolean {
  const { walk, req } = side;
  // undefined: any type (`{}`); null: the schema does not say here (a composition, a bare pattern).
  const infer = (s: JsonObject): Set<string> | undefined | null =>
    types(s) ??
    (isObject(s.properties)
      ? new Set(["object"])
      : s.items !== undefined
        ? new Set(["array"])
        : isUnconstrained(s)
          ? undefined
          : null);
  const oldT = infer(oldS);
  const newT = infer(newS);
  if (oldT === null || newT === null || (composed && (!oldT || !newT))) return false;
  if (!oldT && !newT) return false;
  const list = (t: Set<string>) => [...t].join(" | ");
  if (!oldT) {
    if (req) add(walk, "request-type-changed", "major", path, `now only accepts ${list(newT!)} (was any type)`);
    else add(walk, "response-type-narrowed", "minor", path, `is now always ${list(newT!)} (was any type)`);
    return false;
  }
  if (!newT) {
    if (req) add(walk, "request-type-widened", "minor", path, `now accepts any type (was ${list(oldT)})`);
    else
      add(
        walk,
        "response-type-widened",
        "major",
        path,
        `may now be any type (was ${list(oldT)}): clients may read a type they do not expect`,
      );
    return false;
  }
  const removed = [...oldT].filter((t) => !admits(newT, t));
  const added = [...newT].filter((t) => !admits(oldT, t));
  if (removed.length === 0 && added.length === 0) return false;
  const nonNull = (l: string[]) => l.filter((t) => t !== "null");
  if (nonNull(removed).length === 0 && nonNull(added).length === 0) return nullability(side, oldT, newT, path);
  const was = `${list(oldT)} → ${list(newT)}`;
  if (req) {
    if (removed.length > 0)
      add(walk, "request-type-changed", "major", path, `type changed ${was}: values clients send today may be refused`);
    else add(walk, "request-type-widened", "minor", path, `type widened ${was}`);
  } else if (removed.length > 0 && added.length > 0)
    add(walk, "response-type-changed", "major", path, `type changed ${was}`);
  else if (added.length > 0)
    add(
      walk,
      "response-type-widened",
      "major",
      path,
      `type widened ${was}: clients may read a type they do not expect`,
    );
  else add(walk, "response-type-narrowed", "minor", path, `type narrowed ${was}`);
  return false;
}

const NO_OVERLAP = "TypeScript code comparing with it no longer compiles (no overlap)";

/** Enum values added and removed; `skipNull` when the type comparison already reported null coming or going. */
export function compareEnums(side: Side, oldS: JsonObject, newS: JsonObject, path: string, skipNull: boolean): void {
  const { walk, req } = side;
  const oldE = enumValues(oldS);
  const newE = enumValues(newS);
  if (!oldE && !newE) return;
  const listed = (values: unknown[]) => values.map(short).join(", ");
  if (!oldE) {
    if (req) add(walk, "request-enum-added", "major", path, `now only accepts ${listed(newE!)}`);
    else {
      const why = "TypeScript code comparing with any other value no longer compiles (no overlap)";
      add(walk, "response-enum-added", "minor", path, `is now one of ${listed(newE!)}: ${why}`, {
        literalComparison: true,
      });
    }
    return;
  }
  if (!newE) {
    if (req) add(walk, "request-enum-removed", "minor", path, `no longer limited to ${listed(oldE)}`);
    else
      add(
        walk,
        "response-enum-removed",
        "minor",
        path,
        `no longer limited to ${listed(oldE)}: any value may arrive, which breaks exhaustive switches`,
        { exhaustiveSwitch: true },
      );
    return;
  }
  const keyOf = (v: unknown) => canonicalJson(v);
  const oldKeys = new Set(oldE.map(keyOf));
  const newKeys = new Set(newE.map(keyOf));
  for (const v of oldE) {
    if (newKeys.has(keyOf(v)) || (skipNull && v === null)) continue;
    if (req) add(walk, "request-enum-value-removed", "major", path, `value ${short(v)} is no longer accepted`);
    else
      add(
        walk,
        "response-enum-value-removed",
        "minor",
        path,
        `value ${short(v)} is no longer returned: ${NO_OVERLAP}`,
        { literalComparison: true },
      );
  }
  for (const v of newE) {
    if (oldKeys.has(keyOf(v)) || (skipNull && v === null)) continue;
    if (req) add(walk, "request-enum-value-added", "minor", path, `value ${short(v)} is now accepted`);
    else
      add(
        walk,
        "response-enum-value-added",
        "minor",
        path,
        `value ${short(v)} may now be returned: this breaks exhaustive switches over the enum`,
        { exhaustiveSwitch: true },
      );
  }
}

function report(side: Side, at: string, narrowed: boolean, what: string): void {
  if (side.req)
    add(
      side.walk,
      narrowed ? "request-constraint-narrowed" : "request-constraint-widened",
      narrowed ? "major" : "minor",
      at,
      `${what}${narrowed ? ": values clients send today may be refused" : ""}`,
    );
  else add(side.walk, "response-constraint-changed", "minor", at, what);
}

/** A format only narrows when the new one is checked and differs; annotations change as a patch. */
function compareFormat(side: Side, o: unknown, n: unknown, path: string): void {
  if (o === n) return;
  const checked = (f: unknown) => typeof f === "string" && CHECKED_FORMATS.has(f);
  const at = child(path, "format");
  const what =
    o === undefined
      ? `format ${short(n)} added`
      : n === undefined
        ? `format ${short(o)} removed`
        : `format ${short(o)} → ${short(n)}`;
  if (checked(n)) report(side, at, true, what);
  else if (checked(o)) report(side, at, false, what);
  else add(side.walk, "format-changed", "patch", at, `${what} (an annotation: no value is refused for it)`);
}

export function compareConstraints(side: Side, oldS: JsonObject, newS: JsonObject, path: string): void {
  const bound = (keyword: string, upper: boolean) => {
    const o = oldS[keyword];
    const n = newS[keyword];
    const at = child(path, keyword);
    // 3.0's boolean exclusiveMaximum/exclusiveMinimum modify the bound; compare them whole.
    if (canonicalJson(o) === canonicalJson(n)) return;
    if (typeof o === "boolean" || typeof n === "boolean")
      return report(side, at, true, `${keyword} ${short(o)} → ${short(n)}`);
    if (o === undefined) return report(side, at, true, `${keyword} ${short(n)} added`);
    if (n === undefined) return report(side, at, false, `${keyword} ${short(o)} removed`);
    if (typeof o !== "number" || typeof n !== "number")
      return report(side, at, true, `${keyword} ${short(o)} → ${short(n)}`);
    const narrowed = upper ? n < o : n > o;
    report(side, at, narrowed, `${keyword} ${n < o ? "lowered" : "raised"} ${o} → ${n}`);
  };
  for (const k of UPPER) bound(k, true);
  for (const k of LOWER) bound(k, false);
  compareFormat(side, oldS.format, newS.format, path);
  for (const k of NARROWING_WHEN_ADDED) {
    const o = oldS[k];
    const n = newS[k];
    if (canonicalJson(o) === canonicalJson(n)) continue;
    const at = child(path, k);
    if (k === "uniqueItems") report(side, at, n === true, `uniqueItems ${short(o ?? false)} → ${short(n ?? false)}`);
    else if (n === undefined) report(side, at, false, `${k} ${short(o)} removed`);
    else report(side, at, true, o === undefined ? `${k} ${short(n)} added` : `${k} ${short(o)} → ${short(n)}`);
  }
}
