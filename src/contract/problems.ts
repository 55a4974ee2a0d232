/**
 * ajv's errors as Problems a user can act on: each says once, in our words,
 * what was expected and what was found (issue 29), never ajv's own wording.
 */
import type { ErrorObject } from "ajv/dist/2020.js";
import { escapePointerToken, getAtPointer, isObject, jsonType } from "./json-pointer.js";
import type { Problem } from "./types.js";

export function driftProblem(e: ErrorObject, root: string): Problem {
  const name = (e.params as { additionalProperty?: string }).additionalProperty ?? "?";
  return {
    where: `${root}${e.instancePath}/${escapePointerToken(name)}`,
    message: `undocumented field "${name}" (drift)`,
    expected: "no such field (additionalProperties: false)",
    found: name,
  };
}

export function dedupe(problems: Problem[]): Problem[] {
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
  // Only the start is shown: a long string is cut before it is serialised, not after (bodies reach megabytes).
  const shown = typeof value === "string" && value.length > 240 ? value.slice(0, 240) : value;
  const text = JSON.stringify(shown) ?? String(shown);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Characters as JSON Schema counts them (code points), without copying the string. */
export function codePoints(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return text.length - pairs;
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
  const combinatorAt = new Set(
    errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").map((e) => e.instancePath),
  );
  const problems: Problem[] = [];
  for (const e of errors) {
    if (e.keyword === "if" || e.propertyName !== undefined || e.schemaPath.includes("/contains/")) continue;
    const folded =
      e.keyword !== "anyOf" &&
      e.keyword !== "oneOf" &&
      e.keyword !== "additionalProperties" &&
      e.keyword !== "required";
    if (folded && combinatorAt.has(e.instancePath)) continue;
    problems.push(toProblem(e, data, root, errors));
  }
  if (problems.length === 0 && errors.length > 0) {
    const e = errors[0]!;
    problems.push({
      where: `${root}${e.instancePath}`,
      message: "value does not meet the schema's conditions",
      found: describeValue(getAtPointer(data, e.instancePath)),
    });
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
    case "type":
      return typeWords(p.type);
    case "enum":
      return (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(" | ");
    case "const":
      return JSON.stringify(p.allowedValue);
    case "pattern":
      return `pattern ${String(p.pattern)}`;
    case "format":
      return `format ${String(p.format)}`;
    case "maximum":
      return `at most ${String(p.limit)}`;
    case "exclusiveMaximum":
      return `less than ${String(p.limit)}`;
    case "minimum":
      return `at least ${String(p.limit)}`;
    case "exclusiveMinimum":
      return `more than ${String(p.limit)}`;
    case "multipleOf":
      return `a multiple of ${String(p.multipleOf)}`;
    case "maxLength":
      return `at most ${plural(p.limit, "character")}`;
    case "minLength":
      return `at least ${plural(p.limit, "character")}`;
    case "maxItems":
    case "items":
    case "additionalItems":
    case "unevaluatedItems":
      return `at most ${plural(p.limit, "item")}`;
    case "minItems":
      return `at least ${plural(p.limit, "item")}`;
    case "maxProperties":
      return `at most ${plural(p.limit, "field")}`;
    case "minProperties":
      return `at least ${plural(p.limit, "field")}`;
    case "uniqueItems":
      return "items that all differ";
    case "required":
      return `field "${String(p.missingProperty)}"`;
    case "dependentRequired":
    case "dependencies":
      return `field "${String(p.missingProperty)}" beside "${String(p.property)}"`;
    case "additionalProperties":
    case "unevaluatedProperties":
      return "no such field";
    case "propertyNames":
      return "a documented field name";
    case "contains":
      return p.maxContains === undefined
        ? `at least ${plural(p.minContains, "matching item")}`
        : `from ${String(p.minContains)} to ${plural(p.maxContains, "matching item")}`;
    case "not":
      return "a value of another form";
    case "false schema":
      return "no value here";
    case "anyOf":
    case "oneOf":
      return "one of the documented forms";
    default:
      return `the schema's "${e.keyword}" rule`;
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
    case "type":
      return typedValue(value);
    case "maxLength":
    case "minLength":
      return `${describeValue(value)}, ${plural(typeof value === "string" ? codePoints(value) : 0, "character")}`;
    case "maxItems":
    case "minItems":
    case "items":
    case "additionalItems":
    case "unevaluatedItems":
    case "contains":
      return Array.isArray(value) ? plural(value.length, "item") : describeValue(value);
    case "maxProperties":
    case "minProperties":
      return plural(Object.keys(isObject(value) ? value : {}).length, "field");
    case "uniqueItems":
      return `items ${String(p.j)} and ${String(p.i)} equal`;
    default:
      return describeValue(value);
  }
}

function toProblem(e: ErrorObject, data: unknown, root: string, all: ErrorObject[]): Problem {
  const value = getAtPointer(data, e.instancePath);
  const where = `${root}${e.instancePath}`;
  const p = e.params as Record<string, unknown>;
  const field = (name: unknown) => `${where}/${escapePointerToken(String(name))}`;
  switch (e.keyword) {
    case "required":
      return {
        where: field(p.missingProperty),
        message: `required field "${String(p.missingProperty)}" is missing`,
        expected: "present",
        found: "missing",
      };
    case "dependentRequired":
    case "dependencies":
      return {
        where: field(p.missingProperty),
        message: `field "${String(p.missingProperty)}" is required when "${String(p.property)}" is present`,
        expected: "present",
        found: "missing",
      };
    case "additionalProperties":
    case "unevaluatedProperties": {
      const name = String(p.additionalProperty ?? p.unevaluatedProperty);
      return {
        where: field(name),
        message: `unknown field "${name}"`,
        expected: "no such field",
        found: describeValue(isObject(value) ? value[name] : undefined),
      };
    }
    case "propertyNames":
      return {
        where: field(p.propertyName),
        message: `field name "${String(p.propertyName)}" is not allowed`,
        expected: "a documented field name",
        found: JSON.stringify(p.propertyName),
      };
    case "format":
      return {
        where,
        message: `value is not a valid ${String(p.format)}`,
        expected: expectation(e),
        found: describeValue(value),
      };
    case "anyOf":
    case "oneOf":
      return combinatorProblem(e, where, value, all);
    default:
      return {
        where,
        message: MESSAGES[e.keyword] ?? `value breaks the schema's "${e.keyword}" rule`,
        expected: expectation(e),
        found: finding(e, value),
      };
  }
}

function combinatorProblem(e: ErrorObject, where: string, value: unknown, all: ErrorObject[]): Problem {
  const passing = (e.params as { passingSchemas?: unknown }).passingSchemas;
  if (e.keyword === "oneOf" && Array.isArray(passing)) {
    return {
      where,
      message: "value matches more than one of the allowed forms",
      expected: "exactly one of the documented forms",
      found: describeValue(value),
    };
  }
  const branches = all.filter(
    (b) =>
      b !== e &&
      b.instancePath === e.instancePath &&
      b.keyword !== "anyOf" &&
      b.keyword !== "oneOf" &&
      b.keyword !== "if",
  );
  // Branches that differ only in type read as one list: `boolean or null`.
  const types = branches.every((b) => b.keyword === "type")
    ? branches.flatMap((b) => typeWords((b.params as { type: unknown }).type).split(/, | or /))
    : [];
  const expected = types.length > 0 ? [typeWords([...new Set(types)])] : [...new Set(branches.map(expectation))];
  return {
    where,
    message: "value matches none of the allowed forms",
    expected: expected.length > 0 ? expected.join("; or ") : "one of the documented forms",
    found: describeValue(value),
  };
}
