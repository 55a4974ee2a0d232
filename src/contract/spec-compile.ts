/**
 * A schema of the spec that ajv cannot compile (`nullable` without `type`,
 * say) is a problem of the spec, not of the recording that reached it: it is
 * thrown as a typed {@link SpecSchemaError} naming the innermost schema at
 * fault, so the CLI can report it once and a library user can tell it from
 * a finding.
 */
import { TwilioConfigError } from "../core/errors.js";
import { getAtPointer, isObject, type JsonObject } from "./json-pointer.js";

/** A schema of the spec cannot be compiled; `pointer` names the innermost one at fault. */
export class SpecSchemaError extends TwilioConfigError {
  static {
    Object.defineProperty(this.prototype, "name", {
      value: "SpecSchemaError",
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  constructor(
    readonly pointer: string,
    readonly reason: string,
  ) {
    super(`the spec's schema at #${pointer} cannot be compiled: ${reason}`);
  }
}

const escapeRef = (token: string): string => token.replace(/~/g, "~0").replace(/\//g, "~1");

/** Keys whose value is one subschema, and keys whose value is a list or a map of them. */
const ONE = [
  "items",
  "additionalProperties",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
  "unevaluatedProperties",
  "unevaluatedItems",
];
const MANY = ["prefixItems", "allOf", "anyOf", "oneOf", "properties", "patternProperties", "dependentSchemas", "$defs"];

/** The subschemas of a schema node, a local `$ref`'s target first. */
function children(node: JsonObject, pointer: string): string[] {
  const out: string[] = [];
  if (typeof node.$ref === "string" && node.$ref.startsWith("#/")) {
    try {
      out.push(decodeURIComponent(node.$ref.slice(1)));
    } catch {
      // a malformed escape: unresolvedRefs reports it before any compile
    }
  }
  for (const key of ONE) if (isObject(node[key])) out.push(`${pointer}/${key}`);
  for (const key of MANY) {
    const value = node[key];
    if (Array.isArray(value)) value.forEach((sub, i) => isObject(sub) && out.push(`${pointer}/${key}/${i}`));
    else if (isObject(value))
      for (const [name, sub] of Object.entries(value))
        if (isObject(sub)) out.push(`${pointer}/${key}/${escapeRef(name)}`);
  }
  return out;
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.slice(0, 300);
}

/**
 * The innermost subschema under `pointer` that fails to compile: the failing
 * child is followed down while there is one (a failing schema with no failing
 * child is itself the culprit). `compile` throws for a schema that fails.
 */
export function uncompilable(
  document: object,
  pointer: string,
  error: unknown,
  compile: (pointer: string) => void,
): SpecSchemaError {
  let at = pointer;
  let reason = reasonOf(error);
  for (let depth = 0; depth < 64; depth++) {
    const node = getAtPointer(document, at);
    if (!isObject(node)) break;
    let failing: { child: string; error: unknown } | undefined;
    for (const child of children(node, at)) {
      try {
        compile(child);
      } catch (e) {
        failing = { child, error: e };
        break;
      }
    }
    if (!failing) break;
    at = failing.child;
    reason = reasonOf(failing.error);
  }
  return new SpecSchemaError(at, reason);
}
