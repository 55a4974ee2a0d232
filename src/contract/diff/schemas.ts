/**
 * The schema walker: compares two schemas in one direction. In a request,
 * narrowing (a client's valid value refused) breaks; in a response,
 * widening (a value the client never expected) breaks.
 *
 * The walk keeps its own stack rather than recursing, so no nesting depth is
 * too deep to compare; a pair of schemas already on the current descent is a
 * cycle and stops there. A pair of references compared in full without a
 * change (and without a cycle cut below it) is not walked again, from any
 * operation, so unchanged shared schemas cost one walk however they combine.
 * Every visit counts against one budget per diff: a change that multiplies
 * past it stops the walk with a `schema-not-analysed` finding.
 */
import type { JsonObject } from "../json-pointer.js";
import { compareComposition } from "./composition.js";
import { compareObjects } from "./objects.js";
import {
  compareConstraints,
  compareEnums,
  compareTypes,
  LOWER,
  NARROWING_WHEN_ADDED,
  nullability,
  types,
  UPPER,
  type Side,
} from "./keywords.js";
import { add, child, compareDocs, DOC_KEYS, resolve, sameShape, type Direction, type Walk } from "./model.js";

const UNMODELLED = "(not analysed further; treated as breaking)";

/** Keywords this walker models; any other validation keyword is compared whole (schema-changed). */
const MODELLED = new Set<string>([
  "$ref",
  "type",
  "nullable",
  "enum",
  "const",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "prefixItems",
  "allOf",
  "oneOf",
  "anyOf",
  "deprecated",
  "default",
  "readOnly",
  "writeOnly",
  "discriminator",
  "xml",
  "format",
  ...UPPER,
  ...LOWER,
  ...NARROWING_WHEN_ADDED,
  ...Object.keys(DOC_KEYS),
  "contentMediaType",
  "contentEncoding",
]);

/**
 * What one diff compares at most: schema pairs (each counted once per place
 * it is reached; the bundled Twilio Video spec takes under 2,000), changes
 * found, and characters of their paths and messages (a change at every level
 * of a deep schema repeats ever longer paths). Past any, the walk stops and says so.
 */
export const MAX_SCHEMA_VISITS = 100_000;
export const MAX_CHANGES = 20_000;
export const MAX_REPORT_CHARS = 8_000_000;

/** The budget one diff has spent, described, or undefined while some is left. */
function spent(walk: Walk): string | undefined {
  if (walk.state.visits > MAX_SCHEMA_VISITS) return `${MAX_SCHEMA_VISITS} schema pairs`;
  if (walk.out.length > MAX_CHANGES) return `${MAX_CHANGES} changes`;
  if (walk.state.chars > MAX_REPORT_CHARS) return `${MAX_REPORT_CHARS} characters of report`;
  return undefined;
}

const composition = (schema: JsonObject): "allOf" | "oneOf" | "anyOf" | undefined =>
  Array.isArray(schema.oneOf)
    ? "oneOf"
    : Array.isArray(schema.anyOf)
      ? "anyOf"
      : Array.isArray(schema.allOf)
        ? "allOf"
        : undefined;

/** A pair still to compare, with the `$ref` context it inherits from its parent. */
interface Visit {
  oldRaw: unknown;
  newRaw: unknown;
  path: string;
  schema: Walk["schema"];
}

/** The end of a pair's descent: it leaves the path; a reference pair that found nothing is remembered as clean. */
interface Leave {
  leave: [JsonObject, JsonObject];
  clean?: { key: string; out: number; cuts: number };
}

export class SchemaWalker {
  /** The resolved pairs on the current descent (old node → new nodes): a cycle stops where it would repeat. */
  private readonly onPath = new Map<JsonObject, Set<JsonObject>>();
  /** Children of the node being visited, in document order. */
  private pending: Visit[] = [];
  /** Cycles cut so far: a reference pair is clean only when none was cut below it. */
  private cuts = 0;
  private readonly side: Side;

  constructor(
    private readonly walk: Walk,
    private readonly direction: Direction,
  ) {
    this.side = { walk, req: direction === "request" };
  }

  compare(oldRaw: unknown, newRaw: unknown, path: string): void {
    const stack: (Visit | Leave)[] = [{ oldRaw, newRaw, path, schema: undefined }];
    try {
      while (stack.length > 0 && !this.walk.state.stopped) {
        const step = stack.pop()!;
        if ("leave" in step) {
          this.leave(step);
          continue;
        }
        this.pending = [];
        this.visit(step, stack);
        for (let i = this.pending.length - 1; i >= 0; i--) stack.push(this.pending[i]!);
      }
    } finally {
      this.walk.schema = undefined;
    }
  }

  /** Queues a child pair: compared after the current node, before its later siblings' children. */
  private descend(oldRaw: unknown, newRaw: unknown, path: string): void {
    this.pending.push({ oldRaw, newRaw, path, schema: this.walk.schema });
  }

  private visit(step: Visit, stack: (Visit | Leave)[]): void {
    const { walk } = this;
    const o = resolve(walk.oldDoc, step.oldRaw);
    const n = resolve(walk.newDoc, step.newRaw);
    walk.schema = step.schema;
    const seen = this.onPath.get(o.node);
    if (seen?.has(n.node)) {
      this.cuts++;
      return;
    }
    const ref = n.ref ?? o.ref;
    const key =
      o.ref === undefined || n.ref === undefined
        ? undefined
        : `${this.direction}\u0000${o.ref ?? ""}\u0000${n.ref ?? ""}`;
    if (key !== undefined && walk.state.clean.has(key)) return;
    walk.state.visits++;
    const limit = spent(walk);
    if (limit !== undefined) {
      walk.state.stopped = true;
      const why = `comparison stopped after ${limit} (shared or deep schemas multiply what is reported)`;
      add(
        walk,
        "schema-not-analysed",
        "major",
        step.path,
        `${why}: schemas here, below and in later operations are not compared; treated as breaking`,
      );
      return;
    }
    if (seen) seen.add(n.node);
    else this.onPath.set(o.node, new Set([n.node]));
    stack.push({
      leave: [o.node, n.node],
      ...(key !== undefined ? { clean: { key, out: walk.out.length, cuts: this.cuts } } : {}),
    });
    if (ref !== undefined) walk.schema = { ref, base: step.path };
    this.compareResolved(o.node, n.node, step.path);
  }

  private leave(step: Leave): void {
    const [o, n] = step.leave;
    const seen = this.onPath.get(o);
    seen?.delete(n);
    if (seen?.size === 0) this.onPath.delete(o);
    const clean = step.clean;
    if (clean && clean.out === this.walk.out.length && clean.cuts === this.cuts) this.walk.state.clean.add(clean.key);
  }

  private compareResolved(oldS: JsonObject, newS: JsonObject, path: string): void {
    const walk = this.walk;
    const req = this.side.req;

    // Unions and intersections first: they decide what the rest means.
    const oc = composition(oldS);
    const nc = composition(newS);
    if (oc || nc) {
      if (oc === nc && oc) compareComposition(this.side, oc, oldS, newS, path, (o, n, at) => this.descend(o, n, at));
      else if (oc && nc) add(walk, "schema-composition-changed", "major", path, `${oc} became ${nc}`);
      else {
        // `X` ↔ `oneOf [X, {type: null}]`: only nullability changed; X is compared with X.
        const nonNullNew = nc ? this.onlyAddsNull(nc, oldS, newS, walk.newDoc) : undefined;
        const nonNullOld = oc ? this.onlyAddsNull(oc, newS, oldS, walk.oldDoc) : undefined;
        if (nonNullNew) {
          nullability(this.side, types(oldS)!, new Set([...types(oldS)!, "null"]), path);
          this.descend(oldS, nonNullNew, path);
          return;
        }
        if (nonNullOld) {
          nullability(this.side, new Set([...types(newS)!, "null"]), types(newS)!, path);
          this.descend(nonNullOld, newS, path);
          return;
        }
        add(
          walk,
          "schema-composition-changed",
          "major",
          path,
          oc ? `${oc} removed: the schema is no longer a composition` : `the schema became a ${nc} composition`,
        );
      }
    }

    compareDocs(walk, oldS, newS, path);
    const nullReported = compareTypes(this.side, oldS, newS, path, oc !== undefined || nc !== undefined);
    compareEnums(this.side, oldS, newS, path, nullReported);
    compareConstraints(this.side, oldS, newS, path);
    compareObjects(this.side, oldS, newS, path, (o, n, at) => this.descend(o, n, at));

    if (oldS.items !== undefined || newS.items !== undefined) {
      if (oldS.items !== undefined && newS.items !== undefined)
        this.descend(oldS.items, newS.items, child(path, "items"));
      else if (newS.items !== undefined)
        add(
          walk,
          req ? "request-constraint-narrowed" : "response-constraint-changed",
          req ? "major" : "minor",
          child(path, "items"),
          "array items are now constrained",
        );
      else
        add(
          walk,
          req ? "request-constraint-widened" : "response-type-widened",
          req ? "minor" : "major",
          child(path, "items"),
          "array items are no longer constrained",
        );
    }

    // Keywords not modelled above (if/then/else, not, dependentRequired, …): compared whole, conservatively.
    const unmodelled = new Set(
      [...Object.keys(oldS), ...Object.keys(newS)].filter((k) => !MODELLED.has(k) && !k.startsWith("x-")),
    );
    for (const k of [...unmodelled].sort()) {
      if (!sameShape(oldS[k], newS[k]))
        add(
          walk,
          "schema-changed",
          "major",
          child(path, k),
          `${k} ${oldS[k] === undefined ? "added" : newS[k] === undefined ? "removed" : "changed"} ${UNMODELLED}`,
        );
    }
  }

  /**
   * `X` → `oneOf/anyOf [X, {type: null}]`: the union's non-null variant when
   * the union only adds null (`unionDoc` holds the union).
   */
  private onlyAddsNull(
    kind: string,
    plain: JsonObject,
    union: JsonObject,
    unionDoc: JsonObject,
  ): JsonObject | undefined {
    if (kind === "allOf") return undefined;
    const variants = (union[kind] as unknown[]).map((v) => resolve(unionDoc, v).node);
    if (variants.length !== 2) return undefined;
    const isNull = (v: JsonObject) => {
      const t = types(v);
      return t?.size === 1 && t.has("null");
    };
    const other = variants.filter((v) => !isNull(v));
    if (other.length !== 1) return undefined;
    const t = types(other[0]!);
    return t &&
      types(plain) &&
      [...t].every((x) => types(plain)!.has(x)) &&
      [...types(plain)!].filter((x) => x !== "null").every((x) => t.has(x))
      ? other[0]
      : undefined;
  }
}
