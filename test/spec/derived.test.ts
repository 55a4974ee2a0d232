/**
 * The hand-written parts that follow the spec (emulator handlers, request
 * reads, views, status callbacks) against this checkout's spec;
 * test/spec/drill.test.ts proves the same checks fail, naming the operation,
 * parameter, field or event and the file to edit, when the spec moves ahead.
 * Each check is also fed a doctored scenario here, to show what it catches.
 */
import { beforeAll, describe, expect, it } from "vitest";
import document from "../../generated/openapi.json" with { type: "json" };
import {
  callbackProblems,
  emulatorScenario,
  missingHandlers,
  missingResponseFields,
  requestProblems,
  unexercised,
  unprovedFilters,
  type Scenario,
} from "../../scripts/derived-checks.js";
import { REQUESTS } from "../../src/emulator/requests.js";

let scenario: Scenario;
beforeAll(async () => {
  scenario = await emulatorScenario();
}, 60_000);

type Table = Parameters<typeof requestProblems>[1];
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("emulator against the spec", () => {
  it("has a handler for every operation and none for an unknown one", () => {
    expect(missingHandlers()).toEqual([]);
    expect(missingHandlers(document, ["FetchRoom", "NoSuchOp"])).toContain(
      "src/emulator/handlers.ts has a handler for NoSuchOp, which is no operation of the spec",
    );
  });

  it("emits every required response field of every operation", () => {
    const { exchanges } = scenario;
    expect(missingResponseFields(document, exchanges)).toEqual([]);
    // A field dropped from one schema's answers is named with its operations.
    const cut = exchanges.map((x) =>
      x.operationId === "FetchRecordingSettings"
        ? { ...x, body: Object.fromEntries(Object.entries(x.body as object).filter(([k]) => k !== "url")) }
        : x,
    );
    expect(missingResponseFields(document, cut)).toEqual([]); // CreateRecordingSettings still sends RecordingSettings.url
    const none = cut.filter((x) => x.operationId !== "CreateRecordingSettings");
    expect(missingResponseFields(document, none)).toEqual([
      "RecordingSettings.url (a required field of GET /v1/RecordingSettings/Default (FetchRecordingSettings)) is never emitted by the emulator: add it to src/emulator/views.ts",
    ]);
  });
});

describe("every operation answers with a resource", () => {
  it("answers each operation 2xx (a media 302) and each list with an item", () => {
    expect(unexercised(document, scenario.exchanges)).toEqual([]);
  });

  it("names an operation only ever answered with an error, and a list only ever empty (regression: a 404 or [] counted as covered)", () => {
    const doctored = scenario.exchanges.map((x) => {
      if (x.operationId === "FetchRoom") return { ...x, status: 404 };
      if (x.operationId === "ListRoomTranscriptions")
        return { ...x, body: { ...(x.body as object), transcriptions: [] } };
      return x;
    });
    expect(unexercised(document, doctored)).toEqual([
      "GET /v1/Rooms/{Sid} (FetchRoom) never answered 2xx (or a media 302) in the field check's scenario (only 404): fix its handler in src/emulator/handlers.ts (or its call in scripts/derived-scenario.ts)",
      "GET /v1/Rooms/{RoomSid}/Transcriptions (ListRoomTranscriptions) listed no item in the field check's scenario: its handler in src/emulator/handlers.ts must list what scripts/derived-scenario.ts creates",
    ]);
    expect(
      unexercised(
        document,
        scenario.exchanges.filter((x) => x.operationId !== "FetchRoom"),
      ),
    ).toEqual([
      "GET /v1/Rooms/{Sid} (FetchRoom) is not exercised by the field check's scenario in scripts/derived-scenario.ts",
    ]);
  });
});

describe("request parameters are read as the spec types them", () => {
  it("reads every declared query parameter and form field with its kind, and handles every filter", () => {
    expect(requestProblems()).toEqual([]);
  });

  it("names a retyped, unread, undeclared or unhandled parameter and the file to edit", () => {
    const table = copy(REQUESTS) as unknown as Record<
      string,
      { query?: Record<string, string>; body?: Record<string, string>; filters?: Record<string, unknown> }
    >;
    table.CreateRoom!.body!.MaxParticipants = "string";
    delete table.ListRoomParticipant!.query!.Identity;
    delete table.ListRoomParticipant!.filters!.Identity;
    table.UpdateRoom!.body!.Bogus = "string";
    delete table.ListComposition!.filters!.RoomSid;
    expect(requestProblems(document, table as Table).sort()).toEqual(
      [
        "POST /v1/Rooms (CreateRoom) declares form field MaxParticipants as integer, but the emulator reads it as string: change it in src/emulator/requests.ts (and read it in src/emulator/handlers.ts)",
        "GET /v1/Rooms/{RoomSid}/Participants (ListRoomParticipant) declares query parameter Identity (string), which the emulator never reads: add it in src/emulator/requests.ts (and read it in src/emulator/handlers.ts)",
        "GET /v1/Rooms/{RoomSid}/Participants (ListRoomParticipant) declares filter Identity, which the emulator neither implements nor ignores with a reason: add it to the filters of ListRoomParticipant in src/emulator/requests.ts (and read it in src/emulator/handlers.ts)",
        "src/emulator/requests.ts reads form field Bogus of UpdateRoom, which the spec does not declare: remove it there and in src/emulator/handlers.ts",
        "GET /v1/Compositions (ListComposition) declares filter RoomSid, which the emulator neither implements nor ignores with a reason: add it to the filters of ListComposition in src/emulator/requests.ts (and read it in src/emulator/handlers.ts)",
      ].sort(),
    );
  });

  it("proves each implemented filter by a change in the scenario's result", () => {
    expect(unprovedFilters(scenario.exchanges)).toEqual([]);
  });

  it("names a filter the scenario never shows working (regression: a filter accepted and silently ignored)", () => {
    // A handler that ignored UniqueName would answer the filtered list like the unfiltered one.
    const baseline = scenario.exchanges.find((x) => x.operationId === "ListRoom" && !new URL(x.url).search)!;
    const ignoring = scenario.exchanges.map((x) =>
      x.operationId === "ListRoom" && new URL(x.url).searchParams.has("UniqueName") ? { ...x, body: baseline.body } : x,
    );
    expect(unprovedFilters(ignoring)).toEqual([
      "ListRoom filter UniqueName never changed a result in the field check's scenario: prove it in scripts/derived-scenario.ts, implement it in src/emulator/handlers.ts, or mark it ignored with a reason in src/emulator/requests.ts",
    ]);
    // Marked ignored with a reason, it is no longer demanded.
    const table = copy(REQUESTS) as unknown as Record<string, { filters?: Record<string, unknown> }>;
    table.ListRoom!.filters!.UniqueName = { ignored: "a reason" };
    expect(unprovedFilters(ignoring, table as Table)).toEqual([]);
  });
});

describe("status callbacks follow spec/webhooks.yaml", () => {
  it("sends every event of the spec but the excluded ones, each with declared fields only", () => {
    expect(callbackProblems(document, scenario.deliveries)).toEqual([]);
    const sent = new Set(scenario.deliveries.map((d) => d.event));
    expect(sent).not.toContain("recording-failed");
    expect(sent).toContain("composition-hook-failed");
  });

  it("names an event never sent, an exclusion of no event, an undeclared field and a missing required one", () => {
    const doctored = scenario.deliveries
      .filter((d) => d.event !== "track-disabled")
      .map((d) => {
        if (d.event === "room-created") return { ...d, params: { ...d.params, Bogus: "1" } };
        if (d.event === "track-added")
          return { ...d, params: Object.fromEntries(Object.entries(d.params).filter(([k]) => k !== "TrackSid")) };
        return d;
      });
    const problems = callbackProblems(document, doctored, { "recording-failed": "reason", "no-such-event": "reason" });
    expect(problems.sort()).toEqual(
      [
        "track-disabled (TrackCallbackEvent, spec/webhooks.yaml) is never sent in the field check's scenario: emit it from src/emulator/lifecycle/ and drive it in scripts/derived-scenario.ts, or list it in NOT_EMITTED in src/emulator/lifecycle/events.ts with a reason",
        "src/emulator/lifecycle/events.ts excludes no-such-event in NOT_EMITTED, which is no event of spec/webhooks.yaml: remove it",
        "room-created carries Bogus, which RoomCallbackEvent (spec/webhooks.yaml) does not declare: stop sending it in src/emulator/lifecycle/events.ts",
        "track-added lacks TrackSid, which TrackCallbackEvent requires: send it in src/emulator/lifecycle/events.ts",
      ].sort(),
    );
    expect(callbackProblems(document, [{ event: "room-exploded", params: {} }], {})).toContain(
      "the emulator sends room-exploded, which no callback family of spec/webhooks.yaml declares: stop sending it (src/emulator/lifecycle/events.ts) or add it to the spec",
    );
  });
});
