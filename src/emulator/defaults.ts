/**
 * The emulated account and the credentials the emulator accepts when none are
 * given. A module of its own, with no imports, so the bin can show them in
 * `--help` without loading the validator (and its optional peer, ajv).
 */
import type { Credentials } from "./credentials.js";

/** The account the emulator emulates unless `accountSid` says otherwise. */
export const DEFAULT_ACCOUNT_SID = "AC00000000000000000000000000e0e0e0";

/** The API key, its secret and the auth token the emulator accepts unless `credentials` says otherwise. */
export const DEFAULT_CREDENTIALS: Readonly<Credentials> = Object.freeze({
  apiKeySid: "SK00000000000000000000000000e0e0e0",
  apiKeySecret: "emulator-api-key-secret",
  authToken: "emulator-auth-token",
});
