/**
 * Checks that the hand-written parts that follow the spec still do: every
 * spec operation has an emulator handler (src/emulator/handlers.ts), and every
 * response field of the spec is emitted by the emulator's views
 * (src/emulator/views.ts). Each problem is one line naming the operation or
 * field and the file to change. Functions, so test/spec/derived.test.ts and
 * the drill (test/spec/drill.test.ts, on a copy of the repo) call them
 * directly; as a script it prints the problems and exits 1 when there are any.
 *
 *   tsx scripts/derived-checks.ts
 */
import { pathToFileURL } from "node:url";
import { createContractValidator } from "../src/contract/index.js";
import { handlers } from "../src/emulator/handlers.js";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { createVideoClient } from "../src/index.js";
import document from "../generated/openapi.json" with { type: "json" };
import { specOperations } from "./derive.js";

const HANDLERS_FILE = "src/emulator/handlers.ts";
const VIEWS_FILE = "src/emulator/views.ts";
const SCENARIO_FILE = "scripts/derived-checks.ts";

/** Spec operations without a handler, and handlers of no spec operation. */
export function missingHandlers(spec: unknown = document, handlerIds: Iterable<string> = Object.keys(handlers)): string[] {
  const have = new Set(handlerIds);
  const ops = specOperations(spec);
  const problems = ops.filter((op) => !have.has(op.operationId)).map((op) => `${op.method.toUpperCase()} ${op.path} (${op.operationId}) has no emulator handler in ${HANDLERS_FILE}`);
  const known = new Set(ops.map((op) => op.operationId));
  for (const id of have) if (!known.has(id)) problems.push(`${HANDLERS_FILE} has a handler for ${id}, which is no operation of the spec`);
  return problems;
}

/** One answer of the emulator: which operation, and the JSON it sent. */
export interface Exchange {
  operationId: string;
  status: number;
  body: unknown;
}

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
};

function resolve(spec: unknown, node: Schema): { schema: Schema; name?: string } {
  let name: string | undefined;
  let at = node;
  while (at.$ref) {
    const ref: string = at.$ref;
    name = ref.split("/").at(-1);
    at = ref
      .slice(2)
      .split("/")
      .reduce((n: any, key) => n?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec) as Schema;
  }
  return { schema: at, ...(name ? { name } : {}) };
}

/**
 * Required response fields (the ones the API always sends, so the emulator
 * must too) that no exchange carries. Optional fields are ones Twilio leaves
 * out at times; they are not demanded. Only operations in `exchanges` count;
 * {@link unexercised} names the others.
 */
export function missingResponseFields(spec: unknown, exchanges: readonly Exchange[]): string[] {
  const declared = new Map<string, { ops: Set<string> }>();
  const emitted = new Set<string>();
  const where = new Map(specOperations(spec).map((op) => [op.operationId, `${op.method.toUpperCase()} ${op.path}`]));
  const walk = (node: Schema, value: unknown, label: string, op: string) => {
    const { schema, name } = resolve(spec, node);
    const key = name ?? label;
    for (const part of schema.allOf ?? []) walk(part, value, key, op);
    if (schema.items && Array.isArray(value)) for (const item of value) walk(schema.items, item, `${key}[]`, op);
    if (!schema.properties || value === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const field of schema.required ?? []) {
      const id = `${key}.${field}`;
      const entry = declared.get(id) ?? { ops: new Set() };
      entry.ops.add(op);
      declared.set(id, entry);
      if (field in value) emitted.add(id);
    }
    for (const [field, sub] of Object.entries(schema.properties)) {
      if (field in value) walk(sub, (value as Record<string, unknown>)[field], `${key}.${field}`, op);
    }
  };
  const doc = spec as { paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, Schema & { content?: Record<string, { schema?: Schema }> }> }>> };
  const byId = new Map<string, { responses?: Record<string, unknown> }>();
  for (const item of Object.values(doc.paths)) for (const op of Object.values(item)) if (op?.operationId) byId.set(op.operationId, op);
  for (const x of exchanges) {
    const response = byId.get(x.operationId)?.responses?.[String(x.status)] as Schema | undefined;
    if (!response) continue;
    const media = (resolve(spec, response).schema as { content?: Record<string, { schema?: Schema }> }).content?.["application/json"];
    if (media?.schema) walk(media.schema, x.body, x.operationId, x.operationId);
  }
  return [...declared]
    .filter(([id]) => !emitted.has(id))
    .map(([id, { ops }]) => `${id} (a required field of ${[...ops].map((o) => `${where.get(o)} (${o})`).join(", ")}) is never emitted by the emulator: add it to ${VIEWS_FILE}`);
}

/** Spec operations the exchanges never reached, so their fields went unchecked. */
export function unexercised(spec: unknown, exchanges: readonly Exchange[]): string[] {
  const seen = new Set(exchanges.map((x) => x.operationId));
  return specOperations(spec)
    .filter((op) => !seen.has(op.operationId))
    .map((op) => `${op.method.toUpperCase()} ${op.path} (${op.operationId}) is not exercised by the field check's scenario in ${SCENARIO_FILE}`);
}

/**
 * Drives one of everything through the emulator (rooms, participants, tracks,
 * rules, transcriptions, recordings, a completed composition, hooks,
 * settings) and answers every exchange it logged with its operation.
 */
export async function emulatorExchanges(): Promise<Exchange[]> {
  const emulator: Emulator = await startEmulator({ clock: "manual" });
  try {
    const video = createVideoClient({ ...emulator.clientOptions, maxRetries: 0 });
    await video.compositionSettings.update({ FriendlyName: "archive" });
    await video.compositionSettings.get();
    await video.recordingSettings.update({ FriendlyName: "rec" });
    await video.recordingSettings.get();
    const hook = await video.compositionHooks.create({ FriendlyName: "grid", AudioSources: ["*"], Format: "mp4" });
    await video.compositionHooks.get(hook.sid);
    await video.compositionHooks.update(hook.sid, { FriendlyName: "grid-2" });
    await video.compositionHooks.list();

    const room = await video.rooms.create({ UniqueName: "fields", RecordParticipantsOnConnect: true });
    await video.rooms.get(room.sid);
    await video.rooms.list();
    emulator.connectParticipant(room.sid, "alice");
    const bob = emulator.connectParticipant(room.sid, "bob");
    const mic = emulator.publishTrack(room.sid, "alice", { kind: "audio", name: "alice-mic" });
    emulator.advance(20_000);
    const parts = video.rooms.participants(room.sid);
    await parts.get("alice");
    await parts.list();
    await parts.publishedTracks("alice").list();
    await parts.publishedTracks("alice").get(mic.sid);
    await parts.subscribedTracks(bob.sid).list();
    await parts.subscribedTracks(bob.sid).get(mic.sid);
    await parts.subscribeRules(bob.sid).get();
    await parts.subscribeRules(bob.sid).update({ Rules: [{ type: "include", all: true }] });
    await video.rooms.recordingRules(room.sid).get();
    await video.rooms.recordingRules(room.sid).update({ Rules: [{ type: "include", all: true }] });
    const tt = await video.rooms.transcriptions(room.sid).create();
    await video.rooms.transcriptions(room.sid).get(tt.ttid);
    await video.rooms.transcriptions(room.sid).list();
    await video.rooms.transcriptions(room.sid).update(tt.ttid, { Status: "stopped" });
    await parts.update(bob.sid, { Status: "disconnected" });
    await parts.anonymize(bob.sid);
    await video.rooms.complete(room.sid);
    emulator.advance(5_000);

    const recordings = await video.rooms.recordings(room.sid).all();
    const rec = recordings[0]!;
    await video.rooms.recordings(room.sid).get(rec.sid);
    await video.rooms.recordings(room.sid).media(rec.sid);
    await video.recordings.get(rec.sid);
    await video.recordings.list();
    await video.recordings.media(rec.sid);
    const composition = await video.compositions.create({ RoomSid: room.sid, AudioSources: ["*"] });
    emulator.advance(5_000);
    await video.compositions.get(composition.sid);
    await video.compositions.list();
    await video.compositions.media(composition.sid);
    await video.compositions.delete(composition.sid);
    await video.rooms.recordings(room.sid).delete(rec.sid);
    await video.recordings.delete(recordings[1]?.sid ?? rec.sid).catch(() => undefined);
    await video.compositionHooks.delete(hook.sid);

    const validator = createContractValidator({ baseUrls: [emulator.url] });
    return emulator.traffic().flatMap((recording) => {
      const { operationId } = validator.validateRecording(recording);
      const response = (recording as { response?: { status: number; body?: unknown } }).response;
      return operationId && response ? [{ operationId, status: response.status, body: response.body ?? null }] : [];
    });
  } finally {
    await emulator.stop();
  }
}

/** Every problem of this file's checks, against the repo's own spec and emulator. */
export async function derivedChecks(): Promise<string[]> {
  const exchanges = await emulatorExchanges();
  return [...missingHandlers(), ...unexercised(document, exchanges), ...missingResponseFields(document, exchanges)];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const problems = await derivedChecks();
  for (const line of problems) console.error(line);
  if (problems.length > 0) process.exit(1);
  console.log("emulator handlers and views cover every operation and required response field of the spec");
}
