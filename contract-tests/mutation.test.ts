/**
 * Proof that the checks fail when they should: every corpus recording is
 * broken in fixed ways (wrong enum value, malformed SID, bad date-time, wrong
 * type, unknown path, undocumented status, unknown request field) and in
 * random ways (fast-check), and each broken copy must be reported.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createContractValidator, type Recording } from "../src/contract/index.js";
import { clone, loadCorpus, specDocument } from "./lib/corpus.js";
import { admitted, documents, jsonType, locate, responseSchema, setAt, type Location } from "./lib/schema-walk.js";

const validator = createContractValidator({ document: specDocument });
const strictValidator = createContractValidator({ document: specDocument, strict: true });

interface Prepared {
  name: string;
  recording: Recording;
  locations: Location[];
  responses: Record<string, unknown>;
}

const corpus: Prepared[] = loadCorpus().flatMap(({ name, recording }) => {
  const match = validator.matchOperation(recording.request.method, recording.request.url);
  if (!match) return []; // a recording for an operation this document lacks (spec still landing)
  const { responses, schema } = responseSchema(specDocument, match.method, match.pathTemplate, recording);
  const locations =
    schema === undefined || recording.response.body === null
      ? []
      : locate(specDocument, schema, recording.response.body);
  return [{ name, recording, locations, responses }];
});

const withBody = (r: Recording, pointer: string, value: unknown): Recording => {
  const copy = clone(r);
  copy.response.body = setAt(copy.response.body, pointer, value);
  return copy;
};

const isSidPattern = (l: Location) =>
  typeof l.value === "string" && typeof l.schema.pattern === "string" && /\{32\}/.test(l.schema.pattern);
const isEnum = (l: Location) => typeof l.value === "string" && Array.isArray(l.schema.enum);
const isDateTime = (l: Location) => typeof l.value === "string" && l.schema.format === "date-time";

/** Fixed mutations of one recording; undefined where a kind does not apply. */
function mutations(p: Prepared): Record<string, Recording | undefined> {
  const r = p.recording;
  const enumAt = p.locations.find(isEnum);
  const sidAt = p.locations.find(isSidPattern);
  const dateAt = p.locations.find(isDateTime);
  const typed = p.locations.find((l) => l.value !== null && admitted(specDocument, l.schema).size > 0);
  const wrongValue =
    typed &&
    [12345.5, "text", true, { unexpected: 1 }, [1]].find((c) => !admitted(specDocument, typed.schema).has(jsonType(c)));
  const undocumented = [418, 299, 302, 204].find((s) => !documents(p.responses, s))!;
  return {
    "wrong enum value": enumAt && withBody(r, enumAt.pointer, "not-a-documented-value"),
    "malformed SID": sidAt && withBody(r, sidAt.pointer, `${String(sidAt.value).slice(0, 2)}${"z".repeat(32)}`),
    "bad date-time": dateAt && withBody(r, dateAt.pointer, "24/11/2026 8pm"),
    "wrong type":
      r.response.body === null
        ? { ...clone(r), response: { ...r.response, body: { unexpected: true } } }
        : typed && wrongValue !== undefined
          ? withBody(r, typed.pointer, wrongValue)
          : undefined,
    "unknown operation path": { ...clone(r), request: { ...r.request, url: r.request.url.replace("/v1/", "/v9/") } },
    "wrong status code": { ...clone(r), response: { ...r.response, status: undocumented } },
    "unknown form field": r.request.body
      ? { ...clone(r), request: { ...r.request, body: `${r.request.body}&NoSuchField=1` } }
      : undefined,
    "unknown query parameter": {
      ...clone(r),
      request: { ...r.request, url: `${r.request.url}${r.request.url.includes("?") ? "&" : "?"}NoSuchParam=1` },
    },
  };
}

describe("fixed mutations", () => {
  const applied = new Map<string, number>();
  const cases = corpus.flatMap((p) =>
    Object.entries(mutations(p)).flatMap(([kind, mutated]) => {
      if (!mutated) return [];
      applied.set(kind, (applied.get(kind) ?? 0) + 1);
      return [[`${p.name}: ${kind}`, mutated] as const];
    }),
  );

  // Strict: a request the API answered 2xx, or a status it sent that the spec
  // does not list, is a spec-too-strict finding, which strict mode fails on.
  it.each(cases)("%s is reported", (_label, mutated) => {
    const result = strictValidator.validateRecording(mutated);
    expect(result.ok).toBe(false);
    const findings = [...result.errors, ...result.specTooStrict];
    expect(findings.length).toBeGreaterThan(0);
    for (const e of findings) expect(e.where).toMatch(/^(request|response|recording)\./);
  });

  it("a request field the API accepted (2xx) is spec-too-strict, never a request error", () => {
    const accepted = cases.filter(
      ([label, m]) => /unknown (form field|query parameter)$/.test(label) && m.response.status < 300,
    );
    expect(accepted.length).toBeGreaterThan(10);
    for (const [label, mutated] of accepted) {
      const lenient = validator.validateRecording(mutated);
      expect(lenient.ok, label).toBe(true);
      expect(lenient.errors, label).toEqual([]);
      expect(lenient.specTooStrict.map((p) => p.where)[0], label).toMatch(/^request\.(query|body)\/NoSuch/);
    }
    const refused = cases.filter(
      ([label, m]) => /unknown (form field|query parameter)$/.test(label) && m.response.status >= 400,
    );
    for (const [label, mutated] of refused)
      expect(validator.validateRecording(mutated).errors.length, label).toBeGreaterThan(0);
  });

  it("applies every kind of mutation across the corpus", () => {
    for (const kind of [
      "wrong enum value",
      "malformed SID",
      "bad date-time",
      "wrong type",
      "unknown operation path",
      "wrong status code",
      "unknown form field",
      "unknown query parameter",
    ]) {
      expect(applied.get(kind) ?? 0, kind).toBeGreaterThanOrEqual(Math.min(3, corpus.length));
    }
    // Type, path and status mutations apply to every recording.
    expect(applied.get("unknown operation path")).toBe(corpus.length);
    expect(applied.get("wrong type")).toBe(corpus.length);
  });

  it("reports the location that was broken", () => {
    for (const p of corpus) {
      const at = p.locations.find(isEnum);
      if (!at) continue;
      const result = validator.validateRecording(withBody(p.recording, at.pointer, "not-a-documented-value"));
      expect(
        result.errors.map((e) => e.where),
        p.name,
      ).toContain(`response.body${at.pointer}`);
    }
  });
});

describe("property-based mutations", () => {
  const pick = (filter: (p: Prepared) => boolean) => fc.constantFrom(...corpus.filter(filter));
  const objectBodies = corpus.filter((p) =>
    p.locations.some(
      (l) =>
        typeof l.value === "object" &&
        l.value !== null &&
        !Array.isArray(l.value) &&
        l.schema.additionalProperties === false,
    ),
  );

  it("any undocumented field is drift: a warning by default, an error when strict", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...objectBodies),
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.jsonValue(),
        (p, key, value) => {
          const target = p.locations.find(
            (l) => isObjAdditionalFalse(l) && !(key in ((l.schema.properties as object) ?? {})),
          )!;
          fc.pre(target !== undefined && !Object.hasOwn(target.value as object, key));
          const mutated = clone(p.recording);
          setAt(mutated.response.body, `${target.pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, value);
          const lenient = validator.validateRecording(mutated);
          expect(lenient.ok).toBe(true);
          expect(lenient.warnings.length).toBeGreaterThan(0);
          expect(strictValidator.validateRecording(mutated).ok).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("any string that is not SID-shaped is rejected where a SID is documented", () => {
    fc.assert(
      fc.property(
        pick((p) => p.locations.some(isSidPattern)),
        fc.string(),
        fc.nat(),
        (p, s, n) => {
          const sids = p.locations.filter(isSidPattern);
          const at = sids[n % sids.length]!;
          fc.pre(!new RegExp(String(at.schema.pattern)).test(s));
          expect(validator.validateRecording(withBody(p.recording, at.pointer, s)).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("any string that is not an RFC 3339 date-time is rejected where one is documented", () => {
    fc.assert(
      fc.property(
        pick((p) => p.locations.some(isDateTime)),
        fc.string(),
        (p, s) => {
          fc.pre(!/^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d/.test(s));
          const at = p.locations.find(isDateTime)!;
          expect(validator.validateRecording(withBody(p.recording, at.pointer, s)).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("any value outside an enum is rejected", () => {
    fc.assert(
      fc.property(
        pick((p) => p.locations.some(isEnum)),
        fc.string(),
        (p, s) => {
          const at = p.locations.find(isEnum)!;
          fc.pre(!(at.schema.enum as unknown[]).includes(s));
          expect(validator.validateRecording(withBody(p.recording, at.pointer, s)).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("any undocumented status code is rejected (strict; a well-formed body makes it spec-too-strict)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...corpus), fc.integer({ min: 100, max: 599 }), (p, status) => {
        fc.pre(!documents(p.responses, status));
        const result = strictValidator.validateRecording({
          ...p.recording,
          response: { ...p.recording.response, status },
        });
        expect(result.ok).toBe(false);
        expect(
          [...result.errors, ...result.specTooStrict].some(
            (f) => f.where.startsWith("response.status") || f.where.startsWith("response."),
          ),
        ).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("removing any required response field is rejected", () => {
    const required = corpus.flatMap((p) =>
      p.locations
        .filter(
          (l) =>
            Array.isArray(l.schema.required) &&
            (l.schema.required as unknown[]).length > 0 &&
            typeof l.value === "object" &&
            l.value !== null,
        )
        .map((l) => ({ p, l })),
    );
    fc.assert(
      fc.property(fc.constantFrom(...required), fc.nat(), ({ p, l }, n) => {
        const names = l.schema.required as string[];
        const name = names[n % names.length]!;
        const mutated = clone(p.recording);
        const parent =
          l.pointer === ""
            ? mutated.response.body
            : l.pointer
                .split("/")
                .slice(1)
                .reduce<unknown>(
                  (o, t) => (o as Record<string, unknown>)[t.replace(/~1/g, "/").replace(/~0/g, "~")],
                  mutated.response.body,
                );
        delete (parent as Record<string, unknown>)[name];
        expect(validator.validateRecording(mutated).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("any out-of-range PageSize the API answered 2xx is spec-too-strict: a warning, a failure when strict", () => {
    fc.assert(
      fc.property(
        pick(
          (p) =>
            typeof p.recording.response.body === "object" &&
            p.recording.response.body !== null &&
            "meta" in p.recording.response.body,
        ),
        fc.oneof(
          fc.integer({ max: 0 }),
          fc.integer({ min: 1001 }),
          fc.string({ minLength: 1 }).filter((s) => !/^\d+$/.test(s)),
        ),
        (p, size) => {
          const url = new URL(p.recording.request.url);
          url.searchParams.set("PageSize", String(size));
          const mutated = { ...p.recording, request: { ...p.recording.request, url: url.toString() } };
          const lenient = validator.validateRecording(mutated);
          expect(lenient.ok).toBe(true);
          expect(lenient.specTooStrict.map((f) => f.where)).toContain("request.query/PageSize");
          expect(strictValidator.validateRecording(mutated).ok).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});

function isObjAdditionalFalse(l: Location): boolean {
  return (
    typeof l.value === "object" &&
    l.value !== null &&
    !Array.isArray(l.value) &&
    l.schema.additionalProperties === false
  );
}
