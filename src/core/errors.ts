/**
 * Every error the client throws extends {@link TwilioVideoError}; narrow with
 * `instanceof` or on `kind`. None of them ever holds a credential: they are
 * built from the method, a credential-free URL and the response only.
 */

/**
 * What went wrong, one value per family of errors: the client's (`api` to
 * `validation`) and the server helpers' (`signature`: a callback that is not
 * provably Twilio's; `callback`: a callback body too large or malformed) and the emulator's
 * (`emulator`: what an emulator method or route refuses).
 */
export type TwilioErrorKind =
  | "api"
  | "network"
  | "timeout"
  | "config"
  | "argument"
  | "protocol"
  | "validation"
  | "signature"
  | "callback"
  | "emulator";

/** Drops user-info from a URL so it can appear in messages and logs. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}

/**
 * Error names are literals on each prototype: minifiers rename classes, so
 * `constructor.name` would print `i: …` in bundled apps. On the prototype
 * (not an instance field) the name is already there when the stack is
 * captured, and stays out of `toJSON()`'s own fields.
 */
export function named(errorClass: { prototype: Error }, name: string): void {
  Object.defineProperty(errorClass.prototype, "name", {
    value: name,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/** Base class of all errors thrown by twilio-video-ts. */
export abstract class TwilioVideoError extends Error {
  abstract readonly kind: TwilioErrorKind;
  static {
    named(this, "TwilioVideoError");
  }
  /** A plain object for logging; holds no credentials. */
  toJSON(): Record<string, unknown> {
    const {
      stack: _stack,
      cause: _cause,
      ...own
    } = Object.fromEntries(Object.entries(this)) as Record<string, unknown>;
    return { name: this.name, kind: this.kind, message: this.message, ...own };
  }
}

/** What a {@link TwilioApiError} is built from: the HTTP exchange and Twilio's error body. */
export interface ApiErrorInit {
  status: number;
  method: string;
  url: string;
  body: unknown;
  requestId: string | null;
}

/** Twilio answered with an error status (4xx/5xx, or a status the operation does not document). */
export class TwilioApiError extends TwilioVideoError {
  readonly kind = "api" as const;
  static {
    named(this, "TwilioApiError");
  }
  /** HTTP status. */
  readonly status: number;
  /** Twilio error code (e.g. 20404, 53113); null when the body was not a Twilio error. */
  readonly code: number | null;
  /** Link to Twilio's page about `code`. */
  readonly moreInfo: string | null;
  /** Extra structured information some errors carry. */
  readonly details: Record<string, unknown> | null;
  /** `Twilio-Request-Id` of the failed request: quote it to Twilio support. */
  readonly requestId: string | null;
  readonly method: string;
  /** The request URL, without credentials. */
  readonly url: string;
  /** The start of a non-JSON body (an HTML page from a proxy, say); null for Twilio's JSON errors. */
  readonly bodyExcerpt: string | null;

  constructor(init: ApiErrorInit) {
    const twilio = asTwilioErrorBody(init.body);
    const excerpt = twilio ? null : excerptOf(init.body);
    const url = safeUrl(init.url);
    const what = twilio ? `${twilio.code}: ${twilio.message}` : excerpt ? `non-JSON body: ${excerpt}` : "empty body";
    super(`${init.method} ${url} failed with HTTP ${init.status} (${what})`);
    this.status = init.status;
    this.code = twilio?.code ?? null;
    this.moreInfo = twilio?.more_info ?? null;
    this.details = twilio?.details ?? null;
    this.requestId = init.requestId;
    this.method = init.method;
    this.url = url;
    this.bodyExcerpt = excerpt;
  }
}

/** The request never got an HTTP answer (DNS, refused or reset connection, TLS). */
export class TwilioNetworkError extends TwilioVideoError {
  readonly kind = "network" as const;
  static {
    named(this, "TwilioNetworkError");
  }
  readonly method: string;
  readonly url: string;
  constructor(method: string, url: string, cause: unknown) {
    const reason = cause instanceof Error ? (errorCode(cause) ?? cause.message) : String(cause);
    super(`${method} ${safeUrl(url)} failed: ${reason}`, { cause });
    this.method = method;
    this.url = safeUrl(url);
  }
}

/** An attempt took longer than `timeoutMs`. */
export class TwilioTimeoutError extends TwilioVideoError {
  readonly kind = "timeout" as const;
  static {
    named(this, "TwilioTimeoutError");
  }
  readonly method: string;
  readonly url: string;
  readonly timeoutMs: number;
  constructor(method: string, url: string, timeoutMs: number) {
    super(`${method} ${safeUrl(url)} timed out after ${timeoutMs} ms`);
    this.method = method;
    this.url = safeUrl(url);
    this.timeoutMs = timeoutMs;
  }
}

/** The client's options are missing or malformed (credentials, base URL). */
export class TwilioConfigError extends TwilioVideoError {
  readonly kind = "config" as const;
  static {
    named(this, "TwilioConfigError");
  }
}

/** An argument was refused before any request was sent (e.g. a SID with `/` in it). */
export class TwilioArgumentError extends TwilioVideoError {
  readonly kind = "argument" as const;
  static {
    named(this, "TwilioArgumentError");
  }
}

/**
 * The API answered something the client cannot safely use (a foreign or looping `next_page_url`, a redirect, a 2xx that
 * is not JSON, a 302 without a URL).
 */
export class TwilioProtocolError extends TwilioVideoError {
  readonly kind = "protocol" as const;
  static {
    named(this, "TwilioProtocolError");
  }
}

/** A response body grew past `maxResponseBytes`; the rest was not read. Never retried. */
export class TwilioResponseTooLargeError extends TwilioProtocolError {
  static {
    named(this, "TwilioResponseTooLargeError");
  }
  readonly method: string;
  readonly url: string;
  /** The configured `maxResponseBytes`. */
  readonly maxBytes: number;
  constructor(method: string, url: string, maxBytes: number) {
    super(`${method} ${safeUrl(url)}: response body is larger than maxResponseBytes (${maxBytes} bytes)`);
    this.method = method;
    this.url = safeUrl(url);
    this.maxBytes = maxBytes;
  }
}

/** A response did not match the spec (only with `validateResponses: "throw"`). */
export class TwilioResponseValidationError extends TwilioVideoError {
  readonly kind = "validation" as const;
  static {
    named(this, "TwilioResponseValidationError");
  }
  readonly operationId: string;
  readonly problems: ReadonlyArray<{ where: string; message: string }>;
  constructor(operationId: string, problems: ReadonlyArray<{ where: string; message: string }>) {
    super(
      `${operationId} response does not match the spec: ${problems.map((p) => `${p.where}: ${p.message}`).join("; ")}`,
    );
    this.operationId = operationId;
    this.problems = problems;
  }
}

interface TwilioErrorBody {
  code: number;
  message: string;
  more_info?: string;
  details?: Record<string, unknown>;
}

function asTwilioErrorBody(body: unknown): TwilioErrorBody | null {
  if (typeof body !== "object" || body === null) return null;
  const candidate = body as Partial<TwilioErrorBody>;
  return typeof candidate.code === "number" && typeof candidate.message === "string"
    ? (candidate as TwilioErrorBody)
    : null;
}

const EXCERPT_LENGTH = 200;

function excerptOf(body: unknown): string | null {
  if (body === undefined || body === null || body === "") return null;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}

function errorCode(error: Error): string | undefined {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === "string")
    return `${cause.code}${typeof cause.message === "string" ? ` (${cause.message})` : ""}`;
  return undefined;
}
