/** The validator library, on a fixture document (features) and on the real spec (hosts, Rooms). */
import { fullFormats } from "ajv-formats/dist/formats.js";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createContractValidator,
  defaultContractValidator,
  recordingsFromHar,
  type Problem,
  type Recording,
} from "../src/contract/index.js";
import { PLAIN_HTTP_URL, isUtcDateTime } from "../src/contract/schemas.js";
import { fixtureDocument, SID, thing } from "./lib/fixture-document.js";

const v = createContractValidator({ document: fixtureDocument });
const B = "https://video.twilio.com";
const where = (problems: Problem[]) => problems.map((p) => p.where);
const rec = (request: Recording["request"], response: Partial<Recording["response"]> = {}): Recording => ({
  request,
  response: { status: 200, body: { things: [], meta: { page: 0 } }, ...response },
});

describe("matchOperation", () => {
  it("prefers literal segments over parameters and decodes parameters", () => {
    expect(v.matchOperation("GET", `${B}/v1/Things/Default`)?.operationId).toBe("FetchDefaultThing");
    expect(v.matchOperation("get", `${B}/v1/Things/my%20thing%2Fx`)).toEqual({
      operationId: "FetchThing",
      method: "GET",
      pathTemplate: "/v1/Things/{Sid}",
      pathParams: { Sid: "my thing/x" },
    });
    expect(v.matchOperation("GET", `${B}/v1/Things/${SID}/Media?Ttl=5`)?.pathParams).toEqual({ Sid: SID });
  });

  it("accepts Twilio's hosts and configured base URLs only", () => {
    expect(v.matchOperation("GET", "https://video.dublin.ie1.twilio.com/v1/Things")?.operationId).toBe("ListThing");
    expect(v.matchOperation("GET", "https://api.twilio.com/v1/Things")).toBeUndefined();
    expect(v.matchOperation("GET", "http://video.twilio.com/v1/Things")).toBeUndefined();
    expect(v.matchOperation("GET", "http://127.0.0.1:4010/v1/Things")).toBeUndefined();
    const local = createContractValidator({
      document: fixtureDocument,
      baseUrls: ["http://127.0.0.1:4010", "http://localhost:9/prefix/"],
    });
    expect(local.matchOperation("GET", "http://127.0.0.1:4010/v1/Things")?.operationId).toBe("ListThing");
    expect(local.matchOperation("GET", "http://localhost:9/prefix/v1/Things")?.operationId).toBe("ListThing");
    expect(local.matchOperation("GET", "http://localhost:9/v1/Things")).toBeUndefined();
  });

  it("does not match malformed percent-encoding, empty segments or unknown paths", () => {
    expect(v.matchOperation("GET", `${B}/v1/Things/%E0%A4%A`)).toBeUndefined();
    expect(v.matchOperation("GET", `${B}/v1/Things//`)).toBeUndefined();
    expect(v.matchOperation("GET", `${B}/v1//Things`)).toBeUndefined();
  });

  it("matches a path with one trailing slash as without (Twilio's docs samples use both)", () => {
    expect(v.matchOperation("GET", `${B}/v1/Things/`)?.operationId).toBe(
      v.matchOperation("GET", `${B}/v1/Things`)?.operationId,
    );
    expect(v.matchOperation("GET", `${B}/v1/Things/`)).toBeDefined();
    expect(v.matchOperation("GET", `${B}/v2/Things`)).toBeUndefined();
  });
});

describe("validateRequest", () => {
  it("coerces query strings per schema and collects repeated keys for arrays", () => {
    expect(
      v.validateRequest({
        method: "GET",
        url: `${B}/v1/Things?Status=on&PageSize=20&Enabled=true&GroupingSid=${SID}&GroupingSid=${SID}`,
      }).problems,
    ).toEqual([]);
    const bad = v.validateRequest({
      method: "GET",
      url: `${B}/v1/Things?Status=maybe&PageSize=0&Enabled=yes&GroupingSid=nope&Extra=1`,
    }).problems;
    expect(where(bad)).toEqual([
      "request.query/Status",
      "request.query/PageSize",
      "request.query/Enabled",
      "request.query/GroupingSid/0",
      "request.query/Extra",
    ]);
    expect(bad[0]).toMatchObject({ expected: '"on" | "off"', found: '"maybe"' });
  });

  it("rejects a repeated key for a single-valued parameter", () => {
    expect(v.validateRequest({ method: "GET", url: `${B}/v1/Things?Status=on&Status=off` }).problems[0]).toMatchObject({
      where: "request.query/Status",
      message: expect.stringContaining("repeated"),
    });
  });

  it("decodes form bodies: JSON fields, arrays from repeated keys, booleans and integers", () => {
    const body =
      "Name=a+b&Count=2&Enabled=false&Tags=x&Tags=y&Rules=%5B%7B%22type%22%3A%22include%22%2C%22all%22%3Atrue%7D%5D";
    expect(
      v.validateRequest({
        method: "POST",
        url: `${B}/v1/Things`,
        body,
        contentType: "application/x-www-form-urlencoded; charset=utf-8",
      }).problems,
    ).toEqual([]);
  });

  it('reads booleans in any case, as the API does (regression: twilio-python\'s "True" was reported as spec-too-strict)', () => {
    for (const value of ["True", "FALSE", "tRuE"]) {
      expect(
        v.validateRequest({
          method: "POST",
          url: `${B}/v1/Things`,
          body: `Name=a&Enabled=${value}`,
          contentType: "application/x-www-form-urlencoded",
        }).problems,
      ).toEqual([]);
      expect(v.validateRequest({ method: "GET", url: `${B}/v1/Things?Enabled=${value}` }).problems).toEqual([]);
    }
    expect(where(v.validateRequest({ method: "GET", url: `${B}/v1/Things?Enabled=Yes` }).problems)).toEqual([
      "request.query/Enabled",
    ]);
    expect(where(v.validateRequest({ method: "GET", url: `${B}/v1/Things?Enabled=truE1` }).problems)).toEqual([
      "request.query/Enabled",
    ]);
  });

  it("reports unknown fields, bad JSON, wrong types, missing required fields and bad rules", () => {
    const r = v.validateRequest({ method: "POST", url: `${B}/v1/Things`, body: "Count=x&Enabled=1&Bogus=1&Rules=%5B" });
    expect(where(r.problems).sort()).toEqual(
      [
        "request.body/Bogus",
        "request.body/Count",
        "request.body/Enabled",
        "request.body/Name",
        "request.body/Rules",
      ].sort(),
    );
    const rules = v.validateRequest({
      method: "POST",
      url: `${B}/v1/Things`,
      body: `Name=n&Rules=${encodeURIComponent(JSON.stringify([{ type: "include", kind: "smell" }]))}`,
    });
    expect(where(rules.problems)).toContain("request.body/Rules/0");
  });

  it("requires a documented body and rejects bodies where none is documented", () => {
    expect(v.validateRequest({ method: "POST", url: `${B}/v1/Things` }).problems[0]).toMatchObject({
      where: "request.body",
      message: "request body is required",
    });
    expect(v.validateRequest({ method: "DELETE", url: `${B}/v1/Things/${SID}`, body: "A=1" }).problems[0]?.where).toBe(
      "request.body",
    );
    expect(
      v.validateRequest({ method: "POST", url: `${B}/v1/Things`, body: "{}", contentType: "application/json" })
        .problems[0]?.where,
    ).toBe("request.headers/content-type");
  });

  it("checks path parameters and tells a wrong method from an unknown path", () => {
    expect(v.validateRequest({ method: "GET", url: `${B}/v1/Things/Bad_Name` }).problems[0]?.where).toBe(
      "request.path/Sid",
    );
    expect(v.validateRequest({ method: "PUT", url: `${B}/v1/Things` }).problems[0]).toMatchObject({
      where: "request.method",
      expected: "GET, POST",
    });
    expect(v.validateRequest({ method: "GET", url: `${B}/v1/Nope` }).problems[0]?.where).toBe("request.url");
    expect(v.validateRequest({ method: "GET", url: "https://evil.example/v1/Things" }).problems[0]?.message).toMatch(
      /host/,
    );
    expect(v.validateRequest({ method: "GET", url: "not a url" }).problems[0]?.message).toMatch(/absolute URL/);
  });
});

describe("validateResponse", () => {
  it("finds the response by exact status, then range, then default", () => {
    expect(v.validateResponse("CreateThing", 201, thing()).problems).toEqual([]);
    expect(v.validateResponse("CreateThing", 409, { code: 1, message: "m", status: 409 }).problems).toEqual([]);
    expect(v.validateResponse("ListThing", 418, { code: 1, message: "m", status: 418 }).problems).toEqual([]);
    expect(v.validateResponse("FetchThing", 500, "oops").problems[0]).toMatchObject({
      where: "response.status",
      expected: "200, 404",
      found: "500",
    });
  });

  it("checks bodies with locations, expectations and findings", () => {
    const { problems } = v.validateResponse(
      "FetchThing",
      200,
      thing({ sid: "THx", status: "maybe", date_created: "yesterday", count: "3" }),
    );
    expect(problems).toEqual([
      {
        where: "response.body/sid",
        message: "value does not match the pattern",
        expected: "pattern ^TH[0-9a-f]{32}$",
        found: '"THx"',
      },
      {
        where: "response.body/status",
        message: "value is not one of the allowed values",
        expected: '"on" | "off"',
        found: '"maybe"',
      },
      {
        where: "response.body/date_created",
        message: "value is not a valid date-time",
        expected: "format date-time",
        found: '"yesterday"',
      },
      { where: "response.body/count", message: "wrong type", expected: "integer or null", found: 'string "3"' },
    ]);
    expect(
      v.validateResponse("ListThing", 200, { things: [thing({ status: 1 })], meta: {} }).problems.map((p) => p.where),
    ).toEqual(["response.body/things/0/status", "response.body/things/0/status"]);
    expect(v.validateResponse("FetchThing", 200, { sid: SID }).problems.map((p) => p.where)).toEqual([
      "response.body/status",
      "response.body/date_created",
      "response.body/count",
    ]);
  });

  it("reports undocumented fields as drift warnings, or errors when strict", () => {
    const body = { things: [thing({ new_field: 1 })], meta: { page: 0 }, extra: true };
    const lenient = v.validateResponse("ListThing", 200, body);
    expect(lenient.problems).toEqual([]);
    expect(lenient.warnings.map((w) => w.where).sort()).toEqual([
      "response.body/extra",
      "response.body/things/0/new_field",
    ]);
    const strict = createContractValidator({ document: fixtureDocument, strict: true }).validateResponse(
      "ListThing",
      200,
      body,
    );
    expect(strict.warnings).toEqual([]);
    expect(strict.problems).toHaveLength(2);
  });

  it("keeps real errors next to drift", () => {
    const r = v.validateResponse("FetchThing", 200, thing({ status: "maybe", extra: 1 }));
    expect(r.problems.map((p) => p.where)).toEqual(["response.body/status"]);
    expect(r.warnings.map((p) => p.where)).toEqual(["response.body/extra"]);
  });

  it("does not mistake oneOf branch exclusivity for drift", () => {
    const r = v.validateResponse("FetchThing", 200, thing({ rules: [{ type: "include", all: true, kind: "audio" }] }));
    expect(r.problems.length).toBeGreaterThan(0);
  });

  it("checks non-JSON bodies against text schemas and empty bodies against body-less responses", () => {
    expect(v.validateResponse("ListThing", 502, "<html>bad gateway</html>", "text/html").problems).toEqual([]);
    expect(v.validateResponse("ListThing", 503, "upstream connect error").problems).toEqual([]);
    expect(v.validateResponse("ListThing", 502, "<html/>", "image/png").problems[0]?.where).toBe(
      "response.headers/content-type",
    );
    expect(v.validateResponse("FetchThing", 404, "<html>not found</html>").problems.length).toBeGreaterThan(0);
    expect(v.validateResponse("DeleteThing", 204, null).problems).toEqual([]);
    expect(v.validateResponse("DeleteThing", 204, { a: 1 }).problems[0]?.where).toBe("response.body");
    expect(v.validateResponse("FetchThing", 200, null).problems.length).toBeGreaterThan(0);
    expect(v.validateResponse("Nope", 200, null).problems[0]?.where).toBe("operationId");
  });
});

describe("validateRecording", () => {
  it("checks the recording format first", () => {
    const r = v.validateRecording({ request: { method: "GET" }, response: { status: 99 } } as unknown as Recording);
    expect(r.ok).toBe(false);
    expect(r.operationId).toBeNull();
    expect(where(r.errors).sort()).toEqual(
      ["recording/request/url", "recording/response/body", "recording/response/status"].sort(),
    );
  });

  it("combines request, response and header checks", () => {
    const url = `${B}/v1/Things/${SID}/Media`;
    const ok = v.validateRecording(
      rec(
        { method: "GET", url },
        {
          status: 302,
          headers: { Location: "https://s3.example/x?sig=REDACTED" },
          body: { redirect_to: "https://s3.example/x?sig=REDACTED" },
        },
      ),
    );
    expect(ok).toEqual({ operationId: "FetchThingMedia", ok: true, errors: [], warnings: [], specTooStrict: [] });
    const missing = v.validateRecording(
      rec({ method: "GET", url }, { status: 302, headers: {}, body: { redirect_to: "https://s3.example/x" } }),
    );
    expect(where(missing.errors)).toEqual(["response.headers/location"]);
    const retry = v.validateRecording(
      rec(
        { method: "GET", url },
        {
          status: 429,
          headers: { "Retry-After": "soon" },
          body: { code: 20429, message: "Too Many Requests", status: 429 },
        },
      ),
    );
    expect(where(retry.errors)).toEqual(["response.headers/retry-after"]);
  });

  it("reports no operation for an unknown path", () => {
    const r = v.validateRecording(rec({ method: "GET", url: `${B}/v1/Unknown` }));
    expect(r).toMatchObject({ operationId: null, ok: false });
  });
});

describe("spec-too-strict: the server's verdict counts", () => {
  const strictV = createContractValidator({ document: fixtureDocument, strict: true });
  const list = `${B}/v1/Things?Status=maybe`;

  it("a request the spec rejects but the API answered 2xx is a spec-too-strict finding, not an error", () => {
    const r = v.validateRecording(rec({ method: "GET", url: list }));
    expect(r.ok).toBe(true);
    expect(r.errors).toEqual([]);
    expect(r.specTooStrict).toHaveLength(1);
    expect(r.specTooStrict[0]).toMatchObject({
      where: "request.query/Status",
      message: expect.stringMatching(/^the API answered 200 to a request the spec rejects: /),
    });
  });

  it("fails it when strict, still listed separately", () => {
    const r = strictV.validateRecording(rec({ method: "GET", url: list }));
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([]);
    expect(where(r.specTooStrict)).toEqual(["request.query/Status"]);
  });

  it("the same request answered 4xx stays a request error (the API refused it too)", () => {
    const r = v.validateRecording(
      rec(
        { method: "GET", url: list },
        {
          status: 400,
          body: { code: 20001, message: "bad", more_info: "https://www.twilio.com/docs/errors/20001", status: 400 },
        },
      ),
    );
    expect(where(r.errors)).toContain("request.query/Status");
    expect(r.specTooStrict).toEqual([]);
  });

  it("an unlisted status with a body well-formed for a documented sibling is spec-too-strict", () => {
    const r = v.validateRecording(rec({ method: "GET", url: `${B}/v1/Things/${SID}` }, { status: 203, body: thing() }));
    expect(r).toMatchObject({ ok: true, errors: [] });
    expect(r.specTooStrict[0]).toMatchObject({
      where: "response.status",
      found: "203",
      message: expect.stringContaining("well-formed for 200"),
    });
    expect(
      strictV.validateRecording(rec({ method: "GET", url: `${B}/v1/Things/${SID}` }, { status: 203, body: thing() }))
        .ok,
    ).toBe(false);
  });

  it("an unlisted status with a malformed body stays an error", () => {
    const r = v.validateRecording(
      rec({ method: "GET", url: `${B}/v1/Things/${SID}` }, { status: 203, body: { nope: 1 } }),
    );
    expect(r.ok).toBe(false);
    expect(where(r.errors)).toEqual(["response.status"]);
    expect(r.specTooStrict).toEqual([]);
    // An error body is never well-formed for a success status.
    const e = v.validateRecording(
      rec(
        { method: "GET", url: `${B}/v1/Things/${SID}` },
        {
          status: 299,
          body: { code: 20404, message: "x", more_info: "https://www.twilio.com/docs/errors/20404", status: 404 },
        },
      ),
    );
    expect(e.ok).toBe(false);
  });
});

describe("HAR 1.2", () => {
  const har = {
    log: {
      version: "1.2",
      creator: { name: "devtools", version: "1" },
      entries: [
        {
          request: {
            method: "POST",
            url: `${B}/v1/Things`,
            headers: [
              { name: ":authority", value: "video.twilio.com" },
              { name: "Content-Type", value: "application/x-www-form-urlencoded" },
            ],
            postData: { mimeType: "application/x-www-form-urlencoded", params: [{ name: "Name", value: "a b" }] },
          },
          response: {
            status: 201,
            headers: [{ name: "Content-Type", value: "application/json" }],
            content: { mimeType: "application/json", text: btoa(JSON.stringify(thing())), encoding: "base64" },
          },
        },
        {
          request: { method: "GET", url: "https://cdn.example/app.js", headers: [] },
          response: { status: 200, headers: [], content: { mimeType: "text/javascript", text: "x" } },
        },
        {
          request: { method: "DELETE", url: `${B}/v1/Things/${SID}`, headers: [] },
          response: { status: 204, headers: [], content: { size: 0, mimeType: "x-unknown" } },
        },
      ],
    },
  };

  it("turns Video API entries into recordings and skips other traffic", () => {
    const out = recordingsFromHar(har);
    expect(out.skipped).toBe(1);
    expect(out.recordings.map((r) => r.index)).toEqual([0, 2]);
    expect(out.recordings[0]!.recording.request).toMatchObject({
      body: "Name=a+b",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(out.recordings[0]!.recording.response.body).toEqual(thing());
    expect(out.recordings[1]!.recording.response.body).toBeNull();
    for (const { recording } of out.recordings) expect(v.validateRecording(recording).errors).toEqual([]);
  });

  it("says when a file is not HAR", () => {
    expect(recordingsFromHar({ foo: 1 }).error).toMatch(/not a HAR/);
  });
});

describe("the bundled spec", () => {
  it("is the default document and accepts Twilio hosts", () => {
    const d = defaultContractValidator();
    expect(d).toBe(defaultContractValidator());
    expect(d.matchOperation("GET", `${B}/v1/Rooms/RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c`)?.operationId).toBe("FetchRoom");
    expect(d.matchOperation("GET", `${B}/v1/Rooms/daily%20standup`)?.pathParams).toEqual({ Sid: "daily standup" });
  });
});

/** The response body of a corpus recording (a valid one, to vary a field of). */
const recordedBody = (path: string) =>
  (JSON.parse(readFileSync(new URL(`./recordings/${path}`, import.meta.url), "utf8")) as Recording).response
    .body as object;

// ajv-formats' own RFC 3986 check (a function in full mode).
const fullUri = fullFormats.uri as (value: string) => boolean;
// And its RFC 3339 date-time check (an object with validate and compare).
const fullDateTime = (fullFormats["date-time"] as { validate: (value: string) => boolean }).validate;

describe("response checks on the fast path", () => {
  it("answers the same for a repeated key as for the first (plans cached per status, content type and body kind)", () => {
    const calls = () => [
      v.validateResponse("ListThing", 502, "<html>bad gateway</html>", "text/html").problems,
      v.validateResponse("ListThing", 502, "<html/>", "image/png").problems.map((p) => p.where),
      v.validateResponse("ListThing", 503, "upstream connect error").problems,
      v.validateResponse("FetchThing", 200, "a string where JSON is documented").problems.map((p) => p.where),
      v.validateResponse("FetchThing", 200, thing({ status: "maybe" })).problems.map((p) => p.where),
      v.validateResponse("FetchThing", 200, thing()).problems,
      v.validateResponse("FetchThing", 500, "oops").problems.map((p) => p.where),
    ];
    const fresh = createContractValidator({ document: fixtureDocument });
    const first = calls();
    expect(first[1]).toEqual(["response.headers/content-type"]);
    expect(first[4]).toEqual(["response.body/status"]);
    expect(first[6]).toEqual(["response.status"]);
    expect(calls()).toEqual(first);
    // A validator of the same document shares the compiled schemas but answers alike.
    expect(fresh.validateResponse("FetchThing", 200, thing({ status: "maybe" })).problems.map((p) => p.where)).toEqual([
      "response.body/status",
    ]);
  });

  it("the quick URL regex accepts nothing the full RFC 3986 check rejects", () => {
    // Mostly characters a URL may hold, so candidates get past the host; now and then one it may not.
    const usual = fc.constantFrom(..."aZ09.-_~!$&'()*+,;=:@/?".split(""));
    const odd = fc.constantFrom(...'#%[] \u00e9"<>\\^`{|}\n'.split(""));
    const chars = fc.oneof({ weight: 12, arbitrary: usual }, { weight: 1, arbitrary: odd });
    const word = (unit: fc.Arbitrary<string>, minLength = 0) =>
      fc.array(unit, { minLength, maxLength: 12 }).map((a) => a.join(""));
    const candidate = fc
      .tuple(
        fc.constantFrom("http://", "https://", "HTTPS://", "ftp://", "http:/", "https:"),
        word(
          fc.oneof({ weight: 12, arbitrary: fc.constantFrom(..."aZ09.-".split("")) }, { weight: 1, arbitrary: odd }),
          1,
        ),
        fc.constantFrom("", ":", ":8080"),
        fc.constantFrom("/", "?", ""),
        word(chars),
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(candidate, (url) => {
        if (PLAIN_HTTP_URL.test(url)) expect(fullUri(url)).toBe(true);
      }),
      { numRuns: 10_000 },
    );
  });

  it("the quick date-time check accepts nothing the full RFC 3339 check rejects, and takes what Twilio sends", () => {
    const digits = (n: number) =>
      fc.array(fc.constantFrom(..."0123456789".split("")), { minLength: n, maxLength: n }).map((a) => a.join(""));
    const candidate = fc
      .tuple(
        fc.oneof(digits(4), fc.constantFrom("2000", "1900", "2024", "2023", "2100")),
        fc.oneof(digits(2), fc.constantFrom("02", "12", "13", "00")),
        fc.oneof(digits(2), fc.constantFrom("28", "29", "30", "31", "00")),
        fc.constantFrom("T", "t", " ", "X"),
        digits(2),
        digits(2),
        fc.oneof(digits(2), fc.constantFrom("59", "60")),
        fc.constantFrom("", ".5", ".123456", "."),
        fc.constantFrom("Z", "z", "+00:00", "", "Zx"),
      )
      .map(([y, mo, d, t, h, mi, s, frac, zone]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${frac}${zone}`);
    fc.assert(
      fc.property(fc.oneof(candidate, fc.string()), (value) => {
        if (isUtcDateTime(value)) expect(fullDateTime(value)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
    for (const ok of ["2015-07-30T20:00:00Z", "2024-02-29T23:59:59.123Z", "2000-02-29T00:00:00Z"])
      expect(isUtcDateTime(ok), ok).toBe(true);
    for (const bad of [
      "2023-02-29T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "2015-04-31T00:00:00Z",
      "2015-13-01T00:00:00Z",
      "2015-00-10T00:00:00Z",
      "2015-07-30T24:00:00Z",
      "2015-07-30T20:00:00",
    ]) {
      expect(isUtcDateTime(bad), bad).toBe(false);
    }
  });

  it("format date-time still takes what the quick check leaves to the full one, and refuses non-date-times", () => {
    const d = defaultContractValidator();
    const room = (date_created: string) =>
      d
        .validateResponse(
          "FetchRoom",
          200,
          { ...recordedBody("rooms/fetch-by-sid.json"), date_created },
          "application/json",
        )
        .problems.map((p) => p.where);
    for (const ok of [
      "2015-07-30T20:00:00Z",
      "2015-07-30T20:00:00+02:00",
      "2015-07-30t20:00:00z",
      "2016-12-31T23:59:60Z",
    ])
      expect(room(ok), ok).toEqual([]);
    for (const bad of ["2015-07-30", "2015-02-30T20:00:00Z", "yesterday", "2015-07-30T20:00:00"])
      expect(room(bad), bad).toEqual(["response.body/date_created"]);
  });

  it("format uri still takes URLs the quick regex leaves to the full check, and refuses non-URIs", () => {
    const d = defaultContractValidator();
    const settings = (url: string) => ({ ...recordedBody("composition-settings/fetch.json"), url });
    const check = (url: string) =>
      d
        .validateResponse("FetchCompositionSettings", 200, settings(url), "application/json")
        .problems.map((p) => p.where);
    for (const ok of [
      "https://video.twilio.com/v1/CompositionSettings/Default",
      "https://h.example/a%20b",
      "http://[::1]:8080/x",
      "urn:isbn:0451450523",
    ])
      expect(check(ok), ok).toEqual([]);
    for (const bad of ["not a url", "https://exa mple.com/", "/relative/path", "https://h.example/%zz"])
      expect(check(bad), bad).toEqual(["response.body/url"]);
  });
});
