/** The request half of a recording: URL and host, method, path parameters, query string and form body. */
import { deref, escapePointerToken, isObject, type JsonObject } from "./json-pointer.js";
import { apiPath, type OperationInfo, type ParameterInfo } from "./operations.js";
import { describeValue } from "./schemas.js";
import type { OperationMatch, Problem, ValidateRequestInput } from "./types.js";
import type { ValidationContext } from "./validator-context.js";
import { baseType, coerceScalar, isArraySchema, itemsSchema, parseForm, propertySchemas } from "./wire.js";

const FORM = "application/x-www-form-urlencoded";

/** A hint for traffic to another host: how to accept it, on the command line and in the API. */
export function baseUrlHint(origin: string): string {
  const cli = `--base-url ${origin} (CLI)`;
  return `to check traffic sent to ${origin} (an emulator, a proxy), pass ${cli} or baseUrls: ["${origin}"] (API)`;
}

/** The operation a request is for, or the one problem that says why none is. */
function locate(
  ctx: ValidationContext,
  req: ValidateRequestInput,
): { url: URL; match: OperationMatch } | { problem: Problem } {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return {
      problem: {
        where: "request.url",
        message: "not an absolute URL",
        expected: "https://video.twilio.com/v1/…",
        found: req.url,
      },
    };
  }
  const path = apiPath(url, ctx.bases);
  if (path === undefined) {
    const hosts = [
      "https://video.twilio.com",
      "https://video.<edge>.<region>.twilio.com",
      ...ctx.bases.map((b) => b.origin + b.prefix),
    ];
    const message = `host is not the Twilio Video API or a configured base URL; ${baseUrlHint(url.origin)}`;
    return { problem: { where: "request.url", message, expected: hosts.join(", "), found: url.origin } };
  }
  const match = ctx.index.match(req.method, path);
  if (match) return { url, match };
  const method = req.method.toUpperCase();
  const methods = ctx.index.methodsForPath(path);
  if (methods.length > 0)
    return {
      problem: {
        where: "request.method",
        message: `${method} is not documented for ${path}`,
        expected: methods.join(", "),
        found: method,
      },
    };
  return {
    problem: {
      where: "request.url",
      message: `no operation matches ${method} ${path}`,
      expected: "a documented path",
      found: path,
    },
  };
}

export function validateRequest(
  ctx: ValidationContext,
  req: ValidateRequestInput,
): { match?: OperationMatch; problems: Problem[] } {
  const located = locate(ctx, req);
  if ("problem" in located) return { problems: [located.problem] };
  const { url, match } = located;
  const op = ctx.index.byId.get(match.operationId)!;
  const problems = [
    ...checkPath(ctx, op, match),
    ...checkQuery(ctx, op, url),
    ...checkBody(ctx, op, req.body, req.contentType),
  ];
  return { match, problems };
}

/** One parameter's raw wire values against its schema. */
function checkValue(ctx: ValidationContext, param: ParameterInfo, raw: string[], root: string): Problem[] {
  if (param.schemaPointer === undefined) return [];
  let value: unknown;
  if (isArraySchema(ctx.doc, param.schema)) {
    const items = itemsSchema(ctx.doc, param.schema);
    value = raw.map((r) => coerceScalar(ctx.doc, items, r));
  } else if (raw.length > 1) {
    return [
      {
        where: root,
        message: `"${param.name}" is repeated but takes one value`,
        expected: "one value",
        found: describeValue(raw),
      },
    ];
  } else {
    value = coerceScalar(ctx.doc, param.schema, raw[0] ?? "");
  }
  return ctx.registry.check(param.schemaPointer, value, root, false).errors;
}

function checkPath(ctx: ValidationContext, op: OperationInfo, match: OperationMatch): Problem[] {
  const problems: Problem[] = [];
  for (const param of op.parameters) {
    const raw = param.in === "path" ? match.pathParams[param.name] : undefined;
    if (raw !== undefined) problems.push(...checkValue(ctx, param, [raw], `request.path/${param.name}`));
  }
  return problems;
}

function checkQuery(ctx: ValidationContext, op: OperationInfo, url: URL): Problem[] {
  const { fields, malformed } = parseForm(url.search.startsWith("?") ? url.search.slice(1) : url.search);
  const problems: Problem[] = malformed.map((pair) => ({
    where: "request.query",
    message: "malformed percent-encoding",
    found: pair,
  }));
  const declared = new Map(op.parameters.filter((p) => p.in === "query").map((p) => [p.name, p]));
  for (const [name, values] of fields) {
    const param = declared.get(name);
    const where = `request.query/${escapePointerToken(name)}`;
    if (param) {
      problems.push(...checkValue(ctx, param, values, where));
      continue;
    }
    const expected = [...declared.keys()].join(", ") || "no query parameters";
    problems.push({
      where,
      message: `unknown query parameter "${name}"`,
      expected,
      found: describeValue(values.length === 1 ? values[0] : values),
    });
  }
  for (const param of declared.values()) {
    if (!param.required || fields.has(param.name)) continue;
    problems.push({
      where: `request.query/${param.name}`,
      message: `required query parameter "${param.name}" is missing`,
      expected: "present",
      found: "missing",
    });
  }
  return problems;
}

function checkBody(
  ctx: ValidationContext,
  op: OperationInfo,
  body: string | undefined,
  contentType: string | undefined,
): Problem[] {
  const requestBody = deref(ctx.doc, op.operation.requestBody, `${op.pointer}/requestBody`);
  const empty = body === undefined || body === "";
  if (!requestBody) {
    return empty
      ? []
      : [
          {
            where: "request.body",
            message: `${op.operationId} takes no request body`,
            expected: "no body",
            found: describeValue(body),
          },
        ];
  }
  if (empty) {
    return requestBody.node.required === true
      ? [{ where: "request.body", message: "request body is required", expected: FORM, found: "empty" }]
      : [];
  }
  const content = isObject(requestBody.node.content) ? requestBody.node.content : {};
  const type = baseType(contentType) ?? FORM;
  const media = content[type];
  if (!isObject(media)) {
    return [
      {
        where: "request.headers/content-type",
        message: "request content type is not documented",
        expected: Object.keys(content).join(", "),
        found: type,
      },
    ];
  }
  if (type !== FORM) return []; // only the form wire format is decoded; Twilio Video takes nothing else
  const { value, problems } = formValue(ctx, media, body);
  if (media.schema === undefined) return problems;
  const pointer = `${requestBody.pointer}/content/${escapePointerToken(type)}/schema`;
  return [...problems, ...ctx.registry.check(pointer, value, "request.body", false).errors];
}

/** A form body as the JSON object its schema describes, with what could not be decoded. */
function formValue(
  ctx: ValidationContext,
  media: JsonObject,
  body: string,
): { value: JsonObject; problems: Problem[] } {
  const { fields, malformed } = parseForm(body);
  const problems: Problem[] = malformed.map((pair) => ({
    where: "request.body",
    message: "malformed percent-encoding",
    found: pair,
  }));
  const encoding = isObject(media.encoding) ? media.encoding : {};
  const props = propertySchemas(ctx.doc, media.schema);
  const value: JsonObject = {};
  for (const [name, raw] of fields) {
    const where = `request.body/${escapePointerToken(name)}`;
    const schema = props.get(name);
    const enc = encoding[name];
    const json = isObject(enc) && typeof enc.contentType === "string" && enc.contentType.toLowerCase().includes("json");
    if (raw.length > 1 && (json || schema === undefined || !isArraySchema(ctx.doc, schema))) {
      const carries = json ? "carries one JSON document" : "takes one value";
      problems.push({
        where,
        message: `"${name}" is repeated but ${carries}`,
        expected: "one value",
        found: describeValue(raw),
      });
    } else if (json) {
      try {
        value[name] = JSON.parse(raw[0]!);
      } catch {
        problems.push({
          where,
          message: `"${name}" is not valid JSON`,
          expected: "a JSON document",
          found: describeValue(raw[0]),
        });
      }
    } else if (schema !== undefined && isArraySchema(ctx.doc, schema)) {
      const items = itemsSchema(ctx.doc, schema);
      value[name] = raw.map((r) => coerceScalar(ctx.doc, items, r));
    } else {
      // Unknown fields stay strings; the schema's additionalProperties: false reports them.
      value[name] = schema === undefined ? raw[0] : coerceScalar(ctx.doc, schema, raw[0]!);
    }
  }
  return { value, problems };
}
