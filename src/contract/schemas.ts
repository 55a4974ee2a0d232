/**
 * ajv over one bundled OpenAPI document. The whole document is registered as
 * a single schema under a private $id, and every schema we check is compiled
 * as `{ $ref: "<id>#<pointer to it>" }`, so `$ref: "#/components/..."` inside
 * keeps resolving and each component is compiled by ajv only once.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import * as ajvFormats from "ajv-formats";
import { escapePointerToken, getAtPointer, isObject, jsonType } from "./json-pointer.js";
import { SpecSchemaError, uncompilable } from "./spec-compile.js";
import type { Problem } from "./types.js";

const DOCUMENT_ID = "urn:twilio-video-ts:openapi";

// ajv-formats is CommonJS; depending on the loader the plugin is the module or its default.
type FormatsPlugin = (ajv: Ajv2020, opts?: unknown) => Ajv2020;
const addFormats: FormatsPlugin =
  ((ajvFormats as unknown as { default?: FormatsPlugin }).default ?? (ajvFormats as unknown as FormatsPlugin));

export interface SchemaCheck {
  errors: Problem[];
  /** Undocumented properties of objects that forbid them. */
  drift: Problem[];
}

/**
 * A strict subset of RFC 3986 URIs (the ajv-formats `uri` regex accepts every
 * string this one does): http(s), a registered name or IPv4 host, a port, then
 * path and query characters without percent-escapes. Tested against the full
 * regex in contract-tests/validator.test.ts.
 */
export const PLAIN_HTTP_URL = /^https?:\/\/[a-z0-9.-]+(?::\d+)?(?:[/?][a-z0-9\-._~!$&'()*+,;=:@/?]*)?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The two digits at `i` as a number, or -1. Character codes, not a regex: this runs for every date-time of every response. */
function twoDigits(value: string, i: number): number {
  const high = value.charCodeAt(i) - 48;
  const low = value.charCodeAt(i + 1) - 48;
  return high >= 0 && high <= 9 && low >= 0 && low <= 9 ? high * 10 + low : -1;
}

/**
 * The one shape Twilio writes date-times in, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`
 * (`2015-07-30T20:00:00Z`): UTC, upper-case `T` and `Z`, no leap second. A
 * strict subset of RFC 3339 `date-time` as ajv-formats checks it, tested
 * against it in contract-tests/validator.test.ts.
 */
export function isUtcDateTime(value: string): boolean {
  const end = value.length - 1;
  if (end < 19 || value.charCodeAt(end) !== 90 /* Z */) return false;
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(10) !== 84 || value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) return false;
  if (end > 19) {
    if (value.charCodeAt(19) !== 46 /* . */ || end === 20) return false;
    for (let i = 20; i < end; i++) {
      const digit = value.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return false;
    }
  }
  const century = twoDigits(value, 0);
  const yearOfCentury = twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (century < 0 || yearOfCentury < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const year = century * 100 + yearOfCentury;
  const leapDay = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  return day <= DAYS_IN_MONTH[month - 1]! + leapDay;
}

export class SchemaRegistry {
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly failed = new Map<string, SpecSchemaError>();

  constructor(private readonly document: object) {
    this.ajv = new Ajv2020({
      // OpenAPI adds keywords ajv does not know (example, discriminator, xml, externalDocs…);
      // they are annotations, so ignoring them is the correct semantics.
      strict: false,
      allErrors: true,
      validateSchema: false,
      logger: false,
    });
    addFormats(this.ajv);
    // OpenAPI's own formats: the JSON type already says what matters, so they only annotate.
    for (const name of ["int32", "int64", "float", "double", "password", "binary"]) this.ajv.addFormat(name, true);
    // Every response carries several absolute URLs (url, links, page URLs), and
    // ajv-formats' RFC 3986 regex was the largest single cost of validating
    // them. Plain http(s) URLs take a narrower regex first; whatever it does not
    // accept still gets the full check, so the format means exactly what it did.
    const fullUri = this.ajv.formats.uri;
    if (typeof fullUri === "function") this.ajv.addFormat("uri", (value: string) => PLAIN_HTTP_URL.test(value) || fullUri(value));
    // Date-times likewise (every resource has two or more): ajv-formats splits
    // and re-parses each one; Twilio's UTC shape takes one scan of its
    // characters and the calendar, and anything else gets the full check.
    const fullDateTime = this.ajv.formats["date-time"];
    if (typeof fullDateTime === "object" && "validate" in fullDateTime && typeof fullDateTime.validate === "function") {
      const validate = fullDateTime.validate as (value: string) => boolean;
      this.ajv.addFormat("date-time", { ...fullDateTime, validate: (value: string) => isUtcDateTime(value) || validate(value) } as typeof fullDateTime);
    }
    this.ajv.addSchema({ ...(document as Record<string, unknown>), $id: DOCUMENT_ID });
  }

  /**
   * The compiled validator of the schema at `pointer` (compiled on first use).
   * A schema ajv cannot compile throws a {@link SpecSchemaError} naming the
   * innermost schema at fault, the same one each time it is asked for.
   */
  validator(pointer: string): ValidateFunction {
    let fn = this.cache.get(pointer);
    if (fn) return fn;
    const failed = this.failed.get(pointer);
    if (failed) throw failed;
    try {
      fn = this.compile(pointer);
    } catch (error) {
      const named = uncompilable(this.document, pointer, error, (child) => void this.compile(child));
      this.failed.set(pointer, named);
      throw named;
    }
    this.cache.set(pointer, fn);
    return fn;
  }

  private compile(pointer: string): ValidateFunction {
    return this.ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer.split("/").map((t, i) => (i === 0 ? t : encodeURIComponent(t).replace(/%2F/g, "~1"))).join("/")}` });
  }

  /**
   * Validates `data` and splits the outcome into errors and drift. Drift is
   * an undocumented property where `additionalProperties: false` forbids it:
   * the properties ajv names are removed from a copy and the copy validated
   * again; if that passes, the only disagreement was the extra fields.
   */
  check(pointer: string, data: unknown, root: string, separateDrift: boolean): SchemaCheck {
    return this.checkWith(this.validator(pointer), data, root, separateDrift);
  }

  /** `check` with the compiled validator already in hand (callers that cache it skip the lookup). */
  checkWith(validate: ValidateFunction, data: unknown, root: string, separateDrift: boolean): SchemaCheck {
    if (validate(data)) return { errors: [], drift: [] };
    const first = validate.errors ?? [];
    const extras = first.filter((e) => e.keyword === "additionalProperties");
    if (!separateDrift || extras.length === 0) return { errors: toProblems(first, data, root), drift: [] };

    const drift = dedupe(extras.map((e) => driftProblem(e, root)));
    const stripped = structuredClone(data);
    for (const e of extras) {
      const parent = getAtPointer(stripped, e.instancePath);
      const name = (e.params as { additionalProperty?: string }).additionalProperty;
      if (isObject(parent) && name !== undefined) delete parent[name];
    }
    if (validate(stripped)) return { errors: [], drift };
    const rest = first.filter((e) => e.keyword !== "additionalProperties");
    return { errors: toProblems(rest.length > 0 ? rest : first, data, root), drift };
  }
}

function driftProblem(e: ErrorObject, root: string): Problem {
  const name = (e.params as { additionalProperty?: string }).additionalProperty ?? "?";
  return {
    where: `${root}${e.instancePath}/${escapePointerToken(name)}`,
    message: `undocumented field "${name}" (drift)`,
    expected: "no such field (additionalProperties: false)",
    found: name,
  };
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.where}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Renders a value for `found`, short enough for one line of CLI output. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Turns ajv errors into Problems, each saying once, in our words, what was
 * expected and what was found. Errors that only repeat another are dropped:
 * branch errors of a failed anyOf/oneOf at the same location (folded into the
 * combinator's "expected"), `if` (the then/else errors beside it say what is
 * wrong), and the inner errors of propertyNames and contains (their own
 * error names the field or the array). Deeper branch errors (a bad enum
 * inside an object) stay, because they usually name the actual mistake.
 */
export function toProblems(errors: ErrorObject[], data: unknown, root: string): Problem[] {
  const combinatorAt = new Set(errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").map((e) => e.instancePath));
  const problems: Problem[] = [];
  for (const e of errors) {
    if (e.keyword === "if" || e.propertyName !== undefined || e.schemaPath.includes("/contains/")) continue;
    const folded = e.keyword !== "anyOf" && e.keyword !== "oneOf" && e.keyword !== "additionalProperties" && e.keyword !== "required";
    if (folded && combinatorAt.has(e.instancePath)) continue;
    problems.push(toProblem(e, data, root, errors));
  }
  if (problems.length === 0 && errors.length > 0) {
    const e = errors[0]!;
    problems.push({ where: `${root}${e.instancePath}`, message: "value does not meet the schema's conditions", found: describeValue(getAtPointer(data, e.instancePath)) });
  }
  return dedupe(problems);
}

const plural = (n: unknown, noun: string): string => `${String(n)} ${noun}${n === 1 ? "" : "s"}`;

/** A type list as words: `integer or null`. */
function typeWords(type: unknown): string {
  const list = Array.isArray(type) ? type.map(String) : String(type).split(",");
  return list.length <= 1 ? list.join("") : `${list.slice(0, -1).join(", ")} or ${list.at(-1)}`;
}

/** A value for `found` with its JSON type in front (`string "3"`), except null, which says it all. */
function typedValue(value: unknown): string {
  return value === null ? "null" : `${jsonType(value)} ${describeValue(value)}`;
}

/** What one keyword asked for, in words: a Problem's `expected`, or one branch of an anyOf/oneOf. */
export function expectation(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "type": return typeWords(p.type);
    case "enum": return (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(" | ");
    case "const": return JSON.stringify(p.allowedValue);
    case "pattern": return `pattern ${String(p.pattern)}`;
    case "format": return `format ${String(p.format)}`;
    case "maximum": return `at most ${String(p.limit)}`;
    case "exclusiveMaximum": return `less than ${String(p.limit)}`;
    case "minimum": return `at least ${String(p.limit)}`;
    case "exclusiveMinimum": return `more than ${String(p.limit)}`;
    case "multipleOf": return `a multiple of ${String(p.multipleOf)}`;
    case "maxLength": return `at most ${plural(p.limit, "character")}`;
    case "minLength": return `at least ${plural(p.limit, "character")}`;
    case "maxItems": case "items": case "additionalItems": case "unevaluatedItems": return `at most ${plural(p.limit, "item")}`;
    case "minItems": return `at least ${plural(p.limit, "item")}`;
    case "maxProperties": return `at most ${plural(p.limit, "field")}`;
    case "minProperties": return `at least ${plural(p.limit, "field")}`;
    case "uniqueItems": return "items that all differ";
    case "required": return `field "${String(p.missingProperty)}"`;
    case "dependentRequired": case "dependencies": return `field "${String(p.missingProperty)}" beside "${String(p.property)}"`;
    case "additionalProperties": case "unevaluatedProperties": return "no such field";
    case "propertyNames": return "a documented field name";
    case "contains": return p.maxContains === undefined ? `at least ${plural(p.minContains, "matching item")}` : `from ${String(p.minContains)} to ${plural(p.maxContains, "matching item")}`;
    case "not": return "a value of another form";
    case "false schema": return "no value here";
    case "anyOf": case "oneOf": return "one of the documented forms";
    default: return `the schema's "${e.keyword}" rule`;
  }
}

/** What a keyword's failure is, in words; the details go in `expected` and `found`. */
const MESSAGES: Record<string, string> = {
  type: "wrong type",
  enum: "value is not one of the allowed values",
  const: "value is not the allowed constant",
  pattern: "value does not match the pattern",
  maximum: "number is too large",
  exclusiveMaximum: "number is too large",
  minimum: "number is too small",
  exclusiveMinimum: "number is too small",
  multipleOf: "number is not an allowed multiple",
  maxLength: "text is too long",
  minLength: "text is too short",
  maxItems: "too many items",
  items: "too many items",
  additionalItems: "too many items",
  unevaluatedItems: "too many items",
  minItems: "too few items",
  maxProperties: "too many fields",
  minProperties: "too few fields",
  uniqueItems: "items repeat",
  contains: "no item has the required form",
  not: "value has a form the schema excludes",
  "false schema": "no value is allowed here",
};

/** `found` for a keyword: the value, with the count the keyword is about. */
function finding(e: ErrorObject, value: unknown): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "type": return typedValue(value);
    case "maxLength": case "minLength": return `${describeValue(value)}, ${plural(typeof value === "string" ? [...value].length : 0, "character")}`;
    case "maxItems": case "minItems": case "items": case "additionalItems": case "unevaluatedItems": case "contains":
      return Array.isArray(value) ? plural(value.length, "item") : describeValue(value);
    case "maxProperties": case "minProperties": return plural(Object.keys(isObject(value) ? value : {}).length, "field");
    case "uniqueItems": return `items ${String(p.j)} and ${String(p.i)} equal`;
    default: return describeValue(value);
  }
}

function toProblem(e: ErrorObject, data: unknown, root: string, all: ErrorObject[]): Problem {
  const value = getAtPointer(data, e.instancePath);
  const where = `${root}${e.instancePath}`;
  const p = e.params as Record<string, unknown>;
  const field = (name: unknown) => `${where}/${escapePointerToken(String(name))}`;
  switch (e.keyword) {
    case "required":
      return { where: field(p.missingProperty), message: `required field "${String(p.missingProperty)}" is missing`, expected: "present", found: "missing" };
    case "dependentRequired":
    case "dependencies":
      return { where: field(p.missingProperty), message: `field "${String(p.missingProperty)}" is required when "${String(p.property)}" is present`, expected: "present", found: "missing" };
    case "additionalProperties":
    case "unevaluatedProperties": {
      const name = String(p.additionalProperty ?? p.unevaluatedProperty);
      return { where: field(name), message: `unknown field "${name}"`, expected: "no such field", found: describeValue(isObject(value) ? value[name] : undefined) };
    }
    case "propertyNames":
      return { where: field(p.propertyName), message: `field name "${String(p.propertyName)}" is not allowed`, expected: "a documented field name", found: JSON.stringify(p.propertyName) };
    case "format":
      return { where, message: `value is not a valid ${String(p.format)}`, expected: expectation(e), found: describeValue(value) };
    case "anyOf":
    case "oneOf":
      return combinatorProblem(e, where, value, all);
    default:
      return { where, message: MESSAGES[e.keyword] ?? `value breaks the schema's "${e.keyword}" rule`, expected: expectation(e), found: finding(e, value) };
  }
}

function combinatorProblem(e: ErrorObject, where: string, value: unknown, all: ErrorObject[]): Problem {
  const passing = (e.params as { passingSchemas?: unknown }).passingSchemas;
  if (e.keyword === "oneOf" && Array.isArray(passing)) {
    return { where, message: "value matches more than one of the allowed forms", expected: "exactly one of the documented forms", found: describeValue(value) };
  }
  const branches = all.filter((b) => b !== e && b.instancePath === e.instancePath && b.keyword !== "anyOf" && b.keyword !== "oneOf" && b.keyword !== "if");
  // Branches that differ only in type read as one list: `boolean or null`.
  const types = branches.every((b) => b.keyword === "type") ? branches.flatMap((b) => typeWords((b.params as { type: unknown }).type).split(/, | or /)) : [];
  const expected = types.length > 0 ? [typeWords([...new Set(types)])] : [...new Set(branches.map(expectation))];
  return {
    where,
    message: "value matches none of the allowed forms",
    expected: expected.length > 0 ? expected.join("; or ") : "one of the documented forms",
    found: describeValue(value),
  };
}
