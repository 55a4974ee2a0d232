/**
 * Type-level checks of generated/openapi.ts. The assertions are checked by
 * `tsc --noEmit -p tsconfig.json` (npm run typecheck); under vitest they run
 * as no-ops, and the runtime test below proves the operation table this file
 * checks is the one the facts file documents.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type { components, operations, paths, webhooks } from "../../generated/openapi.js";
import { factsFile, parseMediaPaths, parseOperationsFacts } from "./helpers.js";

type Schemas = components["schemas"];
type Room = Schemas["Room"];

/** Every documented operation (39) and the 3 media operations: path, method, operationId. */
const OPERATIONS = [
  ["/v1/Compositions/{Sid}", "get", "FetchComposition"],
  ["/v1/Compositions/{Sid}", "delete", "DeleteComposition"],
  ["/v1/Compositions", "get", "ListComposition"],
  ["/v1/Compositions", "post", "CreateComposition"],
  ["/v1/CompositionHooks/{Sid}", "get", "FetchCompositionHook"],
  ["/v1/CompositionHooks/{Sid}", "post", "UpdateCompositionHook"],
  ["/v1/CompositionHooks/{Sid}", "delete", "DeleteCompositionHook"],
  ["/v1/CompositionHooks", "get", "ListCompositionHook"],
  ["/v1/CompositionHooks", "post", "CreateCompositionHook"],
  ["/v1/CompositionSettings/Default", "get", "FetchCompositionSettings"],
  ["/v1/CompositionSettings/Default", "post", "CreateCompositionSettings"],
  ["/v1/Recordings/{Sid}", "get", "FetchRecording"],
  ["/v1/Recordings/{Sid}", "delete", "DeleteRecording"],
  ["/v1/Recordings", "get", "ListRecording"],
  ["/v1/RecordingSettings/Default", "get", "FetchRecordingSettings"],
  ["/v1/RecordingSettings/Default", "post", "CreateRecordingSettings"],
  ["/v1/Rooms/{Sid}", "get", "FetchRoom"],
  ["/v1/Rooms/{Sid}", "post", "UpdateRoom"],
  ["/v1/Rooms", "get", "ListRoom"],
  ["/v1/Rooms", "post", "CreateRoom"],
  ["/v1/Rooms/{RoomSid}/Participants/{Sid}", "get", "FetchRoomParticipant"],
  ["/v1/Rooms/{RoomSid}/Participants/{Sid}", "post", "UpdateRoomParticipant"],
  ["/v1/Rooms/{RoomSid}/Participants", "get", "ListRoomParticipant"],
  ["/v1/Rooms/{RoomSid}/Participants/{Sid}/Anonymize", "post", "UpdateRoomParticipantAnonymize"],
  ["/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/PublishedTracks/{Sid}", "get", "FetchRoomParticipantPublishedTrack"],
  ["/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/PublishedTracks", "get", "ListRoomParticipantPublishedTrack"],
  ["/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribeRules", "get", "FetchRoomParticipantSubscribeRule"],
  ["/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribeRules", "post", "UpdateRoomParticipantSubscribeRule"],
  ["/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribedTracks/{Sid}", "get", "FetchRoomParticipantSubscribedTrack"],
  ["/v1/Rooms/{RoomSid}/Participants/{ParticipantSid}/SubscribedTracks", "get", "ListRoomParticipantSubscribedTrack"],
  ["/v1/Rooms/{RoomSid}/Recordings/{Sid}", "get", "FetchRoomRecording"],
  ["/v1/Rooms/{RoomSid}/Recordings/{Sid}", "delete", "DeleteRoomRecording"],
  ["/v1/Rooms/{RoomSid}/Recordings", "get", "ListRoomRecording"],
  ["/v1/Rooms/{RoomSid}/RecordingRules", "get", "FetchRoomRecordingRule"],
  ["/v1/Rooms/{RoomSid}/RecordingRules", "post", "UpdateRoomRecordingRule"],
  ["/v1/Rooms/{RoomSid}/Transcriptions/{Ttid}", "get", "FetchRoomTranscriptions"],
  ["/v1/Rooms/{RoomSid}/Transcriptions/{Ttid}", "post", "UpdateRoomTranscriptions"],
  ["/v1/Rooms/{RoomSid}/Transcriptions", "get", "ListRoomTranscriptions"],
  ["/v1/Rooms/{RoomSid}/Transcriptions", "post", "CreateRoomTranscriptions"],
  // The media subresources (video-v1-conventions.md).
  ["/v1/Recordings/{Sid}/Media", "get", "FetchRecordingMedia"],
  ["/v1/Rooms/{RoomSid}/Recordings/{Sid}/Media", "get", "FetchRoomRecordingMedia"],
  ["/v1/Compositions/{Sid}/Media", "get", "FetchCompositionMedia"],
] as const;

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

/** Keys of T that are not optional. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

describe("generated/openapi.ts", () => {
  it("maps each of the 39 documented operations and the 3 media operations to its path and method", () => {
    expectTypeOf<RowsMatch<typeof OPERATIONS>[number]>().toEqualTypeOf<true>();
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
  });

  it("answers the documented status codes", () => {
    expectTypeOf<operations["CreateRoom"]["responses"]>().toHaveProperty(201);
    expectTypeOf<operations["UpdateRoom"]["responses"]>().toHaveProperty(202);
    expectTypeOf<operations["CreateRoomTranscriptions"]["responses"]>().toHaveProperty(202);
    expectTypeOf<operations["CreateCompositionSettings"]["responses"]>().toHaveProperty(200);
    expectTypeOf<NonNullable<operations["DeleteComposition"]["responses"][204]["content"]>>().toBeNever();
    expectTypeOf<operations["FetchRecordingMedia"]["responses"][302]["content"]["application/json"]>().toEqualTypeOf<Schemas["MediaRedirect"]>();
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
    expectTypeOf<RequiredKeys<Schemas["Composition"]>>().toEqualTypeOf<Exclude<keyof Schemas["Composition"], "media_external_location" | "status_callback" | "status_callback_method">>();
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
    expectTypeOf<webhooks["compositionStatusCallback"]["post"]>().toEqualTypeOf<operations["CompositionStatusCallback"]>();
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
    expect(OPERATIONS.map(([p, m, o]) => `${m} ${p} ${o}`).sort()).toEqual(documented.sort());
    expect(OPERATIONS).toHaveLength(42);
  });
});
