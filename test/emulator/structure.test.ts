/**
 * The emulator's one rule for state (src/emulator/lifecycle.ts): only the
 * lifecycle modules write the store; REST handlers, control routes and token
 * joins look records up and call the module of the resource they change.
 * Read from the sources, so a handler that writes a record directly fails
 * here naming the file and line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CONTROL_ROUTES } from "../../src/emulator/control.js";

const dir = resolve(import.meta.dirname, "../../src/emulator");
/** Calls and assignments that change the store or a record held in it. */
const WRITES =
  /\bstore\.(add\w*|setRoomStatus|newRecord|clear)\(|\bstore\.\w+\.(set|delete|clear)\(|\bstore\.\w+\s*=[^=]/;
/** The writers: the lifecycle modules, their wiring (reset), and the store itself. */
const WRITERS = /^(lifecycle\/.*|lifecycle\.ts|store\.ts)$/;

function sources(): string[] {
  const top = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  const life = readdirSync(join(dir, "lifecycle")).map((f) => `lifecycle/${f}`);
  return [...top, ...life];
}

describe("who writes the store", () => {
  it("only the lifecycle modules do", () => {
    const offenders: string[] = [];
    for (const file of sources().filter((f) => !WRITERS.test(f))) {
      readFileSync(join(dir, file), "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (WRITES.test(line)) offenders.push(`src/emulator/${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders, "call the lifecycle module of the resource instead (src/emulator/lifecycle/)").toEqual([]);
  });

  it("the scan sees a direct write", () => {
    expect(WRITES.test("ctx.store.hooks.set(hook.sid, hook);")).toBe(true);
    expect(WRITES.test("ctx.store.compositionSettings = settings;")).toBe(true);
    expect(WRITES.test("c.store.addRoom(room);")).toBe(true);
    expect(WRITES.test("const r = ctx.store.rooms.get(sid);")).toBe(false);
    expect(WRITES.test("if (ctx.store.rooms.size === 0) return;")).toBe(false);
  });
});

describe("handlers read requests through the typed readers", () => {
  it("handlers.ts never reads the form or the query untyped (regression: a new filter was accepted and ignored)", () => {
    const source = readFileSync(join(dir, "handlers.ts"), "utf8");
    const untyped = source.split("\n").filter((line) => /\breq\.(form|query)\b/.test(line));
    expect(untyped, "read them with readBody/readQuery (src/emulator/requests.ts), typed from the spec").toEqual([]);
  });
});

describe("the control route table", () => {
  it("keys each route by method and path, naming every path parameter", () => {
    for (const key of Object.keys(CONTROL_ROUTES)) {
      expect(key, key).toMatch(/^(GET|POST|DELETE) [a-z/:]*$/);
      // A parameter follows its collection and is named after it: rooms/:room, participants/:participant.
      for (const m of key.matchAll(/([a-z]+)s\/:([a-z]+)/g)) expect(m[2], key).toBe(m[1]);
    }
  });
});
