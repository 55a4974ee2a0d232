/**
 * What every part of the lifecycle shares: the store, the clock, the event
 * sender, the timings, and the lookups more than one resource needs.
 */
import type { EmulatorClock } from "../clock.js";
import type { TrackFacts } from "../rules.js";
import type { ParticipantRecord, RoomRecord, Store, TrackRecord } from "../store.js";
import type { Events } from "./events.js";

/** How long the emulated service takes for work the real one does in the background (emulated ms). */
export interface Timings {
  /** From the end of a track's capture until its recording is `completed`. */
  recordingProcessingMs: number;
  /** From `enqueued` until a composition starts `processing`. */
  compositionEnqueuedMs: number;
  /** From `processing` until the composition is `completed` (progress events every 10 %). */
  compositionProcessingMs: number;
}

export const DEFAULT_TIMINGS: Timings = {
  recordingProcessingMs: 1000,
  compositionEnqueuedMs: 500,
  compositionProcessingMs: 2000,
};

export interface LifeContext {
  store: Store;
  clock: EmulatorClock;
  events: Events;
  timings: Timings;
}

/** The room's participants that have not left. */
export function connected(store: Store, room: RoomRecord): ParticipantRecord[] {
  return store.participantsOf(room).filter((p) => p.status !== "disconnected");
}

/** What rules match a track on. */
export function trackFacts(store: Store, t: TrackRecord): TrackFacts {
  const p = store.participants.get(t.participantSid);
  return {
    sid: t.sid,
    name: t.name,
    kind: t.kind,
    publisherSid: t.participantSid,
    publisherIdentity: p?.identity ?? "",
  };
}

/** Configuration as the API answers with it: a map of strings. */
export function stringMap(config: Record<string, unknown> | undefined): Record<string, string> | null {
  return config ? Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])) : null;
}
