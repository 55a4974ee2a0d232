/**
 * Replays every corpus recording through the client with nock: the
 * interceptor matches method, path, query and the raw form body exactly, so
 * the client must send precisely the recorded request. The client must return
 * the recorded body (checked against the spec on the way), or throw the typed
 * error for error recordings.
 */
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createContractValidator, type Recording } from "../src/contract/index.js";
import { createVideoClient, operationRows, TwilioApiError, type OperationRow } from "../src/index.js";
import { loadCorpus, specDocument } from "./lib/corpus.js";

const validator = createContractValidator({ document: specDocument });
const corpus = loadCorpus();

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** The client method to drive an operation through: a general method rather than a fixed-body action when both exist. */
function rowFor(operationId: string): OperationRow {
  const rows = operationRows().filter((r) => r.operationId === operationId);
  const row = rows.find((r) => r.shape !== "action") ?? rows[0];
  if (!row) throw new Error(`the client has no method for ${operationId}`);
  return row;
}

/** JSON-valued form fields, read off the spec's request body encodings. */
function jsonFields(operationId: string): Set<string> {
  const names = new Set<string>();
  for (const item of Object.values(
    specDocument.paths as Record<
      string,
      Record<
        string,
        {
          operationId?: string;
          requestBody?: { content?: Record<string, { encoding?: Record<string, { contentType?: string }> }> };
        }
      >
    >,
  )) {
    for (const op of Object.values(item)) {
      if (op?.operationId !== operationId) continue;
      for (const media of Object.values(op.requestBody?.content ?? {}))
        for (const [name, enc] of Object.entries(media.encoding ?? {}))
          if (enc.contentType?.includes("json")) names.add(name);
    }
  }
  return names;
}

/** Form or query string → the arguments object a caller would pass (arrays for repeated keys, JSON fields parsed). */
function decode(text: string, json: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parsed: unknown = json.has(key) ? JSON.parse(value) : value;
    if (key in out) out[key] = [...([] as unknown[]).concat(out[key]), parsed];
    else out[key] = parsed;
  }
  return out;
}

async function drive(recording: Recording): Promise<unknown> {
  const match = validator.matchOperation(recording.request.method, recording.request.url)!;
  const row = rowFor(match.operationId);
  const url = new URL(recording.request.url);
  const client = createVideoClient({
    apiKeySid: `SK${"a".repeat(32)}`,
    apiKeySecret: "replay-secret",
    maxRetries: 0,
    validateResponses: "throw",
  });
  const params = [...match.pathTemplate.matchAll(/\{(\w+)\}/g)].map((m) => match.pathParams[m[1]!]!);
  let target: unknown = client;
  for (const name of row.resource.slice(0, -1)) {
    const next = (target as Record<string, unknown>)[name];
    target = typeof next === "function" ? (next as (id: string) => unknown)(params.shift()!) : next;
  }
  const method =
    row.shape === "list" ? "list" : row.shape === "media" ? "media" : row.resource[row.resource.length - 1]!;
  const fn = (target as Record<string, (...args: unknown[]) => Promise<unknown>>)[method]!.bind(target);
  const body = decode(recording.request.body ?? "", jsonFields(match.operationId));
  const query = decode(url.search.slice(1), new Set());
  switch (row.shape) {
    case "create":
    case "singleton-update":
      return fn(body);
    case "update":
      return fn(params.shift(), body);
    case "action":
    case "fetch":
    case "delete":
      return fn(params.shift());
    case "singleton-fetch":
      return fn();
    case "list":
      return fn(query);
    case "media":
      return fn(params.shift(), {
        ...(query.Ttl !== undefined ? { ttl: Number(query.Ttl) } : {}),
        ...(query.ContentDisposition !== undefined ? { contentDisposition: query.ContentDisposition } : {}),
      });
  }
}

function intercept(recording: Recording): nock.Scope {
  const url = new URL(recording.request.url);
  const { status, headers = {}, body } = recording.response;
  const scope = nock(url.origin);
  const interceptor = scope.intercept(
    `${url.pathname}${url.search}`,
    recording.request.method,
    recording.request.body ??
      (recording.request.method === "GET" || recording.request.method === "DELETE" ? undefined : ""),
  );
  interceptor.reply(status, body === null ? "" : typeof body === "string" ? body : JSON.stringify(body), headers);
  return scope;
}

describe("replay through the client", () => {
  it("has a client method for every operation of the corpus", () => {
    const missing = new Set<string>();
    for (const { recording } of corpus) {
      const id = validator.matchOperation(recording.request.method, recording.request.url)?.operationId;
      if (id && !operationRows().some((r) => r.operationId === id)) missing.add(id);
    }
    expect([...missing]).toEqual([]);
  });

  it.each(corpus.map((e) => [e.name, e.recording] as const))("%s", async (_name, recording) => {
    const scope = intercept(recording);
    const { status, body } = recording.response;
    if (status >= 400) {
      const error = await drive(recording).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TwilioApiError);
      const apiError = error as TwilioApiError;
      expect(apiError.status).toBe(status);
      const twilio =
        typeof body === "object" && body !== null ? (body as { code?: number; more_info?: string }) : undefined;
      expect(apiError.code).toBe(twilio?.code ?? null);
      expect(apiError.moreInfo).toBe(twilio?.more_info ?? null);
      expect(apiError.requestId).toBe(recording.response.headers?.["twilio-request-id"] ?? null);
      if (typeof body === "string") expect(apiError.bodyExcerpt).toBeTruthy();
    } else {
      const result = await drive(recording);
      if (status === 302) expect((result as { url: string }).url).toBe((body as { redirect_to: string }).redirect_to);
      else if (status === 204) expect(result).toBeUndefined();
      else expect(result).toEqual(body);
    }
    expect(scope.isDone(), "the recorded request was sent exactly").toBe(true);
  });

  it("fails when the client's request differs from the recording (the matching is exact)", async () => {
    const create = corpus.find((e) => e.name === "rooms/create-group.json")!.recording;
    const list = corpus.find((e) => e.name === "rooms/list-filtered.json")!.recording;
    for (const [sent, expected] of [
      [create, { ...create, request: { ...create.request, body: `${create.request.body}&AudioOnly=false` } }],
      [
        create,
        {
          ...create,
          request: { ...create.request, body: create.request.body!.replace("MaxParticipants=50", "MaxParticipants=5") },
        },
      ],
      [
        list,
        { ...list, request: { ...list.request, url: list.request.url.replace("Status=completed", "Status=failed") } },
      ],
      [list, { ...list, request: { ...list.request, url: `${list.request.url}&PageSize=5` } }],
    ] as const) {
      const scope = intercept(expected);
      await expect(drive(sent)).rejects.toThrow();
      expect(scope.isDone()).toBe(false);
      nock.cleanAll();
    }
  });
});
