/**
 * The emulator's public option types take `undefined` for every optional
 * field, so a project with `exactOptionalPropertyTypes` can pass a value it
 * holds as `T | undefined` (an env var, a parsed flag) straight through; and
 * the emulator treats such an undefined as "the default", never as a value.
 * Regression: ClockOptions, PublishOptions, WriteRecordingsOptions,
 * TrafficLogOptions and AdHocRoomOptions lacked `| undefined`, and a
 * trafficLog field given as undefined made startEmulator throw.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { clientFor } from "./helpers.js";

const entry = resolve(import.meta.dirname, "..", "..", "src", "emulator", "index.ts");

/** `Type.field` of every optional property, of every exported option type of the entry, whose declared type does not include undefined. */
function optionalWithoutUndefined(): { checked: string[]; missing: string[] } {
  const program = ts.createProgram({
    rootNames: [entry],
    options: {
      strict: true,
      exactOptionalPropertyTypes: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
    },
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const checked: string[] = [];
  const missing: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    // The types a caller builds and hands in: *Options and FaultSpec.
    if (!/Options$|^FaultSpec$/.test(exported.name)) continue;
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    for (const declaration of symbol.declarations ?? []) {
      if (!ts.isInterfaceDeclaration(declaration)) continue;
      for (const member of declaration.members) {
        if (!ts.isPropertySignature(member) || !member.questionToken) continue;
        const name = `${exported.name}.${member.name.getText()}`;
        checked.push(name);
        const type = member.type;
        const takesUndefined =
          type !== undefined &&
          ts.isUnionTypeNode(type) &&
          type.types.some((t) => t.kind === ts.SyntaxKind.UndefinedKeyword);
        if (!takesUndefined) missing.push(name);
      }
    }
  }
  return { checked, missing };
}

describe("emulator option types under exactOptionalPropertyTypes", () => {
  it("every optional field of every exported option type takes undefined", () => {
    const { checked, missing } = optionalWithoutUndefined();
    // The check saw the types this is about (a rename would otherwise make it pass vacuously).
    for (const name of [
      "EmulatorOptions.host",
      "ClockOptions.mode",
      "ClockOptions.start",
      "PublishOptions.name",
      "WriteRecordingsOptions.baseUrl",
      "TrafficLogOptions.maxEntries",
      "AdHocRoomOptions.type",
      "FaultSpec.count",
    ]) {
      expect(checked).toContain(name);
    }
    expect(missing).toEqual([]);
  }, 60_000);

  it("an option given as undefined means its default, at run time too", async () => {
    const u = undefined;
    const dir = await mkdtemp(join(tmpdir(), "emulator-undefined-options-"));
    const emulator = await startEmulator({
      host: u,
      port: u,
      clock: { mode: u, start: u },
      trafficLog: { maxEntries: u, maxBytes: u },
      adHocRooms: { type: u, statusCallback: u, statusCallbackMethod: u },
      recordingsDir: u,
    });
    try {
      expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const room = await clientFor(emulator).rooms.create({ UniqueName: "undefined-options" });
      emulator.connectParticipant(room.sid, "alice");
      const track = emulator.publishTrack(room.sid, "alice", { kind: "audio", name: u, enabled: u });
      expect(track).toMatchObject({ name: track.sid, enabled: true });
      emulator.injectFault({
        kind: "rate-limit",
        count: u,
        method: u,
        path: u,
        retryAfter: u,
        status: u,
        body: u,
        delayMs: u,
      });
      await expect(clientFor(emulator, { maxRetries: 0 }).rooms.get(room.sid)).rejects.toMatchObject({ status: 429 });
      const files = await emulator.writeRecordings(dir, { baseUrl: u });
      expect(files.length).toBeGreaterThan(0);
      expect(emulator.traffic()[0]!.request.url.startsWith(emulator.url)).toBe(true);
    } finally {
      await emulator.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
