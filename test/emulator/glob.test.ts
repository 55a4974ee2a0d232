/**
 * The composition source matcher (src/emulator/glob.ts): `*` patterns
 * matched without regular expressions, checked case by case, against a
 * regex oracle on small random inputs, and for linear cost on 1 MiB inputs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anyMatches, findFrom, Glob, trimTrailingSlashes } from "../../src/emulator/glob.js";

const oracle = (pattern: string, name: string): boolean =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "s",
  ).test(name);

describe("Glob", () => {
  it.each([
    ["alice", "alice", true],
    ["alice", "alicia", false],
    ["alice", "xalice", false],
    ["*", "", true],
    ["*", "anything", true],
    ["", "", true],
    ["", "a", false],
    ["a*", "a", true],
    ["a*", "ab", true],
    ["a*", "ba", false],
    ["*a", "ba", true],
    ["*a", "ab", false],
    ["a*a", "a", false],
    ["a*a", "aa", true],
    ["a*a", "aba", true],
    ["a*b*c", "abc", true],
    ["a*b*c", "aXbYc", true],
    ["a*b*c", "acb", false],
    ["a*bc*bc", "abcbc", true],
    ["a*bc*bc", "abc", false],
    ["*b*", "abc", true],
    ["*b*", "ac", false],
    ["*ab*ab", "ab", false],
    ["*ab*ab", "abab", true],
    ["**", "x", true],
    ["a**b", "ab", true],
    ["*aab*", "aaab", true],
    ["*abab*", "ababbabab", true],
    ["x*abcabd*y", "xabcabcabdy", true],
    ["x*abcabd*y", "xabcabcabey", false],
    ["Cam*", "camera", false],
    ["a.c", "abc", false],
  ])("%j against %j is %s", (pattern, name, expected) => {
    expect(new Glob(pattern).test(name)).toBe(expected);
    expect(oracle(pattern, name)).toBe(expected);
  });

  it("agrees with a regular expression on random short patterns and names", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "*"), maxLength: 10 });
    const name = fc.string({ unit: fc.constantFrom("a", "b"), maxLength: 12 });
    fc.assert(
      fc.property(text, name, (p, n) => new Glob(p).test(n) === oracle(p, n)),
      { numRuns: 3000 },
    );
  });

  it("keeps its pattern", () => {
    expect(new Glob("a*b").pattern).toBe("a*b");
  });
});

describe("findFrom", () => {
  it.each([
    ["abc", "", 0, 0],
    ["abc", "", 3, 3],
    ["abc", "", 4, -1],
    ["abc", "c", 0, 2],
    ["abc", "a", 1, -1],
    ["aaab", "aab", 0, 1],
    ["abababc", "ababc", 0, 2],
    ["ababcabab", "abab", 1, 5],
    ["abcabd", "abd", 0, 3],
    ["aabaabaaa", "aabaaa", 0, 3],
    ["xyz", "xyzw", 0, -1],
    // A border table that never falls back would claim "abb" after "aab" here.
    ["aababb", "aabb", 0, -1],
    ["aababbaabb", "aabb", 0, 6],
  ])("%j finds %j from %d at %d", (text, needle, from, at) => {
    expect(findFrom(text, needle, from)).toBe(at);
    expect(findFrom(text, needle, from)).toBe(from > text.length ? -1 : text.indexOf(needle, from));
  });

  it("agrees with indexOf on random inputs", () => {
    const s = fc.string({ unit: fc.constantFrom("a", "b"), maxLength: 16 });
    fc.assert(
      fc.property(
        s,
        s,
        fc.nat(16),
        (t, n, from) => findFrom(t, n, from) === (from > t.length ? -1 : t.indexOf(n, from)),
      ),
      { numRuns: 3000 },
    );
  });
});

describe("anyMatches", () => {
  it("is true when one pattern matches one name", () => {
    const globs = [new Glob("x*"), new Glob("*ice")];
    expect(anyMatches(globs, ["bob", "alice"])).toBe(true);
    expect(anyMatches(globs, ["bob", "carol"])).toBe(false);
    expect(anyMatches([], ["alice"])).toBe(false);
    expect(anyMatches(globs, [])).toBe(false);
  });
});

describe("trimTrailingSlashes", () => {
  it.each([
    ["https://b.s3.amazonaws.com/x/", "https://b.s3.amazonaws.com/x"],
    ["https://b/x///", "https://b/x"],
    ["https://b/x", "https://b/x"],
    ["///", ""],
    ["", ""],
    ["a/b", "a/b"],
  ])("%j becomes %j", (url, trimmed) => {
    expect(trimTrailingSlashes(url)).toBe(trimmed);
  });
});

/** Milliseconds `run` takes, best of three (noise on a shared machine only ever adds time). */
function timed(run: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe("cost on crafted 1 MiB inputs", () => {
  const MiB = 1024 * 1024;
  // Inputs that make a backtracking matcher (or a naive substring search) quadratic.
  const cases: Array<[string, (n: number) => [string, string]]> = [
    ["many stars, no match", (n) => [`${"*a".repeat(n / 2)}*b*`, "a".repeat(n)]],
    ["near-miss middle piece", (n) => [`*${"a".repeat(n / 2)}b*`, "a".repeat(n)]],
    ["long prefix and suffix", (n) => [`${"a".repeat(n / 2)}*${"a".repeat(n / 2)}c`, "a".repeat(n)]],
    ["periodic pieces", (n) => [`*${"ab".repeat(n / 8)}c*`, "ab".repeat(n / 2)]],
  ];

  it.each(cases)("%s: 1 MiB costs about 64× what 16 KiB costs, not 4,096×", (_, make) => {
    const small = make(16 * 1024);
    const large = make(MiB);
    const glob = new Glob(large[0]);
    expect(glob.test(large[1])).toBe(false);
    const smallMs = timed(() => new Glob(small[0]).test(small[1]));
    const largeMs = timed(() => new Glob(large[0]).test(large[1]));
    // Linear is 64×; quadratic would be 4,096×. A 2 ms floor absorbs timer granularity and JIT warm-up.
    expect(largeMs).toBeLessThan(Math.max(smallMs, 2) * 64 * 10);
    expect(largeMs).toBeLessThan(2_000);
  });

  it("a run of a million slashes is trimmed in linear time", () => {
    const url = `https://x${"/".repeat(MiB)}`;
    expect(trimTrailingSlashes(url)).toBe("https://x");
    const evil = `${"/".repeat(MiB)}x`;
    expect(timed(() => trimTrailingSlashes(evil))).toBeLessThan(500);
  });
});
