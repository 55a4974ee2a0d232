/**
 * twilio-video-ts/contract: validates recorded Twilio Video interactions
 * (requests, responses, HAR captures) against this package's OpenAPI spec.
 */
import document from "../../generated/openapi.json" with { type: "json" };
import type { ContractValidator, ContractValidatorOptions } from "./types.js";
import { createValidatorFor } from "./validator.js";

export type {
  CallbackRecording,
  ContractValidator,
  ContractValidatorOptions,
  OperationMatch,
  Problem,
  Recording,
  RecordingResult,
  ValidateRequestInput,
} from "./types.js";
export { checkRecordingFormat } from "./validator.js";
export { recordingSchema } from "./recording-format.js";
export { recordingsFromHar, isHar, type HarExtraction } from "./har.js";
export { diffSpecs, NotOpenApiError, type ChangeKind, type ChangeSeverity, type DiffVerdict, type SemverLevel, type SpecChange, type SpecDiff } from "./diff.js";
export { createRecordingMiddleware, DEFAULT_SENSITIVE_NAMES, redactUrl, Redactor, REDACTED, type RecorderOptions } from "./recorder.js";

/** The bundled spec this package was built from. */
export const openApiDocument: object = document;

/**
 * A validator over `options.document` (default: the bundled spec). Compiled
 * schemas are cached per document, so creating validators is cheap.
 */
export function createContractValidator(options: ContractValidatorOptions = {}): ContractValidator {
  const { document: doc = document, ...rest } = options;
  return createValidatorFor(doc, rest);
}

let shared: ContractValidator | undefined;
/** The module-level validator over the bundled spec (not strict, Twilio hosts only). */
export function defaultContractValidator(): ContractValidator {
  shared ??= createContractValidator();
  return shared;
}

export type { ProxyExchange, ProxyFinding, ProxyFindingKind, ProxyFormat, ProxyOptions, ProxySummary, RunningProxy } from "./proxy.js";
/**
 * Starts a local validating, recording proxy to the Video API (Node only;
 * see proxy.ts): point a client's base URL at `url`, read findings through
 * `onFinding`, and `close()` for the summary. Loaded on first call, so this
 * entry stays free of Node built-ins.
 */
export async function startProxy(options?: import("./proxy.js").ProxyOptions): Promise<import("./proxy.js").RunningProxy> {
  return (await import("./proxy.js")).startProxy(options);
}
