/**
 * The service's behaviour over time: rooms, participants and tracks changing
 * state, recordings following the recording rules, compositions progressing,
 * composition hooks firing when rooms end, and the status callback events all
 * of that produces, split by the API's resources under lifecycle/.
 *
 * Who writes the store: the lifecycle modules, and nothing else. REST
 * handlers (handlers.ts), control routes (control.ts) and token joins look
 * records up in the store and call the module of the resource they change,
 * directly: there is no facade in between.
 */
import type { CallbackDispatcher } from "./callbacks.js";
import type { EmulatorClock } from "./clock.js";
import { CompositionLife } from "./lifecycle/compositions.js";
import type { Timings } from "./lifecycle/context.js";
import { Events } from "./lifecycle/events.js";
import { HookLife } from "./lifecycle/hooks.js";
import { RecordingLife } from "./lifecycle/recordings.js";
import { RoomLife } from "./lifecycle/rooms.js";
import { TranscriptionLife } from "./lifecycle/transcriptions.js";
import type { Store } from "./store.js";

export { compositionSpec, type CompositionInput } from "./lifecycle/compositions.js";
export { DEFAULT_TIMINGS, type Timings } from "./lifecycle/context.js";
export type { HookInput, SettingsKind } from "./lifecycle/hooks.js";
export type { RoomInput, TrackInput } from "./lifecycle/rooms.js";

/** The per-resource lifecycle modules of one emulator, sharing its store, clock and event sender. */
export interface Lifecycle {
  readonly clock: EmulatorClock;
  readonly rooms: RoomLife;
  readonly recordings: RecordingLife;
  readonly compositions: CompositionLife;
  readonly hooks: HookLife;
  readonly transcriptions: TranscriptionLife;
  /** Forgets every record and cancels every pending step. */
  reset(): void;
}

export interface LifecycleOptions {
  store: Store;
  clock: EmulatorClock;
  callbacks: CallbackDispatcher;
  accountSid: string;
  /** Absolute API base, for the URIs inside callback events. */
  apiBase: string;
  timings: Timings;
}

export function createLifecycle({
  store,
  clock,
  callbacks,
  accountSid,
  apiBase,
  timings,
}: LifecycleOptions): Lifecycle {
  const ctx = { store, clock, timings, events: new Events(store, clock, callbacks, accountSid, apiBase) };
  const recordings = new RecordingLife(ctx);
  const compositions = new CompositionLife(ctx);
  const transcriptions = new TranscriptionLife(ctx);
  const rooms = new RoomLife(ctx, recordings, compositions, transcriptions);
  return {
    clock,
    rooms,
    recordings,
    compositions,
    hooks: new HookLife(ctx),
    transcriptions,
    reset: () => {
      // Timers first: a recording or composition step must not fire on records that are gone.
      clock.cancelAll();
      store.clear();
    },
  };
}
