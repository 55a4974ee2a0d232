/**
 * The recording file format, as a JSON Schema. contract-tests/recording.schema.json
 * is the published copy of this object (a test keeps the two identical); it
 * lives here too so the validator needs no file system.
 */
export const recordingSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://github.com/twilio-video-ts/twilio-video-ts/contract-tests/recording.schema.json",
  title: "Recorded Twilio Video REST interaction",
  description:
    'One HTTP request to the Twilio Video v1 REST API and the response it got, or (kind "callback") one status ' +
    "callback Twilio sent. request.body is the raw form-encoded body as sent; response.body is the parsed JSON, a " +
    "string for a non-JSON body, or null for an empty body; callback.params are the callback's form (or query) " +
    "parameters.",
  type: "object",
  // A REST interaction has request and response; a status callback (kind "callback") has callback instead.
  if: { required: ["kind"], properties: { kind: { const: "callback" } } },
  then: { required: ["kind", "callback"], not: { anyOf: [{ required: ["request"] }, { required: ["response"] }] } },
  else: { required: ["request", "response"], not: { required: ["callback"] } },
  properties: {
    $schema: { type: "string" },
    kind: { enum: ["interaction", "callback"], description: "interaction (the default) or callback." },
    description: { type: "string", description: "What the interaction shows." },
    source: { type: "string", description: "Where the facts came from: a documentation URL, or 'recorded <date>'." },
    expectInvalidRequest: {
      type: "boolean",
      description:
        "true: the request is invalid on purpose (a negative test); when the API refused it with a 4xx, its request " +
        "findings do not fail the recording.",
    },
    request: {
      type: "object",
      required: ["method", "url"],
      properties: {
        method: { type: "string", pattern: "^[A-Za-z]+$", description: "HTTP method, e.g. GET or POST." },
        url: { type: "string", pattern: "^https?://", description: "Absolute URL with the query string as sent." },
        headers: { $ref: "#/$defs/headers" },
        body: { type: "string", description: "Raw application/x-www-form-urlencoded body." },
      },
      additionalProperties: false,
    },
    response: {
      type: "object",
      required: ["status", "body"],
      properties: {
        status: { type: "integer", minimum: 100, maximum: 599 },
        headers: { $ref: "#/$defs/headers" },
        body: { description: "Parsed JSON, a string for a non-JSON body, or null for an empty body." },
      },
      additionalProperties: false,
    },
    callback: {
      type: "object",
      description: "A status callback as Twilio sent it to a StatusCallback URL.",
      required: ["params"],
      properties: {
        method: { enum: ["GET", "POST"], description: "POST (form body) or GET (query string)." },
        url: { type: "string", pattern: "^https?://", description: "The StatusCallback URL it was sent to." },
        headers: { $ref: "#/$defs/headers" },
        params: {
          type: "object",
          additionalProperties: { type: "string" },
          description: "The form (or query) parameters, each a string.",
        },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
  $defs: {
    headers: {
      type: "object",
      description: "Header names (any case) to values; repeated headers joined with ', '.",
      additionalProperties: { type: "string" },
    },
  },
} as const;

/**
 * The headers a recording keeps (lower case): they carry contract facts and
 * never credentials. The one allow-list of the recorder, the proxy and the
 * emulator's traffic log; every other header (Authorization, Cookie,
 * Set-Cookie, …) is dropped.
 */
export const RECORDED_REQUEST_HEADERS: readonly string[] = ["content-type"];
/** See {@link RECORDED_REQUEST_HEADERS}. */
export const RECORDED_RESPONSE_HEADERS: readonly string[] = [
  "content-type",
  "location",
  "retry-after",
  "twilio-request-id",
];
