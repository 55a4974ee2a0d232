/**
 * The status callback part of scripts/derived-checks.ts: the events and
 * fields of spec/webhooks.yaml (through the same derivation as
 * generated/callbacks.ts) against what the emulator sent in the scenario.
 */
import type { CallbackDelivery } from "../src/emulator/index.js";
import { NOT_EMITTED } from "../src/emulator/lifecycle/events.js";
import { callbackFamilies } from "./derive.js";

const SCENARIO_FILE = "scripts/derived-scenario.ts";
const EVENTS_FILE = "src/emulator/lifecycle/events.ts";

/**
 * Status callback events of the spec the scenario never caused (unless
 * excluded with a reason), events the emulator sends that the spec lacks,
 * and fields it sends that the event's family does not declare.
 */
export function callbackProblems(
  spec: unknown,
  deliveries: readonly Pick<CallbackDelivery, "event" | "params">[],
  excluded: Readonly<Record<string, string>> = NOT_EMITTED,
): string[] {
  const families = callbackFamilies(spec);
  const familyOf = new Map(families.flatMap((f) => f.events.map((e) => [e, f] as const)));
  const problems = new Set<string>();
  const sent = new Set(deliveries.map((d) => d.event));
  for (const [event, family] of familyOf) {
    if (!sent.has(event) && !(event in excluded)) {
      problems.add(
        `${event} (${family.schema}, spec/webhooks.yaml) is never sent` +
          ` in the field check's scenario: emit it from src/emulator/lifecycle/ and drive it in ${SCENARIO_FILE}` +
          `, or list it in NOT_EMITTED in ${EVENTS_FILE} with a reason`,
      );
    }
  }
  for (const event of Object.keys(excluded)) {
    if (!familyOf.has(event))
      problems.add(
        `${EVENTS_FILE} excludes ${event} in NOT_EMITTED, which is no event of spec/webhooks.yaml: remove it`,
      );
  }
  for (const d of deliveries) {
    const family = familyOf.get(d.event);
    if (!family) {
      problems.add(
        `the emulator sends ${d.event}` +
          `, which no callback family of spec/webhooks.yaml declares` +
          `: stop sending it (${EVENTS_FILE}) or add it to the spec`,
      );
      continue;
    }
    for (const field of Object.keys(d.params)) {
      if (!family.fields.includes(field)) {
        problems.add(
          `${d.event} carries ${field}` +
            `, which ${family.schema} (spec/webhooks.yaml) does not declare: stop sending it in ${EVENTS_FILE}`,
        );
      }
    }
    for (const field of family.required) {
      if (!(field in d.params))
        problems.add(`${d.event} lacks ${field}, which ${family.schema} requires: send it in ${EVENTS_FILE}`);
    }
  }
  return [...problems];
}
