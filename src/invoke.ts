/**
 * One call of one spec operation through openapi-fetch, with errors turned
 * into exceptions. Resource methods, pagination and media all go through it.
 */
import type { Client } from "openapi-fetch";
import type { paths } from "../generated/openapi.js";
import { TwilioApiError, TwilioArgumentError, TwilioConfigError, TwilioResponseValidationError } from "./errors.js";
import type { Endpoint } from "./resources.js";
import type { CallOptions } from "./types.js";

/** `validateResponses`: `"off"`, `"warn"` (report drift through `onWarning`) or `"throw"` ({@link TwilioResponseValidationError}). */
export type ValidationMode = "off" | "warn" | "throw";

export interface Context {
  raw: Client<paths>;
  baseUrl: string;
  /** The fetch for media hosts: the caller's, without Twilio credentials. */
  mediaFetch: typeof globalThis.fetch;
  validation: ValidationMode;
  /** Validator given in the options; otherwise the contract module is loaded on first use. */
  validator?: ResponseValidator;
  onWarning: (message: string) => void;
}

export interface CallInit {
  path?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
  // Spelled out: `RequestRedirect` is a DOM lib name, absent from Node-only type setups.
  redirect?: "follow" | "manual" | "error" | undefined;
}

export interface CallResult {
  data: unknown;
  error: unknown;
  response: Response;
}

/** Sends the request; answers with openapi-fetch's errors-as-data result. */
export async function send(ctx: Context, endpoint: Endpoint, init: CallInit, options: CallOptions = {}): Promise<CallResult> {
  // The tree is checked against `paths` at its declaration; here the path is
  // only known as a union, which openapi-fetch's overloads cannot take.
  const request = ctx.raw.request as unknown as (method: string, path: string, init: object) => Promise<CallResult>;
  return request(endpoint.method, endpoint.path, {
    params: { path: init.path ?? {}, query: init.query },
    ...(init.body !== undefined ? { body: init.body } : {}),
    ...(init.redirect ? { redirect: init.redirect } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
}

export function apiError(endpoint: Endpoint, result: CallResult): TwilioApiError {
  return new TwilioApiError({
    status: result.response.status,
    method: endpoint.method.toUpperCase(),
    url: result.response.url,
    body: result.error,
    requestId: result.response.headers.get("twilio-request-id"),
  });
}

/** Sends the request and returns the success body, or throws a typed error. */
export async function call(ctx: Context, endpoint: Endpoint, init: CallInit, options?: CallOptions): Promise<unknown> {
  const result = await send(ctx, endpoint, init, options);
  if (!result.response.ok) throw apiError(endpoint, result);
  if (ctx.validation !== "off") await checkResponse(ctx, endpoint.operationId, result.response.status, result.data ?? null);
  return result.data;
}

/** What response validation needs; `defaultContractValidator()` from `twilio-video-ts/contract` is one. */
export interface ResponseValidator {
  validateResponse(operationId: string, status: number, body: unknown, contentType?: string): { problems: ReadonlyArray<{ where: string; message: string }> };
}

// A non-literal specifier, so bundlers do not pull the validator (ajv and the
// whole spec) into apps that never turn validation on. Bundled apps that do
// want it pass `validator` instead.
const CONTRACT_MODULE = "./contract/index.js";
let lazyValidator: Promise<ResponseValidator> | undefined;

function loadValidator(): Promise<ResponseValidator> {
  lazyValidator ??= (import(/* @vite-ignore */ CONTRACT_MODULE) as Promise<{ defaultContractValidator(): ResponseValidator }>).then(
    (module) => module.defaultContractValidator(),
    (cause: unknown) => {
      lazyValidator = undefined;
      throw new TwilioConfigError(
        "validateResponses could not load the contract validator (install ajv and ajv-formats; in bundled apps pass `validator: defaultContractValidator()` from twilio-video-ts/contract)",
        { cause },
      );
    },
  );
  return lazyValidator;
}

/** Checks a response against the spec; the validator (and ajv) loads on first use only. */
export async function checkResponse(ctx: Context, operationId: string, status: number, body: unknown): Promise<void> {
  const validator = await (ctx.validator ? Promise.resolve(ctx.validator) : loadValidator());
  const { problems } = validator.validateResponse(operationId, status, body, body === null ? undefined : "application/json");
  if (problems.length === 0) return;
  const error = new TwilioResponseValidationError(operationId, problems);
  if (ctx.validation === "throw") throw error;
  ctx.onWarning(error.message);
}

// SIDs are two letters and 32 hex digits; anything else is a unique name or
// identity, which Twilio caps at 128 characters.
const SID = /^[A-Z]{2}[0-9a-fA-F]{32}$/;
const UNSAFE = /[/?#\\\u0000-\u001f\u007f]|\.\./;

/** Refuses an id before it reaches a URL: wrong SID type, empty, too long, or able to change the path. */
export function checkId(name: string, value: unknown, sidPrefix?: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TwilioArgumentError(`${name} must be a non-empty string`);
  }
  if (sidPrefix) {
    if (!SID.test(value) || !value.startsWith(sidPrefix)) {
      throw new TwilioArgumentError(`${name} must be a ${sidPrefix} SID (${sidPrefix} followed by 32 hex digits), got ${JSON.stringify(value.slice(0, 40))}`);
    }
    return value;
  }
  if (value.length > 128) throw new TwilioArgumentError(`${name} is longer than 128 characters`);
  if (UNSAFE.test(value)) {
    throw new TwilioArgumentError(`${name} must be a SID, unique name or identity without '/', '?', '#', '\\', '..' or control characters`);
  }
  return value;
}
