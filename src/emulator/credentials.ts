/**
 * The account credentials an emulator instance accepts. A module of its own
 * because the HTTP front (server.ts), the token checks (token-join.ts) and the
 * defaults all read it, and none of them should import another for a type.
 */

/** Credentials the emulator accepts; `authToken` also signs its status callbacks. */
export interface Credentials {
  apiKeySid: string;
  apiKeySecret: string;
  authToken: string;
}
