/** createContractValidator: checks requests, responses and whole recordings against the spec. */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { deref, escapePointerToken, isObject, type JsonObject } from "./json-pointer.js";
import { apiPath, collectOperations, OperationIndex, parseBaseUrls, type BaseUrl, type OperationInfo, type ParameterInfo } from "./operations.js";
import { createCallbackChecker } from "./callbacks.js";
import { recordingSchema } from "./recording-format.js";
import { describeValue, SchemaRegistry, toProblems } from "./schemas.js";
import type { CallbackRecording, ContractValidator, ContractValidatorOptions, OperationMatch, Problem, Recording, RecordingResult, ValidateRequestInput } from "./types.js";
import { coerceScalar, isArraySchema, itemsSchema, parseForm, propertySchemas } from "./wire.js";

const FORM = "application/x-www-form-urlencoded";

/** Compiled state that depends only on the document, shared by every validator of that document. */
interface Compiled {
  registry: SchemaRegistry;
  index: OperationIndex;
}
const compiledByDocument = new WeakMap<object, Compiled>();

function compiledFor(document: object): Compiled {
  let compiled = compiledByDocument.get(document);
  if (!compiled) {
    compiled = { registry: new SchemaRegistry(document), index: new OperationIndex(collectOperations(document as JsonObject)) };
    compiledByDocument.set(document, compiled);
  }
  return compiled;
}

let recordingFormat: ValidateFunction | undefined;
/** Problems with the shape of a recording file itself (before any spec check). */
export function checkRecordingFormat(value: unknown): Problem[] {
  recordingFormat ??= new Ajv2020({ strict: false, allErrors: true, logger: false }).compile(recordingSchema);
  if (recordingFormat(value)) return [];
  return toProblems(recordingFormat.errors ?? [], value, "recording");
}

export function createValidatorFor(document: object, options: Omit<ContractValidatorOptions, "document">): ContractValidator {
  const { registry, index } = compiledFor(document);
  const doc = document as JsonObject;
  const strict = options.strict === true;
  const bases: BaseUrl[] = parseBaseUrls(options.baseUrls ?? []);

  function matchOperation(method: string, url: string): OperationMatch | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    const path = apiPath(parsed, bases);
    return path === undefined ? undefined : index.match(method, path);
  }

  function checkValue(param: ParameterInfo, raw: string[], root: string): Problem[] {
    if (param.schemaPointer === undefined) return [];
    let value: unknown;
    if (isArraySchema(doc, param.schema)) {
      const items = itemsSchema(doc, param.schema);
      value = raw.map((r) => coerceScalar(doc, items, r));
    } else if (raw.length > 1) {
      return [{ where: root, message: `"${param.name}" is repeated but takes one value`, expected: "one value", found: describeValue(raw) }];
    } else {
      value = coerceScalar(doc, param.schema, raw[0] ?? "");
    }
    return registry.check(param.schemaPointer, value, root, false).errors;
  }

  function checkQuery(op: OperationInfo, url: URL): Problem[] {
    const problems: Problem[] = [];
    const { fields, malformed } = parseForm(url.search.replace(/^\?/, ""));
    for (const pair of malformed) problems.push({ where: "request.query", message: "malformed percent-encoding", found: pair });
    const declared = new Map(op.parameters.filter((p) => p.in === "query").map((p) => [p.name, p]));
    for (const [name, values] of fields) {
      const param = declared.get(name);
      const where = `request.query/${escapePointerToken(name)}`;
      if (!param) {
        problems.push({ where, message: `unknown query parameter "${name}"`, expected: [...declared.keys()].join(", ") || "no query parameters", found: describeValue(values.length === 1 ? values[0] : values) });
        continue;
      }
      problems.push(...checkValue(param, values, where));
    }
    for (const param of declared.values()) {
      if (param.required && !fields.has(param.name)) problems.push({ where: `request.query/${param.name}`, message: `required query parameter "${param.name}" is missing`, expected: "present", found: "missing" });
    }
    return problems;
  }

  function checkBody(op: OperationInfo, body: string | undefined, contentType: string | undefined): Problem[] {
    const requestBody = deref(doc, op.operation.requestBody, `${op.pointer}/requestBody`);
    const empty = body === undefined || body === "";
    if (!requestBody) {
      return empty ? [] : [{ where: "request.body", message: `${op.operationId} takes no request body`, expected: "no body", found: describeValue(body) }];
    }
    if (empty) {
      return requestBody.node.required === true ? [{ where: "request.body", message: "request body is required", expected: FORM, found: "empty" }] : [];
    }
    const content = isObject(requestBody.node.content) ? requestBody.node.content : {};
    const type = baseType(contentType) ?? FORM;
    const media = content[type];
    if (!isObject(media)) {
      return [{ where: "request.headers/content-type", message: "request content type is not documented", expected: Object.keys(content).join(", "), found: type }];
    }
    if (type !== FORM) return []; // only the form wire format is decoded; Twilio Video takes nothing else
    const { fields, malformed } = parseForm(body);
    const problems: Problem[] = malformed.map((pair) => ({ where: "request.body", message: "malformed percent-encoding", found: pair }));
    const encoding = isObject(media.encoding) ? media.encoding : {};
    const props = propertySchemas(doc, media.schema);
    const value: JsonObject = {};
    for (const [name, raw] of fields) {
      const where = `request.body/${escapePointerToken(name)}`;
      const schema = props.get(name);
      const enc = encoding[name];
      if (isObject(enc) && typeof enc.contentType === "string" && /json/i.test(enc.contentType)) {
        if (raw.length > 1) {
          problems.push({ where, message: `"${name}" is repeated but carries one JSON document`, expected: "one value", found: describeValue(raw) });
          continue;
        }
        try {
          value[name] = JSON.parse(raw[0]!);
        } catch {
          problems.push({ where, message: `"${name}" is not valid JSON`, expected: "a JSON document", found: describeValue(raw[0]) });
        }
        continue;
      }
      if (schema !== undefined && isArraySchema(doc, schema)) {
        const items = itemsSchema(doc, schema);
        value[name] = raw.map((r) => coerceScalar(doc, items, r));
      } else if (raw.length > 1) {
        problems.push({ where, message: `"${name}" is repeated but takes one value`, expected: "one value", found: describeValue(raw) });
      } else {
        // Unknown fields stay strings; the schema's additionalProperties: false reports them.
        value[name] = schema === undefined ? raw[0] : coerceScalar(doc, schema, raw[0]!);
      }
    }
    if (media.schema !== undefined) problems.push(...registry.check(`${requestBody.pointer}/content/${escapePointerToken(type)}/schema`, value, "request.body", false).errors);
    return problems;
  }

  function validateRequest(req: ValidateRequestInput): { match?: OperationMatch; problems: Problem[] } {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return { problems: [{ where: "request.url", message: "not an absolute URL", expected: "https://video.twilio.com/v1/…", found: req.url }] };
    }
    const path = apiPath(url, bases);
    if (path === undefined) {
      return {
        problems: [{ where: "request.url", message: "host is not the Twilio Video API or a configured base URL", expected: ["https://video.twilio.com", "https://video.<edge>.<region>.twilio.com", ...bases.map((b) => b.origin + b.prefix)].join(", "), found: url.origin }],
      };
    }
    const match = index.match(req.method, path);
    if (!match) {
      const methods = index.methodsForPath(path);
      return {
        problems: [
          methods.length > 0
            ? { where: "request.method", message: `${req.method.toUpperCase()} is not documented for ${path}`, expected: methods.join(", "), found: req.method.toUpperCase() }
            : { where: "request.url", message: `no operation matches ${req.method.toUpperCase()} ${path}`, expected: "a documented path", found: path },
        ],
      };
    }
    const op = index.byId.get(match.operationId)!;
    const problems: Problem[] = [];
    for (const param of op.parameters) {
      if (param.in !== "path") continue;
      const raw = match.pathParams[param.name];
      if (raw !== undefined) problems.push(...checkValue(param, [raw], `request.path/${param.name}`));
    }
    problems.push(...checkQuery(op, url));
    problems.push(...checkBody(op, req.body, req.contentType));
    return { match, problems };
  }

  /** The documented response for a status: exact code, then 4XX/5XX, then default. */
  function responseFor(op: OperationInfo, status: number): { node: JsonObject; pointer: string } | undefined {
    const responses = deref(doc, op.operation.responses, `${op.pointer}/responses`);
    if (!responses) return undefined;
    const range = `${Math.floor(status / 100)}XX`;
    for (const key of [String(status), range, range.toLowerCase(), "default"]) {
      if (key in responses.node) return deref(doc, responses.node[key], `${responses.pointer}/${key}`);
    }
    return undefined;
  }

  /** What checking a response needs besides the body; a pure function of the document and the key. */
  interface ResponsePlan {
    response: { node: JsonObject; pointer: string } | undefined;
    types: string[];
    type: string | undefined;
    /** The body schema's pointer; undefined when the media type declares none. */
    schemaPointer: string | undefined;
    validate?: ValidateFunction;
  }
  // Keyed by operation, status, content type and whether the body is text (all
  // pickMediaType looks at). Content types come from recorded traffic, so the
  // cache stops growing at a bound; past it plans are computed each time.
  const plans = new Map<string, ResponsePlan>();
  const MAX_PLANS = 1024;

  function planFor(op: OperationInfo, status: number, contentType: string | undefined, textBody: boolean): ResponsePlan {
    const key = `${op.operationId}\u0000${status}\u0000${contentType ?? ""}\u0000${textBody ? "t" : "j"}`;
    let plan = plans.get(key);
    if (plan) return plan;
    const response = responseFor(op, status);
    const content = response && isObject(response.node.content) ? response.node.content : {};
    const types = Object.keys(content);
    const type = types.length === 0 ? undefined : pickMediaType(types, textBody ? "" : null, contentType);
    const media = type === undefined ? undefined : content[type];
    const schemaPointer = response && type !== undefined && isObject(media) && media.schema !== undefined ? `${response.pointer}/content/${escapePointerToken(type)}/schema` : undefined;
    plan = { response, types, type, schemaPointer };
    if (plans.size < MAX_PLANS) plans.set(key, plan);
    return plan;
  }

  function validateResponse(operationId: string, status: number, body: unknown, contentType?: string): { problems: Problem[]; warnings: Problem[] } {
    const op = index.byId.get(operationId);
    if (!op) return { problems: [{ where: "operationId", message: `unknown operation ${operationId}`, found: operationId }], warnings: [] };
    const plan = planFor(op, status, contentType, typeof body === "string");
    if (!plan.response) {
      const documented = Object.keys(deref(doc, op.operation.responses, "")?.node ?? {});
      return { problems: [{ where: "response.status", message: `status ${status} is not documented for ${operationId}`, expected: documented.join(", "), found: String(status) }], warnings: [] };
    }
    const { types, type } = plan;
    const empty = body === null || body === undefined || body === "";
    if (types.length === 0) {
      return empty ? { problems: [], warnings: [] } : { problems: [{ where: "response.body", message: `status ${status} of ${operationId} has no documented body`, expected: "empty body", found: describeValue(body) }], warnings: [] };
    }
    if (type === undefined) {
      return { problems: [{ where: "response.headers/content-type", message: "response content type is not documented", expected: types.join(", "), found: baseType(contentType) ?? (typeof body === "string" ? "a non-JSON body" : "JSON") }], warnings: [] };
    }
    if (plan.schemaPointer === undefined) return { problems: [], warnings: [] };
    if (body === undefined || (body === null && !/json/.test(type))) {
      return { problems: [{ where: "response.body", message: "response body is empty", expected: type, found: "empty" }], warnings: [] };
    }
    plan.validate ??= registry.validator(plan.schemaPointer);
    const result = registry.checkWith(plan.validate, body, "response.body", true);
    return strict ? { problems: [...result.errors, ...result.drift], warnings: [] } : { problems: result.errors, warnings: result.drift };
  }

  function checkResponseHeaders(op: OperationInfo, status: number, headers: Record<string, string>): Problem[] {
    const response = responseFor(op, status);
    const documented = response && isObject(response.node.headers) ? response.node.headers : {};
    const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const problems: Problem[] = [];
    for (const [name, raw] of Object.entries(documented)) {
      const header = deref(doc, raw, `${response!.pointer}/headers/${escapePointerToken(name)}`);
      if (!header) continue;
      const where = `response.headers/${name.toLowerCase()}`;
      const value = lower.get(name.toLowerCase());
      if (value === undefined) {
        if (header.node.required === true) problems.push({ where, message: `required header ${name} is missing`, expected: "present", found: "missing" });
        continue;
      }
      if (header.node.schema !== undefined) {
        problems.push(...registry.check(`${header.pointer}/schema`, coerceScalar(doc, header.node.schema, value), where, false).errors);
      }
    }
    return problems;
  }

  /**
   * For a status the operation does not document: the documented sibling
   * statuses of the same class (2xx with 2xx, errors with errors) whose
   * schema accepts the body. Non-empty means the API sent a well-formed
   * answer the spec forgot to list.
   */
  function wellFormedFor(op: OperationInfo, status: number, body: unknown, contentType: string | undefined): string[] {
    const responses = deref(doc, op.operation.responses, `${op.pointer}/responses`);
    if (!responses) return [];
    const isError = status >= 400;
    const siblings = Object.keys(responses.node).filter((key) => {
      if (key === "default") return isError;
      const cls = key[0];
      return isError ? cls === "4" || cls === "5" : cls === String(Math.floor(status / 100));
    });
    return siblings.filter((key) => {
      const sibling = /^\d{3}$/.test(key) ? Number(key) : key === "default" ? 500 : Number(key[0]) * 100;
      return validateResponse(op.operationId, sibling, body, contentType).problems.length === 0;
    });
  }

  const validateCallback = createCallbackChecker(doc, registry);

  function validateRecording(input: Recording | CallbackRecording): RecordingResult {
    const formatProblems = checkRecordingFormat(input);
    if (formatProblems.length > 0) return { operationId: null, ok: false, errors: formatProblems, warnings: [], specTooStrict: [] };
    if ("kind" in input && input.kind === "callback") {
      const { operationId, problems } = validateCallback(input.callback.params);
      return { operationId, ok: problems.length === 0, errors: problems, warnings: [], specTooStrict: [] };
    }
    const recording = input as Recording;
    const request = validateRequest({
      method: recording.request.method,
      url: recording.request.url,
      ...(recording.request.body !== undefined ? { body: recording.request.body } : {}),
      ...(headerValue(recording.request.headers, "content-type") !== undefined ? { contentType: headerValue(recording.request.headers, "content-type")! } : {}),
    });
    if (!request.match) return { operationId: null, ok: false, errors: request.problems, warnings: [], specTooStrict: [] };
    const { operationId } = request.match;
    const op = index.byId.get(operationId)!;
    const { status, body, headers } = recording.response;
    const contentType = headerValue(headers, "content-type");
    const specTooStrict: Problem[] = [];
    const errors: Problem[] = [];
    // The server's verdict counts: a 2xx means the API accepted this request,
    // so whatever the spec says against it is a spec bug, not a traffic bug.
    if (status >= 200 && status < 300) {
      for (const p of request.problems) specTooStrict.push({ ...p, message: `the API answered ${status} to a request the spec rejects: ${p.message}` });
    } else {
      errors.push(...request.problems);
    }
    const documented = responseFor(op, status) !== undefined;
    const siblings = documented ? [] : wellFormedFor(op, status, body, contentType);
    let warnings: Problem[] = [];
    if (siblings.length > 0) {
      const listed = Object.keys(deref(doc, op.operation.responses, "")?.node ?? {});
      specTooStrict.push({
        where: "response.status",
        message: `the API sent status ${status}, which the spec does not list for ${operationId}, with a body that is well-formed for ${siblings.join(", ")}`,
        expected: listed.join(", "),
        found: String(status),
      });
    } else {
      const response = validateResponse(operationId, status, body, contentType);
      errors.push(...response.problems);
      warnings = response.warnings;
      if (headers) errors.push(...checkResponseHeaders(op, status, headers));
    }
    return { operationId, ok: errors.length === 0 && (!strict || specTooStrict.length === 0), errors, warnings, specTooStrict };
  }

  return { matchOperation, validateRequest, validateResponse, validateRecording, validateCallback };
}

function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function baseType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  return contentType.split(";")[0]!.trim().toLowerCase() || undefined;
}

/**
 * Which documented media type a body is checked against. With a content type,
 * the exact one (or a documented wildcard); without, JSON for parsed bodies
 * and text/* for a body recorded as a string.
 */
function pickMediaType(types: string[], body: unknown, contentType: string | undefined): string | undefined {
  const wanted = baseType(contentType);
  if (wanted) {
    if (types.includes(wanted)) return wanted;
    const family = `${wanted.split("/")[0]}/*`;
    if (types.includes(family)) return family;
    if (types.includes("*/*")) return "*/*";
    // application/problem+json and friends are JSON too.
    if (wanted.endsWith("+json") && types.includes("application/json")) return "application/json";
    return undefined;
  }
  const json = types.find((t) => t === "application/json" || t.endsWith("+json"));
  if (typeof body === "string") return types.find((t) => t === "text/plain") ?? types.find((t) => t.startsWith("text/")) ?? json;
  return json ?? types.find((t) => t === "*/*");
}
