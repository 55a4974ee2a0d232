/**
 * createContractValidator's machinery: checks requests, responses and whole
 * recordings against the spec. The checks are plain functions over one
 * shared context (validator-context.ts), one per concern: the request
 * (validate-request.ts), the response (validate-response.ts) and the
 * recording that joins them (validate-recording.ts); result.ts assembles
 * every result.
 */
import { createCallbackChecker } from "./callbacks.js";
import type { JsonObject } from "./json-pointer.js";
import { apiPath, collectOperations, OperationIndex, parseBaseUrls } from "./operations.js";
import { SchemaRegistry } from "./schemas.js";
import type { ContractValidator, ContractValidatorOptions, OperationMatch } from "./types.js";
import { validateRecording } from "./validate-recording.js";
import { validateRequest } from "./validate-request.js";
import { validateResponse } from "./validate-response.js";
import type { ValidationContext } from "./validator-context.js";

export { checkRecordingFormat } from "./validate-recording.js";

/** Compiled state that depends only on the document, shared by every validator of that document. */
interface Compiled {
  registry: SchemaRegistry;
  index: OperationIndex;
}
const compiledByDocument = new WeakMap<object, Compiled>();

function compiledFor(document: object): Compiled {
  let compiled = compiledByDocument.get(document);
  if (!compiled) {
    compiled = {
      registry: new SchemaRegistry(document),
      index: new OperationIndex(collectOperations(document as JsonObject)),
    };
    compiledByDocument.set(document, compiled);
  }
  return compiled;
}

export function createValidatorFor(
  document: object,
  options: Omit<ContractValidatorOptions, "document">,
): ContractValidator {
  const { registry, index } = compiledFor(document);
  const ctx: ValidationContext = {
    doc: document as JsonObject,
    registry,
    index,
    strict: options.strict === true,
    bases: parseBaseUrls(options.baseUrls ?? []),
    expectInvalidRequests: options.expectInvalidRequests === true,
    plans: new Map(),
  };
  const validateCallback = createCallbackChecker(ctx.doc, registry);
  return {
    matchOperation(method: string, url: string): OperationMatch | undefined {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return undefined;
      }
      const path = apiPath(parsed, ctx.bases);
      return path === undefined ? undefined : index.match(method, path);
    },
    validateRequest: (req) => validateRequest(ctx, req),
    validateResponse: (operationId, status, body, contentType) =>
      validateResponse(ctx, operationId, status, body, contentType),
    validateRecording: (recording) => validateRecording(ctx, validateCallback, recording),
    validateCallback,
  };
}
