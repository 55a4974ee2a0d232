/**
 * The "change the spec" drill (README, "Changing the spec"): on a copy of the
 * repo, add an operation, a required response field, an enum value, a list
 * filter, a retyped request field, a callback event and drop a callback field
 * in spec/, run `npm run generate` there, and prove that what is derived
 * follows (types, client table, README table, coverage list, callback
 * families) and that the checks of what is hand-written (emulator handlers,
 * request reads, views, callbacks) fail naming exactly what is missing and
 * the file to edit. The copy keeps this checkout untouched.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specOperations } from "../../generated/endpoints.js";

const repo = resolve(import.meta.dirname, "../..");
let dir: string;

function edit(file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  // A drill whose anchor text vanished would silently test nothing.
  if (!text.includes(from)) throw new Error(`drill: ${file} no longer contains ${JSON.stringify(from)}`);
  writeFileSync(path, text.replace(from, to));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "twilio-video-drill-"));
  for (const part of [
    "spec",
    "scripts",
    "src",
    "generated",
    "test",
    "README.md",
    "package.json",
    "tsconfig.json",
    "vitest.config.ts",
  ])
    cpSync(join(repo, part), join(dir, part), { recursive: true });
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));

  // 1. A new operation, with the client method it becomes.
  edit(
    "spec/openapi.yaml",
    "\npaths:\n",
    `
paths:
  /v1/Rooms/{RoomSid}/Foo:
    get:
      operationId: FetchRoomFoo
      x-client-method: {method: rooms.foo.get, shape: singleton-fetch, doc: "Fetch a room's foo (FetchRoomFoo)."}
      summary: Fetch a room's foo
      parameters:
        - {name: RoomSid, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: The foo.
          content:
            application/json:
              schema: {type: object, required: [room_sid], properties: {room_sid: {type: string}}}
`,
  );
  // 2. A new required response field of Room.
  edit(
    "spec/paths/rooms.yaml",
    "    required:\n      - sid\n      - status\n",
    "    required:\n      - drill_level\n      - sid\n      - status\n",
  );
  edit(
    "spec/paths/rooms.yaml",
    "    properties:\n      sid: {$ref: ../components/common.yaml#/schemas/RoomSid}\n      status: {$ref: '#/schemas/RoomStatus'}\n",
    "    properties:\n      drill_level: {type: integer}\n      sid: {$ref: ../components/common.yaml#/schemas/RoomSid}\n      status: {$ref: '#/schemas/RoomStatus'}\n",
  );
  // 3. A new enum value.
  edit(
    "spec/paths/rooms.yaml",
    "enum: [group, go, peer-to-peer, group-small]",
    "enum: [group, go, peer-to-peer, group-small, drill-large]",
  );

  // 4. A new list filter.
  edit(
    "spec/paths/rooms.yaml",
    "          schema: {$ref: ../components/common.yaml#/schemas/RoomUniqueName}\n        - $ref: ../components/common.yaml#/parameters/RoomDateCreatedAfter\n",
    "          schema: {$ref: ../components/common.yaml#/schemas/RoomUniqueName}\n        - {name: DrillRegion, in: query, schema: {type: string}}\n        - $ref: ../components/common.yaml#/parameters/RoomDateCreatedAfter\n",
  );
  // 5. A request field retyped from integer to a string enum.
  edit(
    "spec/paths/rooms.yaml",
    "      MaxParticipants: {type: integer, description:",
    "      MaxParticipants: {type: string, enum: [few, many], description:",
  );
  // 6. A new status callback event, and 7. a callback field the spec no longer declares.
  edit(
    "spec/webhooks.yaml",
    "enum: [track-added, track-removed, track-enabled, track-disabled]}",
    "enum: [track-added, track-removed, track-enabled, track-disabled, track-drilled]}",
  );
  edit(
    "spec/webhooks.yaml",
    "        track-disabled: '#/schemas/TrackCallbackEvent'\n",
    "        track-disabled: '#/schemas/TrackCallbackEvent'\n        track-drilled: '#/schemas/TrackCallbackEvent'\n",
  );
  edit(
    "spec/webhooks.yaml",
    "      TrackName: {type: string, description: \"The track's name as the publisher set it (not in the docs' table, seen in samples).\"}\n",
    "",
  );

  // 8. A new callback family on the room's URL.
  edit(
    "spec/webhooks.yaml",
    "      - $ref: '#/schemas/RecordingCallbackEvent'\n    discriminator:",
    "      - $ref: '#/schemas/RecordingCallbackEvent'\n      - $ref: '#/schemas/DrillCallbackEvent'\n    discriminator:",
  );
  edit(
    "spec/webhooks.yaml",
    "        recording-failed: '#/schemas/RecordingCallbackEvent'\n",
    "        recording-failed: '#/schemas/RecordingCallbackEvent'\n        drill-happened: '#/schemas/DrillCallbackEvent'\n",
  );
  edit(
    "spec/webhooks.yaml",
    "\n  # ---- Composition-URL events",
    `
  DrillCallbackEvent:
    type: object
    required: [AccountSid, StatusCallbackEvent, DrillCount]
    properties:
      StatusCallbackEvent: {type: string, enum: [drill-happened]}
      AccountSid: {type: string}
      DrillCount: {$ref: '#/schemas/CallbackCount'}
    additionalProperties: {type: string}

  # ---- Composition-URL events`,
  );

  execFileSync(process.execPath, [join(repo, "node_modules/tsx/dist/cli.mjs"), "scripts/generate.ts"], {
    cwd: dir,
    stdio: "pipe",
  });
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a spec change on a copy of the repo", () => {
  it("reaches the generated types", () => {
    const types = readFileSync(join(dir, "generated/openapi.ts"), "utf8");
    expect(types).toContain('"/v1/Rooms/{RoomSid}/Foo"');
    expect(types).toContain("FetchRoomFoo: {");
    expect(types).toContain("drill_level: number;");
    expect(types).toContain('"drill-large"');
  });

  it("adds the client method and lists the operation for the coverage tests", async () => {
    const endpoints = await import(pathToFileURL(join(dir, "generated/endpoints.ts")).href);
    expect(endpoints.endpointTree.rooms.foo).toEqual({
      param: "RoomSid",
      children: {
        get: { operationId: "FetchRoomFoo", method: "get", path: "/v1/Rooms/{RoomSid}/Foo", shape: "singleton-fetch" },
      },
    });
    expect(endpoints.specOperations).toContainEqual({
      operationId: "FetchRoomFoo",
      method: "get",
      path: "/v1/Rooms/{RoomSid}/Foo",
    });
    // One more than this checkout's spec, whatever its size.
    expect(endpoints.specOperations).toHaveLength(specOperations.length + 1);
  });

  it("adds a README row", () => {
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    expect(readme).toContain("| `rooms.foo(RoomSid)` | `get` | FetchRoomFoo |");
  });

  it("makes the emulator checks fail naming the missing handler, view field, read, filter and callbacks", async () => {
    const checks = await import(pathToFileURL(join(dir, "scripts/derived-checks.ts")).href);
    const spec = JSON.parse(readFileSync(join(dir, "generated/openapi.json"), "utf8"));
    const handlers = await import(pathToFileURL(join(dir, "src/emulator/handlers.ts")).href);
    expect(checks.missingHandlers(spec, Object.keys(handlers.handlers))).toEqual([
      "GET /v1/Rooms/{RoomSid}/Foo (FetchRoomFoo) has no emulator handler in src/emulator/handlers.ts",
    ]);
    const { exchanges, deliveries } = await checks.emulatorScenario();
    expect(checks.unexercised(spec, exchanges)).toEqual([
      "GET /v1/Rooms/{RoomSid}/Foo (FetchRoomFoo) is not exercised by the field check's scenario in scripts/derived-scenario.ts",
    ]);
    expect(checks.missingResponseFields(spec, exchanges)).toEqual([
      "Room.drill_level (a required field of POST /v1/Rooms (CreateRoom), GET /v1/Rooms/{Sid} (FetchRoom), GET /v1/Rooms (ListRoom), POST /v1/Rooms/{Sid} (UpdateRoom)) is never emitted by the emulator: add it to src/emulator/views.ts",
    ]);
    expect(checks.requestProblems(spec).sort()).toEqual(
      [
        "GET /v1/Rooms (ListRoom) declares query parameter DrillRegion (string), which the emulator never reads: add it in src/emulator/requests.ts (and read it in src/emulator/handlers.ts)",
        "GET /v1/Rooms (ListRoom) declares filter DrillRegion, which the emulator neither implements nor ignores with a reason: add it to the filters of ListRoom in src/emulator/requests.ts (and read it in src/emulator/handlers.ts)",
        "POST /v1/Rooms (CreateRoom) declares form field MaxParticipants as string, but the emulator reads it as integer: change it in src/emulator/requests.ts (and read it in src/emulator/handlers.ts)",
      ].sort(),
    );
    const callbacks: string[] = checks.callbackProblems(spec, deliveries);
    expect(callbacks).toContain(
      "track-drilled (TrackCallbackEvent, spec/webhooks.yaml) is never sent in the field check's scenario: emit it from src/emulator/lifecycle/ and drive it in scripts/derived-scenario.ts, or list it in NOT_EMITTED in src/emulator/lifecycle/events.ts with a reason",
    );
    expect(callbacks).toContain(
      "track-added carries TrackName, which TrackCallbackEvent (spec/webhooks.yaml) does not declare: stop sending it in src/emulator/lifecycle/events.ts",
    );
    expect(callbacks).toContain(
      "drill-happened (DrillCallbackEvent, spec/webhooks.yaml) is never sent in the field check's scenario: emit it from src/emulator/lifecycle/ and drive it in scripts/derived-scenario.ts, or list it in NOT_EMITTED in src/emulator/lifecycle/events.ts with a reason",
    );
    // Nothing else: each message is about one of the drill's edits.
    expect(callbacks.filter((m) => !/track-drilled|TrackName|drill-happened/.test(m))).toEqual([]);
  }, 120_000);

  it("derives the new callback event and family from spec/webhooks.yaml, and parses them with no edit", async () => {
    const { statusCallbackFamilies } = await import(pathToFileURL(join(dir, "generated/callbacks.ts")).href);
    const families = statusCallbackFamilies as Array<{ kind: string; events: string[]; numbers: string[] }>;
    expect(families.find((f) => f.kind === "track")?.events).toContain("track-drilled");
    expect(families.find((f) => f.kind === "drill")).toMatchObject({
      events: ["drill-happened"],
      numbers: ["DrillCount"],
    });
    const { parseStatusCallback } = await import(pathToFileURL(join(dir, "src/server/status-callbacks.ts")).href);
    const parsed = parseStatusCallback({ StatusCallbackEvent: "drill-happened", AccountSid: "AC1", DrillCount: "3" });
    expect(parsed).toEqual({ StatusCallbackEvent: "drill-happened", AccountSid: "AC1", DrillCount: 3, kind: "drill" });
    expect(() => parseStatusCallback({ StatusCallbackEvent: "drill-happened", AccountSid: "AC1" })).toThrow(
      /DrillCount/,
    );
  });

  it("makes the coverage tests fail naming the operation and its method", () => {
    // They iterate the generated operation table, so the new operation is
    // missing from their hand-written cases (the arguments each call needs).
    const out = join(dir, "coverage-report.json");
    try {
      execFileSync(
        process.execPath,
        [
          join(repo, "node_modules/vitest/vitest.mjs"),
          "run",
          "test/client/operations.test.ts",
          "test/spec/generated-types.test.ts",
          "--reporter=json",
          `--outputFile=${out}`,
        ],
        { cwd: dir, stdio: "pipe", env: { ...process.env, CI: "" } },
      );
    } catch {
      // Failing is the expected outcome; the report says how.
    }
    const report = JSON.parse(readFileSync(out, "utf8")) as {
      testResults: Array<{ assertionResults: Array<{ status: string; title: string; failureMessages: string[] }> }>;
    };
    const failed = report.testResults.flatMap((file) => file.assertionResults.filter((a) => a.status === "failed"));
    expect(failed.map((a) => a.title).sort()).toEqual([
      "checks the operation table that the facts files document",
      "covers every resource method of the client and every operation of the spec",
    ]);
    const messages = failed.map((a) => a.failureMessages.join("\n")).join("\n");
    expect(messages).toContain(
      "GET /v1/Rooms/{RoomSid}/Foo (FetchRoomFoo): client method rooms.foo.get has no case in test/client/operations.test.ts",
    );
    expect(messages).toContain(
      "get /v1/Rooms/{RoomSid}/Foo FetchRoomFoo is in the spec but not in test/spec/fixtures/video-v1-operations.md",
    );
  }, 60_000);

  it("leaves this checkout's own checks passing", async () => {
    const checks = await import("../../scripts/derived-checks.js");
    expect(await checks.derivedChecks()).toEqual([]);
  }, 60_000);
});
