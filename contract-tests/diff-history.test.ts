/**
 * Misjudgements found replaying a real API's published spec history, one
 * fixture pair each (contract-tests/diff-fixtures/NAME/{old,new}.json, with a
 * README saying what changed and what is expected), checked through
 * `diffSpecs` and, where the report's text is the promise, `formatDiffText`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { changelogSection, formatDiffText } from "../src/contract/diff-cli.js";
import { diffSpecs, type SpecChange, type SpecDiff } from "../src/contract/index.js";

const fixtures = join(import.meta.dirname, "diff-fixtures");
const load = (name: string, which: "old" | "new"): unknown =>
  JSON.parse(readFileSync(join(fixtures, name, `${which}.json`), "utf8"));
const pair = (name: string): SpecDiff => diffSpecs(load(name, "old"), load(name, "new"));
const kinds = (diff: SpecDiff) => diff.changes.map((c) => c.kind);
const SWITCHES = "this breaks exhaustive switches over the enum";

describe("diff fixtures: misjudgements on real spec history", () => {
  it("nullable-untyped: a 3.0 field losing `type: object` next to `nullable: true` is a breaking widening", () => {
    const diff = pair("nullable-untyped");
    expect(diff.changes).toEqual([
      expect.objectContaining({
        kind: "response-type-widened",
        semver: "major",
        path: "response.200.body/settings",
        operation: "GET /v1/Widgets/{Sid}",
      }),
    ]);
    expect(diff.changes[0]!.message).toMatch(/any type \(was object \| null\)/);
    // The reverse gains the type: a narrowing, minor; and `{nullable: true}` unchanged says nothing.
    expect(diffSpecs(load("nullable-untyped", "new"), load("nullable-untyped", "old")).verdict).toBe("minor");
    expect(diffSpecs(load("nullable-untyped", "new"), load("nullable-untyped", "new")).verdict).toBe("none");
  });

  it("format-annotation: int64 and vendor formats added are a patch, not a narrowing", () => {
    const diff = pair("format-annotation");
    expect(diff.verdict).toBe("patch");
    expect(new Set(kinds(diff))).toEqual(new Set(["format-changed"]));
    expect(diff.changes.map((c) => c.path).sort()).toEqual([
      "request.body/Settings/format",
      "request.body/StatusCallbackMethod/format",
      "request.query/PageSize/format",
      "response.200.body/count/format",
    ]);
    // Removing them again is a patch too.
    expect(diffSpecs(load("format-annotation", "new"), load("format-annotation", "old")).verdict).toBe("patch");
  });

  it("format-checked: a format the validator checks (uri) still narrows a request", () => {
    const diff = pair("format-checked");
    expect(diff.changes).toEqual([
      expect.objectContaining({
        kind: "request-constraint-narrowed",
        semver: "major",
        path: "request.body/StatusCallbackMethod/format",
      }),
    ]);
    expect(diffSpecs(load("format-checked", "new"), load("format-checked", "old")).changes).toEqual([
      expect.objectContaining({ kind: "request-constraint-widened", semver: "minor" }),
    ]);
  });

  it.each(["nullable-enum", "nullable-enum-30"])(
    "%s: a nullable enum's null is reported once, as nullability",
    (name) => {
      const diff = pair(name);
      expect(diff.changes).toEqual([
        expect.objectContaining({ kind: "response-became-nullable", path: "response.200.body/status" }),
      ]);
      const back = diffSpecs(load(name, "new"), load(name, "old"));
      expect(kinds(back)).toEqual(["response-no-longer-nullable"]);
    },
  );

  it("a null enum value without a type change is still an enum value", () => {
    const doc = (values: unknown[]) => ({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: {
        "/x": {
          get: {
            responses: {
              "200": {
                description: "ok",
                content: { "application/json": { schema: { type: ["string", "null"], enum: values } } },
              },
            },
          },
        },
      },
    });
    const diff = diffSpecs(doc(["a"]), doc(["a", null]));
    expect(kinds(diff)).toEqual(["response-enum-value-added"]);
    expect(diff.changes[0]!.message).toMatch(/^value null may now be returned/);
  });

  it("document-level: tags, x- extensions, server descriptions and path-item keys are a patch, not none", () => {
    const diff = pair("document-level");
    expect(diff.verdict).toBe("patch");
    expect(diff.changes.map((c) => [c.operation, c.path, c.kind])).toEqual([
      ["document", "/servers", "servers-changed"],
      ["document", "/tags", "tags-changed"],
      ["document", "/x-maturity", "extension-changed"],
      ["/v1/Rooms", "/summary", "summary-changed"],
      ["/v1/Rooms", "/x-twilio", "extension-changed"],
    ]);
  });

  it("servers: a URL removed from a path item or operation is major, one added minor", () => {
    const doc = (itemServers: string[], opServers: string[]) => ({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: {
        "/x": {
          servers: itemServers.map((url) => ({ url })),
          get: { servers: opServers.map((url) => ({ url })), responses: { "204": { description: "ok" } } },
        },
      },
    });
    const diff = diffSpecs(
      doc(["https://a.example"], ["https://b.example"]),
      doc(["https://c.example"], ["https://b.example", "https://d.example"]),
    );
    expect(diff.changes.map((c) => [c.operation, c.semver, c.message])).toEqual([
      ["/x", "major", "server https://a.example removed: clients pointed at it break"],
      ["/x", "minor", "server https://c.example added"],
      ["GET /x", "minor", "server https://d.example added"],
    ]);
  });

  it("enum-value-replaced: the removed value is flagged literalComparison and the text says why", () => {
    const diff = pair("enum-value-replaced");
    expect(diff.verdict).toBe("minor");
    const removed = diff.changes.find((c) => c.kind === "response-enum-value-removed");
    const added = diff.changes.find((c) => c.kind === "response-enum-value-added");
    expect(removed).toMatchObject({ semver: "minor", literalComparison: true });
    expect(removed).not.toHaveProperty("exhaustiveSwitch");
    expect(removed!.message).toBe(
      'value "failed" is no longer returned: TypeScript code comparing with it no longer compiles (no overlap)',
    );
    expect(added).toMatchObject({ exhaustiveSwitch: true });
    expect(added).not.toHaveProperty("literalComparison");
    // A request enum losing a value is still a breaking narrowing, without the flag.
    const query = (values: string[]) => ({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: {
        "/x": {
          get: {
            parameters: [{ name: "Status", in: "query", schema: { type: "string", enum: values } }],
            responses: { "204": { description: "ok" } },
          },
        },
      },
    });
    const request = diffSpecs(query(["a", "b"]), query(["a"]));
    expect(request.changes).toEqual([expect.objectContaining({ kind: "request-enum-value-removed", semver: "major" })]);
    expect(request.changes[0]).not.toHaveProperty("literalComparison");
  });

  it("a response field newly limited to an enum is flagged literalComparison", () => {
    const doc = (schema: object) => ({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: {
        "/x": { get: { responses: { "200": { description: "ok", content: { "application/json": { schema } } } } } },
      },
    });
    const diff = diffSpecs(doc({ type: "string" }), doc({ type: "string", enum: ["a", "b"] }));
    expect(diff.changes).toEqual([
      expect.objectContaining({ kind: "response-enum-added", semver: "minor", literalComparison: true }),
    ]);
    expect(diff.changes[0]!.message).toBe(
      'is now one of "a", "b": TypeScript code comparing with any other value no longer compiles (no overlap)',
    );
  });

  it("callback-event-added: a discriminated variant added is judged like a new enum value", () => {
    const variant = pair("callback-event-added");
    const value = pair("callback-event-value-added");
    expect(variant.verdict).toBe("minor");
    expect(variant.verdict).toBe(value.verdict);
    expect(variant.changes).toEqual([
      expect.objectContaining({
        kind: "response-union-variant-added",
        semver: "minor",
        exhaustiveSwitch: true,
        operation: "webhook roomStatusCallback POST",
      }),
    ]);
    expect(variant.changes[0]!.message).toContain('StatusCallbackEvent "recording-started"');
    expect(value.changes).toEqual([
      expect.objectContaining({ kind: "response-enum-value-added", exhaustiveSwitch: true }),
    ]);
    // Removed again: comparisons with the event's value stop compiling.
    const removed = diffSpecs(load("callback-event-added", "new"), load("callback-event-added", "old"));
    expect(removed.changes).toEqual([
      expect.objectContaining({ kind: "response-union-variant-removed", semver: "minor", literalComparison: true }),
    ]);
  });

  it("a response variant added without a discriminator stays major (clients cannot tell it apart)", () => {
    const old = load("callback-event-added", "old") as {
      components: { schemas: Record<string, Record<string, unknown>> };
    };
    const next = load("callback-event-added", "new") as typeof old;
    delete old.components.schemas.Event!.discriminator;
    delete next.components.schemas.Event!.discriminator;
    expect(diffSpecs(old, next).changes).toEqual([
      expect.objectContaining({ kind: "response-union-variant-added", semver: "major" }),
    ]);
  });

  it("a discriminated variant's value comes from its const when the mapping does not name it", () => {
    const old = load("callback-event-added", "old") as {
      components: { schemas: Record<string, Record<string, unknown>> };
    };
    const next = load("callback-event-added", "new") as typeof old;
    delete (next.components.schemas.Event!.discriminator as Record<string, unknown>).mapping;
    delete (old.components.schemas.Event!.discriminator as Record<string, unknown>).mapping;
    expect(diffSpecs(old, next).changes[0]!.message).toContain('StatusCallbackEvent "recording-started"');
  });

  it("shared-schema: one change reached from four operations is listed once with its places", () => {
    const diff = pair("shared-schema");
    expect(diff.counts.nonBreaking).toBe(diff.changes.length);
    expect(new Set(diff.changes.map((c) => `${c.schema} ${c.schemaPath}`))).toEqual(
      new Set(["#/components/schemas/RoomStatus "]),
    );
    expect(new Set(diff.changes.map((c) => c.operation))).toEqual(
      new Set(["GET /v1/Rooms", "POST /v1/Rooms", "GET /v1/Rooms/{Sid}", "POST /v1/Rooms/{Sid}"]),
    );
    const text = formatDiffText(diff);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("Non-breaking (1):");
    expect(lines.filter((l) => l.includes('value "paused"'))).toHaveLength(1);
    expect(lines[2]).toBe(
      "    the same change to #/components/schemas/RoomStatus reaches 3 more places: " +
        "GET /v1/Rooms/{Sid} response.200.body/status; " +
        "POST /v1/Rooms response.201.body/status; POST /v1/Rooms/{Sid} response.202.body/status",
    );
    expect(lines.at(-1)).toBe(`verdict: minor (0 breaking, ${diff.changes.length} non-breaking, 0 patch)`);
    const changelog = changelogSection(diff, "2.0.0");
    expect(changelog.match(/value "paused"/g)).toHaveLength(1);
    // The changelog keeps document order: the list page comes first there.
    expect(changelog).toContain("- `GET /v1/Rooms` `response.200.body/rooms/items/status`: value");
    expect(changelog).toContain(
      "reaches 3 more places: `POST /v1/Rooms response.201.body/status`; " +
        "`GET /v1/Rooms/{Sid} response.200.body/status`;",
    );
  });

  it("changes in different places of one schema, or said differently, are not grouped", () => {
    const doc = (a: string[], b: string[]) => ({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      components: { schemas: { S: { type: "object", properties: { a: { enum: a }, b: { enum: b } } } } },
      paths: {
        "/x": {
          get: {
            responses: {
              "200": {
                description: "ok",
                content: { "application/json": { schema: { $ref: "#/components/schemas/S" } } },
              },
            },
          },
        },
        "/y": {
          get: {
            responses: {
              "200": {
                description: "ok",
                content: { "application/json": { schema: { $ref: "#/components/schemas/S" } } },
              },
            },
          },
        },
      },
    });
    const text = formatDiffText(diffSpecs(doc(["1"], ["1"]), doc(["1", "2"], ["1", "3"])));
    expect(text.split("\n").filter((l) => l.startsWith("  GET"))).toEqual([
      `  GET /x response.200.body/a: value "2" may now be returned: ${SWITCHES} [response-enum-value-added]`,
      `  GET /x response.200.body/b: value "3" may now be returned: ${SWITCHES} [response-enum-value-added]`,
    ]);
    expect(text).toContain(
      "the same change to #/components/schemas/S reaches 1 more place: GET /y response.200.body/a\n",
    );
  });

  it("operation-id-renamed: a patch that says this package's exported types change", () => {
    const diff = pair("operation-id-renamed");
    expect(diff.verdict).toBe("patch");
    expect(diff.changes).toEqual([
      expect.objectContaining({ kind: "operation-id-changed", exportedTypes: true, path: "/operationId" }),
    ]);
    const { message } = diff.changes[0]!;
    expect(message).toMatch(/^operationId "FetchRoom" → "GetRoom" \(the wire is unchanged; /);
    expect(message).toContain("exported types change: the generated `operations` map and `OperationRow.operationId`");
  });

  it("--json keeps every field it had; flags are present only when set", () => {
    const diff = pair("enum-value-replaced");
    const fields = (c: SpecChange) => Object.keys(c);
    for (const c of diff.changes)
      expect(fields(c)).toEqual(expect.arrayContaining(["kind", "severity", "semver", "operation", "path", "message"]));
    expect(JSON.parse(JSON.stringify(diff))).toEqual(diff);
  });
});
