/**
 * twilio-video-ts/contract: validates recorded Twilio Video interactions
 * (requests, responses, HAR captures) against this package's OpenAPI spec,
 * records a client's traffic, and compares specs (`diffSpecs`). Runs
 * wherever the client does, Workers included: no Node built-in is reachable
 * from here. The Node-only tools (the live proxy) are in
 * `twilio-video-ts/contract/node`.
 *
 * @module twilio-video-ts/contract
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
export {
  diffSpecs,
  NotOpenApiError,
  type ChangeKind,
  type ChangeSeverity,
  type DiffVerdict,
  type SemverLevel,
  type SpecChange,
  type SpecDiff,
} from "./diff.js";
export {
  createRecordingMiddleware,
  DEFAULT_SENSITIVE_NAMES,
  redactUrl,
  Redactor,
  REDACTED,
  type RecorderOptions,
} from "./recorder.js";

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
