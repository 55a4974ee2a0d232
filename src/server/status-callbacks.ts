/**
 * Typed status callbacks: the form fields Twilio posts turned into one
 * variant per event family (room, participant, track, recording,
 * composition, composition hook), discriminated by `StatusCallbackEvent`
 * and by `kind`, with counts as numbers. Events this version does not know
 * come back as `{ kind: "unknown", StatusCallbackEvent, ...fields }` rather
 * than being dropped.
 *
 * The families (which events, which fields are required, which are counts)
 * are generated from spec/webhooks.yaml into generated/callbacks.ts, and the
 * types are read from the same schemas, so a family the spec adds is parsed
 * without an edit here (and gets a named alias below only if wanted).
 */
import { statusCallbackFamilies } from "../../generated/callbacks.js";
import type { components } from "../../generated/openapi.js";
import { named, TwilioVideoError } from "../core/errors.js";

/** Form parameters of a callback: a record (repeated keys as arrays) or URLSearchParams. */
export type CallbackParams = Record<string, string | readonly string[]> | URLSearchParams;

type S = components["schemas"];

interface FamilyRule {
  readonly kind: string;
  /** The spec schema this row is generated from. */
  readonly schema: keyof S;
  readonly events: readonly string[];
  readonly required: readonly string[];
  /** Fields sent as strings of digits (`CallbackCount`), answered as numbers. */
  readonly numbers: readonly string[];
  /** Fields sent as "true"/"false", answered as booleans (the spec has none today). */
  readonly booleans: readonly string[];
}

/** The spec's callback families (generated/callbacks.ts, from spec/webhooks.yaml). */
export const STATUS_CALLBACK_FAMILIES = statusCallbackFamilies satisfies readonly FamilyRule[];

/**
 * The event families a status callback can belong to, the `kind` of a parsed
 * callback: `"room"`, `"participant"`, `"track"`, `"recording"`,
 * `"composition"` and `"composition-hook"` (events of no known family parse
 * as `kind: "unknown"`, see {@link UnknownCallback}).
 */
export type StatusCallbackKind = (typeof STATUS_CALLBACK_FAMILIES)[number]["kind"];

/** Family name → its spec schema. */
type FamilySchemas = { [R in Rules as R["kind"]]: S[R["schema"]] };

type Rules = (typeof STATUS_CALLBACK_FAMILIES)[number];
type RuleOf<K extends StatusCallbackKind> = Extract<Rules, { kind: K }>;

/** The schema's declared fields, without its `[key: string]: string` catch-all. */
type Declared<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
type Converted<T, R extends FamilyRule> = {
  readonly [K in keyof Declared<T>]: K extends R["numbers"][number]
    ? number
    : K extends R["booleans"][number]
      ? boolean
      : Declared<T>[K];
};

/**
 * One family's event: the spec's fields (counts as numbers), plus `kind`.
 * Fields the spec does not name are kept, as strings.
 */
export type StatusCallbackFamily<K extends StatusCallbackKind> = { readonly kind: K } & Converted<
  FamilySchemas[K],
  RuleOf<K>
> & {
    readonly [field: string]: unknown;
  };

/**
 * A room's status callback (`room-created`, `room-ended`): the room's SID,
 * name, type and status, `SequenceNumber` (orders callbacks that arrive out
 * of order) and, on `room-ended`, `RoomDuration` in seconds, as numbers.
 */
export type RoomCallback = StatusCallbackFamily<"room">;
/**
 * A participant joined or left a room (`participant-connected`,
 * `participant-disconnected`): the room's fields plus `ParticipantSid`,
 * `ParticipantIdentity`, `ParticipantStatus` and, on disconnect,
 * `ParticipantDuration` in seconds (a number).
 */
export type ParticipantCallback = StatusCallbackFamily<"participant">;
/**
 * A participant published, unpublished, enabled or disabled a track
 * (`track-added`, `track-removed`, `track-enabled`, `track-disabled`): the
 * participant's fields plus `TrackSid` and `TrackKind` (`audio`, `video` or
 * `data`).
 */
export type TrackCallback = StatusCallbackFamily<"track">;
/**
 * A track recording started, completed or failed (`recording-started`,
 * `recording-completed`, `recording-failed`): `RecordingSid`, `SourceSid`
 * (the recorded track), `RecordingUri`, and the counts `Duration` (seconds),
 * `Size` (bytes) and `OffsetFromTwilioVideoEpoch` (ms) as numbers when sent.
 */
export type RecordingCallback = StatusCallbackFamily<"recording">;
/**
 * A composition's progress (`composition-enqueued`, `-started`,
 * `-progress`, `-available`, `-failed`): `CompositionSid`, `CompositionUri`,
 * and as numbers when sent `PercentageDone`, `SecondsRemaining`, `Duration`
 * (seconds) and `Size` (bytes). Download the media on `composition-available`.
 */
export type CompositionCallback = StatusCallbackFamily<"composition">;
/**
 * A composition hook could not create its composition
 * (`composition-hook-failed`): the room's SID and the `HookSid` at fault.
 */
export type CompositionHookCallback = StatusCallbackFamily<"composition-hook">;

/** An event this version does not know; every field kept as sent. */
export interface UnknownCallback {
  readonly kind: "unknown";
  readonly StatusCallbackEvent: string;
  readonly [field: string]: unknown;
}

/**
 * Every status callback of an event this version knows, one variant per
 * family: narrow on `kind` (or on `StatusCallbackEvent`). Unlike
 * {@link ParsedStatusCallback} it excludes {@link UnknownCallback}.
 */
export type KnownStatusCallback = { [K in StatusCallbackKind]: StatusCallbackFamily<K> }[StatusCallbackKind];
/**
 * What {@link parseStatusCallback} answers: narrow on `kind` (or on `StatusCallbackEvent` after excluding `"unknown"`).
 */
export type ParsedStatusCallback = KnownStatusCallback | UnknownCallback;
/** Every event name the spec documents. */
export type StatusCallbackEventName = KnownStatusCallback["StatusCallbackEvent"];
/** The event of one name, its `StatusCallbackEvent` narrowed to that name. */
export type StatusCallbackOf<E extends StatusCallbackEventName> = KnownStatusCallback extends infer V
  ? V extends { StatusCallbackEvent: infer N }
    ? E extends N
      ? V & { readonly StatusCallbackEvent: E }
      : never
    : never
  : never;

/** A callback whose fields cannot be what the spec says (a missing required field, a count that is not a number). */
export class InvalidStatusCallbackError extends TwilioVideoError {
  readonly kind = "callback" as const;
  static {
    named(this, "InvalidStatusCallbackError");
  }
  /** The field at fault. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

const FAMILY_BY_EVENT = new Map<string, FamilyRule>(
  STATUS_CALLBACK_FAMILIES.flatMap((f) => f.events.map((e) => [e, f] as [string, FamilyRule])),
);
const DIGITS = /^[0-9]+$/;

function fieldsOf(input: string | CallbackParams): Map<string, string> {
  const entries: Array<[string, string]> =
    typeof input === "string"
      ? [...new URLSearchParams(input)]
      : input instanceof URLSearchParams
        ? [...input]
        : Object.entries(input).flatMap(([name, value]) =>
            typeof value === "string"
              ? [[name, value] as [string, string]]
              : value.map((v) => [name, v] as [string, string]),
          );
  const fields = new Map<string, string>();
  for (const [name, value] of entries) {
    // Twilio sends each field once; a repeat is ambiguous and keeping either copy would lose the other.
    if (fields.has(name)) throw new InvalidStatusCallbackError(name, "appears more than once");
    fields.set(name, value);
  }
  return fields;
}

/**
 * Turns a status callback's fields (a form body string, URLSearchParams, or a
 * record) into a typed event. Throws {@link InvalidStatusCallbackError} when
 * `StatusCallbackEvent` is missing, when a known event lacks a field the spec
 * requires, or when a count is not a whole number. Verify the signature
 * before parsing (the handlers do).
 */
export function parseStatusCallback(input: string | CallbackParams): ParsedStatusCallback {
  const fields = fieldsOf(input);
  const event = fields.get("StatusCallbackEvent");
  if (!event) throw new InvalidStatusCallbackError("StatusCallbackEvent", "is missing");
  const family = FAMILY_BY_EVENT.get(event);
  if (!family) return { ...Object.fromEntries(fields), StatusCallbackEvent: event, kind: "unknown" };
  const missing = family.required.filter((name) => !fields.has(name));
  if (missing.length)
    throw new InvalidStatusCallbackError(
      missing[0]!,
      `is required for ${event} events (missing: ${missing.join(", ")})`,
    );
  const out: Array<[string, unknown]> = [];
  for (const [name, value] of fields) {
    if (family.numbers.includes(name)) {
      const n = Number(value);
      if (!DIGITS.test(value) || !Number.isSafeInteger(n))
        throw new InvalidStatusCallbackError(name, "must be a whole number (a string of digits)");
      out.push([name, n]);
    } else if (family.booleans.includes(name)) {
      if (value !== "true" && value !== "false")
        throw new InvalidStatusCallbackError(name, 'must be "true" or "false"');
      out.push([name, value === "true"]);
    } else {
      out.push([name, value]);
    }
  }
  // fromEntries defines own properties, so a field named __proto__ cannot reach the prototype.
  out.push(["kind", family.kind]);
  return Object.fromEntries(out) as unknown as ParsedStatusCallback;
}
