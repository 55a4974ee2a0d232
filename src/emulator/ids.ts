/** Identifiers and timestamps in the shapes Twilio uses. */
import { randomBytes } from "node:crypto";

/** A SID: two letters naming the resource type, then 32 hex digits. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString("hex");
}

/** ISO 8601 UTC without milliseconds, as Twilio writes dates. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Whole seconds between two instants. */
export function seconds(fromMs: number, toMs: number): number {
  return Math.max(0, Math.round((toMs - fromMs) / 1000));
}
