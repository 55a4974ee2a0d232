/**
 * Errors in the real API's shape: `{code, message, more_info, status}`.
 * Handlers throw EmulatorError; the server turns it into the response.
 */
import type { components } from "../../generated/openapi.js";
import type { Problem } from "../contract/index.js";
import { TwilioVideoError } from "../core/errors.js";

export type TwilioErrorBody = components["schemas"]["TwilioError"];

/**
 * An error the emulator answers in the real API's shape (`status`, Twilio's
 * numeric `code`, `message`, and `body()` as `{code, message, more_info,
 * status}`), e.g. 404 / 20404 for an unknown room. Exported as
 * `EmulatorError` from `twilio-video-ts/emulator`, for tests that catch what
 * an emulator method refused; like everything the package throws it is a
 * {@link TwilioVideoError}, of kind `"emulator"`.
 */
export class EmulatorError extends TwilioVideoError {
  readonly kind = "emulator" as const;
  static {
    // A literal name survives minifiers (see src/core/errors.ts).
    const name = { value: "EmulatorError", writable: true, configurable: true, enumerable: false };
    Object.defineProperty(this.prototype, "name", name);
  }
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): TwilioErrorBody {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    };
  }
}

export const notFound = (path: string): EmulatorError =>
  new EmulatorError(404, 20404, `The requested resource ${path} was not found`);
export const badRequest = (code: number, message: string): EmulatorError => new EmulatorError(400, code, message);

/**
 * Which Video error code the real API answers when a given field is invalid.
 * Fields not listed get the generic 20001 (invalid parameter).
 */
const FIELD_CODES: Partial<Record<string, Record<string, number>>> = {
  CreateRoom: {
    UniqueName: 53100,
    Type: 53108,
    MaxParticipants: 53107,
    EmptyRoomTimeout: 53109,
    UnusedRoomTimeout: 53109,
    StatusCallbackMethod: 53110,
    StatusCallback: 53111,
    RecordingRules: 53120,
    MaxParticipantDuration: 53123,
  },
  UpdateRoom: { Status: 53112 },
  UpdateRoomRecordingRule: { Rules: 53120 },
  UpdateRoomParticipantSubscribeRule: { Rules: 53215 },
};

/** The error the real API would answer for the first problem the contract validator found in a request. */
export function errorFromProblems(operationId: string | undefined, path: string, problems: Problem[]): EmulatorError {
  const first = problems[0]!;
  const [, section, field] = /^request\.(path|query|body)(?:\/([^/]+))?/.exec(first.where) ?? [];
  // A path segment of the wrong shape names nothing that exists.
  if (section === "path") return notFound(path);
  if (section === "query" && field === "PageToken") return badRequest(21481, "Invalid PageToken");
  let code = (field && operationId && FIELD_CODES[operationId]?.[field]) || 20001;
  // The validator words a maxLength problem "text is too long" (src/contract/problems.ts).
  if (code === 53100 && first.message.includes("too long")) code = 53101;
  const name = field ? ` ${field}` : "";
  return new EmulatorError(
    400,
    code,
    `Invalid parameter${name}: ${first.message}${first.found ? ` (found ${first.found})` : ""}`,
  );
}
