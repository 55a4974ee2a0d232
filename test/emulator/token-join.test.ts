/**
 * Joining with an access token, as the client SDKs do: minted by the
 * client's createAccessToken, verified by the emulator (signature with its API
 * key secret, exp/nbf on the emulated clock, the video grant), refused with
 * the codes the SDKs report. Hand-made tokens (node:crypto) cover what
 * createAccessToken refuses to mint.
 */
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EmulatorError, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createAccessToken, type AccessTokenOptions } from "../../src/index.js";
import { api, clientFor, control } from "./helpers.js";

let emulator: Emulator;
let strict: Emulator;
let video: ReturnType<typeof clientFor>;

beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual" });
  strict = await startEmulator({ clock: "manual", adHocRooms: false });
  video = clientFor(emulator);
});
afterAll(async () => {
  await emulator?.stop();
  await strict?.stop();
});
beforeEach(() => emulator.reset());

function mint(em: Emulator, options: Partial<AccessTokenOptions> = {}) {
  return createAccessToken({
    accountSid: em.accountSid,
    apiKeySid: em.credentials.apiKeySid,
    apiKeySecret: em.credentials.apiKeySecret,
    identity: "alice",
    now: em.now(),
    ...options,
  });
}

/** A token built by hand, for claims createAccessToken will not produce. */
function handMade(header: object, claims: object, secret = emulator.credentials.apiKeySecret): string {
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const input = `${enc(header)}.${enc(claims)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}
const HEADER = { typ: "JWT", alg: "HS256", cty: "twilio-fpa;v=1" };
function claims(extra: object = {}) {
  const iat = Math.floor(emulator.now().getTime() / 1000);
  return {
    jti: `${emulator.credentials.apiKeySid}-${iat}`,
    iss: emulator.credentials.apiKeySid,
    sub: emulator.accountSid,
    iat,
    nbf: iat,
    exp: iat + 600,
    grants: { identity: "alice", video: {} },
    ...extra,
  };
}

async function join(em: Emulator, body: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await control(em, "/connect", "POST", body);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("POST /_emulator/connect {token, room?}", () => {
  it("joins the token's identity to the granted room, which the REST API then shows", async () => {
    const room = await video.rooms.create({ UniqueName: "standup" });
    const { status, json } = await join(emulator, {
      token: await mint(emulator, { room: "standup", identity: "zoë" }),
    });
    expect(status).toBe(201);
    expect(json).toMatchObject({ identity: "zoë", room_sid: room.sid, status: "connected" });
    const listed = await video.rooms.participants(room.sid).list({ Status: "connected" });
    expect(listed.participants.map((p) => p.identity)).toEqual(["zoë"]);
  });

  it("a room grant matches the room's SID as well as its unique name; a token without a grant joins the named room", async () => {
    const room = await video.rooms.create({ UniqueName: "by-sid" });
    expect((await join(emulator, { token: await mint(emulator, { room: room.sid }), room: "by-sid" })).status).toBe(
      201,
    );
    expect(
      (await join(emulator, { token: await mint(emulator, { identity: "bob" }), room: room.sid })).json,
    ).toMatchObject({ identity: "bob", room_sid: room.sid });
  });

  it("creates an ad-hoc room by name when none exists (group, in progress)", async () => {
    const { status, json } = await join(emulator, { token: await mint(emulator, { room: "ad-hoc-1" }) });
    expect(status).toBe(201);
    const room = await video.rooms.get("ad-hoc-1");
    expect(room).toMatchObject({ sid: json.room_sid, unique_name: "ad-hoc-1", status: "in-progress", type: "group" });
  });

  it("with adHocRooms: false an unknown room is 53106 Room not found", async () => {
    const { status, json } = await join(strict, { token: await mint(strict, { room: "nowhere" }) });
    expect([status, json.code]).toEqual([404, 53106]);
  });

  it("a room that is over is 53118", async () => {
    const room = await video.rooms.create({ UniqueName: "done" });
    await video.rooms.complete(room.sid);
    const { json } = await join(emulator, { token: await mint(emulator), room: room.sid });
    expect(json.code).toBe(53118);
  });

  it.each<[string, () => Promise<string>, number, number, string?]>([
    ["not a JWT", async () => "not-a-token", 401, 20101],
    ["base64url garbage", async () => "a.b.c", 401, 20101],
    ["a wrong header", async () => handMade({ ...HEADER, cty: "jwt" }, claims()), 401, 20102],
    [
      "another API key (wrong key SID)",
      async () => mint(emulator, { apiKeySid: "SK99999999999999999999999999999999" }),
      401,
      20103,
    ],
    ["another account", async () => mint(emulator, { accountSid: "AC99999999999999999999999999999999" }), 401, 20103],
    ["the wrong secret for the key", async () => mint(emulator, { apiKeySecret: "not-the-secret" }), 401, 20107],
    [
      "a tampered payload",
      async () => {
        const [h, , s] = (await mint(emulator, { room: "standup" })).split(".");
        return `${h}.${Buffer.from(JSON.stringify(claims({ grants: { identity: "mallory", video: {} } }))).toString("base64url")}.${s}`;
      },
      401,
      20107,
    ],
    [
      "a flipped signature byte",
      async () => {
        const token = await mint(emulator);
        const sig = Buffer.from(token.split(".")[2]!, "base64url");
        sig[0] = sig[0]! ^ 0xff; // always a change, whatever the byte was
        return `${token.split(".").slice(0, 2).join(".")}.${sig.toString("base64url")}`;
      },
      401,
      20107,
    ],
    [
      "an expired token",
      async () => mint(emulator, { now: emulator.now().getTime() / 1000 - 7200, ttl: 3600 }),
      401,
      20104,
    ],
    ["no exp", async () => handMade(HEADER, claims({ exp: undefined })), 401, 20104],
    ["a lifetime over 24 h", async () => handMade(HEADER, claims({ exp: claims().iat + 86_401 })), 401, 20157],
    ["nbf in the future", async () => mint(emulator, { notBefore: emulator.now().getTime() / 1000 + 60 }), 401, 20105],
    ["no video grant", async () => handMade(HEADER, claims({ grants: { identity: "alice" } })), 403, 20106],
    ["no identity", async () => handMade(HEADER, claims({ grants: { video: {} } })), 403, 20106],
    ["a grant for another room", async () => mint(emulator, { room: "other-room" }), 403, 20106, "standup"],
  ])("refuses %s with the SDK's code, and nobody joins", async (_, token, status, code, room) => {
    await video.rooms.create({ UniqueName: "standup" });
    const result = await join(emulator, { token: await token(), room: room ?? "standup" });
    expect([result.status, result.json.code]).toEqual([status, code]);
    expect(result.json.more_info).toBe(`https://www.twilio.com/docs/errors/${code}`);
    expect((await video.rooms.participants("standup").list()).participants).toEqual([]);
  });

  it("expiry follows the emulated clock", async () => {
    await video.rooms.create({ UniqueName: "standup" });
    const token = await mint(emulator, { ttl: 60, room: "standup" });
    emulator.advance(61_000);
    expect((await join(emulator, { token })).json.code).toBe(20104);
  });

  it("a token without a room grant and no room named is a 400", async () => {
    expect((await join(emulator, { token: await mint(emulator) })).status).toBe(400);
    expect((await join(emulator, { token: 42 })).status).toBe(400);
  });

  it("the control route is not the REST API: the token is not a credential there", async () => {
    const token = await mint(emulator);
    const response = await api(emulator, "/v1/Rooms", { auth: `Bearer ${token}` });
    expect(response.status).toBe(401);
  });
});

describe("POST /_emulator/tokens {identity, room?, ttl?}", () => {
  async function mintOver(em: Emulator, body: object): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await control(em, "/tokens", "POST", body);
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }
  const decoded = (token: string) =>
    JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;

  it("mints, at the emulated time, the token createAccessToken would, which /connect accepts", async () => {
    emulator.advance(3_600_000); // emulated time is no longer the wall clock's
    const { status, json } = await mintOver(emulator, { identity: "zoë", room: "standup", ttl: 120 });
    expect(status).toBe(201);
    expect(Object.keys(json)).toEqual(["token"]);
    // The same bytes as the client's own minting with the emulator's key at emulated time: same signing, same claims.
    expect(json.token).toBe(await mint(emulator, { identity: "zoë", room: "standup", ttl: 120 }));
    const iat = Math.floor(emulator.now().getTime() / 1000);
    expect(decoded(json.token as string)).toMatchObject({
      iss: emulator.credentials.apiKeySid,
      sub: emulator.accountSid,
      iat,
      exp: iat + 120,
      grants: { identity: "zoë", video: { room: "standup" } },
    });
    expect(await join(emulator, { token: json.token as string })).toMatchObject({
      status: 201,
      json: { identity: "zoë", status: "connected" },
    });
  });

  it("its tokens expire on the emulated clock (default lifetime one hour)", async () => {
    const token = (await mintOver(emulator, { identity: "late", room: "standup" })).json.token as string;
    const claims = decoded(token);
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    emulator.advance(3_600_000);
    expect((await join(emulator, { token })).json.code).toBe(20104);
  });

  it("is signed with this emulator's key: another emulator's token is refused (20103)", async () => {
    const other = await startEmulator({
      clock: "manual",
      credentials: {
        apiKeySid: "SK22222222222222222222222222222222",
        apiKeySecret: "other-secret",
        authToken: "other-token",
      },
    });
    try {
      const token = (await mintOver(other, { identity: "spy", room: "standup" })).json.token as string;
      expect((await join(emulator, { token })).json.code).toBe(20103);
    } finally {
      await other.stop();
    }
  });

  it("refuses a bad field with a 400 that names it and never holds the secret", async () => {
    for (const body of [
      {},
      { identity: "" },
      { identity: 7 },
      { identity: "a", room: "" },
      { identity: "a", ttl: 0 },
      { identity: "a", ttl: 86_401 },
      { identity: "a", ttl: 1.5 },
      { identity: "a", ttl: "60" },
    ]) {
      const { status, json } = await mintOver(emulator, body);
      expect([status, json.code], JSON.stringify(body)).toEqual([400, 20001]);
      expect(json.message).toMatch(/identity|room|ttl/);
      expect(JSON.stringify(json)).not.toContain(emulator.credentials.apiKeySecret);
    }
  });
});

describe("emulator.connectParticipant(token)", () => {
  it("joins in code, and refusals throw with the SDK's code", async () => {
    const p = emulator.connectParticipant(await mint(emulator, { room: "in-code", identity: "carol" }));
    expect(p).toMatchObject({ identity: "carol", status: "connected" });
    expect((await video.rooms.get("in-code")).sid).toBe(p.room_sid);
    const other = emulator.connectParticipant(await mint(emulator, { identity: "dave" }), { room: "in-code" });
    expect(other.room_sid).toBe(p.room_sid);
    let error: unknown;
    try {
      emulator.connectParticipant(await mint(emulator, { apiKeySecret: "wrong" }), { room: "in-code" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EmulatorError);
    expect(error).toMatchObject({ code: 20107, status: 401 });
    // The two-argument form is unchanged.
    expect(emulator.connectParticipant("in-code", "erin")).toMatchObject({ identity: "erin" });
  });
});

describe("arbitrary tokens (property-based)", () => {
  it("garbage and mutated tokens are refused with a token code, never another error, never a join", async () => {
    const valid = await mint(emulator, { room: "fuzz-room" });
    const mutated = fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.constantFrom(..."ABCabc019-_.=+/ "))
      .map(([i, c]) => valid.slice(0, i) + c + valid.slice(i + 1))
      // A changed last character may only touch base64 padding bits: the same bytes, still a valid token.
      .filter((t) => {
        const parts = t.split(".");
        const original = valid.split(".");
        return !(
          parts.length === 3 &&
          parts.every(
            (p, i) =>
              /^[A-Za-z0-9_-]+$/.test(p) && Buffer.from(p, "base64url").equals(Buffer.from(original[i]!, "base64url")),
          )
        );
      });
    const anyToken = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.base64String({ maxLength: 300 }),
      mutated,
      fc.array(fc.base64String(), { minLength: 3, maxLength: 3 }).map((p) => p.join(".")),
    );
    fc.assert(
      fc.property(anyToken, (token) => {
        let error: unknown;
        try {
          emulator.connectParticipant(token, { room: "fuzz-room" });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(EmulatorError);
        expect([20101, 20102, 20103, 20104, 20105, 20106, 20107, 20157]).toContain((error as EmulatorError).code);
      }),
      { numRuns: 500 },
    );
    expect(emulator.connectParticipant(valid)).toMatchObject({ identity: "alice" });
  });
});
