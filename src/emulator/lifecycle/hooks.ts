/**
 * Composition hooks and the account's storage settings: records the REST API
 * creates, changes and deletes directly (the hooks run when a room ends, in
 * compositions.ts).
 */
import { badRequest, notFound } from "../errors.js";
import type { HookRecord, StorageSettings } from "../store.js";
import { compositionSpec, type CompositionInput } from "./compositions.js";
import type { LifeContext } from "./context.js";

export interface HookInput extends CompositionInput {
  friendlyName?: string;
  enabled?: boolean;
}

/** Which storage settings a request replaces. */
export type SettingsKind = "compositionSettings" | "recordingSettings";

export class HookLife {
  constructor(private readonly ctx: LifeContext) {}

  create(input: HookInput): HookRecord {
    const { store, clock } = this.ctx;
    // A hook starts from a composition's defaults; the body then sets what it names.
    const hook: HookRecord = {
      ...store.newRecord("HK", clock.now()),
      friendlyName: "",
      enabled: true,
      ...compositionSpec({}),
    };
    apply(hook, input);
    if ([...store.hooks.values()].some((h) => h.friendlyName === hook.friendlyName)) {
      throw badRequest(20001, `A composition hook named '${hook.friendlyName}' already exists`);
    }
    store.hooks.set(hook.sid, hook);
    return hook;
  }

  update(hook: HookRecord, input: HookInput): void {
    apply(hook, input);
    hook.updated = this.ctx.clock.now();
  }

  delete(sid: string, path: string): void {
    if (!this.ctx.store.hooks.delete(sid)) throw notFound(path);
  }

  /** Each POST of settings replaces them as a whole. */
  setSettings(kind: SettingsKind, settings: StorageSettings): StorageSettings {
    this.ctx.store[kind] = settings;
    return settings;
  }
}

/** Applies a hook create/update body; fields left out keep their value. */
function apply(hook: HookRecord, input: HookInput): void {
  hook.friendlyName = input.friendlyName ?? hook.friendlyName;
  hook.enabled = input.enabled ?? hook.enabled;
  hook.audioSources = input.audioSources ?? hook.audioSources;
  hook.audioSourcesExcluded = input.audioSourcesExcluded ?? hook.audioSourcesExcluded;
  hook.videoLayout = input.videoLayout ?? hook.videoLayout;
  hook.resolution = input.resolution ?? hook.resolution;
  hook.format = input.format ?? hook.format;
  hook.trim = input.trim ?? hook.trim;
  if (input.statusCallback !== undefined) {
    hook.statusCallback = input.statusCallback;
    hook.statusCallbackMethod = input.statusCallbackMethod ?? "POST";
  } else if (input.statusCallbackMethod !== undefined && hook.statusCallback) {
    hook.statusCallbackMethod = input.statusCallbackMethod;
  }
}
