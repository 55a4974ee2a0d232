/** Room transcriptions: started with the room or on request, stopped and restarted, stopped when the room ends. */
import { badRequest } from "../errors.js";
import { seconds } from "../ids.js";
import type { RoomRecord, TranscriptionRecord } from "../store.js";
import { stringMap, type LifeContext } from "./context.js";

export class TranscriptionLife {
  constructor(private readonly ctx: LifeContext) {}

  create(room: RoomRecord, configuration?: Record<string, unknown>): TranscriptionRecord {
    if (room.status !== "in-progress") throw badRequest(53118, `Room ${room.sid} is ${room.status}`);
    const now = this.ctx.clock.now();
    const t: TranscriptionRecord = {
      ...this.ctx.store.newRecord("VT", now),
      roomSid: room.sid,
      status: "started",
      start: now,
      end: null,
      accumulated: 0,
      configuration: stringMap(configuration) ?? room.transcriptionsConfiguration,
    };
    this.ctx.store.addTranscription(t);
    return t;
  }

  update(
    t: TranscriptionRecord,
    status: "started" | "stopped" | undefined,
    configuration?: Record<string, unknown>,
  ): void {
    const now = this.ctx.clock.now();
    if (configuration) t.configuration = { ...(t.configuration ?? {}), ...stringMap(configuration) };
    if (status === "stopped" && t.status === "started") this.stop(t);
    if (status === "started" && t.status !== "started") {
      const room = this.ctx.store.rooms.get(t.roomSid);
      if (room?.status !== "in-progress") throw badRequest(53118, `Room ${t.roomSid} is ${room?.status ?? "gone"}`);
      t.status = "started";
      t.start = now;
      t.end = null;
    }
    t.updated = now;
  }

  /** The room ended: every running transcription stops. */
  stopAll(room: RoomRecord): void {
    for (const t of this.ctx.store.transcriptionsOf(room)) if (t.status === "started") this.stop(t);
  }

  private stop(t: TranscriptionRecord): void {
    const now = this.ctx.clock.now();
    t.accumulated += t.start === null ? 0 : seconds(t.start, now);
    t.status = "stopped";
    t.end = now;
    t.updated = now;
  }
}
