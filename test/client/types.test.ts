/**
 * Type-level tests: `tsc --noEmit` (part of `npm test`) fails when a
 * `@ts-expect-error` below stops being an error, i.e. when the client starts
 * accepting a wrong field name or enum value, or a result loses its type.
 */
import { describe, expectTypeOf, it } from "vitest";
import type { components, MediaLink, VideoClient } from "../../src/index.js";
import { client, scriptedFetch } from "./helpers.js";

type S = components["schemas"];
const video: VideoClient = client(scriptedFetch(new Response("{}")).fetch);

describe("types flow from the spec", () => {
  it("results are the spec's resource types", () => {
    expectTypeOf(video.rooms.get).returns.resolves.toEqualTypeOf<S["Room"]>();
    expectTypeOf(video.rooms.list).returns.resolves.toEqualTypeOf<S["RoomPage"]>();
    expectTypeOf(video.rooms.iterate).returns.toEqualTypeOf<AsyncGenerator<S["Room"], void, undefined>>();
    expectTypeOf(video.rooms.all).returns.resolves.toEqualTypeOf<S["Room"][]>();
    expectTypeOf(video.rooms.participants("RM").get).returns.resolves.toEqualTypeOf<S["Participant"]>();
    expectTypeOf(video.compositions.media).returns.resolves.toEqualTypeOf<MediaLink>();
    expectTypeOf(video.recordings.delete).returns.resolves.toEqualTypeOf<void>();
    expectTypeOf<S["Room"]["end_time"]>().toEqualTypeOf<string | null>();
    expectTypeOf<S["Room"]["sid"]>().toEqualTypeOf<string>();
  });

  it("wrong field names and enum values do not compile", () => {
    // Type-only checks: the calls are never run.
    const never = () => {
      // @ts-expect-error unknown field (wire names are PascalCase)
      void video.rooms.create({ uniqueName: "standup" });
      // @ts-expect-error not a room type
      void video.rooms.create({ Type: "huge" });
      // @ts-expect-error a room can only be moved to completed
      void video.rooms.update("RM", { Status: "in-progress" });
      // @ts-expect-error Status is required on room update
      void video.rooms.update("RM", {});
      // @ts-expect-error not a composition format
      void video.compositions.create({ RoomSid: "RM", AudioSources: ["*"], Format: "avi" });
      // @ts-expect-error rule type is include or exclude
      void video.rooms.recordingRules("RM").update({ Rules: [{ type: "maybe", all: true }] });
      // @ts-expect-error list filters are typed too
      void video.rooms.list({ Status: "open" });
      // @ts-expect-error FriendlyName is required for a composition hook
      void video.compositionHooks.create({ AudioSources: ["*"] });
      // @ts-expect-error a list method has no create
      void video.recordings.create;
    };
    expectTypeOf(never).toBeFunction();
  });
});
