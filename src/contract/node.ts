/**
 * The Node entry of `twilio-video-ts/contract` (package.json "exports",
 * "node" condition): the same exports as ./index.ts, loaded so that a
 * missing ajv / ajv-formats is named (see ./peers.ts). Types come from
 * ./index.d.ts; test/packaging checks that both export the same names.
 */
import { loadWithPeers } from "./peers.js";

const api = loadWithPeers<typeof import("./index.js")>(import.meta.url, "./index.js", "twilio-video-ts/contract");

export const {
  checkRecordingFormat,
  createContractValidator,
  createRecordingMiddleware,
  DEFAULT_SENSITIVE_NAMES,
  defaultContractValidator,
  diffSpecs,
  isHar,
  NotOpenApiError,
  openApiDocument,
  recordingSchema,
  recordingsFromHar,
  redactUrl,
  Redactor,
  REDACTED,
  startProxy,
} = api;
