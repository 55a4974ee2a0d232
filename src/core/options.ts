/**
 * Checks of option bags, in one place: refusing option names the package does
 * not know (a misspelt `baseURL` would otherwise be ignored and the client
 * would talk to the real API), and range checks of numeric options. Every
 * check throws a typed error whose message quotes the caller's value only as
 * a short, escaped excerpt.
 */
import { TwilioConfigError, type TwilioVideoError } from "./errors.js";

/** setTimeout's limit: larger delays fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Names longer than this get no suggestion: no option is near, and the comparison stays cheap. */
const MAX_COMPARED = 64;

/** Levenshtein distance of two short strings (two rows, O(a × b) with b a known option name). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The known name `name` most likely stands for: the same name in another case,
 * else the closest one within a third of its length in edits, or one that
 * contains it (`retries` → `maxRetries`). Undefined when none is close.
 */
export function nearestName(name: string, known: Iterable<string>): string | undefined {
  if (name.length > MAX_COMPARED) return undefined;
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    if (other === lower) return candidate;
    const distance = editDistance(lower, other);
    const contained = lower.length >= 4 && (other.includes(lower) || lower.includes(other));
    if ((distance <= Math.max(1, Math.floor(other.length / 3)) || contained) && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** A value as an error message may show it: kind and a short escaped excerpt, never an unbounded or raw string. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || typeof value === "number" || typeof value === "boolean" || typeof value === "undefined")
    return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * The known names of an option bag, typed so that adding an option to its interface without listing it here
 * fails to compile.
 */
export function optionNames<T>(names: Record<keyof T, true>): ReadonlySet<string> {
  return new Set(Object.keys(names));
}

/**
 * Throws TwilioConfigError for the first own property of `options` whose name
 * is not in `known`, suggesting the nearest known one. `where` names the
 * option bag (`createVideoClient`, `call options`, …).
 */
export function refuseUnknownOptions(where: string, options: object, known: ReadonlySet<string>): void {
  for (const name in options) {
    if (known.has(name) || !Object.hasOwn(options, name)) continue;
    const guess = nearestName(name, known);
    const shown = JSON.stringify(name.length > MAX_COMPARED ? `${name.slice(0, MAX_COMPARED)}…` : name);
    const hint = guess ? `did you mean "${guess}"?` : `known options: ${[...known].join(", ")}`;
    throw new TwilioConfigError(`${where}: unknown option ${shown} (${hint})`);
  }
}

/** The options argument as an object (undefined and null count as none), else a TwilioConfigError. */
export function optionBag<T extends object>(where: string, options: T | null | undefined): T | undefined {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TwilioConfigError(`${where}: options must be an object, got ${describeValue(options)}`);
  }
  return options;
}

/** Bounds of a numeric option. */
export interface NumberRule {
  min: number;
  max: number;
  integer: boolean;
  /** Shown after "number", e.g. "ms" → "a whole number of ms". */
  unit?: string;
}

/** Throws `new errorClass(…)` when `value` is given and is not a finite number within the rule. */
export function checkNumber(
  name: string,
  value: unknown,
  rule: NumberRule,
  errorClass: new (message: string) => TwilioVideoError = TwilioConfigError,
): void {
  if (value === undefined) return;
  const { min, max, integer, unit } = rule;
  if (
    typeof value === "number" &&
    Number.isFinite(value) &&
    value >= min &&
    value <= max &&
    (!integer || Number.isInteger(value))
  )
    return;
  const what = `${integer ? "a whole number" : "a number"}${unit ? ` of ${unit}` : ""}`;
  throw new errorClass(`${name} must be ${what} from ${min} to ${max}, got ${describeValue(value)}`);
}
