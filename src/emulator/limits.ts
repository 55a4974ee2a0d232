/**
 * Length limits on what the control API and access tokens bring into the
 * emulator's state, as Twilio documents them for the real service
 * (https://www.twilio.com/docs/video/programmable-video-limits: room unique
 * names, participant identities and track names are at most 128
 * characters; https://www.twilio.com/docs/api/errors/53200 counts a
 * double-byte character as 2). The REST API gets the same limits from the
 * spec (spec/components/common.yaml, spec/paths/participants.yaml).
 */
import { EmulatorError } from "./errors.js";

/** Documented maximum of a room unique name, a participant identity and a track name. */
export const MAX_NAME_LENGTH = 128;

/** Length as Twilio counts it: characters, with anything beyond ASCII counted twice. */
export function twilioLength(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) length += text.charCodeAt(i) < 0x80 ? 1 : 2;
  return length;
}

/** The errors Twilio answers for a name that is too long (53101 room, 53201 identity, 53302 track name). */
const TOO_LONG = {
  room: [53101, "Room name is too long"],
  identity: [53201, "Participant identity is too long"],
  name: [53302, "Track name is too long"],
} as const;

/** Throws Twilio's "too long" error when `value` is a string over 128 characters. */
export function checkNameLength(field: keyof typeof TOO_LONG, value: unknown): void {
  if (typeof value !== "string" || twilioLength(value) <= MAX_NAME_LENGTH) return;
  const [code, message] = TOO_LONG[field];
  throw new EmulatorError(
    400,
    code,
    `${message}: "${field}" has ${twilioLength(value)} characters, at most ${MAX_NAME_LENGTH}`,
  );
}

/** Checks the named fields of a control API body that become state. */
export function checkControlBody(body: Record<string, unknown>): void {
  for (const field of Object.keys(TOO_LONG) as Array<keyof typeof TOO_LONG>) checkNameLength(field, body[field]);
}
