/**
 * twilio-video-ts: a typed, fetch-based client for the Twilio Programmable
 * Video REST API v1. Runs on Node 20+, Deno, Bun and Workers; no Node
 * built-ins. The contract validator (`twilio-video-ts/contract`) and the
 * emulator (`twilio-video-ts/emulator`) are separate entry points.
 *
 * @module twilio-video-ts
 */
export { createVideoClient, type VideoClient, type VideoClientOptions } from "./core/client.js";
export type { CredentialOptions } from "./core/credentials.js";
export {
  TwilioVideoError,
  TwilioApiError,
  TwilioNetworkError,
  TwilioTimeoutError,
  TwilioConfigError,
  TwilioArgumentError,
  TwilioProtocolError,
  TwilioResponseTooLargeError,
  TwilioResponseValidationError,
  type TwilioErrorKind,
  type ApiErrorInit,
} from "./core/errors.js";
export type { ValidationMode, ResponseValidator } from "./core/invoke.js";
export type { RetryOptions, ResponseHeaders } from "./core/transport.js";
export type {
  ClientHooks,
  ClientEvent,
  RequestEvent,
  ResponseEvent,
  RetryEvent,
  RedactedHeaders,
} from "./core/hooks.js";
export type { MediaLink, MediaOptions } from "./core/media.js";
export type {
  CallOptions,
  FormBody,
  QueryParams,
  SuccessBody,
  PageItem,
  ApiPromise,
  WithResponse,
  ResponseInfo,
} from "./core/types.js";
export {
  operationRows,
  resourceTree,
  type OperationRow,
  type IterateOptions,
  type Resource,
  type Resources,
} from "./core/resources.js";
export { toSearchParams } from "./core/serialize.js";
export {
  computeSignature,
  validateSignature,
  validateJsonSignature,
  verifyStatusCallback,
  InvalidSignatureError,
  type StatusCallbackEvent,
  type RoomStatusCallbackEvent,
  type CompositionStatusCallbackEvent,
} from "./server/webhooks.js";
export {
  parseStatusCallback,
  InvalidStatusCallbackError,
  type CallbackParams,
  STATUS_CALLBACK_FAMILIES,
  type ParsedStatusCallback,
  type KnownStatusCallback,
  type StatusCallbackEventName,
  type StatusCallbackOf,
  type StatusCallbackKind,
  type StatusCallbackFamily,
  type RoomCallback,
  type ParticipantCallback,
  type TrackCallback,
  type RecordingCallback,
  type CompositionCallback,
  type CompositionHookCallback,
  type UnknownCallback,
} from "./server/status-callbacks.js";
export {
  createStatusCallbackHandler,
  CallbackBodyTooLargeError,
  DEFAULT_MAX_CALLBACK_BODY_BYTES,
  type StatusCallbackHandler,
  type StatusCallbackHandlerOptions,
  type StatusCallbackListeners,
} from "./server/callback-handler.js";
export {
  createAccessToken,
  AccessTokenError,
  MAX_ACCESS_TOKEN_TTL,
  type AccessTokenOptions,
  type AccessTokenClaims,
} from "./server/access-token.js";
export type { paths, components, operations, webhooks } from "../generated/openapi.js";
export { VERSION } from "./core/version.js";

import type { components } from "../generated/openapi.js";
type Schemas = components["schemas"];
/** Resource shapes, read off the spec. */
export type Room = Schemas["Room"];
