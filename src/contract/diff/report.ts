/**
 * One change to a shared schema reaches every operation that uses it; a
 * report lists it once, with the places it reaches. Changes group when they
 * come from the same schema (`schema` and `schemaPath`) and say the same
 * thing (severity, kind, message).
 */
import type { SpecChange } from "./model.js";

/** A change and the other places the same change reaches (empty when it has none). */
export interface ChangeGroup {
  head: SpecChange;
  also: SpecChange[];
}

const place = (c: SpecChange): string => `${c.operation}${c.path ? ` ${c.path}` : ""}`;

/**
 * Groups `changes` in the order of their first member. `readsFirst` puts a
 * group's places in GET operations first (where a client most plainly reads
 * a response field), so the head line shows one of them.
 */
export function groupChanges(changes: readonly SpecChange[], readsFirst = false): ChangeGroup[] {
  const groups = new Map<string, SpecChange[]>();
  changes.forEach((c, i) => {
    const key =
      c.schema === undefined ? `#${i}` : JSON.stringify([c.severity, c.schema, c.schemaPath, c.kind, c.message]);
    const list = groups.get(key);
    if (list) list.push(c);
    else groups.set(key, [c]);
  });
  return [...groups.values()].map((list) => {
    const ordered = readsFirst
      ? [...list.filter((c) => c.operation.startsWith("GET ")), ...list.filter((c) => !c.operation.startsWith("GET "))]
      : list;
    return { head: ordered[0]!, also: ordered.slice(1) };
  });
}

/** `the same change to #/components/schemas/X reaches 3 more places: A; B; C`, or undefined for a change alone. */
export function alsoLine(group: ChangeGroup, quote: (text: string) => string = (t) => t): string | undefined {
  if (group.also.length === 0) return undefined;
  const places = group.also.map((c) => quote(place(c))).join("; ");
  const more = `${group.also.length} more place${group.also.length === 1 ? "" : "s"}`;
  return `the same change to ${quote(group.head.schema!)} reaches ${more}: ${places}`;
}
