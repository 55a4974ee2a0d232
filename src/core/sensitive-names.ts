/**
 * Which parameter names hold secrets: the one rule both the recorder
 * (contract/redact.ts, for files meant to be committed) and the client's
 * observability hooks (core/hooks.ts) apply, so a name redacted in one is
 * redacted in the other. Pure data and string matching: the client core can
 * import it without pulling in the contract entry.
 */

/**
 * The documented list of sensitive parameter names (matched case-insensitively, `-` read as `_`; names containing
 * `secret` or `password` count too).
 */
export const DEFAULT_SENSITIVE_NAMES: readonly string[] = [
  "token",
  "access_token",
  "refresh_token",
  "id_token",
  "auth_token",
  "authtoken",
  "session_token",
  "security_token",
  "api_key",
  "apikey",
  "api_secret",
  "client_secret",
  "secret",
  "password",
  "passwd",
  "pwd",
  "private_key",
  "credential",
  "credentials",
  "authorization",
  "sig",
  "signature",
  "x-amz-signature",
  "x-amz-credential",
  "x-amz-security-token",
  "x-goog-signature",
  "x-goog-credential",
  "key-pair-id",
  "policy",
];

const ALWAYS = /secret|password/i;
const NAMES = new Set(DEFAULT_SENSITIVE_NAMES.map(normalizeName));

/** Case-insensitive, with `-` read as `_`: `X-Amz-Signature` and `x_amz_signature` are one name. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/-/g, "_");
}

/**
 * True for a name in {@link DEFAULT_SENSITIVE_NAMES} (compared after
 * {@link normalizeName}) or one containing `secret` or `password`. Twilio's
 * own `PageToken` and `*_sid` fields are not sensitive.
 */
export function isSensitiveName(name: string): boolean {
  return NAMES.has(normalizeName(name)) || ALWAYS.test(name);
}
