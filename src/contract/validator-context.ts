/**
 * What every check of one validator shares: the document and its compiled
 * state (schemas, operation index), the options, and the response plans
 * cached per validator. Built once by createValidatorFor; the checks in
 * validate-request.ts, validate-response.ts and validate-recording.ts are
 * plain functions over it.
 */
import type { ValidateFunction } from "ajv/dist/2020.js";
import type { JsonObject } from "./json-pointer.js";
import type { BaseUrl, OperationIndex } from "./operations.js";
import type { SchemaRegistry } from "./schemas.js";

/** What checking a response needs besides the body; a pure function of the document and the key. */
export interface ResponsePlan {
  response: { node: JsonObject; pointer: string } | undefined;
  types: string[];
  type: string | undefined;
  /** The body schema's pointer; undefined when the media type declares none. */
  schemaPointer: string | undefined;
  validate?: ValidateFunction;
}

export interface ValidationContext {
  doc: JsonObject;
  registry: SchemaRegistry;
  index: OperationIndex;
  strict: boolean;
  bases: BaseUrl[];
  /** Request findings do not fail a recording the API answered with a 4xx. */
  expectInvalidRequests: boolean;
  /**
   * Keyed by operation, status, content type and whether the body is text.
   * Content types come from recorded traffic, so the cache stops growing at
   * MAX_PLANS; past it plans are computed each time.
   */
  plans: Map<string, ResponsePlan>;
}

export const MAX_PLANS = 1024;
