/**
 * The hand-written parts that follow the spec (emulator handlers and views)
 * against this checkout's spec; test/spec/drill.test.ts proves the same
 * checks fail, naming the operation or field, when the spec moves ahead.
 */
import { describe, expect, it } from "vitest";
import document from "../../generated/openapi.json" with { type: "json" };
import { emulatorExchanges, missingHandlers, missingResponseFields, unexercised } from "../../scripts/derived-checks.js";

describe("emulator against the spec", () => {
  it("has a handler for every operation and none for an unknown one", () => {
    expect(missingHandlers()).toEqual([]);
    expect(missingHandlers(document, ["FetchRoom", "NoSuchOp"])).toContain("src/emulator/handlers.ts has a handler for NoSuchOp, which is no operation of the spec");
  });

  it("emits every required response field of every operation", async () => {
    const exchanges = await emulatorExchanges();
    expect(unexercised(document, exchanges)).toEqual([]);
    expect(missingResponseFields(document, exchanges)).toEqual([]);
    // A field dropped from one schema's answers is named with its operations.
    const cut = exchanges.map((x) =>
      x.operationId === "FetchRecordingSettings" ? { ...x, body: Object.fromEntries(Object.entries(x.body as object).filter(([k]) => k !== "url")) } : x,
    );
    expect(missingResponseFields(document, cut)).toEqual([]); // CreateRecordingSettings still sends RecordingSettings.url
    const none = cut.filter((x) => x.operationId !== "CreateRecordingSettings");
    expect(missingResponseFields(document, none)).toEqual([
      "RecordingSettings.url (a required field of GET /v1/RecordingSettings/Default (FetchRecordingSettings)) is never emitted by the emulator: add it to src/emulator/views.ts",
    ]);
  }, 30_000);
});
