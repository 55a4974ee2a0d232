/** The response half of a recording: status, content type, body and headers. */
import { deref, escapePointerToken, isObject, type JsonObject } from "./json-pointer.js";
import type { OperationInfo } from "./operations.js";
import { describeValue } from "./schemas.js";
import type { Problem } from "./types.js";
import { MAX_PLANS, type ResponsePlan, type ValidationContext } from "./validator-context.js";
import { baseType, coerceScalar } from "./wire.js";

type Located = { node: JsonObject; pointer: string };

/** The documented response for a status: exact code, then 4XX/5XX, then default. */
export function responseFor(ctx: ValidationContext, op: OperationInfo, status: number): Located | undefined {
  const responses = deref(ctx.doc, op.operation.responses, `${op.pointer}/responses`);
  if (!responses) return undefined;
  const range = `${Math.floor(status / 100)}XX`;
  for (const key of [String(status), range, range.toLowerCase(), "default"]) {
    if (key in responses.node) return deref(ctx.doc, responses.node[key], `${responses.pointer}/${key}`);
  }
  return undefined;
}

/** The statuses an operation documents, for messages. */
export function documentedStatuses(ctx: ValidationContext, op: OperationInfo): string[] {
  return Object.keys(deref(ctx.doc, op.operation.responses, "")?.node ?? {});
}

function planFor(
  ctx: ValidationContext,
  op: OperationInfo,
  status: number,
  contentType: string | undefined,
  textBody: boolean,
): ResponsePlan {
  const key = `${op.operationId}\u0000${status}\u0000${contentType ?? ""}\u0000${textBody ? "t" : "j"}`;
  let plan = ctx.plans.get(key);
  if (plan) return plan;
  const response = responseFor(ctx, op, status);
  const content = response && isObject(response.node.content) ? response.node.content : {};
  const types = Object.keys(content);
  const type = types.length === 0 ? undefined : pickMediaType(types, textBody ? "" : null, contentType);
  const media = type === undefined ? undefined : content[type];
  const hasSchema = response && type !== undefined && isObject(media) && media.schema !== undefined;
  const schemaPointer = hasSchema ? `${response.pointer}/content/${escapePointerToken(type)}/schema` : undefined;
  plan = { response, types, type, schemaPointer };
  if (ctx.plans.size < MAX_PLANS) ctx.plans.set(key, plan);
  return plan;
}

type ResponseCheck = { problems: Problem[]; warnings: Problem[] };
const only = (problem: Problem): ResponseCheck => ({ problems: [problem], warnings: [] });
const NONE: ResponseCheck = { problems: [], warnings: [] };

export function validateResponse(
  ctx: ValidationContext,
  operationId: string,
  status: number,
  body: unknown,
  contentType?: string,
): ResponseCheck {
  const op = ctx.index.byId.get(operationId);
  if (!op) return only({ where: "operationId", message: `unknown operation ${operationId}`, found: operationId });
  const plan = planFor(ctx, op, status, contentType, typeof body === "string");
  if (!plan.response) {
    const expected = documentedStatuses(ctx, op).join(", ");
    return only({
      where: "response.status",
      message: `status ${status} is not documented for ${operationId}`,
      expected,
      found: String(status),
    });
  }
  const { types, type } = plan;
  const empty = body === null || body === undefined || body === "";
  if (types.length === 0) {
    if (empty) return NONE;
    return only({
      where: "response.body",
      message: `status ${status} of ${operationId} has no documented body`,
      expected: "empty body",
      found: describeValue(body),
    });
  }
  if (type === undefined) {
    const found = baseType(contentType) ?? (typeof body === "string" ? "a non-JSON body" : "JSON");
    return only({
      where: "response.headers/content-type",
      message: "response content type is not documented",
      expected: types.join(", "),
      found,
    });
  }
  if (plan.schemaPointer === undefined) return NONE;
  if (body === undefined || (body === null && !type.includes("json"))) {
    return only({ where: "response.body", message: "response body is empty", expected: type, found: "empty" });
  }
  plan.validate ??= ctx.registry.validator(plan.schemaPointer);
  const result = ctx.registry.checkWith(plan.validate, body, "response.body", true);
  return ctx.strict
    ? { problems: [...result.errors, ...result.drift], warnings: [] }
    : { problems: result.errors, warnings: result.drift };
}

export function checkResponseHeaders(
  ctx: ValidationContext,
  op: OperationInfo,
  status: number,
  headers: Record<string, string>,
): Problem[] {
  const response = responseFor(ctx, op, status);
  const documented = response && isObject(response.node.headers) ? response.node.headers : {};
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const problems: Problem[] = [];
  for (const [name, raw] of Object.entries(documented)) {
    const header = deref(ctx.doc, raw, `${response!.pointer}/headers/${escapePointerToken(name)}`);
    if (!header) continue;
    const where = `response.headers/${name.toLowerCase()}`;
    const value = lower.get(name.toLowerCase());
    if (value === undefined) {
      if (header.node.required === true)
        problems.push({ where, message: `required header ${name} is missing`, expected: "present", found: "missing" });
    } else if (header.node.schema !== undefined) {
      problems.push(
        ...ctx.registry.check(
          `${header.pointer}/schema`,
          coerceScalar(ctx.doc, header.node.schema, value),
          where,
          false,
        ).errors,
      );
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
export function wellFormedFor(
  ctx: ValidationContext,
  op: OperationInfo,
  status: number,
  body: unknown,
  contentType: string | undefined,
): string[] {
  const responses = deref(ctx.doc, op.operation.responses, `${op.pointer}/responses`);
  if (!responses) return [];
  const isError = status >= 400;
  const siblings = Object.keys(responses.node).filter((key) => {
    if (key === "default") return isError;
    const cls = key[0];
    return isError ? cls === "4" || cls === "5" : cls === String(Math.floor(status / 100));
  });
  return siblings.filter((key) => {
    const sibling = /^\d{3}$/.test(key) ? Number(key) : key === "default" ? 500 : Number(key[0]) * 100;
    return validateResponse(ctx, op.operationId, sibling, body, contentType).problems.length === 0;
  });
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
  if (typeof body === "string")
    return types.find((t) => t === "text/plain") ?? types.find((t) => t.startsWith("text/")) ?? json;
  return json ?? types.find((t) => t === "*/*");
}
