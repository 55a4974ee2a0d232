/**
 * Access tokens: the JWTs with which browsers and phones join Video rooms
 * through Twilio's client SDKs. Minted on your server, signed HS256 with an
 * API key secret through Web Crypto, so this runs wherever fetch does (Node
 * 20+, Deno, Bun, Workers).
 *
 * Format (https://www.twilio.com/docs/iam/access-tokens): header
 * `{ typ: "JWT", alg: "HS256", cty: "twilio-fpa;v=1" }`; claims `jti`
 * (`<apiKeySid>-<iat>`), `iss` (API key SID), `sub` (account SID), `iat`,
 * `nbf`, `exp` and `grants` (`identity`, and `video` with an optional `room`).
 *
 * No `region` option: Twilio's Video token guide says the API key must live in
 * US1 and that tokens from keys of other regions do not connect to rooms
 * (https://www.twilio.com/docs/video/tutorials/user-identity-access-tokens),
 * so a region claim could only mint tokens that fail.
 */
import { base64Url, utf8 } from "../core/encoding.js";
import { named, TwilioArgumentError, TwilioConfigError } from "../core/errors.js";
import { optionNames, refuseUnknownOptions } from "../core/options.js";

/**
 * What {@link createAccessToken} needs to mint a Video access token: the
 * account, the API key and secret that sign it, the participant's identity,
 * and optionally a room and a lifetime (`ttl`, seconds, default 3600).
 */
export interface AccessTokenOptions {
  /** The account the token is for (`AC…`). */
  accountSid: string;
  /** The API key that signs it (`SK…`, created in the US1 region). */
  apiKeySid: string;
  /** That key's secret. Never appears in errors. */
  apiKeySecret: string;
  /** Who joins: the participant's identity in the room. */
  identity: string;
  /** Restricts the token to one room, by unique name or SID. Without it, any room. */
  room?: string;
  /** Lifetime in seconds (default 3600; at most 86400, Twilio's maximum). */
  ttl?: number;
  /** The token is refused before this time (Date or Unix seconds; default: issued-at). */
  notBefore?: Date | number;
  /** Issued-at (default: now). For tests and for servers with their own clock. */
  now?: Date | number;
}

/**
 * Thrown by {@link createAccessToken} for missing or malformed options; never holds the secret. A {@link
 * TwilioArgumentError}.
 */
export class AccessTokenError extends TwilioArgumentError {
  static {
    named(this, "AccessTokenError");
  }
  /** The option at fault. */
  readonly option: keyof AccessTokenOptions;
  constructor(option: keyof AccessTokenOptions, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

/** The decoded claims of a Video access token. */
export interface AccessTokenClaims {
  jti: string;
  iss: string;
  sub: string;
  iat: number;
  nbf: number;
  exp: number;
  grants: { identity: string; video: { room?: string } };
}

export const ACCESS_TOKEN_HEADER = Object.freeze({ typ: "JWT", alg: "HS256", cty: "twilio-fpa;v=1" });
/** Twilio's maximum lifetime (error 20157 above it). */
export const MAX_ACCESS_TOKEN_TTL = 86_400;
const DEFAULT_TTL = 3600;

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;

function seconds(option: "notBefore" | "now", value: Date | number): number {
  const ms = value instanceof Date ? value.getTime() : value * 1000;
  if (!Number.isFinite(ms) || ms < 0)
    throw new AccessTokenError(option, "must be a valid Date or a non-negative number of Unix seconds");
  return Math.floor(ms / 1000);
}

const ACCESS_TOKEN_OPTION_NAMES = optionNames<AccessTokenOptions>({
  accountSid: true,
  apiKeySid: true,
  apiKeySecret: true,
  identity: true,
  room: true,
  ttl: true,
  notBefore: true,
  now: true,
});

type Checked = Required<Pick<AccessTokenOptions, "accountSid" | "apiKeySid" | "apiKeySecret" | "identity" | "ttl">> & {
  room?: string;
};

/** Checks the options; every message names the option and never repeats the secret. */
function checked(options: AccessTokenOptions): Checked {
  if (typeof options !== "object" || options === null) throw new AccessTokenError("accountSid", "options are required");
  refuseUnknownOptions("createAccessToken", options, ACCESS_TOKEN_OPTION_NAMES);
  const { accountSid, apiKeySid, apiKeySecret, identity, room } = options;
  if (typeof accountSid !== "string" || !accountSid) throw new AccessTokenError("accountSid", "is missing");
  if (!ACCOUNT_SID.test(accountSid))
    throw new AccessTokenError("accountSid", "must be an Account SID (AC followed by 32 hex digits)");
  if (typeof apiKeySid !== "string" || !apiKeySid) throw new AccessTokenError("apiKeySid", "is missing");
  if (!API_KEY_SID.test(apiKeySid))
    throw new AccessTokenError("apiKeySid", "must be an API Key SID (SK followed by 32 hex digits)");
  if (typeof apiKeySecret !== "string" || !apiKeySecret) throw new AccessTokenError("apiKeySecret", "is missing");
  if (typeof identity !== "string" || !identity) throw new AccessTokenError("identity", "must be a non-empty string");
  if (room !== undefined && (typeof room !== "string" || !room))
    throw new AccessTokenError("room", "must be a non-empty room name or SID when given");
  const ttl = options.ttl ?? DEFAULT_TTL;
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_ACCESS_TOKEN_TTL) {
    throw new AccessTokenError("ttl", `must be a whole number of seconds from 1 to ${MAX_ACCESS_TOKEN_TTL} (24 h)`);
  }
  return { accountSid, apiKeySid, apiKeySecret, identity, ttl, ...(room !== undefined ? { room } : {}) };
}

/**
 * HMAC-SHA256 through Web Crypto; a runtime without it gets a TwilioConfigError, not a TypeError from
 * `undefined.subtle`.
 */
async function hmacSha256(secret: string, data: string): Promise<Uint8Array> {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (!subtle)
    throw new TwilioConfigError(
      "createAccessToken needs Web Crypto (globalThis.crypto.subtle), which this runtime lacks",
    );
  const key = await subtle.importKey("raw", utf8(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", key, utf8(data)));
}

function encodeJson(value: unknown): string {
  return base64Url(utf8(JSON.stringify(value)));
}

/**
 * Mints a Video access token.
 *
 * @example
 * const token = await createAccessToken({ accountSid, apiKeySid, apiKeySecret, identity: "alice", room: "standup" });
 */
export async function createAccessToken(options: AccessTokenOptions): Promise<string> {
  const o = checked(options);
  const iat = options.now === undefined ? Math.floor(Date.now() / 1000) : seconds("now", options.now);
  const nbf = options.notBefore === undefined ? iat : seconds("notBefore", options.notBefore);
  const exp = iat + o.ttl;
  if (nbf >= exp) throw new AccessTokenError("notBefore", "must be before the token expires (issued-at + ttl)");
  const claims: AccessTokenClaims = {
    jti: `${o.apiKeySid}-${iat}`,
    iss: o.apiKeySid,
    sub: o.accountSid,
    iat,
    nbf,
    exp,
    grants: { identity: o.identity, video: o.room === undefined ? {} : { room: o.room } },
  };
  const signingInput = `${encodeJson(ACCESS_TOKEN_HEADER)}.${encodeJson(claims)}`;
  return `${signingInput}.${base64Url(await hmacSha256(o.apiKeySecret, signingInput))}`;
}
