/**
 * Every operation through its resource method, over nock: the exact method,
 * path, query and form body on the wire, Basic auth, User-Agent, and the
 * typed result (the spec's own example for the success response).
 */
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import document from "../../generated/openapi.json" with { type: "json" };
import { specOperations } from "../../generated/endpoints.js";
import { operationRows, type VideoClient } from "../../src/index.js";
import { API_KEY_SECRET, API_KEY_SID, client } from "./helpers.js";

const RM = "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c";
const PA = "PA8b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e";
const MT = "MT1c3e5a7b9d0f2a4c6e8b0d1f3a5c7e9b";
const RT = "RT2d4f6a8c0e1b3d5f7a9c1e2b4d6f8a0c";
const CJ = "CJ3e5a7c9e1f2b4d6a8c0e2f3a5b7d9c1e";
const HK = "HK4f6b8d0a2c3e5f7b9d1a3c4e6f8b0d2a";
const CR = "CR5a7c9e1b3d4f6a8c0e2b4d5f7a9c1e3b";
const TT = "video_transcriptions_0192f1c2a7b34c5d";

interface Case {
  operationId: string;
  /** Which resource method (for the coverage check). */
  method: string;
  call: (video: VideoClient) => Promise<unknown>;
  http: "GET" | "POST" | "DELETE";
  path: string;
  query?: string;
  body?: string;
}

const rules = encodeURIComponent(
  JSON.stringify([
    { type: "include", kind: "audio" },
    { type: "exclude", publisher: "bob" },
  ]),
);
const layout = { grid: { video_sources: ["*"], max_rows: 2, reuse: "show_newest" as const } };

const cases: Case[] = [
  {
    operationId: "CreateRoom",
    method: "rooms.create",
    http: "POST",
    path: "/v1/Rooms",
    call: (v) =>
      v.rooms.create({
        UniqueName: "daily standup",
        Type: "group",
        StatusCallback: "https://example.com/video/events",
        StatusCallbackMethod: "POST",
        MaxParticipants: 10,
        VideoCodecs: ["VP8", "H264"],
        RecordingRules: [{ type: "exclude", all: true }],
        AudioOnly: false,
        EmptyRoomTimeout: 5,
      }),
    body: `UniqueName=daily+standup&Type=group&StatusCallback=https%3A%2F%2Fexample.com%2Fvideo%2Fevents&StatusCallbackMethod=POST&MaxParticipants=10&VideoCodecs=VP8&VideoCodecs=H264&RecordingRules=${encodeURIComponent('[{"type":"exclude","all":true}]')}&AudioOnly=false&EmptyRoomTimeout=5`,
  },
  { operationId: "FetchRoom", method: "rooms.get", http: "GET", path: `/v1/Rooms/${RM}`, call: (v) => v.rooms.get(RM) },
  {
    operationId: "ListRoom",
    method: "rooms.list",
    http: "GET",
    path: "/v1/Rooms",
    query: "Status=completed&UniqueName=daily-standup&DateCreatedAfter=2026-11-01T00%3A00%3A00Z&PageSize=20",
    call: (v) =>
      v.rooms.list({
        Status: "completed",
        UniqueName: "daily-standup",
        DateCreatedAfter: "2026-11-01T00:00:00Z",
        PageSize: 20,
      }),
  },
  {
    operationId: "UpdateRoom",
    method: "rooms.update",
    http: "POST",
    path: "/v1/Rooms/daily-standup",
    body: "Status=completed",
    call: (v) => v.rooms.update("daily-standup", { Status: "completed" }),
  },
  {
    operationId: "UpdateRoom",
    method: "rooms.complete",
    http: "POST",
    path: `/v1/Rooms/${RM}`,
    body: "Status=completed",
    call: (v) => v.rooms.complete(RM),
  },
  {
    operationId: "FetchRoomParticipant",
    method: "rooms.participants.get",
    http: "GET",
    path: `/v1/Rooms/${RM}/Participants/alice`,
    call: (v) => v.rooms.participants(RM).get("alice"),
  },
  {
    operationId: "ListRoomParticipant",
    method: "rooms.participants.list",
    http: "GET",
    path: `/v1/Rooms/${RM}/Participants`,
    query: "Status=connected&Identity=alice",
    call: (v) => v.rooms.participants(RM).list({ Status: "connected", Identity: "alice" }),
  },
  {
    operationId: "UpdateRoomParticipant",
    method: "rooms.participants.update",
    http: "POST",
    path: `/v1/Rooms/${RM}/Participants/${PA}`,
    body: "Status=disconnected",
    call: (v) => v.rooms.participants(RM).update(PA, { Status: "disconnected" }),
  },
  {
    operationId: "UpdateRoomParticipant",
    method: "rooms.participants.disconnect",
    http: "POST",
    path: `/v1/Rooms/${RM}/Participants/${PA}`,
    body: "Status=disconnected",
    call: (v) => v.rooms.participants(RM).disconnect(PA),
  },
  {
    operationId: "UpdateRoomParticipantAnonymize",
    method: "rooms.participants.anonymize",
    http: "POST",
    path: `/v1/Rooms/${RM}/Participants/${PA}/Anonymize`,
    body: "",
    call: (v) => v.rooms.participants(RM).anonymize(PA),
  },
  {
    operationId: "FetchRoomParticipantPublishedTrack",
    method: "rooms.participants.publishedTracks.get",
    http: "GET",
    path: `/v1/Rooms/${RM}/Participants/${PA}/PublishedTracks/${MT}`,
    call: (v) => v.rooms.participants(RM).publishedTracks(PA).get(MT),
  },
  {
    operationId: "ListRoomParticipantPublishedTrack",
    method: "rooms.participants.publishedTracks.list",
    http: "GET",
    path: `/v1/Rooms/${RM}/Participants/${PA}/PublishedTracks`,
    query: "PageSize=5",
    call: (v) => v.rooms.participants(RM).publishedTracks(PA).list({ PageSize: 5 }),
  },
  {
    operationId: "FetchRoomParticipantSubscribedTrack",
    method: "rooms.participants.subscribedTracks.get",
    http: "GET",
    path: `/v1/Rooms/${RM}/Participants/${PA}/SubscribedTracks/${MT}`,
    call: (v) => v.rooms.participants(RM).subscribedTracks(PA).get(MT),
  },
  {
    operationId: "ListRoomParticipantSubscribedTrack",
    method: "rooms.participants.subscribedTracks.list",
    http: "GET",
    path: `/v1/Rooms/${RM}/Participants/${PA}/SubscribedTracks`,
    call: (v) => v.rooms.participants(RM).subscribedTracks(PA).list(),
  },
  {
    operationId: "FetchRoomParticipantSubscribeRule",
    method: "rooms.participants.subscribeRules.get",
    http: "GET",
    path: `/v1/Rooms/${RM}/Participants/${PA}/SubscribeRules`,
    call: (v) => v.rooms.participants(RM).subscribeRules(PA).get(),
  },
  {
    operationId: "UpdateRoomParticipantSubscribeRule",
    method: "rooms.participants.subscribeRules.update",
    http: "POST",
    path: `/v1/Rooms/${RM}/Participants/${PA}/SubscribeRules`,
    body: `Rules=${rules}`,
    call: (v) =>
      v.rooms
        .participants(RM)
        .subscribeRules(PA)
        .update({
          Rules: [
            { type: "include", kind: "audio" },
            { type: "exclude", publisher: "bob" },
          ],
        }),
  },
  {
    operationId: "FetchRoomRecordingRule",
    method: "rooms.recordingRules.get",
    http: "GET",
    path: `/v1/Rooms/${RM}/RecordingRules`,
    call: (v) => v.rooms.recordingRules(RM).get(),
  },
  {
    operationId: "UpdateRoomRecordingRule",
    method: "rooms.recordingRules.update",
    http: "POST",
    path: `/v1/Rooms/${RM}/RecordingRules`,
    body: `Rules=${rules}`,
    call: (v) =>
      v.rooms.recordingRules(RM).update({
        Rules: [
          { type: "include", kind: "audio" },
          { type: "exclude", publisher: "bob" },
        ],
      }),
  },
  {
    operationId: "FetchRoomRecording",
    method: "rooms.recordings.get",
    http: "GET",
    path: `/v1/Rooms/${RM}/Recordings/${RT}`,
    call: (v) => v.rooms.recordings(RM).get(RT),
  },
  {
    operationId: "ListRoomRecording",
    method: "rooms.recordings.list",
    http: "GET",
    path: `/v1/Rooms/${RM}/Recordings`,
    query: `Status=completed&SourceSid=${MT}`,
    call: (v) => v.rooms.recordings(RM).list({ Status: "completed", SourceSid: MT }),
  },
  {
    operationId: "DeleteRoomRecording",
    method: "rooms.recordings.delete",
    http: "DELETE",
    path: `/v1/Rooms/${RM}/Recordings/${RT}`,
    call: (v) => v.rooms.recordings(RM).delete(RT),
  },
  {
    operationId: "FetchRoomRecordingMedia",
    method: "rooms.recordings.media",
    http: "GET",
    path: `/v1/Rooms/${RM}/Recordings/${RT}/Media`,
    query: "Ttl=120",
    call: (v) => v.rooms.recordings(RM).media(RT, { ttl: 120 }),
  },
  {
    operationId: "CreateRoomTranscriptions",
    method: "rooms.transcriptions.create",
    http: "POST",
    path: `/v1/Rooms/${RM}/Transcriptions`,
    body: `Configuration=${encodeURIComponent('{"languageCode":"en-US","partialResults":true}')}`,
    call: (v) => v.rooms.transcriptions(RM).create({ Configuration: { languageCode: "en-US", partialResults: true } }),
  },
  {
    operationId: "FetchRoomTranscriptions",
    method: "rooms.transcriptions.get",
    http: "GET",
    path: `/v1/Rooms/${RM}/Transcriptions/${TT}`,
    call: (v) => v.rooms.transcriptions(RM).get(TT),
  },
  {
    operationId: "ListRoomTranscriptions",
    method: "rooms.transcriptions.list",
    http: "GET",
    path: `/v1/Rooms/${RM}/Transcriptions`,
    call: (v) => v.rooms.transcriptions(RM).list(),
  },
  {
    operationId: "UpdateRoomTranscriptions",
    method: "rooms.transcriptions.update",
    http: "POST",
    path: `/v1/Rooms/${RM}/Transcriptions/${TT}`,
    body: "Status=stopped",
    call: (v) => v.rooms.transcriptions(RM).update(TT, { Status: "stopped" }),
  },
  {
    operationId: "FetchRecording",
    method: "recordings.get",
    http: "GET",
    path: `/v1/Recordings/${RT}`,
    call: (v) => v.recordings.get(RT),
  },
  {
    operationId: "ListRecording",
    method: "recordings.list",
    http: "GET",
    path: "/v1/Recordings",
    query: `GroupingSid=${RM}&GroupingSid=${PA}&MediaType=audio&PageSize=100`,
    call: (v) => v.recordings.list({ GroupingSid: [RM, PA], MediaType: "audio", PageSize: 100 }),
  },
  {
    operationId: "DeleteRecording",
    method: "recordings.delete",
    http: "DELETE",
    path: `/v1/Recordings/${RT}`,
    call: (v) => v.recordings.delete(RT),
  },
  {
    operationId: "FetchRecordingMedia",
    method: "recordings.media",
    http: "GET",
    path: `/v1/Recordings/${RT}/Media`,
    query: "ContentDisposition=attachment%3B+filename%3Dalice.mka",
    call: (v) => v.recordings.media(RT, { contentDisposition: "attachment; filename=alice.mka" }),
  },
  {
    operationId: "CreateComposition",
    method: "compositions.create",
    http: "POST",
    path: "/v1/Compositions",
    body: `RoomSid=${RM}&AudioSources=*&AudioSources=alice&VideoLayout=${encodeURIComponent(JSON.stringify(layout))}&Format=mp4&Resolution=1280x720&Trim=true`,
    call: (v) =>
      v.compositions.create({
        RoomSid: RM,
        AudioSources: ["*", "alice"],
        VideoLayout: layout,
        Format: "mp4",
        Resolution: "1280x720",
        Trim: true,
      }),
  },
  {
    operationId: "FetchComposition",
    method: "compositions.get",
    http: "GET",
    path: `/v1/Compositions/${CJ}`,
    call: (v) => v.compositions.get(CJ),
  },
  {
    operationId: "ListComposition",
    method: "compositions.list",
    http: "GET",
    path: "/v1/Compositions",
    query: `Status=completed&RoomSid=${RM}`,
    call: (v) => v.compositions.list({ Status: "completed", RoomSid: RM }),
  },
  {
    operationId: "DeleteComposition",
    method: "compositions.delete",
    http: "DELETE",
    path: `/v1/Compositions/${CJ}`,
    call: (v) => v.compositions.delete(CJ),
  },
  {
    operationId: "FetchCompositionMedia",
    method: "compositions.media",
    http: "GET",
    path: `/v1/Compositions/${CJ}/Media`,
    call: (v) => v.compositions.media(CJ),
  },
  {
    operationId: "CreateCompositionHook",
    method: "compositionHooks.create",
    http: "POST",
    path: "/v1/CompositionHooks",
    body: `FriendlyName=all-rooms&Enabled=true&AudioSources=*&Format=webm`,
    call: (v) =>
      v.compositionHooks.create({ FriendlyName: "all-rooms", Enabled: true, AudioSources: ["*"], Format: "webm" }),
  },
  {
    operationId: "FetchCompositionHook",
    method: "compositionHooks.get",
    http: "GET",
    path: `/v1/CompositionHooks/${HK}`,
    call: (v) => v.compositionHooks.get(HK),
  },
  {
    operationId: "ListCompositionHook",
    method: "compositionHooks.list",
    http: "GET",
    path: "/v1/CompositionHooks",
    query: "Enabled=true&FriendlyName=all-rooms",
    call: (v) => v.compositionHooks.list({ Enabled: true, FriendlyName: "all-rooms" }),
  },
  {
    operationId: "UpdateCompositionHook",
    method: "compositionHooks.update",
    http: "POST",
    path: `/v1/CompositionHooks/${HK}`,
    body: "FriendlyName=all-rooms&Enabled=false",
    call: (v) => v.compositionHooks.update(HK, { FriendlyName: "all-rooms", Enabled: false }),
  },
  {
    operationId: "DeleteCompositionHook",
    method: "compositionHooks.delete",
    http: "DELETE",
    path: `/v1/CompositionHooks/${HK}`,
    call: (v) => v.compositionHooks.delete(HK),
  },
  {
    operationId: "FetchCompositionSettings",
    method: "compositionSettings.get",
    http: "GET",
    path: "/v1/CompositionSettings/Default",
    call: (v) => v.compositionSettings.get(),
  },
  {
    operationId: "CreateCompositionSettings",
    method: "compositionSettings.update",
    http: "POST",
    path: "/v1/CompositionSettings/Default",
    body: `FriendlyName=archive&AwsCredentialsSid=${CR}&AwsS3Url=https%3A%2F%2Fmy-bucket.s3.amazonaws.com%2Fcompositions&AwsStorageEnabled=true&EncryptionEnabled=false`,
    call: (v) =>
      v.compositionSettings.update({
        FriendlyName: "archive",
        AwsCredentialsSid: CR,
        AwsS3Url: "https://my-bucket.s3.amazonaws.com/compositions",
        AwsStorageEnabled: true,
        EncryptionEnabled: false,
      }),
  },
  {
    operationId: "FetchRecordingSettings",
    method: "recordingSettings.get",
    http: "GET",
    path: "/v1/RecordingSettings/Default",
    call: (v) => v.recordingSettings.get(),
  },
  {
    operationId: "CreateRecordingSettings",
    method: "recordingSettings.update",
    http: "POST",
    path: "/v1/RecordingSettings/Default",
    body: `FriendlyName=archive&EncryptionKeySid=${CR}&EncryptionEnabled=true`,
    call: (v) => v.recordingSettings.update({ FriendlyName: "archive", EncryptionKeySid: CR, EncryptionEnabled: true }),
  },
];

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        responses: Record<
          string,
          {
            $ref?: string;
            content?: Record<
              string,
              { example?: unknown; examples?: Record<string, { $ref?: string; value?: unknown }> }
            >;
          }
        >;
      }
    >
  >;
};
const doc = document as unknown as Doc;

function resolve<T>(node: T & { $ref?: string }): T {
  if (!node.$ref) return node;
  return node.$ref
    .slice(2)
    .split("/")
    .reduce<unknown>(
      (at, key) => (at as Record<string, unknown>)[key.replace(/~1/g, "/").replace(/~0/g, "~")],
      document,
    ) as T;
}

/** The spec's success status and first example for an operation. */
function successExample(operationId: string): { status: number; body: unknown } {
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      if (op.operationId !== operationId) continue;
      const [status, response] = Object.entries(op.responses).find(([code]) => /^(2\d\d|302)$/.test(code))!;
      const media = resolve(response).content?.["application/json"];
      if (!media) return { status: Number(status), body: undefined };
      const first = media.example ?? resolve(Object.values(media.examples ?? {})[0]!).value;
      return { status: Number(status), body: first };
    }
  }
  throw new Error(`no operation ${operationId}`);
}

describe("every operation through its resource method", () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it("covers every resource method of the client and every operation of the spec", () => {
    // Named one by one, so a spec change says what to add where (the drill in test/spec/drill.test.ts).
    const covered = new Set(cases.map((c) => c.method));
    const problems = operationRows()
      .filter((row) => !covered.has(row.resource.join(".")))
      .map(
        (row) =>
          `${row.method.toUpperCase()} ${row.path} (${row.operationId}): client method ${row.resource.join(".")} has no case in test/client/operations.test.ts`,
      );
    const methods = new Set(operationRows().map((row) => row.resource.join(".")));
    problems.push(
      ...[...covered]
        .filter((m) => !methods.has(m))
        .map((m) => `${m}: a case in test/client/operations.test.ts for a method the client no longer has`),
    );
    const withCase = new Set(cases.map((c) => c.operationId));
    problems.push(
      ...specOperations
        .filter((op) => !withCase.has(op.operationId))
        .map(
          (op) =>
            `${op.method.toUpperCase()} ${op.path} (${op.operationId}) has no case in test/client/operations.test.ts`,
        ),
    );
    expect(problems, problems.join("; ")).toEqual([]);
    const specOps = Object.values(doc.paths)
      .flatMap((item) => Object.values(item).map((op) => op.operationId))
      .filter(Boolean);
    expect(specOps.sort()).toEqual(specOperations.map((op) => op.operationId).sort());
  });

  it.each(cases)("$method → $http $path", async (c) => {
    const { status, body } = successExample(c.operationId);
    let seen: { headers: Record<string, string | string[]>; body: string; query: string } | undefined;
    const scope = nock("https://video.twilio.com")
      .intercept(c.path, c.http)
      .query(true)
      .reply(function (uri, requestBody) {
        seen = {
          headers: this.req.headers as Record<string, string>,
          body: String(requestBody ?? ""),
          query: new URL(uri, "https://video.twilio.com").search.slice(1),
        };
        return [
          status,
          body === undefined ? "" : JSON.stringify(body),
          {
            "content-type": "application/json",
            ...(status === 302 ? { location: (body as { redirect_to: string }).redirect_to } : {}),
          },
        ];
      });
    const result = await c.call(client(globalThis.fetch));
    expect(scope.isDone()).toBe(true);
    expect(seen!.query).toBe(c.query ?? "");
    expect(seen!.body).toBe(c.body ?? "");
    expect(seen!.headers.authorization).toBe(`Basic ${btoa(`${API_KEY_SID}:${API_KEY_SECRET}`)}`);
    expect(seen!.headers["user-agent"]).toMatch(/^twilio-video-ts\//);
    if (c.http === "POST") expect(seen!.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    if (status === 302)
      expect(result).toMatchObject({ url: (body as { redirect_to: string }).redirect_to, expiresAt: expect.any(Date) });
    else if (status === 204) expect(result).toBeUndefined();
    else expect(result).toEqual(body);
  });
});

describe("client.raw reaches every operation by path", () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ["get", "post", "delete"].includes(method))
      .map(([method, op]) => ({ path, method: method.toUpperCase(), operationId: op.operationId })),
  );
  const sample: Record<string, string> = { Sid: "daily-standup", RoomSid: RM, ParticipantSid: PA, Ttid: TT };

  it.each(operations)("$method $path ($operationId)", async ({ path, method }) => {
    const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => sample[name]!);
    let auth: unknown;
    let contentType: unknown;
    const scope = nock("https://video.twilio.com")
      .intercept(concrete, method)
      .reply(function () {
        auth = this.req.headers.authorization;
        contentType = this.req.headers["content-type"];
        return [200, "{}", { "content-type": "application/json" }];
      });
    const video = client(globalThis.fetch);
    const request = video.raw.request as unknown as (
      m: string,
      p: string,
      init: object,
    ) => Promise<{ response: Response }>;
    const { response } = await request(method.toLowerCase(), path, {
      params: { path: sample },
      ...(method === "POST" ? { body: { FriendlyName: "x" } } : {}),
    });
    expect(scope.isDone()).toBe(true);
    expect(response.status).toBe(200);
    expect(auth).toMatch(/^Basic /);
    if (method === "POST") expect(contentType).toMatch(/^application\/x-www-form-urlencoded/);
  });

  it("typed raw calls: errors as data, form bodies encoded Twilio's way", async () => {
    let body = "";
    nock("https://video.twilio.com")
      .post("/v1/Rooms")
      .reply(201, (_uri, requestBody) => {
        body = String(requestBody);
        return { sid: RM };
      });
    nock("https://video.twilio.com").get(`/v1/Rooms/${RM}`).reply(404, {
      code: 20404,
      message: "Not found",
      more_info: "https://www.twilio.com/docs/errors/20404",
      status: 404,
    });
    const video = client(globalThis.fetch);
    const created = await video.raw.POST("/v1/Rooms", {
      body: { UniqueName: "standup", Type: "group", VideoCodecs: ["VP8", "H264"] },
    });
    expect(created.data?.sid).toBe(RM);
    expect(body).toBe("UniqueName=standup&Type=group&VideoCodecs=VP8&VideoCodecs=H264");
    const missing = await video.raw.GET("/v1/Rooms/{Sid}", { params: { path: { Sid: RM } } });
    expect(missing.data).toBeUndefined();
    expect(missing.error).toMatchObject({ code: 20404 });
  });
});
