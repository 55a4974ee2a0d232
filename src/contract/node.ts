/**
 * The Node entry of `twilio-video-ts/contract` (package.json "exports",
 * "node" condition): the same exports as ./index.ts, loaded so that a
 * missing ajv / ajv-formats is named (see ./peers.ts), plus `startProxy`,
 * which Node code imported from here before it moved to
 * `twilio-video-ts/contract/node` (./node-tools.ts). Its types are
 * ./node.d.ts for Node resolution, ./index.d.ts elsewhere.
 */
import { loadWithPeers } from "./peers.js";

export type * from "./index.js";
export type {
  ProxyExchange,
  ProxyFinding,
  ProxyFindingKind,
  ProxyFormat,
  ProxyOptions,
  ProxySummary,
  RunningProxy,
} from "./proxy.js";

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
} = api;

/** The live proxy, also on `twilio-video-ts/contract/node` (loaded on first call). */
export async function startProxy(
  options?: import("./proxy.js").ProxyOptions,
): Promise<import("./proxy.js").RunningProxy> {
  return loadWithPeers<typeof import("./node-tools.js")>(
    import.meta.url,
    "./node-tools.js",
    "twilio-video-ts/contract",
  ).startProxy(options);
}
