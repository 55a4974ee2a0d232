/**
 * twilio-video-ts/contract/node: the Node-only tools of the contract
 * validator. `startProxy` runs a local validating, recording proxy in front
 * of the Video API (node:http, node:fs). Kept out of
 * `twilio-video-ts/contract` so that entry bundles for Workers and browsers
 * without Node built-ins (test/packaging/bundle.test.ts checks every entry).
 * Needs the optional peers ajv and ajv-formats, as the validator does.
 *
 * @module twilio-video-ts/contract/node
 */
export {
  startProxy,
  type ProxyExchange,
  type ProxyFinding,
  type ProxyFindingKind,
  type ProxyFormat,
  type ProxyOptions,
  type ProxySummary,
  type RunningProxy,
} from "./proxy.js";
