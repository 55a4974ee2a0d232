/**
 * A small OpenAPI 3.1 document exercising every feature the validator reads
 * (literal vs parameter segments, form encodings, array and JSON fields,
 * 4XX/5XX/default responses, text bodies, headers), so the validator's unit
 * tests do not change whenever the real spec does.
 */
const error = { $ref: "#/components/responses/Error" };
export const fixtureDocument = {
  openapi: "3.1.0",
  info: { title: "fixture", version: "1" },
  paths: {
    "/v1/Things": {
      get: {
        operationId: "ListThing",
        parameters: [
          { name: "Status", in: "query", schema: { $ref: "#/components/schemas/Status" } },
          { name: "PageSize", in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } },
          { name: "Enabled", in: "query", schema: { type: "boolean" } },
          {
            name: "GroupingSid",
            in: "query",
            style: "form",
            explode: true,
            schema: { type: "array", items: { $ref: "#/components/schemas/ThingSid" } },
          },
          { name: "Required", in: "query", required: false, schema: { type: "string" } },
        ],
        responses: {
          "200": {
            description: "page",
            content: { "application/json": { schema: { $ref: "#/components/schemas/ThingPage" } } },
          },
          "4XX": error,
          "5XX": { $ref: "#/components/responses/ServerError" },
        },
      },
      post: {
        operationId: "CreateThing",
        requestBody: {
          required: true,
          content: {
            "application/x-www-form-urlencoded": {
              schema: { $ref: "#/components/schemas/CreateThing" },
              encoding: { Rules: { contentType: "application/json" }, Tags: { style: "form", explode: true } },
            },
          },
        },
        responses: {
          "201": {
            description: "made",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" }, example: { sid: "TH" } } },
          },
          default: error,
        },
      },
    },
    "/v1/Things/{Sid}": {
      parameters: [
        {
          name: "Sid",
          in: "path",
          required: true,
          schema: { anyOf: [{ $ref: "#/components/schemas/ThingSid" }, { type: "string", pattern: "^[a-z-]+$" }] },
        },
      ],
      get: {
        operationId: "FetchThing",
        responses: {
          "200": {
            description: "one",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } },
          },
          "404": error,
        },
      },
      delete: { operationId: "DeleteThing", responses: { "204": { description: "gone" }, "404": error } },
    },
    "/v1/Things/Default": {
      get: {
        operationId: "FetchDefaultThing",
        responses: {
          "200": {
            description: "default",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } },
          },
        },
      },
    },
    "/v1/Things/{Sid}/Media": {
      get: {
        operationId: "FetchThingMedia",
        parameters: [{ name: "Sid", in: "path", required: true, schema: { $ref: "#/components/schemas/ThingSid" } }],
        responses: {
          "302": {
            description: "redirect",
            headers: { Location: { required: true, schema: { type: "string", format: "uri" } } },
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["redirect_to"],
                  properties: { redirect_to: { type: "string", format: "uri" } },
                  additionalProperties: false,
                },
              },
            },
          },
          "429": { $ref: "#/components/responses/TooMany" },
        },
      },
    },
  },
  components: {
    schemas: {
      ThingSid: { type: "string", pattern: "^TH[0-9a-f]{32}$" },
      Status: { type: "string", enum: ["on", "off"] },
      Rule: {
        oneOf: [
          {
            type: "object",
            required: ["type", "all"],
            properties: { type: { enum: ["include", "exclude"] }, all: { const: true } },
            additionalProperties: false,
          },
          {
            type: "object",
            required: ["type", "kind"],
            properties: { type: { enum: ["include", "exclude"] }, kind: { enum: ["audio", "video"] } },
            additionalProperties: false,
          },
        ],
        discriminator: { propertyName: "type" },
        example: { type: "include", all: true },
      },
      CreateThing: {
        type: "object",
        required: ["Name"],
        properties: {
          Name: { type: "string", minLength: 1 },
          Count: { type: "integer", minimum: 1 },
          Enabled: { type: "boolean" },
          Tags: { type: "array", items: { type: "string" } },
          Rules: { type: "array", items: { $ref: "#/components/schemas/Rule" } },
        },
        additionalProperties: false,
        xml: { name: "thing" },
        externalDocs: { url: "https://example.com" },
      },
      Thing: {
        type: "object",
        required: ["sid", "status", "date_created", "count"],
        properties: {
          sid: { $ref: "#/components/schemas/ThingSid" },
          status: { $ref: "#/components/schemas/Status" },
          date_created: { type: "string", format: "date-time" },
          count: { type: ["integer", "null"], format: "int64" },
          rules: { type: "array", items: { $ref: "#/components/schemas/Rule" } },
        },
        additionalProperties: false,
      },
      ThingPage: {
        type: "object",
        required: ["things", "meta"],
        properties: {
          things: { type: "array", items: { $ref: "#/components/schemas/Thing" } },
          meta: { type: "object", properties: { page: { type: "integer" } } },
        },
        additionalProperties: false,
      },
      Error: {
        type: "object",
        required: ["code", "message", "status"],
        properties: {
          code: { type: "integer" },
          message: { type: "string" },
          status: { type: "integer" },
          more_info: { type: "string" },
        },
      },
    },
    responses: {
      Error: {
        description: "error",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
      TooMany: {
        description: "429",
        headers: { "Retry-After": { schema: { type: "integer", minimum: 0 } } },
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
      ServerError: {
        description: "5xx",
        content: {
          "application/json": { schema: { $ref: "#/components/schemas/Error" } },
          "text/html": { schema: { type: "string" } },
          "text/plain": { schema: { type: "string" } },
        },
      },
    },
  },
};

export const SID = `TH${"0123456789abcdef".repeat(2)}`;
export const thing = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  sid: SID,
  status: "on",
  date_created: "2026-11-24T20:00:00Z",
  count: 3,
  ...over,
});
