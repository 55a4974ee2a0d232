/**
 * The spec diff has no silent limits: no depth cut (a change 200 levels down
 * is found), no stack overflow on documents nested 10,000 deep (schemas,
 * examples, unmodelled keywords), `$ref` loops and self-containing objects
 * end, shared schemas combined exponentially are walked once when unchanged,
 * and when a change does multiply past the budget the diff says so as a
 * finding. Time bounds are generous (a loaded 2-core machine).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSpecs, type SpecDiff } from "../src/contract/index.js";
import { findCycle } from "../src/contract/diff/model.js";
import { MAX_CHANGES, MAX_REPORT_CHARS } from "../src/contract/diff/schemas.js";

type Json = Record<string, unknown>;

/** Per-test timeout above every bound asserted here: a loaded 2-core machine runs these many times slower. */
const LOADED = 120_000;

/** A document whose one operation returns `schema`, with `schemas` as components. */
const doc = (schema: unknown, schemas: Json = {}): Json => ({
  openapi: "3.1.0",
  info: { title: "limits", version: "1" },
  paths: {
    "/x": { get: { responses: { "200": { description: "ok", content: { "application/json": { schema } } } } } },
  },
  components: { schemas },
});

/** `leaf` under `depth` objects, each with one property `a`. */
function nested(leaf: unknown, depth: number): unknown {
  let s = leaf;
  for (let i = 0; i < depth; i++) s = { type: "object", properties: { a: s } };
  return s;
}

/** Shared schemas L0…Ln, each with two properties referencing the next: 2^n paths to Ln. */
function lattice(levels: number, leaf: Json): Json {
  const schemas: Json = {};
  for (let i = 0; i < levels; i++) {
    const next = { $ref: `#/components/schemas/L${i + 1}` };
    schemas[`L${i}`] = { type: "object", properties: { x: next, y: next } };
  }
  schemas[`L${levels}`] = leaf;
  return doc({ $ref: "#/components/schemas/L0" }, schemas);
}

const timed = (run: () => SpecDiff): { diff: SpecDiff; ms: number } => {
  const start = performance.now();
  const diff = run();
  return { diff, ms: performance.now() - start };
};

describe("spec diff: depth", { timeout: LOADED }, () => {
  it("a change 200 levels down is found (the walk once stopped at 64)", () => {
    const diff = diffSpecs(doc(nested({ type: "string" }, 200)), doc(nested({ type: "integer" }, 200)));
    expect(diff.changes).toEqual([
      expect.objectContaining({ kind: "response-type-changed", path: `response.200.body${"/a".repeat(200)}` }),
    ]);
  });

  it("a change at the end of a chain of 200 distinct $refs is found", () => {
    const chain = (leaf: string): Json => {
      const schemas: Json = {};
      for (let i = 0; i < 200; i++)
        schemas[`S${i}`] = { type: "object", properties: { a: { $ref: `#/components/schemas/S${i + 1}` } } };
      schemas.S200 = { type: leaf };
      return doc({ $ref: "#/components/schemas/S0" }, schemas);
    };
    const diff = diffSpecs(chain("string"), chain("boolean"));
    expect(diff.changes).toEqual([
      expect.objectContaining({ kind: "response-type-changed", schema: "#/components/schemas/S200", schemaPath: "" }),
    ]);
    expect(diff.changes[0]!.path.split("/a")).toHaveLength(201);
  });

  it("a chain of 100 references to references is followed to its end (it once stopped after 32 hops)", () => {
    const aliases = (leaf: string): Json => {
      const schemas: Json = { A100: { type: leaf } };
      for (let i = 0; i < 100; i++) schemas[`A${i}`] = { $ref: `#/components/schemas/A${i + 1}` };
      return doc({ $ref: "#/components/schemas/A0" }, schemas);
    };
    expect(diffSpecs(aliases("string"), aliases("integer")).changes).toEqual([
      expect.objectContaining({
        kind: "response-type-changed",
        path: "response.200.body",
        schema: "#/components/schemas/A100",
      }),
    ]);
  });

  it("a schema nested 10,000 deep is compared without a stack overflow, the change at the bottom found", () => {
    const { diff, ms } = timed(() =>
      diffSpecs(doc(nested({ type: "string" }, 10_000)), doc(nested({ type: "integer" }, 10_000))),
    );
    expect(diff.changes).toHaveLength(1);
    expect(diff.changes[0]!.path.length).toBe("response.200.body".length + 2 * 10_000);
    expect(ms).toBeLessThan(20_000);
  });

  it("a change at every level of a schema 10,000 deep stops at the report budget (paths of 100M characters)", () => {
    const described = (text: string) => {
      let s: unknown = { type: "string" };
      for (let i = 0; i < 10_000; i++) s = { type: "object", description: text, properties: { a: s } };
      return doc(s);
    };
    const { diff, ms } = timed(() => diffSpecs(described("old"), described("new")));
    const stopped = diff.changes.filter((c) => c.kind === "schema-not-analysed");
    expect(stopped).toEqual([expect.objectContaining({ semver: "major" })]);
    expect(stopped[0]!.message).toMatch(/^comparison stopped after \d+ characters of report/);
    const chars = diff.changes.reduce((sum, c) => sum + c.path.length + c.message.length, 0);
    expect(chars).toBeLessThan(MAX_REPORT_CHARS + 2 * 20_100);
    expect(diff.changes.filter((c) => c.kind === "description-changed").length).toBeGreaterThan(1000);
    expect(ms).toBeLessThan(30_000);
  });

  it("examples, enum values and unmodelled keywords nested 10,000 deep are compared whole without overflow", () => {
    const deep = (leaf: number) => nested(leaf, 10_000);
    const schema = (leaf: number) => ({ type: "object", example: deep(leaf), not: deep(leaf), enum: [deep(leaf)] });
    const diff = diffSpecs(doc(schema(1)), doc(schema(2)));
    expect(new Set(diff.changes.map((c) => c.kind))).toEqual(
      new Set(["example-changed", "schema-changed", "response-enum-value-added", "response-enum-value-removed"]),
    );
    expect(diffSpecs(doc(schema(1)), doc(schema(1))).verdict).toBe("none");
    // A value's text in a message stays short.
    expect(Math.max(...diff.changes.map((c) => c.message.length))).toBeLessThan(300);
  });
});

describe("spec diff: cycles", () => {
  it("a $ref loop (A → B → A) ends and its change is found once per place", () => {
    const loop = (leaf: string) =>
      doc(
        { $ref: "#/components/schemas/A" },
        {
          A: { type: "object", properties: { b: { $ref: "#/components/schemas/B" }, name: { type: leaf } } },
          B: {
            type: "object",
            properties: {
              a: { $ref: "#/components/schemas/A" },
              list: { type: "array", items: { $ref: "#/components/schemas/B" } },
            },
          },
        },
      );
    const diff = diffSpecs(loop("string"), loop("integer"));
    expect(diff.changes.map((c) => c.path)).toEqual(["response.200.body/name"]);
    expect(diffSpecs(loop("string"), loop("string")).verdict).toBe("none");
  });

  it("a schema walked clean only because a cycle was cut is walked again from elsewhere", () => {
    // GET /x reaches P inside A's cycle (P → A is cut there); GET /y starts at P, where A's change is below it.
    const docs = (leaf: string): Json => ({
      ...doc(
        { $ref: "#/components/schemas/A" },
        {
          A: { type: "object", properties: { p: { $ref: "#/components/schemas/P" }, name: { type: leaf } } },
          P: { type: "object", properties: { q: { $ref: "#/components/schemas/A" } } },
        },
      ),
    });
    const old = docs("string");
    const next = docs("integer");
    for (const d of [old, next]) {
      const paths = d.paths as Json;
      paths["/y"] = structuredClone(paths["/x"]);
      (paths["/y"] as { get: { responses: Json } }).get.responses = {
        "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/P" } } } },
      };
    }
    expect(diffSpecs(old, next).changes.map((c) => `${c.operation} ${c.path}`)).toEqual([
      "GET /x response.200.body/name",
      "GET /y response.200.body/q/name",
    ]);
  });

  it("a reference to itself, and a self-containing object (a YAML alias), end", () => {
    const self = diffSpecs(
      doc({ $ref: "#/components/schemas/A" }, { A: { $ref: "#/components/schemas/A" } }),
      doc({ type: "string" }),
    );
    expect(self.verdict).toBe("minor"); // an unresolvable loop reads as "any type"; a type narrows it
    const ring = (leaf: string): Json => {
      const node: Json = { type: "object", properties: { name: { type: leaf } } };
      (node.properties as Json).self = node;
      return doc(node);
    };
    const diff = diffSpecs(ring("string"), ring("integer"));
    expect(diff.changes.map((c) => c.path)).toEqual(["response.200.body/name"]);
  });
});

describe("spec diff: values that contain themselves", () => {
  it("an example or enum value inside itself (a YAML alias) is compared and written without running on", () => {
    const schema = (leaf: string): Json => {
      const example: Json = { leaf };
      example.self = example;
      const value: unknown[] = [leaf];
      value.push(value);
      return { type: "object", example, enum: [value] };
    };
    const diff = diffSpecs(doc(schema("a")), doc(schema("b")));
    expect(new Set(diff.changes.map((c) => c.kind))).toEqual(
      new Set(["example-changed", "response-enum-value-added", "response-enum-value-removed"]),
    );
    expect(diff.changes.find((c) => c.kind === "response-enum-value-added")!.message).toMatch(
      /^value \["b","\[cycle\]"\] may now be returned/,
    );
    expect(diffSpecs(doc(schema("a")), doc(schema("a"))).verdict).toBe("none");
  });
});

describe("findCycle: documents that contain themselves", () => {
  it("finds a self-containing object, not a shared one, at any depth", () => {
    const shared = { type: "string" };
    expect(findCycle({ a: shared, b: [shared, { c: shared }] })).toBeUndefined();
    const ring: Json = { properties: {} };
    (ring.properties as Json)["x/y"] = { items: ring };
    expect(findCycle({ components: { schemas: { A: ring } } })).toBe("/components/schemas/A/properties/x~1y/items");
    expect(findCycle(nested({ type: "string" }, 10_000))).toBeUndefined();
  });
});

describe("spec diff: shared schemas combined exponentially", { timeout: LOADED }, () => {
  it("an unchanged lattice of 60 levels (2^60 paths) is walked once", () => {
    const { diff, ms } = timed(() => diffSpecs(lattice(60, { type: "string" }), lattice(60, { type: "string" })));
    expect(diff.verdict).toBe("none");
    expect(ms).toBeLessThan(10_000);
  });

  it("a change reached by 2^60 paths stops at the budget and says so as one breaking finding", () => {
    const { diff, ms } = timed(() => diffSpecs(lattice(60, { type: "string" }), lattice(60, { type: "integer" })));
    const stopped = diff.changes.filter((c) => c.kind === "schema-not-analysed");
    expect(stopped).toEqual([expect.objectContaining({ semver: "major", severity: "breaking" })]);
    expect(stopped[0]!.message).toMatch(
      /^comparison stopped after \d+ (changes|schema pairs|characters of report) .*not compared; treated as breaking$/,
    );
    expect(diff.verdict).toBe("major");
    expect(diff.changes.length).toBeLessThanOrEqual(MAX_CHANGES + 2);
    expect(diff.changes.filter((c) => c.kind === "response-type-changed").length).toBeGreaterThan(0);
    expect(ms).toBeLessThan(60_000);
  });

  it("a lattice small enough for the budget reports every place, without the finding", () => {
    const diff = diffSpecs(lattice(8, { type: "string" }), lattice(8, { type: "integer" }));
    expect(diff.changes).toHaveLength(2 ** 8);
    expect(
      diff.changes.every((c) => c.kind === "response-type-changed" && c.schema === "#/components/schemas/L8"),
    ).toBe(true);
  });
});

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const tsx = join(import.meta.dirname, "..", "node_modules/.bin/tsx");
  const script = join(import.meta.dirname, "..", "scripts/conformance.ts");
  const options = { cwd, timeout: 60_000, maxBuffer: 64 << 20 };
  return new Promise((done) => {
    execFile(tsx, [script, "diff", ...args], options, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe("twilio-video-conformance diff: hostile documents end to end", { timeout: LOADED }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "spec-diff-limits-"));
    // Written as text: JSON.stringify itself overflows at this depth.
    const text = (leaf: string) => {
      const schema = `${'{"type":"object","properties":{"a":'.repeat(10_000)}{"type":"${leaf}"}${"}}".repeat(10_000)}`;
      return JSON.stringify(doc("SCHEMA")).replace('"SCHEMA"', schema);
    };
    writeFileSync(join(dir, "old.json"), text("string"));
    writeFileSync(join(dir, "new.json"), text("integer"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports the change at depth 10,000 with exit 0", async () => {
    const result = await cli(["old.json", "new.json", "--json"], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
    const report = JSON.parse(result.stdout) as SpecDiff;
    expect(report.verdict).toBe("major");
    expect(report.changes.map((c) => c.kind)).toEqual(["response-type-changed"]);
  });

  it("a YAML alias inside its own anchor: exit 2 with one line (the CLI once grew until out of memory)", async () => {
    const head = 'openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {}\n';
    const alias = "components:\n  schemas:\n    A: &a\n      type: object\n      properties:\n        self: *a\n";
    writeFileSync(join(dir, "plain.yaml"), head);
    writeFileSync(join(dir, "alias.yaml"), `${head}${alias}`);
    const result = await cli(["plain.yaml", "alias.yaml"], dir);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: "" });
    expect(result.stderr).toBe(
      "twilio-video-conformance diff: alias.yaml: the document contains itself at " +
        "/components/schemas/A/properties/self (a YAML alias inside its own anchor)\n",
    );
  });
});
