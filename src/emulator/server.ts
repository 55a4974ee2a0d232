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
import { readBody } from "./body.js";
import { EmulatorError, errorFromProblems, notFound } from "./errors.js";
import type { Faults } from "./faults.js";
import { Fields, MAX_JSON_DEPTH, tooDeep } from "./form.js";
import { badTarget, controlRequestProblem, guarded, parseTarget, sendError } from "./guard.js";
import { handlers, type HandlerContext, type OperationId } from "./handlers.js";
import { checkControlBody } from "./limits.js";
import { newSid } from "./ids.js";
import { recordedResponseHeaders, type TrafficLog } from "./traffic.js";
import type { Credentials } from "./credentials.js";

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
  /** Largest request body accepted (413 above). */
  maxBodyBytes: number;
  /** Counts accepted state-changing bodies against the state's byte limit. */
  charge(bytes: number): void;
}

/** The API listener's request handler, and stop() to cancel the real-time timers it holds (slow faults). */
export interface ApiHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
  stop(): void;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  /** JSON value, a raw string (non-JSON bodies) or null (no body). */
  body: unknown;
}

const JSON_TYPE = "application/json";

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

function errorAnswer(error: EmulatorError): Answer {
  return { status: error.status, headers: { "Content-Type": JSON_TYPE, ...error.headers }, body: error.body() };
}

function faultAnswer(fault: { kind: string; retryAfter?: number | null; status?: number; body?: string }): Answer {
  if (fault.kind === "rate-limit") {
    const retryAfter = fault.retryAfter === undefined ? 1 : fault.retryAfter;
    return errorAnswer(
      new EmulatorError(
        429,
        20429,
        "Too Many Requests",
        retryAfter === null ? {} : { "Retry-After": String(retryAfter) },
      ),
    );
  }
  const status = fault.status ?? 500;
  if (fault.body === "html")
    return {
      status,
      headers: { "Content-Type": "text/html" },
      body: `<html><body><h1>${status} Bad Gateway</h1></body></html>`,
    };
  if (fault.body === "empty") return { status, headers: {}, body: null };
  return errorAnswer(new EmulatorError(status, 20500, "Internal Server Error"));
}

/** Real-time waits for slow faults, cancelled together when the listener stops. */
function createSleeper(): { sleep(ms: number): Promise<void>; stop(): void } {
  const sleeping = new Set<NodeJS.Timeout>();
  let stopped = false;
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (stopped) return;
        const timer = setTimeout(() => {
          sleeping.delete(timer);
          resolve();
        }, ms);
        sleeping.add(timer);
      }),
    stop: () => {
      stopped = true;
      for (const timer of sleeping) clearTimeout(timer);
      sleeping.clear();
    },
  };
}

type Sleep = (ms: number) => Promise<void>;
type ApiOutcome = { answer: Answer | "drop"; operationId?: string; authenticated: boolean };

/** Admission for the REST API: credentials first, then any injected fault, then the operation. */
async function answerApi(
  deps: ServerDeps,
  sleep: Sleep,
  req: IncomingMessage,
  url: URL,
  body: { rawBody: string; contentType: string | undefined },
): Promise<ApiOutcome> {
  const method = (req.method ?? "GET").toUpperCase();
  if (!authorized(req.headers.authorization, deps.accountSid, deps.credentials)) {
    return {
      answer: errorAnswer(
        new EmulatorError(401, 20003, "Authenticate", { "WWW-Authenticate": 'Basic realm="Twilio API"' }),
      ),
      authenticated: false,
    };
  }
  const fault = deps.faults.take(method, url.pathname);
  if (fault?.kind === "drop") return { answer: "drop", authenticated: true };
  if (fault?.kind === "slow") await sleep(fault.delayMs ?? 1000);
  else if (fault) return { answer: faultAnswer(fault), authenticated: true };
  const answered = answerOperation(deps, method, url, body.rawBody, body.contentType);
  return { ...answered, authenticated: true };
}

type OperationOutcome = { answer: Answer; operationId?: string };
type Checked = ReturnType<ContractValidator["validateRequest"]>;

/** The spec's verdict on a request, or the 400 answer when the validator itself throws on it. */
function checkRequest(
  validator: ContractValidator,
  request: { method: string; url: URL; rawBody: string; contentType: string | undefined },
): Checked | Answer {
  try {
    return validator.validateRequest({
      method: request.method,
      url: request.url.toString(),
      ...(request.rawBody ? { body: request.rawBody } : {}),
      ...(request.contentType ? { contentType: request.contentType } : {}),
    });
  } catch (error) {
    return errorAnswer(
      new EmulatorError(
        400,
        20001,
        `The request could not be checked against the API: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }
}

/** No operation matched: 405 with Allow when only the method is wrong, otherwise 404. */
function unmatchedAnswer(checked: Checked, url: URL): Answer {
  const wrongMethod = checked.problems[0]?.where === "request.method";
  if (wrongMethod) {
    const allow = checked.problems[0]?.expected ?? "";
    return errorAnswer(new EmulatorError(405, 20004, "Method not allowed", { Allow: allow }));
  }
  return errorAnswer(notFound(url.pathname.replace(/^\/v1/, "")));
}

/** Depth guard, spec validation, then the operation's handler. */
function answerOperation(
  deps: ServerDeps,
  method: string,
  url: URL,
  rawBody: string,
  contentType: string | undefined,
): OperationOutcome {
  const form = new URLSearchParams(method === "POST" ? rawBody : "");
  // The validator and JSON.parse recurse; a field nested thousands deep is refused before either sees it.
  const deep = tooDeep(url.searchParams) ?? tooDeep(form);
  if (deep !== undefined)
    return {
      answer: errorAnswer(
        new EmulatorError(400, 20001, `Invalid parameter ${deep}: JSON nested deeper than ${MAX_JSON_DEPTH} levels`),
      ),
    };
  const checked = checkRequest(deps.validator, { method, url, rawBody, contentType });
  if (!("problems" in checked)) return { answer: checked };
  if (!checked.match) return { answer: unmatchedAnswer(checked, url) };
  const operationId = checked.match.operationId;
  if (checked.problems.length > 0)
    return {
      answer: errorAnswer(errorFromProblems(operationId, url.pathname.replace(/^\/v1/, ""), checked.problems)),
      operationId,
    };
  const request = { url, path: checked.match.pathParams, query: url.searchParams, form: new Fields(form) };
  return { answer: dispatchOperation(deps.ctx, operationId, request), operationId };
}

/** Runs the operation's handler; its typed refusals become error answers, anything else propagates. */
function dispatchOperation(ctx: HandlerContext, operationId: string, request: object): Answer {
  const handler = handlers[operationId as OperationId] as (
    ctx: HandlerContext,
    req: object,
  ) => { status: number; body: unknown; headers?: Record<string, string> };
  try {
    const reply = handler(ctx, request);
    const hasBody = reply.body !== null;
    return {
      status: reply.status,
      headers: { ...(hasBody ? { "Content-Type": JSON_TYPE } : {}), ...reply.headers },
      body: reply.body,
    };
  } catch (error) {
    if (error instanceof EmulatorError) return errorAnswer(error);
    throw error;
  }
}

function bodyText(answer: Answer): string {
  return answer.body === null ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
}

function writeAnswer(res: ServerResponse, answer: Answer, extra: Record<string, string> = {}, text = bodyText(answer)) {
  res.writeHead(answer.status, {
    ...answer.headers,
    ...extra,
    ...(text ? { "Content-Length": String(Buffer.byteLength(text)) } : {}),
  });
  res.end(text);
}

/** A control API request: loopback and JSON checks, documented name lengths, then the controller. */
async function answerControl(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  { method, url, origin, rawBody }: { method: string; url: URL; origin: string; rawBody: string },
): Promise<void> {
  const refused = controlRequestProblem(req, origin, rawBody.length > 0);
  if (refused) return sendError(res, refused);
  let parsed: unknown = {};
  try {
    parsed = rawBody ? JSON.parse(rawBody) : {};
  } catch {
    return sendError(res, new EmulatorError(400, 20001, "Control API bodies are JSON"));
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return sendError(res, new EmulatorError(400, 20001, "Control API bodies are JSON objects"));
  try {
    checkControlBody(parsed as Record<string, unknown>);
    const reply = await deps.control.route(method, url.pathname, parsed as Record<string, unknown>);
    if (method !== "GET" && reply.status < 300) deps.charge(rawBody.length);
    return writeAnswer(res, {
      status: reply.status,
      headers: reply.body === null ? {} : { "Content-Type": JSON_TYPE },
      body: reply.body,
    });
  } catch (error) {
    if (error instanceof EmulatorError) return sendError(res, error);
    throw error;
  }
}

/** Adds one answered exchange to the traffic log, as a recording entry. */
function recordExchange(
  traffic: TrafficLog,
  exchange: { method: string; url: URL; contentType: string | undefined; rawBody: string },
  answer: Answer,
  text: string,
  operationId: string | undefined,
): void {
  const { method, url, contentType, rawBody } = exchange;
  traffic.addSerialized(
    {
      description: `${operationId ?? method} ${url.pathname} → ${answer.status}`,
      source: `twilio-video-ts emulator ${new Date().toISOString()}`,
      request: {
        method,
        url: url.toString(),
        ...(contentType ? { headers: { "content-type": contentType } } : {}),
        ...(rawBody ? { body: rawBody } : {}),
      },
      response: { status: answer.status, headers: recordedResponseHeaders(answer.headers) },
    },
    // The body as JSON text, already serialised for the wire: the log keeps strings, not object graphs.
    answer.body === null ? "null" : typeof answer.body === "string" ? JSON.stringify(answer.body) : text,
    operationId,
  );
}

/** A REST API request once its body is read: answer, charge, record, write. */
async function serveApi(
  deps: ServerDeps,
  sleep: Sleep,
  req: IncomingMessage,
  res: ServerResponse,
  { method, url, rawBody }: { method: string; url: URL; rawBody: string },
): Promise<void> {
  const contentType = req.headers["content-type"];
  const { answer, operationId, authenticated } = await answerApi(deps, sleep, req, url, { rawBody, contentType });
  if (answer === "drop") {
    // No answer, so nothing for the traffic log: a recording needs a response.
    res.socket?.destroy();
    return;
  }
  if (method !== "GET" && method !== "HEAD" && answer.status < 300) deps.charge(rawBody.length);
  const requestId = newSid("RQ");
  const text = bodyText(answer);
  // Only authenticated exchanges are recorded: strangers' requests must not fill memory.
  if (authenticated) recordExchange(deps.traffic, { method, url, contentType, rawBody }, answer, text, operationId);
  writeAnswer(res, answer, { "Twilio-Request-Id": requestId }, text);
}

/** Every request: target and body admission, then the control API or the REST API. */
async function handleRequest(deps: ServerDeps, sleep: Sleep, req: IncomingMessage, res: ServerResponse) {
  const origin = deps.origin();
  const url = parseTarget(req.url, origin);
  if (!url) {
    // Nothing was read: close rather than try to find the next request in the body.
    req.resume();
    return sendError(res, badTarget(), true);
  }
  // In real mode, catch up on lifecycle steps that fell due since the last request.
  deps.clock.runDue();
  const method = (req.method ?? "GET").toUpperCase();
  const body = await readBody(req, deps.maxBodyBytes);
  if (body.kind === "aborted") return;
  if (body.kind === "too-large") {
    return sendError(
      res,
      new EmulatorError(413, 20001, `Request body too large: the limit is ${deps.maxBodyBytes} bytes`),
      !body.drained,
    );
  }
  const rawBody = body.text;
  if (url.pathname === "/_emulator" || url.pathname.startsWith("/_emulator/")) {
    return answerControl(deps, req, res, { method, url, origin, rawBody });
  }
  return serveApi(deps, sleep, req, res, { method, url, rawBody });
}

export function createApiHandler(deps: ServerDeps): ApiHandler {
  const sleeper = createSleeper();
  return {
    handle: guarded("API request", (req, res) => handleRequest(deps, sleeper.sleep, req, res)),
    stop: sleeper.stop,
  };
}
