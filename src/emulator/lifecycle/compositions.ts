/**
 * Compositions (enqueued → processing with progress → completed or failed)
 * and composition hooks, which start a composition for every room that ends
 * with recordings.
 */
import type { components } from "../../../generated/openapi.js";
import { badRequest } from "../errors.js";
import { anyMatches, Glob, trimTrailingSlashes } from "../glob.js";
import { seconds } from "../ids.js";
import type {
  CompositionRecord,
  CompositionSpec,
  HookRecord,
  HttpMethod,
  RecordingRecord,
  RoomRecord,
} from "../store.js";
import type { LifeContext } from "./context.js";

type S = components["schemas"];

const COMPOSITION_KBPS = { audioOnly: 64, video: 1_000 } as const;

export interface CompositionInput {
  audioSources?: string[];
  audioSourcesExcluded?: string[];
  videoLayout?: S["VideoLayout"];
  resolution?: string;
  format?: S["MediaFormat"];
  trim?: boolean;
  statusCallback?: string;
  statusCallbackMethod?: HttpMethod;
}

/**
 * The settings a composition gets from a create request, defaults filled in.
 * A new hook starts from the same defaults (compositionSpec({})), so the two stay alike.
 */
export function compositionSpec(input: CompositionInput): CompositionSpec {
  return {
    audioSources: input.audioSources ?? [],
    audioSourcesExcluded: input.audioSourcesExcluded ?? [],
    videoLayout: input.videoLayout ?? {},
    resolution: input.resolution ?? "640x480",
    trim: input.trim ?? true,
    format: input.format ?? "webm",
    statusCallback: input.statusCallback ?? null,
    statusCallbackMethod: input.statusCallback ? (input.statusCallbackMethod ?? "POST") : null,
  };
}

export class CompositionLife {
  constructor(private readonly ctx: LifeContext) {}

  create(room: RoomRecord, input: CompositionInput, hook?: HookRecord): CompositionRecord {
    if (room.status === "in-progress")
      throw badRequest(20001, `Room ${room.sid} is still in progress; compositions are made once a room has ended`);
    const { store, clock, events, timings } = this.ctx;
    const composition: CompositionRecord = {
      ...store.newRecord("CJ", clock.now()),
      ...compositionSpec(input),
      roomSid: room.sid,
      hookSid: hook?.sid ?? null,
      status: "enqueued",
      completed: null,
      deleted: null,
      bitrate: 0,
      size: null,
      duration: 0,
      mediaExternalLocation: null,
    };
    store.addComposition(composition);
    if (hook) events.composition(composition, "composition-enqueued");
    clock.schedule(timings.compositionEnqueuedMs, () => this.start(composition));
    return composition;
  }

  /** Whether the composition is still the store's (not reset away) and in `status`. */
  private current(c: CompositionRecord, status: CompositionRecord["status"]): boolean {
    return c.status === status && this.ctx.store.compositions.get(c.sid) === c;
  }

  private start(c: CompositionRecord): void {
    if (!this.current(c, "enqueued")) return;
    const { clock, events, timings } = this.ctx;
    c.status = "processing";
    c.updated = clock.now();
    events.composition(c, "composition-started");
    const total = timings.compositionProcessingMs;
    for (let tenth = 1; tenth < 10; tenth++) {
      clock.schedule((total * tenth) / 10, () => {
        if (!this.current(c, "processing")) return;
        events.composition(c, "composition-progress", {
          PercentageDone: String(tenth * 10),
          SecondsRemaining: String(Math.ceil((total * (10 - tenth)) / 10_000)),
        });
      });
    }
    clock.schedule(total, () => this.finish(c));
  }

  /** The room's recordings a composition's sources select. */
  private sources(c: CompositionRecord, room: RoomRecord): RecordingRecord[] {
    const { store } = this.ctx;
    const globs = (patterns: string[]) => patterns.map((p) => new Glob(p));
    // Matching is linear (glob.ts): the patterns and the names are both request input.
    const video = globs(Object.values(c.videoLayout).flatMap((region) => region.video_sources));
    const videoExcluded = globs(Object.values(c.videoLayout).flatMap((region) => region.video_sources_excluded ?? []));
    const [audio, audioExcluded] = [globs(c.audioSources), globs(c.audioSourcesExcluded)];
    const names = (r: RecordingRecord) => [
      r.sid,
      r.trackSid,
      r.participantSid,
      r.trackName,
      store.participants.get(r.participantSid)?.identity ?? "",
    ];
    const hit = (patterns: Glob[], r: RecordingRecord) => anyMatches(patterns, names(r));
    return store
      .recordingsOf(room)
      .filter((r) => r.status === "completed" || r.status === "processing")
      .filter((r) =>
        r.kind === "audio" ? hit(audio, r) && !hit(audioExcluded, r) : hit(video, r) && !hit(videoExcluded, r),
      );
  }

  private finish(c: CompositionRecord): void {
    const { store, clock, events } = this.ctx;
    const room = store.rooms.get(c.roomSid);
    if (!this.current(c, "processing") || !room) return;
    const now = clock.now();
    const sources = this.sources(c, room);
    c.updated = now;
    if (sources.length === 0) {
      c.status = "failed";
      events.composition(c, "composition-failed", {
        FailedOperation: "composition",
        ErrorMessage: "No recordings of the room match the composition's sources",
      });
      return;
    }
    const start = c.trim ? Math.min(...sources.map((r) => r.created)) : room.created;
    const end = c.trim ? Math.max(...sources.map((r) => r.captureEnded ?? now)) : (room.ended ?? now);
    const settings = store.compositionSettings;
    c.status = "completed";
    c.completed = now;
    c.duration = Math.max(1, seconds(start, end));
    c.bitrate = sources.some((r) => r.kind === "video") ? COMPOSITION_KBPS.video : COMPOSITION_KBPS.audioOnly;
    c.size = Math.round((c.duration * c.bitrate * 1000) / 8);
    if (settings.awsStorageEnabled && settings.awsS3Url)
      c.mediaExternalLocation = `${trimTrailingSlashes(settings.awsS3Url)}/${c.sid}.${c.format}`;
    events.composition(c, "composition-available", {
      MediaUri: events.mediaUri("Compositions", c.sid),
      Duration: String(c.duration),
      Size: String(c.size),
      ...(c.mediaExternalLocation ? { MediaExternalLocation: c.mediaExternalLocation } : {}),
    });
  }

  delete(c: CompositionRecord): void {
    const now = this.ctx.clock.now();
    c.status = "deleted";
    c.deleted = now;
    c.updated = now;
  }

  /** The room ended: every enabled hook, oldest first, composes it (or reports why it cannot). */
  runHooks(room: RoomRecord): void {
    const hooks = [...this.ctx.store.hooks.values()].filter((h) => h.enabled).sort((a, b) => a.seq - b.seq);
    for (const hook of hooks) this.runHook(hook, room);
  }

  private runHook(hook: HookRecord, room: RoomRecord): void {
    if (this.ctx.store.recordingsOf(room).length === 0) {
      this.ctx.events.hookFailed(hook, room, "The room has no recordings to compose");
      return;
    }
    this.create(
      room,
      {
        audioSources: hook.audioSources,
        audioSourcesExcluded: hook.audioSourcesExcluded,
        videoLayout: hook.videoLayout,
        resolution: hook.resolution,
        format: hook.format,
        trim: hook.trim,
        ...(hook.statusCallback ? { statusCallback: hook.statusCallback } : {}),
        ...(hook.statusCallbackMethod ? { statusCallbackMethod: hook.statusCallbackMethod } : {}),
      },
      hook,
    );
  }
}
