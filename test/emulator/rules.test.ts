/**
 * Subscribe and recording rules (src/emulator/rules.ts): which tracks a rule
 * list selects (exact matches on kind, publisher SID or identity, track SID
 * or name; last match wins), and the shapes the API answers with.
 */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SUBSCRIBE_RULES,
  recordingRuleResults,
  ruleList,
  selects,
  subscribeRuleResults,
  type RuleInput,
  type TrackFacts,
} from "../../src/emulator/rules.js";

const mic: TrackFacts = { sid: "MT1", name: "mic", kind: "audio", publisherSid: "PA1", publisherIdentity: "alice" };
const cam: TrackFacts = { sid: "MT2", name: "cam", kind: "video", publisherSid: "PA2", publisherIdentity: "bob" };

describe("selects", () => {
  it.each<[string, RuleInput[], boolean, boolean]>([
    ["no rules select nothing", [], false, false],
    ["include all", [{ type: "include", all: true }], true, true],
    ["exclude all", [{ type: "exclude", all: true }], false, false],
    ["all: false is no filter at all, so it selects nothing", [{ type: "include", all: false }], false, false],
    ["a rule with no filter selects nothing", [{ type: "include" }], false, false],
    ["by kind", [{ type: "include", kind: "audio" }], true, false],
    ["by publisher SID", [{ type: "include", publisher: "PA2" }], false, true],
    ["by publisher identity", [{ type: "include", publisher: "alice" }], true, false],
    ["by track SID", [{ type: "include", track: "MT2" }], false, true],
    ["by track name", [{ type: "include", track: "mic" }], true, false],
    ["filters combine with and", [{ type: "include", kind: "audio", publisher: "bob" }], false, false],
    ["kind and publisher both matching", [{ type: "include", kind: "video", publisher: "bob" }], false, true],
    ["kind and track both matching", [{ type: "include", kind: "audio", track: "mic" }], true, false],
    ["publisher and track, track wrong", [{ type: "include", publisher: "alice", track: "cam" }], false, false],
    [
      "the last match wins: include then exclude",
      [
        { type: "include", all: true },
        { type: "exclude", kind: "video" },
      ],
      true,
      false,
    ],
    [
      "the last match wins: exclude then include",
      [
        { type: "exclude", all: true },
        { type: "include", publisher: "bob" },
      ],
      false,
      true,
    ],
    [
      "a later rule that does not match changes nothing",
      [
        { type: "include", all: true },
        { type: "exclude", track: "nope" },
      ],
      true,
      true,
    ],
    ["matching is exact, not a pattern", [{ type: "include", track: "mi*" }], false, false],
    ["matching is case-sensitive", [{ type: "include", publisher: "Alice" }], false, false],
  ])("%s", (_, rules, selectsMic, selectsCam) => {
    expect(selects(rules, mic)).toBe(selectsMic);
    expect(selects(rules, cam)).toBe(selectsCam);
  });

  it("null filters (as the API echoes them) are no filter", () => {
    const [echoed] = subscribeRuleResults([{ type: "include", kind: "audio" }]);
    expect(selects([echoed!], mic)).toBe(true);
    expect(selects([echoed!], cam)).toBe(false);
    expect(selects(subscribeRuleResults([{ type: "include" }]), mic)).toBe(false);
  });

  it("everyone starts subscribed to everything", () => {
    expect(DEFAULT_SUBSCRIBE_RULES).toEqual([{ type: "include", all: true }]);
    expect(selects(DEFAULT_SUBSCRIBE_RULES, cam)).toBe(true);
  });
});

describe("rule results", () => {
  const rules: RuleInput[] = [
    { type: "include", all: true },
    { type: "exclude", kind: "video", publisher: "bob", track: "cam", priority: "high" },
  ];

  it("subscribe rules echo every filter key, null when unused", () => {
    expect(subscribeRuleResults(rules)).toEqual([
      { type: "include", all: true, kind: null, publisher: null, track: null, priority: null },
      { type: "exclude", all: null, kind: "video", publisher: "bob", track: "cam", priority: "high" },
    ]);
  });

  it("recording rules leave unused keys out", () => {
    expect(recordingRuleResults(rules)).toStrictEqual([
      { type: "include", all: true },
      { type: "exclude", kind: "video", publisher: "bob", track: "cam" },
    ]);
    expect(recordingRuleResults([{ type: "include", all: false }])).toStrictEqual([{ type: "include", all: false }]);
    expect(recordingRuleResults([{ type: "exclude" }])).toStrictEqual([{ type: "exclude" }]);
  });
});

describe("ruleList", () => {
  const one = [{ type: "include", all: true }];
  it.each<[string, unknown, unknown]>([
    ["undefined", undefined, undefined],
    ["a list", one, one],
    ["a wrapped list", { rules: one }, one],
    ["a wrapper without a list", { rules: "x" }, undefined],
    ["null", null, undefined],
    ["a string", "rules", undefined],
    ["an object without rules", {}, undefined],
  ])("%s", (_, input, expected) => {
    expect(ruleList(input)).toEqual(expected);
    if (Array.isArray(expected))
      expect(ruleList(input)).toBe(Array.isArray(input) ? input : (input as { rules: unknown }).rules);
  });
});

describe("cost", () => {
  it("a rule list of 100,000 rules against a 1 MiB track name is linear: exact comparisons only", () => {
    const long = "a".repeat(1024 * 1024);
    const track: TrackFacts = { ...mic, name: long };
    const rules: RuleInput[] = Array.from({ length: 100_000 }, (_, i) => ({
      type: i % 2 ? "include" : "exclude",
      track: `${long.slice(0, 1000)}${i}`,
    }));
    const started = performance.now();
    expect(selects(rules, track)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
