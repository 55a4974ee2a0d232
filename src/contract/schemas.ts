/**
 * ajv over one bundled OpenAPI document. The whole document is registered as
 * a single schema under a private $id, and every schema we check is compiled
 * as `{ $ref: "<id>#<pointer to it>" }`, so `$ref: "#/components/..."` inside
 * keeps resolving and each component is compiled by ajv only once.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv/dist/2020.js";
import * as ajvFormats from "ajv-formats";
import { getAtPointer, isObject } from "./json-pointer.js";
import { dedupe, driftProblem, toProblems } from "./problems.js";
import { type SpecSchemaError, uncompilable } from "./spec-compile.js";
import type { Problem } from "./types.js";

const DOCUMENT_ID = "urn:twilio-video-ts:openapi";

// ajv-formats is CommonJS; depending on the loader the plugin is the module or its default.
type FormatsPlugin = (ajv: Ajv2020, opts?: unknown) => Ajv2020;
const addFormats: FormatsPlugin =
  (ajvFormats as unknown as { default?: FormatsPlugin }).default ?? (ajvFormats as unknown as FormatsPlugin);

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

/**
 * The two digits at `i` as a number, or -1. Character codes, not a regex: this runs for every date-time of every
 * response.
 */
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
  if (
    value.charCodeAt(4) !== 45 ||
    value.charCodeAt(7) !== 45 ||
    value.charCodeAt(10) !== 84 ||
    value.charCodeAt(13) !== 58 ||
    value.charCodeAt(16) !== 58
  )
    return false;
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
  if (
    century < 0 ||
    yearOfCentury < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  )
    return false;
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
    if (typeof fullUri === "function")
      this.ajv.addFormat("uri", (value: string) => PLAIN_HTTP_URL.test(value) || fullUri(value));
    // Date-times likewise (every resource has two or more): ajv-formats splits
    // and re-parses each one; Twilio's UTC shape takes one scan of its
    // characters and the calendar, and anything else gets the full check.
    const fullDateTime = this.ajv.formats["date-time"];
    if (typeof fullDateTime === "object" && "validate" in fullDateTime && typeof fullDateTime.validate === "function") {
      const validate = fullDateTime.validate as (value: string) => boolean;
      this.ajv.addFormat("date-time", {
        ...fullDateTime,
        validate: (value: string) => isUtcDateTime(value) || validate(value),
      } as typeof fullDateTime);
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
    return this.ajv.compile({
      $ref: `${DOCUMENT_ID}#${pointer
        .split("/")
        .map((t, i) => (i === 0 ? t : encodeURIComponent(t).replace(/%2F/g, "~1")))
        .join("/")}`,
    });
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

export { describeValue, expectation, toProblems } from "./problems.js";
