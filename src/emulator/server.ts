/**
 * The HTTP layer: one handler for the API (auth, faults, spec validation,
 * dispatch to the operation's handler, the traffic log) and the control API.
 * Requests are matched to operations by the contract validator over the spec
 * itself, so a path the spec does not document cannot be served by accident.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { ContractValidator } from "../contract/index.js";
import type { EmulatorClock } from "./clock.js";
import type { Controller } from "./control.js";
import { ApiError, errorFromProblems, notFound } from "./errors.js";
import type { Faults } from "./faults.js";
import { Fields } from "./form.js";
import { handlers, type HandlerContext, type OperationId } from "./handlers.js";
import { newSid } from "./ids.js";
import type { TrafficLog } from "./traffic.js";

/** Credentials the emulator accepts; `authToken` also signs its status callbacks. */
export interface Credentials {
  apiKeySid: string;
  apiKeySecret: string;
  authToken: string;
}

export interface ServerDeps {
  origin: () => string;
  accountSid: string;
  credentials: Credentials;
  validator: ContractValidator;
  ctx: HandlerContext;
  clock: EmulatorClock;
  faults: Faults;
  traffic: TrafficLog;
  control: Controller;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  /** JSON value, a raw string (non-JSON bodies) or null (no body). */
  body: unknown;
}

const MAX_BODY_BYTES = 1024 * 1024;
const JSON_TYPE = "application/json";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 20001, "Request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Basic auth with the API key or with the account SID and auth token, as Twilio accepts both. */
function authorized(header: string | undefined, accountSid: string, credentials: Credentials): boolean {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? "");
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return (
    (safeEqual(user, credentials.apiKeySid) && safeEqual(password, credentials.apiKeySecret)) ||
    (safeEqual(user, accountSid) && safeEqual(password, credentials.authToken))
  );
}

function errorAnswer(error: ApiError): Answer {
  return { status: error.status, headers: { "Content-Type": JSON_TYPE, ...error.headers }, body: error.body() };
}

function faultAnswer(fault: { kind: string; retryAfter?: number | null; status?: number; body?: string }): Answer {
  if (fault.kind === "rate-limit") {
    const retryAfter = fault.retryAfter === undefined ? 1 : fault.retryAfter;
    return errorAnswer(new ApiError(429, 20429, "Too Many Requests", retryAfter === null ? {} : { "Retry-After": String(retryAfter) }));
  }
  const status = fault.status ?? 500;
  if (fault.body === "html") return { status, headers: { "Content-Type": "text/html" }, body: `<html><body><h1>${status} Bad Gateway</h1></body></html>` };
  if (fault.body === "empty") return { status, headers: {}, body: null };
  return errorAnswer(new ApiError(status, 20500, "Internal Server Error"));
}

export function createApiHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  async function answerApi(req: IncomingMessage, url: URL, rawBody: string, contentType: string | undefined): Promise<{ answer: Answer | "drop"; operationId?: string }> {
    const method = (req.method ?? "GET").toUpperCase();
    if (!authorized(req.headers.authorization, deps.accountSid, deps.credentials)) {
      return { answer: errorAnswer(new ApiError(401, 20003, "Authenticate", { "WWW-Authenticate": 'Basic realm="Twilio API"' })) };
    }
    const fault = deps.faults.take(method, url.pathname);
    if (fault?.kind === "drop") return { answer: "drop" };
    if (fault?.kind === "slow") await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));
    else if (fault) return { answer: faultAnswer(fault) };

    const checked = deps.validator.validateRequest({
      method,
      url: url.toString(),
      ...(rawBody ? { body: rawBody } : {}),
      ...(contentType ? { contentType } : {}),
    });
    if (!checked.match) {
      const wrongMethod = checked.problems[0]?.where === "request.method";
      if (wrongMethod) {
        const allow = checked.problems[0]?.expected ?? "";
        return { answer: errorAnswer(new ApiError(405, 20004, "Method not allowed", { Allow: allow })) };
      }
      return { answer: errorAnswer(notFound(url.pathname.replace(/^\/v1/, ""))) };
    }
    const operationId = checked.match.operationId;
    if (checked.problems.length > 0) return { answer: errorAnswer(errorFromProblems(operationId, url.pathname.replace(/^\/v1/, ""), checked.problems)), operationId };
    const handler = handlers[operationId as OperationId] as (ctx: HandlerContext, req: object) => { status: number; body: unknown; headers?: Record<string, string> };
    const form = new Fields(new URLSearchParams(method === "POST" ? rawBody : ""));
    try {
      const reply = handler(deps.ctx, { url, path: checked.match.pathParams, query: url.searchParams, form });
      const hasBody = reply.body !== null;
      return { answer: { status: reply.status, headers: { ...(hasBody ? { "Content-Type": JSON_TYPE } : {}), ...reply.headers }, body: reply.body }, operationId };
    } catch (error) {
      if (error instanceof ApiError) return { answer: errorAnswer(error), operationId };
      throw error;
    }
  }

  function send(res: ServerResponse, answer: Answer, extra: Record<string, string> = {}): void {
    const text = answer.body === null ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, { ...answer.headers, ...extra, ...(text ? { "Content-Length": String(Buffer.byteLength(text)) } : {}) });
    res.end(text);
  }

  return (req, res) => {
    void (async () => {
      // In real mode, catch up on lifecycle steps that fell due since the last request.
      deps.clock.runDue();
      const url = new URL(req.url ?? "/", deps.origin());
      const method = (req.method ?? "GET").toUpperCase();
      let rawBody = "";
      try {
        rawBody = await readBody(req);
      } catch (error) {
        if (!res.headersSent && error instanceof ApiError) send(res, errorAnswer(error));
        return;
      }

      if (url.pathname === "/_emulator" || url.pathname.startsWith("/_emulator/")) {
        let body: Record<string, unknown> = {};
        try {
          body = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {};
        } catch {
          return send(res, errorAnswer(new ApiError(400, 20001, "Control API bodies are JSON")));
        }
        try {
          const reply = await deps.control.route(method, url.pathname, body ?? {});
          return send(res, { status: reply.status, headers: reply.body === null ? {} : { "Content-Type": JSON_TYPE }, body: reply.body });
        } catch (error) {
          return send(res, errorAnswer(error instanceof ApiError ? error : new ApiError(500, 20500, String(error))));
        }
      }

      const contentType = req.headers["content-type"];
      let result: Awaited<ReturnType<typeof answerApi>>;
      try {
        result = await answerApi(req, url, rawBody, contentType);
      } catch (error) {
        console.error("[twilio-video-ts emulator] handler failed:", error);
        result = { answer: errorAnswer(new ApiError(500, 20500, "Internal Server Error")) };
      }
      const { answer, operationId } = result;
      const requestRecord = {
        method,
        url: url.toString(),
        ...(contentType ? { headers: { "content-type": contentType } } : {}),
        ...(rawBody ? { body: rawBody } : {}),
      };
      if (answer === "drop") {
        // No answer, so nothing for the traffic log: a recording needs a response.
        res.socket?.destroy();
        return;
      }
      const requestId = newSid("RQ");
      const responseHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(answer.headers)) if (/^(content-type|location|retry-after)$/i.test(name)) responseHeaders[name.toLowerCase()] = value;
      deps.traffic.add({
        description: `${operationId ?? method} ${url.pathname} → ${answer.status}`,
        source: `twilio-video-ts emulator ${new Date().toISOString()}`,
        request: requestRecord,
        response: { status: answer.status, headers: responseHeaders, body: answer.body ?? null },
      }, operationId);
      send(res, answer, { "Twilio-Request-Id": requestId });
    })();
  };
}
