/**
 * A participant joins with an access token, as the client SDKs do: the token
 * is verified (tokens.ts), the room is the one the SDK names or else the
 * token's room grant, and the identity is the token's. A room that does not
 * exist is created on the spot ("ad-hoc room", Twilio's client-side room
 * creation: https://www.twilio.com/docs/video/tutorials/understanding-video-rooms)
 * unless the emulator was started with `adHocRooms: false`, which answers
 * 53106 (Room not found) like an account with client-side creation off.
 * A room grant must match the room's unique name or SID
 * (https://www.twilio.com/docs/video/tutorials/user-identity-access-tokens,
 * "Limit Room Access"); another room is refused with 20106.
 */
import type { components } from "../../generated/openapi.js";
import type { EmulatorClock } from "./clock.js";
import { AccessTokenError, createAccessToken } from "../server/access-token.js";
import { EmulatorError } from "./errors.js";
import type { Lifecycle } from "./lifecycle.js";
import type { Credentials } from "./credentials.js";
import type { HttpMethod, Store } from "./store.js";
import { verifyAccessToken } from "./tokens.js";
import type { Views } from "./views.js";

type S = components["schemas"];

/** How ad-hoc rooms are created (the account's default room settings). */
export interface AdHocRoomOptions {
  /** Default "group". */
  type?: S["RoomType"] | undefined;
  statusCallback?: string | undefined;
  statusCallbackMethod?: HttpMethod | undefined;
}

const ROOM_SID = /^RM[0-9a-fA-F]{32}$/;

export class TokenJoin {
  constructor(
    private readonly store: Store,
    private readonly life: Lifecycle,
    private readonly views: Views,
    private readonly clock: EmulatorClock,
    private readonly accountSid: string,
    private readonly credentials: Credentials,
    private readonly adHoc: AdHocRoomOptions | false,
  ) {}

  /**
   * Mints an access token this emulator accepts: signed with its API key, for
   * its account, issued at the emulated time. For test suites in languages
   * without a JWT library (POST /_emulator/tokens).
   */
  async mint(identity: unknown, room?: unknown, ttl?: unknown): Promise<string> {
    try {
      return await createAccessToken({
        accountSid: this.accountSid,
        apiKeySid: this.credentials.apiKeySid,
        apiKeySecret: this.credentials.apiKeySecret,
        identity: identity as string,
        ...(room !== undefined ? { room: room as string } : {}),
        ...(ttl !== undefined ? { ttl: ttl as number } : {}),
        now: new Date(this.clock.now()),
      });
    } catch (error) {
      // The option checks of createAccessToken say what is wrong; they never hold the secret.
      if (error instanceof AccessTokenError)
        throw new EmulatorError(400, 20001, `Invalid token request: ${error.message}`);
      throw error;
    }
  }

  /** Connects the token's identity to `room` (default: the token's room grant). */
  connect(token: unknown, room?: string): S["Participant"] {
    const grant = verifyAccessToken(token, {
      accountSid: this.accountSid,
      apiKeySid: this.credentials.apiKeySid,
      apiKeySecret: this.credentials.apiKeySecret,
      now: this.clock.now(),
      wall: { now: Date.now(), start: this.clock.wallStart },
    });
    const target = room ?? grant.room;
    if (!target) throw new EmulatorError(400, 20001, 'Name the room: give "room" (the token has no room grant)');
    let record = this.store.findRoom(target);
    const granted =
      grant.room === undefined ||
      (record ? grant.room === record.uniqueName || grant.room === record.sid : grant.room === target);
    if (!granted)
      throw new EmulatorError(
        403,
        20106,
        `Invalid Access Token grants: the token is for room '${grant.room}', not '${target}'`,
      );
    if (!record) {
      if (!this.adHoc || ROOM_SID.test(target)) throw new EmulatorError(404, 53106, `Room not found: '${target}'`);
      record = this.life.rooms.create({
        uniqueName: target,
        ...(this.adHoc.type ? { type: this.adHoc.type } : {}),
        ...(this.adHoc.statusCallback ? { statusCallback: this.adHoc.statusCallback } : {}),
        ...(this.adHoc.statusCallbackMethod ? { statusCallbackMethod: this.adHoc.statusCallbackMethod } : {}),
      });
    }
    return this.views.participant(this.life.rooms.connect(record, grant.identity));
  }
}
