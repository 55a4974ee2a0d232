/**
 * The Node entry of `twilio-video-ts/emulator` (package.json "exports",
 * "node" condition): the same exports as ./index.ts, loaded so that a
 * missing ajv / ajv-formats is named (see ../contract/peers.ts). Types come
 * from ./index.d.ts; test/packaging checks that both export the same names.
 */
import { loadWithPeers } from "../contract/peers.js";

const api = loadWithPeers<typeof import("./index.js")>(import.meta.url, "./index.js", "twilio-video-ts/emulator");

export const {
  DEFAULT_ACCOUNT_SID,
  DEFAULT_CREDENTIALS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_SERVER_TIMEOUTS,
  DEFAULT_SETTLE,
  DEFAULT_STATE_LIMITS,
  DEFAULT_TRAFFIC_LOG,
  EmulatorError,
  startEmulator,
} = api;
