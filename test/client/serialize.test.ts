import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serializeForm, serializeQuery, toSearchParams } from "../../src/core/serialize.js";

describe("Twilio form and query encoding", () => {
  it("sends booleans as true/false, numbers in decimal and dates as ISO 8601 UTC seconds", () => {
    const params = toSearchParams({
      AudioOnly: false,
      Trim: true,
      MaxParticipants: 10,
      DateCreatedAfter: new Date("2026-11-24T20:00:00.123Z"),
    });
    expect(params.toString()).toBe(
      "AudioOnly=false&Trim=true&MaxParticipants=10&DateCreatedAfter=2026-11-24T20%3A00%3A00Z",
    );
  });

  it("repeats the key for arrays of scalars instead of comma-joining them", () => {
    expect(toSearchParams({ AudioSources: ["alice", "bob*"], GroupingSid: ["RM1"] }).toString()).toBe(
      "AudioSources=alice&AudioSources=bob*&GroupingSid=RM1",
    );
  });

  it("sends objects and arrays of objects as one JSON-valued field", () => {
    const rules = [{ type: "include", all: true }];
    const layout = { grid: { video_sources: ["*"], max_rows: 2 } };
    const params = toSearchParams({ Rules: rules, VideoLayout: layout });
    expect(JSON.parse(params.get("Rules")!)).toEqual(rules);
    expect(JSON.parse(params.get("VideoLayout")!)).toEqual(layout);
    expect(params.getAll("Rules")).toHaveLength(1);
  });

  it("leaves out undefined and null instead of sending them as text", () => {
    expect(toSearchParams({ A: undefined, B: null, C: "c", D: ["x", undefined, null] }).toString()).toBe("C=c&D=x");
  });

  it("refuses values Twilio cannot take rather than sending garbage", () => {
    expect(() => toSearchParams({ When: new Date("nope") })).toThrow(/Invalid Date/);
    expect(() => toSearchParams({ N: Number.NaN })).toThrow(/NaN/);
    expect(() => toSearchParams({ F: () => 1 })).toThrow(/function/);
    expect(() => serializeForm("Status=completed")).toThrow(/object of form fields/);
  });

  it("query serializer and body serializer agree", () => {
    const fields = { Status: "completed", PageSize: 20, GroupingSid: ["RMa", "PAb"] };
    expect(serializeQuery(fields)).toBe(serializeForm(fields).toString());
  });

  const name = fc.stringMatching(/^[A-Z][A-Za-z]{0,12}$/);
  const scalar = fc.oneof(fc.string(), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
  const json = fc.oneof(
    fc.dictionary(
      fc.string({ minLength: 1 }),
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string())),
    ),
    fc.array(fc.record({ type: fc.constantFrom("include", "exclude"), kind: fc.constantFrom("audio", "video") }), {
      minLength: 1,
    }),
  );

  it("round-trips any mix of scalars, scalar arrays and JSON fields (property)", () => {
    fc.assert(
      fc.property(
        fc.dictionary(name, fc.oneof(scalar, fc.array(scalar, { minLength: 1 }), json, fc.constant(undefined))),
        (fields) => {
          const decoded = new URLSearchParams(serializeForm(fields).toString());
          for (const [key, value] of Object.entries(fields)) {
            if (value === undefined) expect(decoded.has(key)).toBe(false);
            else if (Array.isArray(value) && value.every((v) => typeof v !== "object"))
              expect(decoded.getAll(key)).toEqual(value.map(String));
            else if (typeof value === "object") expect(JSON.parse(decoded.get(key)!)).toEqual(value);
            else expect(decoded.getAll(key)).toEqual([String(value)]);
          }
          expect(new Set(decoded.keys())).toEqual(new Set(Object.keys(fields).filter((k) => fields[k] !== undefined)));
        },
      ),
    );
  });

  it("never emits '[object Object]', 'undefined' or comma-joined arrays (property)", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          name,
          fc.oneof(json, fc.array(fc.stringMatching(/^[a-z]{1,5}$/), { minLength: 2 }), fc.constant(undefined)),
        ),
        (fields) => {
          const text = decodeURIComponent(serializeForm(fields).toString());
          expect(text).not.toContain("[object Object]");
          expect(text).not.toMatch(/=undefined(&|$)/);
          for (const [key, value] of Object.entries(fields)) {
            if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
              expect(new URLSearchParams(serializeForm(fields).toString()).getAll(key)).toHaveLength(value.length);
            }
          }
        },
      ),
    );
  });
});
