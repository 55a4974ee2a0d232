/** The optional peers package.json declares are the ones the missing-peer messages name, and no others. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PEERS } from "../../src/contract/peers.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
};

describe("optional peer dependencies", () => {
  it("are exactly PEERS, each optional and installed for development", () => {
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual([...PEERS].sort());
    for (const peer of PEERS) {
      expect(pkg.peerDependenciesMeta[peer]?.optional, peer).toBe(true);
      expect(pkg.devDependencies[peer], peer).toBeDefined();
    }
  });
});
