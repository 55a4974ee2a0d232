/**
 * The bundled document is self-contained: every `$ref` is local (`#/…`) and
 * resolves to a node of the document.
 */
import { describe, expect, it } from "vitest";
import { at, isObject, loadDocument, walk, type Json } from "./helpers.js";

interface RefSite {
  where: string;
  ref: string;
}

function refsOf(doc: Json): RefSite[] {
  const sites: RefSite[] = [];
  walk(doc, (node, ptr) => {
    if (isObject(node) && typeof node.$ref === "string") sites.push({ where: `${ptr}/$ref`, ref: node.$ref });
  });
  return sites;
}

const dangling = (doc: Json, sites: RefSite[]) =>
  sites
    .filter((s) => !s.ref.startsWith("#") || at(doc, decodeURIComponent(s.ref.slice(1))) === undefined)
    .map((s) => `${s.where} -> ${s.ref}`);

describe("bundled document references", () => {
  const doc = loadDocument();
  const sites = refsOf(doc);

  it("has references to check", () => {
    expect(sites.length).toBeGreaterThan(100);
  });

  it("keeps no external reference (every $ref starts with #/)", () => {
    expect(sites.filter((s) => !s.ref.startsWith("#/")).map((s) => `${s.where} -> ${s.ref}`)).toEqual([]);
  });

  it("has no dangling reference (every $ref resolves inside the document)", () => {
    expect(dangling(doc, sites)).toEqual([]);
  });

  it("detects a dangling and an external reference when one is introduced", () => {
    const broken = loadDocument();
    const schemas = (broken.components as { schemas: Record<string, Json> }).schemas;
    delete schemas.RoomSid;
    schemas.Room = { $ref: "paths/rooms.yaml#/schemas/Room" };
    const found = dangling(broken, refsOf(broken));
    expect(found).toContain("/components/schemas/Room/$ref -> paths/rooms.yaml#/schemas/Room");
    expect(found.some((f) => f.endsWith("-> #/components/schemas/RoomSid"))).toBe(true);
  });
});
