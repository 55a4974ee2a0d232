/**
 * `allOf`, `oneOf` and `anyOf` compared variant by variant. A response
 * variant added under a discriminator is a new value of that discriminator,
 * judged like a new enum value (minor, breaks exhaustive switches); without a
 * discriminator, clients cannot tell the new shape apart (major).
 */
import { isObject, type JsonObject } from "../json-pointer.js";
import type { Side } from "./keywords.js";
import { add, child, resolve } from "./model.js";

export type CompositionKind = "allOf" | "oneOf" | "anyOf";

/** Queues a pair of variants for the walker. */
export type Descend = (oldRaw: unknown, newRaw: unknown, path: string) => void;

/**
 * The discriminator values a union's variant stands for: the `mapping`
 * entries naming it, else its property's `const` or `enum`, else its schema name.
 */
function discriminatorValues(union: JsonObject, variant: unknown, doc: JsonObject): string[] {
  const d = union.discriminator;
  if (!isObject(d) || typeof d.propertyName !== "string") return [];
  const ref = isObject(variant) && typeof variant.$ref === "string" ? variant.$ref : undefined;
  const name = ref?.split("/").pop();
  const mapping = isObject(d.mapping) ? Object.entries(d.mapping) : [];
  const mapped = mapping.filter(([, target]) => target === ref || (name !== undefined && target === name));
  if (mapped.length > 0) return mapped.map(([value]) => value);
  const properties = resolve(doc, variant).node.properties;
  const property = resolve(doc, isObject(properties) ? properties[d.propertyName] : undefined).node;
  if (typeof property.const === "string") return [property.const];
  if (Array.isArray(property.enum)) return property.enum.filter((v): v is string => typeof v === "string");
  return name !== undefined ? [name] : [];
}

/** `StatusCallbackEvent "a", "b"` for a discriminated variant, else undefined. */
function discriminated(
  union: JsonObject,
  variant: unknown,
  doc: JsonObject,
): { property: string; values: string } | undefined {
  const values = discriminatorValues(union, variant, doc);
  if (values.length === 0) return undefined;
  const property = (union.discriminator as JsonObject).propertyName as string;
  return { property, values: values.map((v) => JSON.stringify(v)).join(", ") };
}

const NO_OVERLAP = "TypeScript code comparing with those values no longer compiles (no overlap)";

function variantRemoved(
  side: Side,
  kind: CompositionKind,
  union: JsonObject,
  variant: unknown,
  label: string,
  at: string,
): void {
  const { walk, req } = side;
  if (kind === "allOf" || req) {
    if (kind === "allOf") add(walk, "schema-composition-changed", "major", at, `allOf member ${label} removed`);
    else
      add(
        walk,
        "request-union-variant-removed",
        "major",
        at,
        `${kind} variant ${label} removed: clients sending that shape are refused`,
      );
    return;
  }
  const d = discriminated(union, variant, walk.oldDoc);
  const what = `${kind} variant ${label}${d ? ` (${d.property} ${d.values})` : ""} is no longer returned`;
  if (d)
    add(walk, "response-union-variant-removed", "minor", at, `${what}: ${NO_OVERLAP}`, { literalComparison: true });
  else add(walk, "response-union-variant-removed", "minor", at, what);
}

function variantAdded(
  side: Side,
  kind: CompositionKind,
  union: JsonObject,
  variant: unknown,
  label: string,
  at: string,
): void {
  const { walk, req } = side;
  if (kind === "allOf" || req) {
    if (kind === "allOf") add(walk, "schema-composition-changed", "major", at, `allOf member ${label} added`);
    else add(walk, "request-union-variant-added", "minor", at, `${kind} variant ${label} is now accepted`);
    return;
  }
  const d = discriminated(union, variant, walk.newDoc);
  if (d) {
    const what = `${kind} variant ${label} (${d.property} ${d.values}) may now be returned`;
    add(
      walk,
      "response-union-variant-added",
      "minor",
      at,
      `${what}: this breaks exhaustive switches over ${d.property}`,
      {
        exhaustiveSwitch: true,
      },
    );
  } else {
    const what = `${kind} variant ${label} may now be returned: clients may read a shape they do not expect`;
    add(walk, "response-union-variant-added", "major", at, what);
  }
}

/** Variants matched by their `$ref` when they have one, else by position; matched pairs go to `descend`. */
export function compareComposition(
  side: Side,
  kind: CompositionKind,
  oldS: JsonObject,
  newS: JsonObject,
  path: string,
  descend: Descend,
): void {
  const oldV = oldS[kind] as unknown[];
  const newV = newS[kind] as unknown[];
  const label = (v: unknown, i: number) =>
    isObject(v) && typeof v.$ref === "string" ? (v.$ref.split("/").pop() ?? "") : `#${i}`;
  const oldLabels = oldV.map(label);
  const newLabels = newV.map(label);
  const byLabel = new Map<string, number>();
  newLabels.forEach((l, j) => {
    if (!byLabel.has(l)) byLabel.set(l, j);
  });
  const at = (i: number) => child(child(path, kind), String(i));
  const matched = new Set<number>();
  oldV.forEach((variant, i) => {
    const own = oldLabels[i] ?? "";
    const positional = own.startsWith("#") && i < newV.length && (newLabels[i] ?? "").startsWith("#") ? i : -1;
    const j = own.startsWith("#") ? positional : (byLabel.get(own) ?? -1);
    if (j < 0 || matched.has(j)) variantRemoved(side, kind, oldS, variant, own, at(i));
    else {
      matched.add(j);
      descend(variant, newV[j], at(j));
    }
  });
  newV.forEach((variant, j) => {
    if (!matched.has(j)) variantAdded(side, kind, newS, variant, newLabels[j] ?? "", at(j));
  });
}
