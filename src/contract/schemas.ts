/**
 * ajv over one bundled OpenAPI document. The whole document is registered as
 * a single schema under a private $id, and every schema we check is compiled
 * as `{ $ref: "<id>#<pointer to it>" }`, so `$ref: "#/components/..."` inside
 * keeps resolving and each component is compiled by ajv only once.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import * as ajvFormats from "ajv-formats";
import { escapePointerToken, getAtPointer, isObject } from "./json-pointer.js";
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

  constructor(document: object) {
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

  /** The compiled validator of the schema at `pointer` (compiled on first use). */
  validator(pointer: string): ValidateFunction {
    let fn = this.cache.get(pointer);
    if (!fn) {
      fn = this.ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer.split("/").map((t, i) => (i === 0 ? t : encodeURIComponent(t).replace(/%2F/g, "~1"))).join("/")}` });
      this.cache.set(pointer, fn);
    }
    return fn;
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

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/**
 * Turns ajv errors into Problems. Branch errors of a failed anyOf/oneOf at
 * the same location only repeat what the combinator error says, so they are
 * folded into it; deeper branch errors (a bad enum inside an object) stay,
 * because they usually name the actual mistake.
 */
export function toProblems(errors: ErrorObject[], data: unknown, root: string): Problem[] {
  const combinatorAt = new Set(errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").map((e) => e.instancePath));
  const problems: Problem[] = [];
  for (const e of errors) {
    if (e.keyword !== "anyOf" && e.keyword !== "oneOf" && combinatorAt.has(e.instancePath) && e.keyword !== "additionalProperties" && e.keyword !== "required") {
      continue;
    }
    problems.push(toProblem(e, data, root, errors));
  }
  return dedupe(problems);
}

function toProblem(e: ErrorObject, data: unknown, root: string, all: ErrorObject[]): Problem {
  const value = getAtPointer(data, e.instancePath);
  const where = `${root}${e.instancePath}`;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required": {
      const name = String(params.missingProperty);
      return { where: `${where}/${escapePointerToken(name)}`, message: `required field "${name}" is missing`, expected: "present", found: "missing" };
    }
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      return { where: `${where}/${escapePointerToken(name)}`, message: `unknown field "${name}"`, expected: "no such field", found: describeValue(getAtPointer(data, `${e.instancePath}/${escapePointerToken(name)}`)) };
    }
    case "enum":
      return { where, message: "value is not one of the allowed values", expected: (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(" | "), found: describeValue(value) };
    case "const":
      return { where, message: "value is not the allowed constant", expected: JSON.stringify(params.allowedValue), found: describeValue(value) };
    case "type":
      return { where, message: `wrong type: expected ${String(params.type)}, found ${jsonType(value)}`, expected: String(params.type), found: `${jsonType(value)} ${describeValue(value)}` };
    case "pattern":
      return { where, message: "value does not match the pattern", expected: `pattern ${String(params.pattern)}`, found: describeValue(value) };
    case "format":
      return { where, message: `value is not a valid ${String(params.format)}`, expected: `format ${String(params.format)}`, found: describeValue(value) };
    case "anyOf":
    case "oneOf": {
      const branches = all.filter((b) => b !== e && b.instancePath === e.instancePath && b.keyword !== "anyOf" && b.keyword !== "oneOf");
      const expected = branches.map((b) => (b.keyword === "pattern" ? `pattern ${String((b.params as { pattern: string }).pattern)}` : `${b.keyword} ${b.message ?? ""}`.trim()));
      return {
        where,
        message: e.keyword === "oneOf" ? "value matches none (or more than one) of the allowed forms" : "value matches none of the allowed forms",
        expected: expected.length > 0 ? [...new Set(expected)].join("; or ") : "one of the documented forms",
        found: describeValue(value),
      };
    }
    default:
      return { where, message: `${e.keyword}: ${e.message ?? "invalid"}`, expected: e.message ?? e.keyword, found: describeValue(value) };
  }
}
