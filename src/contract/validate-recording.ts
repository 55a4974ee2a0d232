/**
 * A whole recording: its format, then the request, then the response, with
 * the API's own verdict weighed against the spec's (a 2xx to a request the
 * spec rejects is the spec's fault; a 4xx to one may be a negative test).
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type { CallbackChecker } from "./callbacks.js";
import { recordingSchema } from "./recording-format.js";
import { failedResult, recordingResult, type Buckets } from "./result.js";
import { toProblems } from "./schemas.js";
import type { CallbackRecording, OperationMatch, Problem, Recording, RecordingResult } from "./types.js";
import {
  checkResponseHeaders,
  documentedStatuses,
  responseFor,
  validateResponse,
  wellFormedFor,
} from "./validate-response.js";
import { validateRequest } from "./validate-request.js";
import type { ValidationContext } from "./validator-context.js";
import { headerValue } from "./wire.js";

let recordingFormat: ValidateFunction | undefined;
/** Problems with the shape of a recording file itself (before any spec check). */
export function checkRecordingFormat(value: unknown): Problem[] {
  recordingFormat ??= new Ajv2020({ strict: false, allErrors: true, logger: false }).compile(recordingSchema);
  if (recordingFormat(value)) return [];
  return toProblems(recordingFormat.errors ?? [], value, "recording");
}

export function validateRecording(
  ctx: ValidationContext,
  validateCallback: CallbackChecker,
  input: Recording | CallbackRecording,
): RecordingResult {
  const formatProblems = checkRecordingFormat(input);
  if (formatProblems.length > 0) return failedResult(formatProblems);
  if ("kind" in input && input.kind === "callback") {
    const { operationId, problems } = validateCallback(input.callback.params);
    return recordingResult(operationId, { errors: problems });
  }
  const recording = input as Recording;
  const contentType = headerValue(recording.request.headers, "content-type");
  const request = validateRequest(ctx, {
    method: recording.request.method,
    url: recording.request.url,
    ...(recording.request.body !== undefined ? { body: recording.request.body } : {}),
    ...(contentType !== undefined ? { contentType } : {}),
  });
  if (!request.match) return failedResult(request.problems);
  const found = requestVerdict(ctx, recording, request.problems);
  const response = responseVerdict(ctx, request.match, recording.response);
  const all = (key: keyof Buckets) => [...(found[key] ?? []), ...(response[key] ?? [])];
  return recordingResult(
    request.match.operationId,
    { errors: all("errors"), warnings: all("warnings"), specTooStrict: all("specTooStrict") },
    ctx.strict,
  );
}

/** Where the request's findings go, given how the API answered it. */
function requestVerdict(ctx: ValidationContext, recording: Recording, problems: Problem[]): Partial<Buckets> {
  const { status } = recording.response;
  // The server's verdict counts: a 2xx means the API accepted this request,
  // so whatever the spec says against it is a spec bug, not a traffic bug.
  if (status >= 200 && status < 300) {
    return {
      specTooStrict: problems.map((p) => ({
        ...p,
        message: `the API answered ${status} to a request the spec rejects: ${p.message}`,
      })),
    };
  }
  // A negative test sends an invalid request on purpose; the API refusing it is the expected outcome.
  const expected = ctx.expectInvalidRequests || recording.expectInvalidRequest === true;
  if (expected && status >= 400 && status < 500) return {};
  return { errors: problems };
}

function responseVerdict(
  ctx: ValidationContext,
  match: OperationMatch,
  response: Recording["response"],
): Partial<Buckets> {
  const { operationId } = match;
  const op = ctx.index.byId.get(operationId)!;
  const { status, body, headers } = response;
  const contentType = headerValue(headers, "content-type");
  const documented = responseFor(ctx, op, status) !== undefined;
  const siblings = documented ? [] : wellFormedFor(ctx, op, status, body, contentType);
  if (siblings.length > 0) {
    const unlisted = `the API sent status ${status}, which the spec does not list for ${operationId}`;
    const message = `${unlisted}, with a body that is well-formed for ${siblings.join(", ")}`;
    return {
      specTooStrict: [
        { where: "response.status", message, expected: documentedStatuses(ctx, op).join(", "), found: String(status) },
      ],
    };
  }
  const checked = validateResponse(ctx, operationId, status, body, contentType);
  const errors = headers ? [...checked.problems, ...checkResponseHeaders(ctx, op, status, headers)] : checked.problems;
  return { errors, warnings: checked.warnings };
}
