/**
 * Subscribe and recording rules: which tracks a rule list selects, and the
 * shapes the API answers with (subscribe rules echo every filter key with
 * null; recording rules leave unused ones out).
 */
import type { components } from "../../generated/openapi.js";

type S = components["schemas"];

export interface RuleInput {
  type: "include" | "exclude";
  all?: boolean;
  kind?: string;
  publisher?: string;
  track?: string;
  priority?: string;
}

export interface TrackFacts {
  sid: string;
  name: string;
  kind: string;
  publisherSid: string;
  publisherIdentity: string;
}

function matches(rule: RuleInput | S["SubscribeRuleResult"] | S["RecordingRuleResult"], track: TrackFacts): boolean {
  if (rule.all) return true;
  if (rule.kind != null && rule.kind !== track.kind) return false;
  if (rule.publisher != null && rule.publisher !== track.publisherSid && rule.publisher !== track.publisherIdentity)
    return false;
  if (rule.track != null && rule.track !== track.sid && rule.track !== track.name) return false;
  // A rule with no filter at all selects nothing.
  return rule.kind != null || rule.publisher != null || rule.track != null;
}

/** Whether the rules select the track: rules apply in order, the last match wins; nothing matched = not selected. */
export function selects(
  rules: ReadonlyArray<RuleInput | S["SubscribeRuleResult"] | S["RecordingRuleResult"]>,
  track: TrackFacts,
): boolean {
  let selected = false;
  for (const rule of rules) if (matches(rule, track)) selected = rule.type === "include";
  return selected;
}

export function subscribeRuleResults(rules: readonly RuleInput[]): S["SubscribeRuleResult"][] {
  return rules.map((r) => ({
    type: r.type,
    all: r.all ?? null,
    kind: (r.kind as S["TrackKind"] | undefined) ?? null,
    publisher: r.publisher ?? null,
    track: r.track ?? null,
    priority: r.priority ?? null,
  }));
}

export function recordingRuleResults(rules: readonly RuleInput[]): S["RecordingRuleResult"][] {
  return rules.map((r) => ({
    type: r.type,
    ...(r.all !== undefined ? { all: r.all } : {}),
    ...(r.kind !== undefined ? { kind: r.kind as "audio" | "video" } : {}),
    ...(r.publisher !== undefined ? { publisher: r.publisher } : {}),
    ...(r.track !== undefined ? { track: r.track } : {}),
  }));
}

/**
 * A rule list from a request field, in either form the spec accepts: the
 * list itself (`[{…}]`) or wrapped (`{"rules": [{…}]}`).
 */
export function ruleList(value: unknown): RuleInput[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value as RuleInput[];
  if (typeof value === "object" && value !== null && Array.isArray((value as { rules?: unknown }).rules))
    return (value as { rules: RuleInput[] }).rules;
  return undefined;
}

/** Every participant starts subscribed to everything. */
export const DEFAULT_SUBSCRIBE_RULES: readonly RuleInput[] = [{ type: "include", all: true }];
