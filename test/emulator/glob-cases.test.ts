/**
 * Composition sources (`AudioSources`, `video_sources`, their exclusions)
 * are `*` patterns a request sends. They were compiled into regular
 * expressions (`*` → `.*`), which backtrack without end on a crafted
 * pattern; Glob (src/emulator/glob.ts) scans instead.
 */
import { describe, expect, it } from "vitest";
import { Glob } from "../../src/emulator/glob.js";

const globMatches = (pattern: string, name: string): boolean => new Glob(pattern).test(name);

describe("composition source patterns (cases kept from the first scan)", () => {
  it.each([
    ["*", "", true],
    ["*", "alice-mic", true],
    ["alice", "alice", true],
    ["alice", "alice-mic", false],
    ["alice*", "alice-mic", true],
    ["*mic", "alice-mic", true],
    ["*mic", "alice-cam", false],
    ["a*c*e", "abcde", true],
    ["a*c*e", "abdce", true],
    ["a*c*e", "ace", true],
    ["a*c*e", "aec", false],
    ["ab*ba", "aba", false], // the prefix and the suffix may not share a character
    ["**", "x", true],
    ["a**b", "ab", true],
    ["*.mic", "alice.mic", true],
    ["*.mic", "aliceXmic", false], // `.` is literal, as it was when escaped into a regex
    ["(a+)+*", "(a+)+b", true],
  ])("%j against %j is %s", (pattern, name, expected) => {
    expect(globMatches(pattern, name)).toBe(expected);
  });

  it("answers a crafted pattern on a long name in a scan (regression: `*a*a*…b` backtracked in a regex)", () => {
    // As a regex, ^.*a.*a.*…b$ against "aaaa…" tries every split: it would not finish.
    const pattern = `${"*a".repeat(2_000)}*b`;
    const name = "a".repeat(100_000);
    const started = performance.now();
    expect(globMatches(pattern, name)).toBe(false);
    expect(globMatches(pattern, `${name}b`)).toBe(true);
    // A scan of 100,000 characters; the bound is hundreds of times what it takes on a loaded machine.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
