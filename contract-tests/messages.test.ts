/**
 * Findings a user can act on (issue 29): each says once, in our words, what
 * was expected and what was found; a spec that cannot be compiled is one
 * spec problem; a 4xx to an invalid request can be a negative test
 * (--expect-invalid-requests, `expectInvalidRequest`); traffic to another
 * host names --base-url / baseUrls (issue 30).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "../src/contract/cli.js";
import { checkRecordingFormat, createContractValidator, type Problem, type Recording } from "../src/contract/index.js";
import { formatProblem } from "../src/contract/reporters.js";
import { SchemaRegistry, toProblems } from "../src/contract/schemas.js";
import { SpecSchemaError } from "../src/contract/spec-compile.js";
import { fixtureDocument, thing } from "./lib/fixture-document.js";

const v = createContractValidator({ document: fixtureDocument });
const B = "https://video.twilio.com";

/** Each of "expected" and "found" at most once, and none of ajv's own wording. */
function readsOnce(line: string): void {
  expect(line.split("expected").length, line).toBeLessThanOrEqual(2);
  expect(line.split("found").length, line).toBeLessThanOrEqual(2);
  expect(line, line).not.toMatch(/\bmust (be|NOT|match|have)\b|boolean schema|"(if|then|else)" schema/);
}

describe("schema findings, in our words", () => {
  it("a wrong type says expected and found once (regression: 'expected boolean,null, found object (expected boolean,null, found object …)')", () => {
    const [problem] = v.validateResponse("FetchThing", 200, thing({ count: { a: 1 } })).problems;
    expect(formatProblem(problem!)).toBe(
      'response.body/count: wrong type (expected integer or null, found object {"a":1})',
    );
    readsOnce(formatProblem(problem!));
  });

  it("null is found once (regression: 'found null null')", () => {
    const [problem] = v.validateResponse("FetchThing", 200, thing({ date_created: null })).problems;
    expect(formatProblem(problem!)).toBe("response.body/date_created: wrong type (expected string, found null)");
  });

  it("limits and every other keyword read as words (regression: 'maximum: must be <= 50 (expected must be <= 50, found 90)')", () => {
    const cases: [schema: object, data: unknown, line: string][] = [
      [{ type: "integer", maximum: 50 }, 90, "v: number is too large (expected at most 50, found 90)"],
      [{ exclusiveMinimum: 0 }, 0, "v: number is too small (expected more than 0, found 0)"],
      [{ multipleOf: 5 }, 7, "v: number is not an allowed multiple (expected a multiple of 5, found 7)"],
      [{ maxLength: 3 }, "abcdef", 'v: text is too long (expected at most 3 characters, found "abcdef", 6 characters)'],
      [{ minItems: 2 }, [1], "v: too few items (expected at least 2 items, found 1 item)"],
      [{ uniqueItems: true }, [1, 1], "v: items repeat (expected items that all differ, found items 0 and 1 equal)"],
      [{ maxProperties: 1 }, { a: 1, b: 2 }, "v: too many fields (expected at most 1 field, found 2 fields)"],
      [
        { dependentRequired: { a: ["b"] } },
        { a: 1 },
        'v/b: field "b" is required when "a" is present (expected present, found missing)',
      ],
      [
        { propertyNames: { pattern: "^[a-z]+$" } },
        { A1: 1 },
        'v/A1: field name "A1" is not allowed (expected a documented field name, found "A1")',
      ],
      [
        { not: { type: "string" } },
        "x",
        'v: value has a form the schema excludes (expected a value of another form, found "x")',
      ],
      [
        { anyOf: [{ type: "boolean" }, { type: "null" }] },
        {},
        "v: value matches none of the allowed forms (expected boolean or null, found {})",
      ],
      [
        { oneOf: [{ type: "integer" }, { type: "number" }] },
        1,
        "v: value matches more than one of the allowed forms (expected exactly one of the documented forms, found 1)",
      ],
      [{ properties: { x: false } }, { x: 1 }, "v/x: no value is allowed here (expected no value here, found 1)"],
      [
        { unevaluatedProperties: false, properties: { a: {} } },
        { a: 1, b: 2 },
        'v/b: unknown field "b" (expected no such field, found 2)',
      ],
    ];
    const doc = { components: { schemas: Object.fromEntries(cases.map(([schema], i) => [`s${i}`, schema])) } };
    const registry = new SchemaRegistry(doc);
    const lines = cases.map((_, i) =>
      registry.check(`/components/schemas/s${i}`, cases[i]![1], "v", false).errors.map(formatProblem),
    );
    expect(lines).toEqual(cases.map(([, , line]) => [line]));
    for (const [line] of lines) readsOnce(line!);
  });

  it("counts characters as code points, and describes a 1 MiB value without copying it (regression: the emulator fuzz test's 1 MB bodies timed out)", () => {
    const registry = new SchemaRegistry({ components: { schemas: { s: { maxLength: 1 } } } });
    expect(registry.check("/components/schemas/s", "😀😀", "v", false).errors.map(formatProblem)).toEqual([
      'v: text is too long (expected at most 1 character, found "😀😀", 2 characters)',
    ]);
    const big = "y".repeat(1 << 20);
    const start = performance.now();
    for (let i = 0; i < 5; i++)
      expect(registry.check("/components/schemas/s", big, "v", false).errors[0]!.found).toMatch(
        /\.\.\., 1048576 characters$/,
      );
    expect(performance.now() - start).toBeLessThan(5_000);
  });

  it("if/then/else reports the branch's finding only (regression: 'if: must match \"else\" schema')", () => {
    const interaction = { request: { method: "GET", url: `${B}/v1/Things` } };
    const problems = checkRecordingFormat(interaction);
    expect(problems.map(formatProblem)).toEqual([
      'recording/response: required field "response" is missing (expected present, found missing)',
    ]);
    const doc = {
      components: {
        schemas: { s: { if: { properties: { a: { const: 1 } } }, then: { required: ["b"] }, else: false } },
      },
    };
    const registry = new SchemaRegistry(doc);
    expect(registry.check("/components/schemas/s", { a: 2 }, "v", false).errors.map(formatProblem)).toEqual([
      'v: no value is allowed here (expected no value here, found {"a":2})',
    ]);
  });

  it("an error list made only of folded errors still yields one finding", () => {
    const problems: Problem[] = toProblems(
      [{ keyword: "if", instancePath: "", schemaPath: "#/if", params: { failingKeyword: "then" } }],
      { a: 1 },
      "v",
    );
    expect(problems).toEqual([
      { where: "v", message: "value does not meet the schema's conditions", found: '{"a":1}' },
    ]);
  });
});

describe("a schema of the spec that cannot be compiled", () => {
  it("throws a typed SpecSchemaError naming the innermost schema, the same one every time", () => {
    const doc = structuredClone(fixtureDocument) as unknown as {
      components: { schemas: Record<string, { properties: object }> };
    };
    doc.components.schemas.Thing!.properties = { ...doc.components.schemas.Thing!.properties, odd: { nullable: true } };
    const broken = createContractValidator({ document: doc });
    const attempt = () => broken.validateResponse("FetchThing", 200, thing());
    expect(attempt).toThrow(SpecSchemaError);
    expect(attempt).toThrow(
      'the spec\'s schema at #/components/schemas/Thing/properties/odd cannot be compiled: "nullable" cannot be used without "type"',
    );
    // Other schemas still work.
    expect(broken.validateResponse("DeleteThing", 204, null).problems).toEqual([]);
  });
});

const failingRequest: Recording = {
  request: { method: "GET", url: `${B}/v1/Things?PageSize=0` },
  response: { status: 400, body: { code: 20001, message: "Invalid PageSize", status: 400 } },
};

describe("negative tests: a request the API refused may be invalid on purpose", () => {
  it("fails by default; passes with expectInvalidRequests or the recording's expectInvalidRequest marker", () => {
    expect(v.validateRecording(failingRequest)).toMatchObject({
      ok: false,
      errors: [{ where: "request.query/PageSize" }],
    });
    const expecting = createContractValidator({ document: fixtureDocument, expectInvalidRequests: true });
    expect(expecting.validateRecording(failingRequest)).toEqual({
      operationId: "ListThing",
      ok: true,
      errors: [],
      warnings: [],
      specTooStrict: [],
    });
    expect(v.validateRecording({ ...failingRequest, expectInvalidRequest: true })).toMatchObject({
      ok: true,
      errors: [],
    });
  });

  it("still checks the response, and still fails a 5xx, and a 2xx stays spec-too-strict", () => {
    const expecting = createContractValidator({ document: fixtureDocument, expectInvalidRequests: true });
    const badBody = { ...failingRequest, response: { status: 400, body: { code: "x" } } };
    expect(
      expecting
        .validateRecording(badBody)
        .errors.map((p) => p.where)
        .sort(),
    ).toEqual(["response.body/code", "response.body/message", "response.body/status"]);
    const serverError = { ...failingRequest, response: { status: 500, body: { code: 1, message: "m", status: 500 } } };
    expect(expecting.validateRecording(serverError)).toMatchObject({
      ok: false,
      errors: [{ where: "request.query/PageSize" }],
    });
    const accepted = { ...failingRequest, response: { status: 200, body: { things: [], meta: {} } } };
    expect(expecting.validateRecording(accepted)).toMatchObject({
      ok: true,
      errors: [],
      specTooStrict: [{ where: "request.query/PageSize" }],
    });
  });

  it("the marker must be a boolean true: the recording format refuses anything else", () => {
    expect(checkRecordingFormat({ ...failingRequest, expectInvalidRequest: "yes" }).map((p) => p.where)).toEqual([
      "recording/expectInvalidRequest",
    ]);
  });
});

describe("traffic to another host (issue 30)", () => {
  it("the finding names --base-url <origin> and baseUrls", () => {
    const [problem] = v.validateRequest({ method: "GET", url: "http://127.0.0.1:4010/v1/Things" }).problems;
    expect(problem!.message).toContain(
      'pass --base-url http://127.0.0.1:4010 (CLI) or baseUrls: ["http://127.0.0.1:4010"] (API)',
    );
    expect(problem!.found).toBe("http://127.0.0.1:4010");
  });
});

describe("the conformance CLI", () => {
  let dir: string;
  const run = async (args: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await runConformance(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir });
    return { code, stdout, stderr };
  };
  const room = JSON.parse(
    readFileSync(join(import.meta.dirname, "recordings/rooms/fetch-by-sid.json"), "utf8"),
  ) as Recording;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "conformance-messages-"));
    mkdirSync(join(dir, "three"));
    for (const name of ["a", "b", "c"]) writeFileSync(join(dir, `three/${name}.json`), JSON.stringify(room));
    const local = {
      ...room,
      request: { ...room.request, url: room.request.url.replace("https://video.twilio.com", "http://127.0.0.1:4010") },
    };
    writeFileSync(join(dir, "emulator.json"), JSON.stringify(local));
    const refused: Recording = {
      request: { method: "GET", url: `${B}/v1/Rooms?PageSize=0` },
      response: {
        status: 400,
        headers: { "content-type": "application/json" },
        body: {
          code: 20001,
          message: "Invalid PageSize",
          more_info: "https://www.twilio.com/docs/errors/20001",
          status: 400,
        },
      },
    };
    writeFileSync(join(dir, "refused.json"), JSON.stringify(refused));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports a --spec schema with nullable but no type once, naming it, not once per recording (regression: 'file: could not be checked' three times)", async () => {
    const spec = JSON.parse(readFileSync(join(import.meta.dirname, "../generated/openapi.json"), "utf8"));
    spec.components.schemas.Room.properties.status = { nullable: true };
    writeFileSync(join(dir, "nullable-spec.json"), JSON.stringify(spec));
    const r = await run(["--spec", "nullable-spec.json", "three"]);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain("could not be checked");
    expect(r.stdout).toContain("skipped 3: 3 not checked: a schema of the spec cannot be compiled");
    expect(r.stderr).toBe(
      'twilio-video-conformance: --spec nullable-spec.json: the spec\'s schema at #/components/schemas/Room/properties/status cannot be compiled: "nullable" cannot be used without "type"; fix the spec\n',
    );
  });

  it("--expect-invalid-requests passes a request the API refused with a 4xx", async () => {
    const plain = await run(["refused.json"]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain("request.query/PageSize: number is too small (expected at least 1, found 0)");
    expect(await run(["--expect-invalid-requests", "refused.json"])).toMatchObject({ code: 0, stderr: "" });
    expect((await run(["--help"])).stdout).toContain("--expect-invalid-requests");
  });

  it("emulator traffic fails with the --base-url hint, and passes with it", async () => {
    const r = await run(["emulator.json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("pass --base-url http://127.0.0.1:4010 (CLI)");
    expect((await run(["--base-url", "http://127.0.0.1:4010", "emulator.json"])).code).toBe(0);
  });
});
