/**
 * The emulator reads request parameters as the spec types them
 * (src/emulator/requests.ts): the tables' types come from
 * generated/openapi.ts, so a parameter the spec adds or retypes fails the
 * compiler (the @ts-expect-error lines below prove each case), and the
 * readers convert what the wire carries into those types.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type { components } from "../../generated/openapi.js";
import { Fields } from "../../src/emulator/form.js";
import { readBody, readQuery, REQUESTS, type ApiRequest, type RequestRow } from "../../src/emulator/requests.js";

const request = (query: string, form = ""): ApiRequest => ({
  url: new URL(`http://127.0.0.1/v1/Rooms?${query}`),
  path: {},
  query: new URLSearchParams(query),
  form: new Fields(new URLSearchParams(form)),
});

describe("the request tables follow the generated types", () => {
  it("refuse a retyped field, a missing filter, an unknown field and a missing body", () => {
    const room = REQUESTS.CreateRoom.body;
    // @ts-expect-error MaxParticipants is an integer in the spec, so it is read as one
    const retyped: RequestRow<"CreateRoom"> = { body: { ...room, MaxParticipants: "string" } };
    const { UniqueName: _dropped, ...filters } = REQUESTS.ListRoom.filters;
    // @ts-expect-error every declared filter of a list is implemented or ignored with a reason
    const unhandled: RequestRow<"ListRoom"> = { query: REQUESTS.ListRoom.query, filters };
    // @ts-expect-error UpdateRoom declares no form field Foo
    const unknown: RequestRow<"UpdateRoom"> = { body: { Status: "string", Foo: "string" } };
    // @ts-expect-error CreateRoom has a body to read
    const missing: RequestRow<"CreateRoom"> = {};
    const ignored: RequestRow<"ListRoom"> = {
      ...REQUESTS.ListRoom,
      filters: { ...filters, UniqueName: { ignored: "a reason" } },
    };
    expect([retyped, unhandled, unknown, missing, ignored]).toHaveLength(5);
  });
});

describe("readQuery and readBody", () => {
  it("convert each kind: strings, integers, booleans (any case), repeated keys and JSON", () => {
    const q = readQuery("ListRecording", request("Status=completed&GroupingSid=RM1&GroupingSid=PA1&PageSize=5"));
    expect(q).toEqual({ Status: "completed", GroupingSid: ["RM1", "PA1"], PageSize: 5 });
    expectTypeOf(q.Status).toEqualTypeOf<components["schemas"]["RecordingStatus"] | undefined>();
    expect(readQuery("ListCompositionHook", request("Enabled=True")).Enabled).toBe(true);
    expect(readQuery("ListCompositionHook", request("Enabled=false")).Enabled).toBe(false);
    const body = readBody(
      "CreateRoom",
      request("", "MaxParticipants=7&AudioOnly=TRUE&VideoCodecs=VP8&VideoCodecs=H264&RecordingRules=%5B%5D"),
    );
    expect(body).toEqual({ MaxParticipants: 7, AudioOnly: true, VideoCodecs: ["VP8", "H264"], RecordingRules: [] });
    expectTypeOf(body.MaxParticipants).toEqualTypeOf<number | undefined>();
  });

  it("leaves out what the request left out, and reads nothing the spec does not declare", () => {
    expect(readBody("CreateRoom", request("", "Bogus=1&__proto__=x"))).toEqual({});
    expect(Object.getPrototypeOf(readBody("CreateRoom", request("", "UniqueName=a")))).toBe(Object.prototype);
  });

  it("answers a JSON field that does not parse with a 400, not a crash", () => {
    expect(() => readBody("UpdateRoomRecordingRule", request("", "Rules=%7Bnot"))).toThrow(
      expect.objectContaining({ kind: "emulator", status: 400, code: 20001 }),
    );
  });
});
