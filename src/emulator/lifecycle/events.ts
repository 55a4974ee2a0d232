/**
 * The status callback events the lifecycle produces, with the fields each
 * event family carries, sent through the callback dispatcher.
 */
import type { components } from "../../../generated/openapi.js";
import type { StatusCallbackEventName } from "../../server/status-callbacks.js";
import type { CallbackDispatcher } from "../callbacks.js";
import type { EmulatorClock } from "../clock.js";
import { isoDate } from "../ids.js";
import type {
  CompositionRecord,
  HookRecord,
  ParticipantRecord,
  RecordingRecord,
  RoomRecord,
  Store,
  TrackRecord,
} from "../store.js";

type S = components["schemas"];

/**
 * Events of spec/webhooks.yaml the emulator never sends, each with the
 * reason (scripts/derived-checks.ts demands every other event of the spec
 * from its scenario).
 */
export const NOT_EMITTED: Partial<Record<StatusCallbackEventName, string>> = {
  "recording-failed":
    "the emulated media pipeline never fails: every capture completes (inject API faults to test failures)",
};

export class Events {
  constructor(
    private readonly store: Store,
    private readonly clock: EmulatorClock,
    private readonly callbacks: CallbackDispatcher,
    private readonly accountSid: string,
    /** Absolute API base, for the URIs inside callback events. */
    private readonly apiBase: string,
  ) {}

  room(
    room: RoomRecord,
    event: S["RoomStatusCallbackEvent"]["StatusCallbackEvent"],
    fields: Record<string, string> = {},
  ): void {
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      RoomName: room.uniqueName,
      RoomSid: room.sid,
      RoomStatus: room.status,
      RoomType: room.type,
      StatusCallbackEvent: event,
      Timestamp: isoDate(this.clock.now()),
      SequenceNumber: String(room.callbackSeq++),
      ...fields,
    };
    this.callbacks.send({ url: room.statusCallback, method: room.statusCallbackMethod }, params);
  }

  composition(
    c: CompositionRecord,
    event: S["CompositionStatusCallbackEvent"]["StatusCallbackEvent"],
    fields: Record<string, string> = {},
  ): void {
    const hook = c.hookSid ? this.store.hooks.get(c.hookSid) : undefined;
    this.callbacks.send(
      { url: c.statusCallback, method: c.statusCallbackMethod },
      {
        AccountSid: this.accountSid,
        RoomSid: c.roomSid,
        StatusCallbackEvent: event,
        Timestamp: isoDate(this.clock.now()),
        ...(hook ? this.hookFields(hook) : {}),
        CompositionSid: c.sid,
        CompositionUri: `${this.apiBase}/v1/Compositions/${c.sid}`,
        ...fields,
      },
    );
  }

  hookFailed(hook: HookRecord, room: RoomRecord, message: string): void {
    this.callbacks.send(
      { url: hook.statusCallback, method: hook.statusCallbackMethod },
      {
        AccountSid: this.accountSid,
        RoomSid: room.sid,
        StatusCallbackEvent: "composition-hook-failed",
        Timestamp: isoDate(this.clock.now()),
        ...this.hookFields(hook),
        FailedOperation: "composition-hook",
        ErrorMessage: message,
      },
    );
  }

  participantFields(p: ParticipantRecord): Record<string, string> {
    return { ParticipantSid: p.sid, ParticipantStatus: p.status, ParticipantIdentity: p.identity };
  }

  trackFields(t: TrackRecord): Record<string, string> {
    return { TrackSid: t.sid, TrackKind: t.kind, TrackName: t.name };
  }

  recordingFields(r: RecordingRecord): Record<string, string> {
    return {
      RecordingSid: r.sid,
      SourceSid: r.trackSid,
      RecordingUri: `${this.apiBase}/v1/Recordings/${r.sid}`,
      Container: r.kind === "audio" ? "mka" : "mkv",
      Codec: r.codec,
      TrackName: r.trackName,
      OffsetFromTwilioVideoEpoch: String(r.offset),
      Type: r.kind,
    };
  }

  mediaUri(kind: "Recordings" | "Compositions", sid: string): string {
    return `${this.apiBase}/v1/${kind}/${sid}/Media`;
  }

  private hookFields(hook: HookRecord): Record<string, string> {
    return {
      HookSid: hook.sid,
      HookUri: `${this.apiBase}/v1/CompositionHooks/${hook.sid}`,
      HookFriendlyName: hook.friendlyName,
    };
  }
}
