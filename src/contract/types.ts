/** Public types of the contract validator. Kept free of ajv types so users need no ajv typings. */

/** One recorded HTTP interaction (the format of contract-tests/recording.schema.json). */
export interface Recording {
  kind?: "interaction";
  description?: string;
  source?: string;
  request: { method: string; url: string; headers?: Record<string, string>; body?: string };
  /** `body` is the parsed JSON, a string for a non-JSON body, or `null` for an empty one. */
  response: { status: number; headers?: Record<string, string>; body: unknown };
  /**
   * The request is invalid on purpose (a negative test): when the API refused
   * it with a 4xx, its request findings do not fail the recording. The
   * response is still checked.
   */
  expectInvalidRequest?: boolean;
}

/** One status callback Twilio sent (recordings with `kind: "callback"`). */
export interface CallbackRecording {
  kind: "callback";
  description?: string;
  source?: string;
  callback: { method?: "GET" | "POST"; url?: string; headers?: Record<string, string>; params: Record<string, string> };
}

/** One way an interaction disagrees with the spec. */
export interface Problem {
  /**
   * JSON-pointer-like location, rooted at `request.url`, `request.query`, `request.body`, `response.status`,
   * `response.body`, …
   */
  where: string;
  message: string;
  expected?: string;
  found?: string;
}

/** The spec operation a request matched, with the path parameters read from its URL. */
export interface OperationMatch {
  operationId: string;
  method: string;
  pathTemplate: string;
  /** Percent-decoded values of the template's `{Name}` segments. */
  pathParams: Record<string, string>;
}

/** The verdict on one recording: `ok` when it has no errors. */
export interface RecordingResult {
  operationId: string | null;
  /** No errors, and (when strict) no drift and no spec-too-strict findings. */
  ok: boolean;
  errors: Problem[];
  /** Drift (undocumented response fields) when not strict. */
  warnings: Problem[];
  /**
   * The API's own verdict contradicts the spec: it answered 2xx to a request
   * the spec calls invalid, or sent a status the spec does not list with a
   * body that is well-formed for a documented sibling status. These are spec
   * bugs, not traffic bugs: a warning by default, a failure when strict, and
   * always listed here (never in `errors` or `warnings`).
   */
  specTooStrict: Problem[];
}

/** Options of {@link createContractValidator}. */
export interface ContractValidatorOptions {
  /** A bundled OpenAPI 3.1 document; defaults to generated/openapi.json. */
  document?: object | undefined;
  /**
   * Report drift (undocumented response fields) as errors instead of warnings, and fail on spec-too-strict findings.
   */
  strict?: boolean | undefined;
  /** Extra accepted base URLs besides Twilio's hosts, e.g. an emulator's `http://127.0.0.1:8080`. */
  baseUrls?: string[] | undefined;
  /**
   * Treat every request the API refused with a 4xx as a negative test: its
   * request findings do not fail the recording (the response is still
   * checked). Per recording, `expectInvalidRequest: true` does the same.
   */
  expectInvalidRequests?: boolean | undefined;
}

/** A request as sent: method, absolute URL and raw form body. */
export interface ValidateRequestInput {
  method: string;
  url: string;
  /** Raw form-encoded body, exactly as sent. */
  body?: string;
  contentType?: string;
}

/** Checks requests, responses and whole recordings against the spec. */
export interface ContractValidator {
  matchOperation(method: string, url: string): OperationMatch | undefined;
  validateRequest(req: ValidateRequestInput): { match?: OperationMatch; problems: Problem[] };
  validateResponse(
    operationId: string,
    status: number,
    body: unknown,
    contentType?: string,
  ): { problems: Problem[]; warnings: Problem[] };
  /** A REST interaction, or a status callback (`kind: "callback"`) checked against the spec's webhooks. */
  validateRecording(recording: Recording | CallbackRecording): RecordingResult;
  /** The parameters of one status callback against the schema of its event's family. */
  validateCallback(params: Record<string, string>): { operationId: string | null; problems: Problem[] };
}
