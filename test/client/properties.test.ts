// Property-based checks of the client's input surface: ids that reach a URL,
// the form/query serializer, and whatever a server (or a proxy) answers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TwilioArgumentError, TwilioResponseTooLargeError, TwilioVideoError } from "../../src/index.js";
import { checkId, requestUrl } from "../../src/core/invoke.js";
import { resourceTree } from "../../src/core/resources.js";
import { toSearchParams } from "../../src/core/serialize.js";
import { client, json, scriptedFetch, ROOM_SID } from "./helpers.js";

const BASE = "https://video.twilio.com";
const idChars = fc.oneof(
  fc.constantFrom(
    ".",
    "/",
    "\\",
    "?",
    "#",
    "%",
    "%2e",
    "%2F",
    "..",
    " ",
    "\u0000",
    "\u001f",
    "\u007f",
    "é",
    "日本",
    "😀",
    "+",
    "&",
    "=",
  ),
  fc.string({ unit: "grapheme", maxLength: 3 }),
);
const ids = fc.array(idChars, { maxLength: 12 }).map((parts) => parts.join(""));

describe("ids reaching a URL", () => {
  it("an accepted id is exactly one path segment that decodes back to itself", () => {
    fc.assert(
      fc.property(ids, (id) => {
        let accepted: string;
        try {
          accepted = checkId("Sid", id);
        } catch (error) {
          expect(error).toBeInstanceOf(TwilioArgumentError);
          return;
        }
        const url = new URL(requestUrl(BASE, resourceTree.rooms.get, { path: { Sid: accepted } }));
        expect(url.origin).toBe(BASE);
        const segments = url.pathname.split("/");
        expect(segments.slice(0, 3)).toEqual(["", "v1", "Rooms"]);
        expect(segments).toHaveLength(4);
        expect(decodeURIComponent(segments[3]!)).toBe(id);
        expect(url.search).toBe("");
        expect(url.hash).toBe("");
      }),
      { numRuns: 2000 },
    );
  });

  it("a SID-typed id accepts only its prefix and 32 hex digits", () => {
    fc.assert(
      fc.property(fc.oneof(ids, fc.stringMatching(/^[A-Z]{2}[0-9a-fA-F]{32}$/)), (id) => {
        const ok = /^RT[0-9a-fA-F]{32}$/.test(id);
        if (ok) expect(checkId("Sid", id, "RT")).toBe(id);
        else expect(() => checkId("Sid", id, "RT")).toThrow(TwilioArgumentError);
      }),
    );
  });
});

describe("form and query serializer", () => {
  const scalar = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
  const field = fc.oneof(
    scalar,
    fc.array(scalar, { maxLength: 4 }),
    fc.constant(undefined),
    fc.constant(null),
    fc.dictionary(fc.string(), scalar, { maxKeys: 3 }),
  );

  it("every value is sent as Twilio expects and survives the round trip through the wire format", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), field, { maxKeys: 6 }), (fields) => {
        const wire = new URLSearchParams(toSearchParams(fields).toString());
        for (const [name, value] of Object.entries(fields)) {
          const sent = wire.getAll(name);
          if (value === undefined || value === null) expect(sent).toEqual([]);
          else if (Array.isArray(value)) expect(sent).toEqual(value.map(String));
          else if (typeof value === "object") expect(JSON.parse(sent[0]!)).toEqual(JSON.parse(JSON.stringify(value)));
          else expect(sent).toEqual([String(value)]);
        }
      }),
    );
  });

  it("numbers that cannot be sent are refused, not sent as 'NaN'", () => {
    fc.assert(
      fc.property(fc.constantFrom(Number.NaN, Infinity, -Infinity), fc.boolean(), (value, inArray) => {
        expect(() => toSearchParams({ Field: inArray ? [1, value] : value })).toThrow(TypeError);
      }),
    );
  });
});

describe("whatever the server answers", () => {
  const status = fc.constantFrom(200, 201, 204, 301, 302, 307, 400, 401, 404, 429, 500, 503);
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 3000 }),
    fc.string({ maxLength: 2000 }).map((s) => new TextEncoder().encode(s)),
    fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v))),
  );

  it("ends in a value or a TwilioVideoError, and never reads past maxResponseBytes", async () => {
    await fc.assert(
      fc.asyncProperty(status, body, fc.integer({ min: 1, max: 4000 }), async (code, bytes, maxResponseBytes) => {
        const reply = () =>
          new Response(code === 204 ? null : bytes, {
            status: code,
            headers: code >= 300 && code < 400 ? { location: "https://elsewhere.test/x" } : {},
          });
        const { fetch } = scriptedFetch(reply);
        const outcome = await client(fetch, { maxRetries: 0, maxResponseBytes })
          .rooms.get(ROOM_SID)
          .then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
        if ("error" in outcome) {
          expect(outcome.error).toBeInstanceOf(TwilioVideoError);
          if (outcome.error instanceof TwilioResponseTooLargeError)
            expect(bytes.byteLength).toBeGreaterThan(maxResponseBytes);
        } else {
          expect(code >= 200 && code < 300).toBe(true);
          expect(code === 204 ? 0 : bytes.byteLength).toBeLessThanOrEqual(maxResponseBytes);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a JSON 2xx under the cap is returned as parsed", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const { fetch } = scriptedFetch(json(200, value));
        expect(await client(fetch).rooms.get(ROOM_SID)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 100 },
    );
  });
});
