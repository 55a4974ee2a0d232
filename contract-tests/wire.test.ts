/** The wire format read into the values the spec describes (wire.ts), and the answers it keeps per document. */
import { describe, expect, it } from "vitest";
import { admittedTypes, coerceScalar, isArraySchema, parseForm, propertySchemas } from "../src/contract/wire.js";

const form = (text: string) => Object.fromEntries(parseForm(text).fields);

describe("parseForm", () => {
  it("reads + as a space and percent-escapes as their characters, in keys and values", () => {
    expect(form("Unique+Name=a+b%2Bc&St%61tus=in-progress")).toEqual({
      "Unique Name": ["a b+c"],
      Status: ["in-progress"],
    });
  });

  it("keeps repeated keys in order and a key without = as an empty value", () => {
    expect(form("a=1&a=2&b")).toEqual({ a: ["1", "2"], b: [""] });
  });

  it("reports a malformed escape instead of throwing, and keeps the other pairs", () => {
    const { fields, malformed } = parseForm("a=%zz&b=ok&c%=1");
    expect(malformed).toEqual(["a=%zz", "c%=1"]);
    expect(Object.fromEntries(fields)).toEqual({ b: ["ok"] });
  });
});

describe("schema answers per document", () => {
  const schema = { $ref: "#/components/schemas/Limit" };
  const integers = { components: { schemas: { Limit: { type: "integer" } } } };
  const strings = { components: { schemas: { Limit: { type: "string" } } } };

  it("answer each document from that document, though the schema object is shared", () => {
    expect(coerceScalar(integers, schema, "50")).toBe(50);
    expect(coerceScalar(strings, schema, "50")).toBe("50");
    expect(coerceScalar(integers, schema, "50")).toBe(50);
  });

  it("looks through $ref and oneOf for arrays and properties", () => {
    const doc = {
      components: {
        schemas: {
          List: { type: "array", items: { type: "integer" } },
          Body: { oneOf: [{ properties: { A: { type: "string" } } }, { properties: { B: { type: "boolean" } } }] },
        },
      },
    };
    expect(isArraySchema(doc, { oneOf: [{ $ref: "#/components/schemas/List" }] })).toBe(true);
    expect(isArraySchema(doc, { type: "string" })).toBe(false);
    expect([...propertySchemas(doc, { $ref: "#/components/schemas/Body" }).keys()]).toEqual(["A", "B"]);
    expect([...admittedTypes(doc, { anyOf: [{ type: "null" }, { enum: [1, "x"] }] })].sort()).toEqual([
      "integer",
      "null",
      "string",
    ]);
  });
});
