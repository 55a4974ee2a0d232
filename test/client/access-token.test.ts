// Access tokens are decoded and verified here with code of this file only
// (base64url by hand, HMAC from node:crypto), so a bug shared by the minting
// code and its own helpers cannot hide.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AccessTokenError, createAccessToken, type AccessTokenOptions } from "../../src/index.js";

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const KEY = "SK0123456789abcdef0123456789abcdef";
const SECRET = "test-api-key-secret-0123456789";
const base: AccessTokenOptions = { accountSid: ACCOUNT, apiKeySid: KEY, apiKeySecret: SECRET, identity: "alice" };

function fromBase64Url(part: string): Buffer {
  expect(part).toMatch(/^[A-Za-z0-9_-]*$/); // url alphabet, no padding
  const padded = part.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (part.length % 4)) % 4);
  return Buffer.from(padded, "base64");
}

function decode(token: string, secret = SECRET) {
  const parts = token.split(".");
  expect(parts).toHaveLength(3);
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  return {
    header: JSON.parse(fromBase64Url(header).toString("utf8")) as Record<string, unknown>,
    claims: JSON.parse(fromBase64Url(payload).toString("utf8")) as Record<string, unknown>,
    valid: expected.equals(fromBase64Url(signature)),
  };
}

describe("createAccessToken", () => {
  it("known answer: fixed clock and secret give this exact token", async () => {
    const token = await createAccessToken({
      ...base,
      room: "standup",
      ttl: 600,
      now: new Date("2026-11-24T20:00:00Z"),
    });
    // Computed once by hand from the format (header, claims, HMAC-SHA256) and pinned: any change to
    // claim order, encoding or signing shows up here.
    const header = Buffer.from(JSON.stringify({ typ: "JWT", alg: "HS256", cty: "twilio-fpa;v=1" })).toString(
      "base64url",
    );
    const claims = Buffer.from(
      JSON.stringify({
        jti: `${KEY}-1795550400`,
        iss: KEY,
        sub: ACCOUNT,
        iat: 1795550400,
        nbf: 1795550400,
        exp: 1795551000,
        grants: { identity: "alice", video: { room: "standup" } },
      }),
    ).toString("base64url");
    const signature = createHmac("sha256", SECRET).update(`${header}.${claims}`).digest("base64url");
    expect(token).toBe(`${header}.${claims}.${signature}`);
    expect(token).toBe(
      "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsImN0eSI6InR3aWxpby1mcGE7dj0xIn0." +
        "eyJqdGkiOiJTSzAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmLTE3OTU1NTA0MDAiLCJpc3MiOiJTSzAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIiwic3ViIjoiQUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZiIsImlhdCI6MTc5NTU1MDQwMCwibmJmIjoxNzk1NTUwNDAwLCJleHAiOjE3OTU1NTEwMDAsImdyYW50cyI6eyJpZGVudGl0eSI6ImFsaWNlIiwidmlkZW8iOnsicm9vbSI6InN0YW5kdXAifX19." +
        "yIIN6BpcePwYIe57OOFDWa-EjVJYM2cHqyZYvwE9hzU",
    );
  });

  it("carries every claim of Twilio's format, checked by an independent decoder", async () => {
    const before = Math.floor(Date.now() / 1000);
    const { header, claims, valid } = decode(
      await createAccessToken({ ...base, room: "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c" }),
    );
    const after = Math.floor(Date.now() / 1000);
    expect(valid).toBe(true);
    expect(header).toEqual({ typ: "JWT", alg: "HS256", cty: "twilio-fpa;v=1" });
    const iat = claims.iat as number;
    expect(iat).toBeGreaterThanOrEqual(before);
    expect(iat).toBeLessThanOrEqual(after);
    expect(claims).toEqual({
      jti: `${KEY}-${iat}`,
      iss: KEY,
      sub: ACCOUNT,
      iat,
      nbf: iat,
      exp: iat + 3600, // default ttl
      grants: { identity: "alice", video: { room: "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c" } },
    });
  });

  it("without a room, the video grant is empty (any room)", async () => {
    const { claims } = decode(await createAccessToken(base));
    expect(claims.grants).toEqual({ identity: "alice", video: {} });
  });

  it("ttl and notBefore set exp and nbf; identities keep non-ASCII characters", async () => {
    const now = 1_800_000_000;
    const { claims, valid } = decode(
      await createAccessToken({
        ...base,
        identity: "Zoë 日本",
        now,
        ttl: 86_400,
        notBefore: new Date((now + 60) * 1000),
      }),
    );
    expect(valid).toBe(true);
    expect(claims).toMatchObject({ iat: now, nbf: now + 60, exp: now + 86_400, grants: { identity: "Zoë 日本" } });
  });

  it("a tampered token fails verification (payload, signature, or the wrong secret)", async () => {
    const token = await createAccessToken({ ...base, room: "standup" });
    const [h, p, s] = token.split(".") as [string, string, string];
    const forgedClaims = Buffer.from(
      JSON.stringify({ ...decode(token).claims, grants: { identity: "mallory", video: {} } }),
    ).toString("base64url");
    expect(decode(`${h}.${forgedClaims}.${s}`).valid).toBe(false);
    const flipped = s.slice(0, -2) + (s.at(-2) === "A" ? "B" : "A") + s.at(-1)!;
    expect(decode(`${h}.${p}.${flipped}`).valid).toBe(false);
    expect(decode(token, "another-secret").valid).toBe(false);
    expect(decode(token).valid).toBe(true);
  });

  it.each<[string, Partial<AccessTokenOptions> & Record<string, unknown>, keyof AccessTokenOptions, RegExp]>([
    ["missing account SID", { accountSid: "" }, "accountSid", /missing/],
    ["malformed account SID", { accountSid: "AC123" }, "accountSid", /Account SID/],
    ["an API key SID as account", { accountSid: KEY }, "accountSid", /Account SID/],
    ["missing API key SID", { apiKeySid: undefined as unknown as string }, "apiKeySid", /missing/],
    ["malformed API key SID", { apiKeySid: ACCOUNT }, "apiKeySid", /API Key SID/],
    ["missing secret", { apiKeySecret: "" }, "apiKeySecret", /missing/],
    ["empty identity", { identity: "" }, "identity", /non-empty/],
    ["empty room", { room: "" }, "room", /non-empty/],
    ["ttl of 0", { ttl: 0 }, "ttl", /1 to 86400/],
    ["ttl over 24 h", { ttl: 86_401 }, "ttl", /24 h/],
    ["fractional ttl", { ttl: 1.5 }, "ttl", /whole number/],
    ["NaN ttl", { ttl: Number.NaN }, "ttl", /whole number/],
    ["invalid notBefore", { notBefore: new Date("nope") }, "notBefore", /valid Date/],
    [
      "notBefore after expiry",
      { notBefore: 2_000_000_000, now: 1_800_000_000 },
      "notBefore",
      /before the token expires/,
    ],
  ])("refuses %s with a typed error that names the option and not the secret", async (_, override, option, message) => {
    const error = await createAccessToken({ ...base, ...override } as AccessTokenOptions).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AccessTokenError);
    const e = error as AccessTokenError;
    expect(e.option).toBe(option);
    expect(e.kind).toBe("argument");
    expect(e.name).toBe("AccessTokenError");
    expect(e.message).toMatch(message);
    expect(`${e.message} ${e.stack} ${JSON.stringify(e)}`).not.toContain(SECRET);
  });
});
