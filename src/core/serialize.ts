/**
 * Twilio's wire format for form bodies and query strings. openapi-fetch's
 * built-in urlencoded serializer comma-joins arrays and stringifies objects,
 * which Twilio rejects, so both go through here:
 * - `undefined` and `null` are left out;
 * - booleans are `true`/`false`, numbers decimal, `Date`s ISO 8601 UTC;
 * - arrays of scalars are repeated keys (`AudioSources=a&AudioSources=b`);
 * - objects, and arrays holding objects, are JSON documents in one field
 *   (`VideoLayout`, `Rules`, `RecordingRules`, `Configuration`).
 */

import { TwilioArgumentError } from "./errors.js";

export type FormValue = string | number | boolean | Date | null | undefined | object;

function scalar(value: string | number | boolean | Date): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError("Invalid Date cannot be sent to Twilio");
    // Twilio documents second precision: 2026-11-24T20:00:00Z.
    return value.toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError(`${value} cannot be sent to Twilio`);
  return String(value);
}

function isScalar(value: unknown): value is string | number | boolean | Date {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value instanceof Date;
}

/** Serialises a request body or query object into URLSearchParams, Twilio style. */
export function toSearchParams(fields: Readonly<Record<string, unknown>> | undefined): URLSearchParams {
  const params = new URLSearchParams();
  if (!fields) return params;
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (isScalar(value)) {
      params.append(name, scalar(value));
    } else if (Array.isArray(value) && value.every((item) => isScalar(item) || item === null || item === undefined)) {
      for (const item of value) if (item !== null && item !== undefined) params.append(name, scalar(item));
    } else if (typeof value === "object") {
      params.append(name, JSON.stringify(value));
    } else {
      throw new TypeError(`${name}: a ${typeof value} cannot be sent to Twilio`);
    }
  }
  return params;
}

/**
 * `toSearchParams` for the client's own requests: what cannot be sent (NaN,
 * an Invalid Date, a function, a BigInt or circular object inside a JSON
 * field, nesting deeper than the stack) is a TwilioArgumentError, not a raw
 * TypeError or RangeError. (`toSearchParams` itself keeps throwing TypeError.)
 */
function formParams(fields: Readonly<Record<string, unknown>> | undefined): URLSearchParams {
  try {
    return toSearchParams(fields);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError)
      throw new TwilioArgumentError(error.message, { cause: error });
    throw error;
  }
}

/** openapi-fetch `querySerializer`. */
export function serializeQuery(query: Record<string, unknown>): string {
  return formParams(query).toString();
}

/**
 * openapi-fetch `bodySerializer`. Returning URLSearchParams (not a string)
 * lets the runtime set `Content-Type: application/x-www-form-urlencoded`.
 */
export function serializeForm(body: unknown): URLSearchParams {
  if (body instanceof URLSearchParams) return body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new TwilioArgumentError("A Twilio request body must be an object of form fields");
  }
  return formParams(body as Record<string, unknown>);
}
