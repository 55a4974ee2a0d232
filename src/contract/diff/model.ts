/**
 * What a spec diff reports (the change kinds, their severity and semver
 * level) and the small helpers every comparison shares: recording a change,
 * following `$ref`s, and comparing documentation-only keys.
 */
import { escapePointerToken, getAtPointer, isObject, type JsonObject } from "../json-pointer.js";

/** How a change affects a client: `patch` is documentation only. */
export type ChangeSeverity = "breaking" | "non-breaking" | "patch";

/** The semantic-version bump one change calls for. */
export type SemverLevel = "major" | "minor" | "patch";

/** The bump the whole diff calls for: the highest of its changes, or `none` when nothing changed. */
export type DiffVerdict = SemverLevel | "none";

/** The kinds of change {@link diffSpecs} reports. */
export type ChangeKind =
  | "operation-removed"
  | "operation-added"
  | "operation-deprecated"
  | "operation-undeprecated"
  | "operation-id-changed"
  | "path-parameter-renamed"
  | "servers-changed"
  | "security-changed"
  | "request-parameter-removed"
  | "request-parameter-added"
  | "request-parameter-added-required"
  | "request-parameter-now-required"
  | "request-parameter-now-optional"
  | "request-parameter-serialization-changed"
  | "request-body-removed"
  | "request-body-added"
  | "request-body-added-required"
  | "request-body-now-required"
  | "request-body-now-optional"
  | "request-content-type-removed"
  | "request-content-type-added"
  | "request-encoding-changed"
  | "request-field-removed"
  | "request-field-added"
  | "request-field-added-required"
  | "request-field-now-required"
  | "request-field-now-optional"
  | "request-type-changed"
  | "request-type-widened"
  | "request-enum-value-removed"
  | "request-enum-value-added"
  | "request-enum-added"
  | "request-enum-removed"
  | "request-constraint-narrowed"
  | "request-constraint-widened"
  | "request-union-variant-removed"
  | "request-union-variant-added"
  | "response-status-removed"
  | "response-status-added"
  | "response-content-type-removed"
  | "response-content-type-added"
  | "response-body-removed"
  | "response-body-added"
  | "response-header-removed"
  | "response-header-added"
  | "response-field-removed"
  | "response-field-added"
  | "response-field-now-optional"
  | "response-field-now-required"
  | "response-became-nullable"
  | "response-no-longer-nullable"
  | "response-type-changed"
  | "response-type-widened"
  | "response-type-narrowed"
  | "response-enum-value-added"
  | "response-enum-value-removed"
  | "response-enum-added"
  | "response-enum-removed"
  | "response-constraint-changed"
  | "response-union-variant-added"
  | "response-union-variant-removed"
  | "schema-composition-changed"
  | "schema-changed"
  | "description-changed"
  | "summary-changed"
  | "title-changed"
  | "example-changed"
  | "external-docs-changed"
  | "extension-changed"
  | "tags-changed"
  | "info-changed"
  | "format-changed"
  | "schema-not-analysed";

/** One difference between the two documents. */
export interface SpecChange {
  kind: ChangeKind;
  severity: ChangeSeverity;
  semver: SemverLevel;
  /**
   * `GET /v1/Rooms/{Sid}` (the NEW document's path when both have it), `webhook roomStatusCallback POST`,
   * `document` for top-level changes, or a path (`/v1/Rooms`) for a path item's own keys.
   */
  operation: string;
  /**
   * Where inside the operation, JSON-pointer-ish: `request.body/Type`, `request.query/Status`,
   * `response.200.body/rooms/items/status`.
   */
  path: string;
  /** One line for a human. */
  message: string;
  /** Set on response changes that break an exhaustive `switch` over an enum (a value the switch does not handle). */
  exhaustiveSwitch?: true;
  /**
   * Set on response changes that stop TypeScript code comparing with a literal from compiling
   * (`status === "old"` once `"old"` is no longer in the union: "no overlap").
   */
  literalComparison?: true;
  /** Set when this package's exported types change although the wire does not (`operations`, `OperationRow`). */
  exportedTypes?: true;
  /**
   * The shared component the change lives in (`#/components/schemas/RoomStatus`) when it was reached
   * through a `$ref`: the same change reached from several operations has the same `schema` and `schemaPath`.
   */
  schema?: string;
  /** Where inside {@link SpecChange.schema}, in the notation of `path` (`""` for the schema itself, `/status`). */
  schemaPath?: string;
}

/** What {@link diffSpecs} returns. */
export interface SpecDiff {
  verdict: DiffVerdict;
  /** Breaking first, then non-breaking, then patch; each group in document order. */
  changes: SpecChange[];
  counts: { breaking: number; nonBreaking: number; patch: number };
}

/** Thrown by {@link diffSpecs} when an input is not an OpenAPI 3 document. */
export class NotOpenApiError extends Error {
  constructor(which: "old" | "new", why: string) {
    super(`the ${which} document is not an OpenAPI 3 document (${why})`);
    this.name = "NotOpenApiError";
  }
}

export const SEVERITY: Record<SemverLevel, ChangeSeverity> = {
  major: "breaking",
  minor: "non-breaking",
  patch: "patch",
};

/** Keys that only document: a difference in them is a patch. */
export const DOC_KEYS: Record<string, ChangeKind> = {
  description: "description-changed",
  summary: "summary-changed",
  title: "title-changed",
  example: "example-changed",
  examples: "example-changed",
  externalDocs: "external-docs-changed",
  $comment: "description-changed",
};

export type Direction = "request" | "response";

/** What one diff shares across its operations. */
export interface DiffState {
  /** Pairs of references (with the direction) compared in full without a change: not walked again. */
  clean: Set<string>;
  /** Schema pairs compared so far, against the walker's budget. */
  visits: number;
  /** The budget ran out (reported once, as a change): no more schemas are compared. */
  stopped: boolean;
  /** Characters of the paths and messages reported so far: deep paths repeated per change grow fast. */
  chars: number;
}

export interface Walk {
  oldDoc: JsonObject;
  newDoc: JsonObject;
  operation: string;
  out: SpecChange[];
  state: DiffState;
  /** The innermost `$ref` being compared and the `path` it was reached at (set by the schema walker). */
  schema?: { ref: string; base: string };
}

/** Flags a change may carry (see {@link SpecChange}). */
export type ChangeFlags = Pick<SpecChange, "exhaustiveSwitch" | "literalComparison" | "exportedTypes">;

export function add(
  walk: Walk,
  kind: ChangeKind,
  semver: SemverLevel,
  path: string,
  message: string,
  flags: ChangeFlags = {},
): void {
  const change: SpecChange = {
    kind,
    severity: SEVERITY[semver],
    semver,
    operation: walk.operation,
    path,
    message,
    ...flags,
  };
  const at = walk.schema;
  if (at && (path === at.base || path.startsWith(`${at.base}/`))) {
    change.schema = at.ref;
    change.schemaPath = path.slice(at.base.length);
  }
  walk.state.chars += path.length + message.length;
  walk.out.push(change);
}

/**
 * Follows `#/…` references to the end of the chain, however long; a chain
 * that comes back to a reference it passed (or leaves the document) reads as
 * an empty object, which admits anything.
 */
export function resolve(doc: JsonObject, node: unknown): { node: JsonObject; ref?: string } {
  let current = node;
  let ref: string | undefined;
  const passed = new Set<string>();
  while (isObject(current) && typeof current.$ref === "string") {
    ref = current.$ref;
    if (passed.has(ref)) return { node: {}, ref };
    passed.add(ref);
    current = ref.startsWith("#") ? getAtPointer(doc, ref.slice(1)) : undefined;
  }
  return { node: isObject(current) ? current : {}, ...(ref !== undefined ? { ref } : {}) };
}

/** A token of {@link canonicalJson}'s output, told apart from the values still to write. */
class Raw {
  constructor(readonly text: string) {}
}

/** The end of an object or array on {@link canonicalJson}'s path. */
class Leave {
  constructor(readonly node: object) {}
}

/**
 * Canonical JSON of a value (object keys sorted; `undefined` for undefined),
 * written without recursion: a hostile document may nest deeper than the
 * stack, where `JSON.stringify` throws. An object inside itself (a YAML
 * alias inside its own anchor) is written `"[cycle]"` there. `skipDocs`
 * leaves out documentation keys and `x-` extensions at every depth.
 */
export function canonicalJson(value: unknown, skipDocs = false): string | undefined {
  if (value === undefined) return undefined;
  const parts: string[] = [];
  const stack: unknown[] = [value];
  const onPath = new Set<object>();
  while (stack.length > 0) {
    const item = stack.pop();
    if (item instanceof Raw) parts.push(item.text);
    else if (item instanceof Leave) onPath.delete(item.node);
    else if (typeof item !== "object" || item === null) parts.push(JSON.stringify(item) ?? "null");
    else if (onPath.has(item)) parts.push('"[cycle]"');
    else {
      onPath.add(item);
      stack.push(new Leave(item));
      if (Array.isArray(item)) pushArray(item, parts, stack);
      else pushObject(item as JsonObject, parts, stack, skipDocs);
    }
  }
  return parts.join("");
}

function pushArray(item: unknown[], parts: string[], stack: unknown[]): void {
  parts.push("[");
  stack.push(new Raw("]"));
  for (let i = item.length - 1; i >= 0; i--) {
    stack.push(item[i] === undefined ? null : item[i]);
    if (i > 0) stack.push(new Raw(","));
  }
}

function pushObject(item: JsonObject, parts: string[], stack: unknown[], skipDocs: boolean): void {
  parts.push("{");
  stack.push(new Raw("}"));
  const keys = Object.keys(item).filter(
    (k) => item[k] !== undefined && !(skipDocs && (k in DOC_KEYS || k.startsWith("x-"))),
  );
  keys.sort();
  for (let i = keys.length - 1; i >= 0; i--) {
    stack.push(item[keys[i]!]);
    stack.push(new Raw(`${i > 0 ? "," : ""}${JSON.stringify(keys[i])}:`));
  }
}

/** Whether two values are the same JSON once documentation keys are left out at every depth. */
export const sameShape = (a: unknown, b: unknown): boolean => canonicalJson(a, true) === canonicalJson(b, true);

/** Whether two values are the same JSON (object key order aside). */
export const sameJson = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

export const short = (value: unknown): string => {
  const text = canonicalJson(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

export const child = (path: string, token: string): string => `${path}/${escapePointerToken(token)}`;

/** Documentation-only keys of one node (descriptions, examples, extensions). */
export function compareDocs(
  walk: Walk,
  oldNode: JsonObject,
  newNode: JsonObject,
  path: string,
  keys: readonly string[] = Object.keys(DOC_KEYS),
): void {
  for (const key of keys) {
    if (!sameJson(oldNode[key], newNode[key])) {
      const what = oldNode[key] === undefined ? "added" : newNode[key] === undefined ? "removed" : "changed";
      add(walk, DOC_KEYS[key] ?? "description-changed", "patch", child(path, key), `${key} ${what}`);
    }
  }
  const extensions = new Set([...Object.keys(oldNode), ...Object.keys(newNode)].filter((k) => k.startsWith("x-")));
  for (const key of [...extensions].sort()) {
    if (!sameJson(oldNode[key], newNode[key])) {
      const what = oldNode[key] === undefined ? "added" : newNode[key] === undefined ? "removed" : "changed";
      add(walk, "extension-changed", "patch", child(path, key), `extension ${key} ${what}`);
    }
  }
}

/**
 * The JSON pointer of the first place `value` contains itself (a YAML alias
 * inside its own anchor), or undefined for a tree or a DAG. Iterative, so no
 * nesting is too deep; shared (non-cyclic) parts are walked once.
 */
export function findCycle(value: unknown): string | undefined {
  const onPath = new Set<object>();
  const finished = new Set<object>();
  const stack: { node: object; at: string; leave: boolean }[] = [];
  if (typeof value === "object" && value !== null) stack.push({ node: value, at: "", leave: false });
  while (stack.length > 0) {
    const { node, at, leave } = stack.pop()!;
    if (leave) {
      onPath.delete(node);
      finished.add(node);
      continue;
    }
    if (finished.has(node)) continue;
    onPath.add(node);
    stack.push({ node, at, leave: true });
    for (const [key, next] of Object.entries(node)) {
      if (typeof next !== "object" || next === null) continue;
      const where = child(at, key);
      if (onPath.has(next)) return where;
      if (!finished.has(next)) stack.push({ node: next, at: where, leave: false });
    }
  }
  return undefined;
}
