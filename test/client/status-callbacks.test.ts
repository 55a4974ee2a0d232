import { readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  InvalidStatusCallbackError,
  STATUS_CALLBACK_FAMILIES,
  parseStatusCallback,
  type ParsedStatusCallback,
  type StatusCallbackEventName,
  type StatusCallbackOf,
  type components,
} from "../../src/index.js";
import { ROOM_CALLBACK } from "../fixtures/callbacks.js";

interface Schema {
  $ref?: string;
  type?: string;
  enum?: string[];
  required?: string[];
  properties?: Record<string, Schema>;
  oneOf?: Schema[];
}
const spec = JSON.parse(readFileSync(new URL("../../generated/openapi.json", import.meta.url), "utf8")) as {
  components: { schemas: Record<string, Schema> };
  webhooks: Record<
    string,
    {
      post: {
        requestBody: {
          content: Record<string, { schema: Schema; examples?: Record<string, { value: Record<string, string> }> }>;
        };
      };
    }
  >;
};
const schemas = spec.components.schemas;
const deref = (s: Schema): Schema => (s.$ref ? deref(schemas[s.$ref.split("/").pop()!]!) : s);

const ROOM = { ...ROOM_CALLBACK, SequenceNumber: "3" };

describe("the runtime table mirrors the spec's callback schemas", () => {
  const families = spec.webhooks;
  const familySchemas = Object.values(families).flatMap((w) =>
    Object.values(w.post.requestBody.content).flatMap((c) =>
      (deref(c.schema).oneOf ?? [c.schema]).map((s) => s.$ref!.split("/").pop()!),
    ),
  );

  it("one row per family schema the webhooks reference, in any order", () => {
    expect(STATUS_CALLBACK_FAMILIES.map((f) => f.schema).sort()).toEqual([...new Set(familySchemas)].sort());
  });

  it.each(STATUS_CALLBACK_FAMILIES.map((f) => [f.schema, f] as const))(
    "%s: events, required fields, counts and booleans",
    (name, family) => {
      const schema = schemas[name]!;
      const props = schema.properties!;
      expect([...family.events].sort()).toEqual([...props.StatusCallbackEvent!.enum!].sort());
      expect([...family.required].sort()).toEqual([...schema.required!].sort());
      const counts = Object.entries(props)
        .filter(([, p]) => p.$ref === "#/components/schemas/CallbackCount")
        .map(([n]) => n);
      expect([...family.numbers].sort()).toEqual(counts.sort());
      const booleans = Object.entries(props)
        .filter(([, p]) => deref(p).type === "boolean" || String(deref(p).enum) === "true,false")
        .map(([n]) => n);
      expect([...family.booleans].sort()).toEqual(booleans.sort());
    },
  );
});

describe("parseStatusCallback", () => {
  it("parses every example callback in the spec into its family, with counts as numbers", () => {
    let seen = 0;
    for (const webhook of Object.values(spec.webhooks)) {
      for (const media of Object.values(webhook.post.requestBody.content)) {
        for (const { value } of Object.values(media.examples ?? {})) {
          const parsed = parseStatusCallback(value);
          const family = STATUS_CALLBACK_FAMILIES.find((f) =>
            (f.events as readonly string[]).includes(value.StatusCallbackEvent!),
          )!;
          expect(parsed.kind).toBe(family.kind);
          for (const [name, raw] of Object.entries(value)) {
            expect(parsed[name]).toBe((family.numbers as readonly string[]).includes(name) ? Number(raw) : raw);
          }
          seen++;
        }
      }
    }
    expect(seen).toBeGreaterThanOrEqual(5);
  });

  it("reads a form body string, URLSearchParams and a record alike", () => {
    const form = new URLSearchParams({ ...ROOM, StatusCallbackEvent: "room-ended", RoomDuration: "125" });
    const expected = { ...ROOM, StatusCallbackEvent: "room-ended", kind: "room", SequenceNumber: 3, RoomDuration: 125 };
    expect(parseStatusCallback(form.toString())).toEqual(expected);
    expect(parseStatusCallback(form)).toEqual(expected);
    expect(parseStatusCallback(Object.fromEntries(form))).toEqual(expected);
  });

  it("keeps unknown events, with every field, as kind unknown", () => {
    const parsed = parseStatusCallback({
      StatusCallbackEvent: "room-teleported",
      RoomSid: ROOM.RoomSid,
      Distance: "42",
    });
    expect(parsed).toEqual({
      kind: "unknown",
      StatusCallbackEvent: "room-teleported",
      RoomSid: ROOM.RoomSid,
      Distance: "42",
    });
  });

  it("keeps fields the spec does not name, as strings", () => {
    const parsed = parseStatusCallback({ ...ROOM, StatusCallbackEvent: "room-created", NewField: "7" });
    expect(parsed.NewField).toBe("7");
  });

  it("the sender cannot override kind or reach the prototype", () => {
    const parsed = parseStatusCallback(
      `${new URLSearchParams({ ...ROOM, StatusCallbackEvent: "room-created", kind: "unknown" })}&__proto__=x`,
    );
    expect(parsed.kind).toBe("room");
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, "__proto__")).toBe(true);
  });

  it.each([
    ["no StatusCallbackEvent", { RoomSid: ROOM.RoomSid }, "StatusCallbackEvent", /missing/],
    [
      "a missing required field",
      {
        ...ROOM,
        StatusCallbackEvent: "participant-connected",
        ParticipantSid: "PA8b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e",
        ParticipantStatus: "connected",
      },
      "ParticipantIdentity",
      /required/,
    ],
    [
      "a count that is not digits",
      { ...ROOM, StatusCallbackEvent: "room-created", SequenceNumber: "-1" },
      "SequenceNumber",
      /whole number/,
    ],
    [
      "a count past 2^53",
      { ...ROOM, StatusCallbackEvent: "room-ended", RoomDuration: "9".repeat(20) },
      "RoomDuration",
      /whole number/,
    ],
  ])("refuses %s with InvalidStatusCallbackError naming the field", (_, fields, field, message) => {
    const error = (() => {
      try {
        parseStatusCallback(fields);
      } catch (e) {
        return e;
      }
    })() as InvalidStatusCallbackError;
    expect(error).toBeInstanceOf(InvalidStatusCallbackError);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it("refuses a repeated field rather than keep one copy", () => {
    expect(() =>
      parseStatusCallback(
        `${new URLSearchParams({ ...ROOM, StatusCallbackEvent: "room-created" })}&RoomSid=RM00000000000000000000000000000000`,
      ),
    ).toThrow(InvalidStatusCallbackError);
  });

  it("types: narrowing on kind and on the event gives the family's fields", () => {
    const narrow = (e: ParsedStatusCallback) => {
      if (e.kind === "participant") expectTypeOf(e.ParticipantIdentity).toEqualTypeOf<string>();
      if (e.kind === "recording") {
        expectTypeOf(e.Size).toEqualTypeOf<number | undefined>();
        expectTypeOf(e.RecordingSid).toEqualTypeOf<string>();
      }
      if (e.kind === "unknown") expectTypeOf(e.StatusCallbackEvent).toEqualTypeOf<string>();
      if (e.kind !== "unknown" && e.StatusCallbackEvent === "room-ended") {
        expectTypeOf(e.RoomDuration).toEqualTypeOf<number | undefined>();
        expectTypeOf(e.SequenceNumber).toEqualTypeOf<number>();
      }
    };
    void narrow;
    expectTypeOf<StatusCallbackOf<"composition-progress">["PercentageDone"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<StatusCallbackOf<"track-added">["StatusCallbackEvent"]>().toEqualTypeOf<"track-added">();
    expectTypeOf<StatusCallbackOf<"track-added">["TrackKind"]>().toEqualTypeOf<components["schemas"]["TrackKind"]>();
    expectTypeOf<StatusCallbackEventName>().toEqualTypeOf<
      | components["schemas"]["RoomStatusCallbackEvent"]["StatusCallbackEvent"]
      | components["schemas"]["CompositionStatusCallbackEvent"]["StatusCallbackEvent"]
    >();
  });
});
