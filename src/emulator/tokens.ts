/**
 * What Twilio does with an access token when a client SDK connects: check it
 * against the account's API key, then read the identity and the video grant.
 * Refusals carry the codes the client SDKs report (twilio-video.js and the
 * mobile SDKs name them AccessToken*Error):
 *
 *   20101 not a token at all (not three base64url JSON parts)
 *   20102 wrong header (typ JWT, alg HS256, cty twilio-fpa;v=1)
 *   20103 issuer/subject: not this account's API key, or another account
 *   20107 signature does not match the key's secret (tampered, or wrong secret)
 *   20104 expired, or no usable exp
 *   20157 lifetime (exp - iat) over Twilio's 24 h maximum
 *   20105 not yet valid (nbf in the future)
 *   20106 grants: no identity, no video grant, or a room grant for another room
 *
 * Sources: https://www.twilio.com/docs/api/errors/20101 (…/20102 to …/20107),
 * https://www.twilio.com/docs/iam/access-tokens, Twilio's support article
 * https://support.twilio.com/hc/en-us/articles/115015890207-Troubleshooting-Invalid-Access-Tokens
 * (20157), and the AccessToken*Error classes of the Video SDKs (same codes).
 *
 * Which clock judges a token's times: a token issued (`iat`, else `nbf`)
 * after the wall-clock second the emulator started in, and not after now by
 * the wall clock, was minted by real code during the test: it is judged by
 * the wall clock. Any other token (the emulator's own, minted at emulated
 * time; one issued before the emulator started, or in its first second) is
 * judged by the emulator's clock. So a token minted with `Date.now()` keeps
 * working however far a manual clock is advanced, a token minted at the
 * emulated time expires on the emulated clock, and a token expired by its
 * own wall-clock times is refused either way.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { EmulatorError } from "./errors.js";
import { checkNameLength } from "./limits.js";

export interface TokenGrant {
  identity: string;
  /** The room grant (a unique name or SID), when the token is scoped to one room. */
  room?: string;
}

export interface TokenCheck {
  accountSid: string;
  apiKeySid: string;
  apiKeySecret: string;
  /** Emulated time, ms. */
  now: number;
  /** Wall-clock time now and when the emulator started, ms (both or neither). */
  wall?: { now: number; start: number } | undefined;
}

/** The time (s) a token is judged at; see the module comment. */
function judgedAt(claims: Record<string, unknown>, check: TokenCheck): number {
  const issued = typeof claims.iat === "number" ? claims.iat : claims.nbf;
  if (check.wall && typeof issued === "number") {
    const wallNowS = Math.floor(check.wall.now / 1000);
    if (issued > Math.floor(check.wall.start / 1000) && issued <= wallNowS) return wallNowS;
  }
  return Math.floor(check.now / 1000);
}

const MAX_LIFETIME_S = 86_400;

const refuse = (code: number, message: string, status = 401): EmulatorError => new EmulatorError(status, code, message);

function part(text: string): Buffer | null {
  return /^[A-Za-z0-9_-]+$/.test(text) ? Buffer.from(text, "base64url") : null;
}

function json(bytes: Buffer | null): Record<string, unknown> | null {
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Verifies a token as Twilio would for a Video connect; answers its grant or throws an EmulatorError with the SDK's
 * code.
 */
export function verifyAccessToken(token: unknown, check: TokenCheck): TokenGrant {
  if (typeof token !== "string") throw refuse(20101, "Invalid Access Token: not a string");
  const pieces = token.split(".");
  if (pieces.length !== 3) throw refuse(20101, "Invalid Access Token: not a JWT");
  const [h, p, s] = pieces as [string, string, string];
  const header = json(part(h));
  const claims = json(part(p));
  const signature = part(s);
  if (!header || !claims || !signature) throw refuse(20101, "Invalid Access Token: a part is not base64url JSON");
  if (header.typ !== "JWT" || header.alg !== "HS256" || header.cty !== "twilio-fpa;v=1") {
    throw refuse(20102, "Invalid Access Token header: expected typ JWT, alg HS256, cty twilio-fpa;v=1");
  }
  if (claims.iss !== check.apiKeySid || claims.sub !== check.accountSid) {
    throw refuse(20103, "Invalid Access Token issuer/subject: not signed by this account's API key");
  }
  const expected = createHmac("sha256", check.apiKeySecret).update(`${h}.${p}`).digest();
  if (expected.length !== signature.length || !timingSafeEqual(expected, signature))
    throw refuse(20107, "Invalid Access Token signature");
  const nowS = judgedAt(claims, check);
  const { exp, nbf, iat } = claims;
  if (typeof exp !== "number" || !Number.isFinite(exp))
    throw refuse(20104, "Access Token expired or expiration date invalid: no exp");
  if (typeof iat === "number" && exp - iat > MAX_LIFETIME_S)
    throw refuse(20157, "Expiration Time Exceeds Maximum Time Allowed (24 h)");
  if (exp <= nowS) throw refuse(20104, "Access Token expired or expiration date invalid");
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > nowS)) throw refuse(20105, "Access Token not yet valid");
  const grants = claims.grants as { identity?: unknown; video?: unknown } | undefined;
  if (typeof grants !== "object" || grants === null) throw refuse(20106, "Invalid Access Token grants: none", 403);
  if (typeof grants.identity !== "string" || !grants.identity)
    throw refuse(20106, "Invalid Access Token grants: no identity", 403);
  const video = grants.video as { room?: unknown } | undefined;
  if (typeof video !== "object" || video === null)
    throw refuse(20106, "Invalid Access Token grants: no video grant", 403);
  if (video.room !== undefined && (typeof video.room !== "string" || !video.room))
    throw refuse(20106, "Invalid Access Token grants: malformed room grant", 403);
  checkNameLength("identity", grants.identity);
  checkNameLength("room", video.room);
  return { identity: grants.identity, ...(typeof video.room === "string" ? { room: video.room } : {}) };
}
