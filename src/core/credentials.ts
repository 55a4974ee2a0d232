import { environmentVariable } from "./environment.js";
import { base64, utf8 } from "./encoding.js";
import { TwilioConfigError } from "./errors.js";

/**
 * Credentials: an API key (`apiKeySid` + `apiKeySecret`) or the account's `accountSid` + `authToken`. When none of the
 * four is given (`undefined` counts as not given), they come from the `TWILIO_*` environment variables where a
 * `process.env` exists.
 */
export interface CredentialOptions {
  /** API Key SID (`SK…`). With `apiKeySecret`; preferred over account credentials. */
  apiKeySid?: string | undefined;
  /** API Key secret. */
  apiKeySecret?: string | undefined;
  /** Account SID (`AC…`). With `authToken`. */
  accountSid?: string | undefined;
  /** Account Auth Token. */
  authToken?: string | undefined;
}

const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;

/**
 * Picks the credential pair from the options, else from the environment, and
 * returns the `Authorization` header value. Errors name what is missing or
 * malformed and never repeat a secret.
 */
export function basicAuthorization(options: CredentialOptions): string {
  const explicit =
    options.apiKeySid !== undefined ||
    options.apiKeySecret !== undefined ||
    options.accountSid !== undefined ||
    options.authToken !== undefined;
  const source = explicit
    ? options
    : {
        apiKeySid: environmentVariable("TWILIO_API_KEY_SID"),
        apiKeySecret: environmentVariable("TWILIO_API_KEY_SECRET"),
        accountSid: environmentVariable("TWILIO_ACCOUNT_SID"),
        authToken: environmentVariable("TWILIO_AUTH_TOKEN"),
      };
  const where = explicit ? "option" : "environment variable";
  const name = (option: string, variable: string) => (explicit ? option : variable);

  let username: string;
  let password: string;
  if (source.apiKeySid || source.apiKeySecret) {
    username = required(source.apiKeySid, `${where} ${name("apiKeySid", "TWILIO_API_KEY_SID")}`);
    password = required(source.apiKeySecret, `${where} ${name("apiKeySecret", "TWILIO_API_KEY_SECRET")}`);
    if (!API_KEY_SID.test(username)) {
      throw new TwilioConfigError(
        `${name("apiKeySid", "TWILIO_API_KEY_SID")} must be an API Key SID (SK followed by 32 hex digits)`,
      );
    }
  } else if (source.accountSid || source.authToken) {
    username = required(source.accountSid, `${where} ${name("accountSid", "TWILIO_ACCOUNT_SID")}`);
    password = required(source.authToken, `${where} ${name("authToken", "TWILIO_AUTH_TOKEN")}`);
    if (!ACCOUNT_SID.test(username)) {
      throw new TwilioConfigError(
        `${name("accountSid", "TWILIO_ACCOUNT_SID")} must be an Account SID (AC followed by 32 hex digits)`,
      );
    }
  } else {
    throw new TwilioConfigError(
      "No Twilio credentials: pass apiKeySid + apiKeySecret (or accountSid + authToken), or set TWILIO_API_KEY_SID + " +
        "TWILIO_API_KEY_SECRET (or TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN)",
    );
  }
  if (/[\u0000-\u001f\u007f]/.test(password)) {
    throw new TwilioConfigError(
      `the ${explicit ? "secret" : "secret environment variable"} contains control characters`,
    );
  }
  return `Basic ${base64(utf8(`${username}:${password}`))}`;
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new TwilioConfigError(`Missing ${what}`);
  return value;
}
