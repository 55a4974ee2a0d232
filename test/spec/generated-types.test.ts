/**
 * Type-level checks of generated/openapi.ts. The assertions are checked by
 * `tsc --noEmit -p tsconfig.json` (npm run typecheck); under vitest they run
 * as no-ops, and the runtime test below proves the operation table this file
 * checks is the one the facts file documents.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type { components, operations, paths, webhooks } from "../../generated/openapi.js";
import { specOperations } from "../../generated/endpoints.js";
import { factsFile, parseMediaPaths, parseOperationsFacts } from "./helpers.js";

type Schemas = components["schemas"];
type Room = Schemas["Room"];

/**
 * The operation table is the generated one (generated/endpoints.ts, written
 * from the spec by npm run generate): a new operation joins it without an edit
 * here, and the checks below then cover it.
 */
const OPERATIONS = specOperations.map((op) => [op.path, op.method, op.operationId] as const);
type SpecRow = (typeof specOperations)[number];

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** For each row: does `paths[path][method]` equal `operations[operationId]`? */
type RowsMatch<Rows extends readonly (readonly [string, string, string])[]> = {
  [I in keyof Rows]: Rows[I] extends readonly [infer P, infer M, infer O]
    ? P extends keyof paths
      ? M extends keyof paths[P]
        ? O extends keyof operations
          ? Equal<paths[P][M], operations[O]>
          : ["unknown operationId", O]
        : ["no such method", P, M]
      : ["no such path", P]
    : never;
};

/** The same for one row of the generated table (a union of rows gives a union of verdicts). */
type RowMatch<Row> = Row extends { path: infer P; method: infer M; operationId: infer O }
  ? RowsMatch<[[P & string, M & string, O & string]]>[0]
  : never;

/** Keys of T that are not optional. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

describe("generated/openapi.ts", () => {
  it("maps each documented operation and each media operation to its path and method", () => {
    expectTypeOf<RowMatch<SpecRow>>().toEqualTypeOf<true>();
    // Every REST operation of the generated types is in the table; what is left are the status callbacks.
    expectTypeOf<Exclude<keyof operations, SpecRow["operationId"]>>().toEqualTypeOf<
      "RoomStatusCallback" | "CompositionStatusCallback"
    >();
    // Spelled out for a few, and the wrong method is an error.
    expectTypeOf<paths["/v1/Rooms"]["post"]>().toEqualTypeOf<operations["CreateRoom"]>();
    expectTypeOf<paths["/v1/Rooms"]["get"]>().toEqualTypeOf<operations["ListRoom"]>();
    expectTypeOf<paths["/v1/Rooms/{Sid}"]["post"]>().toEqualTypeOf<operations["UpdateRoom"]>();
    expectTypeOf<paths["/v1/Compositions/{Sid}"]["delete"]>().toEqualTypeOf<operations["DeleteComposition"]>();
    expectTypeOf<paths["/v1/Compositions/{Sid}/Media"]["get"]>().toEqualTypeOf<operations["FetchCompositionMedia"]>();
    // @ts-expect-error ListRoom is the GET of /v1/Rooms, not its POST
    expectTypeOf<paths["/v1/Rooms"]["post"]>().toEqualTypeOf<operations["ListRoom"]>();
    // @ts-expect-error rooms cannot be deleted
    expectTypeOf<paths["/v1/Rooms/{Sid}"]["delete"]>().toEqualTypeOf<operations["FetchRoom"]>();
    // @ts-expect-error the path is /v1/Rooms, not /v1/Room
    expectTypeOf<paths["/v1/Room"]>().not.toBeNever();
    // @ts-expect-error a wrong row of the table is caught
    expectTypeOf<RowsMatch<[["/v1/Rooms", "get", "CreateRoom"]]>[number]>().toEqualTypeOf<true>();
    type WrongAmongRight = RowMatch<SpecRow | { path: "/v1/Rooms"; method: "post"; operationId: "ListRoom" }>;
    // @ts-expect-error a wrong row among right ones is caught too
    expectTypeOf<WrongAmongRight>().toEqualTypeOf<true>();
  });

  it("answers the documented status codes", () => {
    expectTypeOf<operations["CreateRoom"]["responses"]>().toHaveProperty(201);
    expectTypeOf<operations["UpdateRoom"]["responses"]>().toHaveProperty(202);
    expectTypeOf<operations["CreateRoomTranscriptions"]["responses"]>().toHaveProperty(202);
    expectTypeOf<operations["CreateCompositionSettings"]["responses"]>().toHaveProperty(200);
    expectTypeOf<NonNullable<operations["DeleteComposition"]["responses"][204]["content"]>>().toBeNever();
    expectTypeOf<operations["FetchRecordingMedia"]["responses"][302]["content"]["application/json"]>().toEqualTypeOf<
      Schemas["MediaRedirect"]
    >();
    // @ts-expect-error CreateRoom answers 201, not 200
    expectTypeOf<operations["CreateRoom"]["responses"][200]>().not.toBeNever();
  });

  it("types nullable fields as T | null and required fields as non-optional", () => {
    expectTypeOf<Room["end_time"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Room["duration"]>().toEqualTypeOf<number | null>();
    expectTypeOf<Room["sid"]>().toEqualTypeOf<string>();
    expectTypeOf<Room["status"]>().toEqualTypeOf<"in-progress" | "completed" | "failed">();
    expectTypeOf<Schemas["Composition"]["size"]>().toEqualTypeOf<number | null>();
    expectTypeOf<Schemas["Participant"]["end_time"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Schemas["Recording"]["duration"]>().toEqualTypeOf<number | null>();
    // Echoed configuration values are not documented to be strings only (issue 8): any JSON value.
    expectTypeOf<Schemas["Transcription"]["configuration"]>().toEqualTypeOf<{ [key: string]: unknown } | null>();
    // Every property of the response schemas is required (and may still be null).
    expectTypeOf<RequiredKeys<Room>>().toEqualTypeOf<keyof Room>();
    // A real composition answer lacks these three (issue 8 evidence): optional on Composition only.
    expectTypeOf<RequiredKeys<Schemas["Composition"]>>().toEqualTypeOf<
      Exclude<keyof Schemas["Composition"], "media_external_location" | "status_callback" | "status_callback_method">
    >();
    expectTypeOf<RequiredKeys<Schemas["Participant"]>>().toEqualTypeOf<keyof Schemas["Participant"]>();
    expectTypeOf<RequiredKeys<Schemas["Recording"]>>().toEqualTypeOf<keyof Schemas["Recording"]>();
    expectTypeOf<"end_time" | "sid" | "links">().toExtend<RequiredKeys<Room>>();
    // Request bodies keep their optional fields optional.
    expectTypeOf<RequiredKeys<Schemas["CreateRoomRequest"]>>().toEqualTypeOf<never>();
    expectTypeOf<RequiredKeys<Schemas["UpdateRoomRequest"]>>().toEqualTypeOf<"Status">();

    // @ts-expect-error end_time may be null but never undefined
    const missing: Room["end_time"] = undefined;
    // @ts-expect-error sid is never null
    const nullSid: Room["sid"] = null;
    // @ts-expect-error a required field cannot be left out
    const partial: Pick<Room, "sid" | "end_time"> = { sid: "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c" };
    void [missing, nullSid, partial];
  });

  it("has the roomStatusCallback and compositionStatusCallback webhooks", () => {
    expectTypeOf<webhooks>().toHaveProperty("roomStatusCallback");
    expectTypeOf<webhooks>().toHaveProperty("compositionStatusCallback");
    expectTypeOf<keyof webhooks>().toEqualTypeOf<"roomStatusCallback" | "compositionStatusCallback">();
    expectTypeOf<webhooks["roomStatusCallback"]["post"]>().toEqualTypeOf<operations["RoomStatusCallback"]>();
    expectTypeOf<webhooks["compositionStatusCallback"]["post"]>().toEqualTypeOf<
      operations["CompositionStatusCallback"]
    >();
    expectTypeOf<
      NonNullable<operations["RoomStatusCallback"]["requestBody"]>["content"]["application/x-www-form-urlencoded"]
    >().toEqualTypeOf<Schemas["RoomStatusCallbackEvent"]>();
    // @ts-expect-error there is no participant webhook
    expectTypeOf<webhooks["participantStatusCallback"]>().not.toBeNever();
  });

  it("narrows status callback events per family by StatusCallbackEvent", () => {
    // What `if (event.StatusCallbackEvent === E)` narrows a union to.
    type Narrow<U, E> = U extends { StatusCallbackEvent: infer K } ? (E extends K ? U : never) : never;
    type RoomEvent = Schemas["RoomStatusCallbackEvent"];
    type Recording = Narrow<RoomEvent, "recording-completed">;
    expectTypeOf<Recording>().toEqualTypeOf<Schemas["RecordingCallbackEvent"]>();
    expectTypeOf<Recording["RecordingSid"]>().toEqualTypeOf<string>();
    // Recording events carry no RoomStatus/SequenceNumber per the docs: optional there, required on room events.
    expectTypeOf<Recording>().toHaveProperty("SequenceNumber").toEqualTypeOf<string | undefined>();
    expectTypeOf<Narrow<RoomEvent, "room-ended">["SequenceNumber"]>().toEqualTypeOf<string>();
    expectTypeOf<Narrow<RoomEvent, "track-added">["TrackSid"]>().toEqualTypeOf<string>();
    type HookFailed = Narrow<Schemas["CompositionStatusCallbackEvent"], "composition-hook-failed">;
    expectTypeOf<HookFailed>().toEqualTypeOf<Schemas["CompositionHookCallbackEvent"]>();
    expectTypeOf<HookFailed["HookSid"]>().toEqualTypeOf<string>();
  });

  it("checks the operation table that the facts files document", () => {
    const facts = parseOperationsFacts(factsFile("video-v1-operations.md"));
    const media = parseMediaPaths(factsFile("video-v1-conventions.md"));
    const documented = [
      ...facts.operations.map((o) => `${o.method} ${o.path} ${o.operationId}`),
      ...media.map((p) => `get ${p} ${OPERATIONS.find(([path]) => path === p)?.[2] ?? "?"}`),
    ];
    const inSpec = OPERATIONS.map(([p, m, o]) => `${m} ${p} ${o}`);
    const problems = [
      ...inSpec
        .filter((row) => !documented.includes(row))
        .map((row) => `${row} is in the spec but not in test/spec/fixtures/video-v1-operations.md`),
      ...documented
        .filter((row) => !inSpec.includes(row))
        .map((row) => `${row} is documented in test/spec/fixtures but not in the spec`),
    ];
    expect(problems, problems.join("; ")).toEqual([]);
  });
});
