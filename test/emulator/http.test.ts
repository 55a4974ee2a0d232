/**
 * The HTTP layer with plain fetch: auth, errors in the real API's shape,
 * paging meta as Twilio forms it, list filters and defaults, the media host
 * and the control API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { api, basic, control } from "./helpers.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual" });
});
afterAll(async () => {
  await emulator?.stop();
});

async function createRoom(form: Record<string, string | string[]> = {}) {
  const response = await api(emulator, "/v1/Rooms", { form });
  return { response, body: (await response.json()) as Record<string, unknown> };
}

describe("authentication", () => {
  it("accepts the API key and the account SID with its auth token", async () => {
    expect((await api(emulator, "/v1/Rooms")).status).toBe(200);
    expect(
      (await api(emulator, "/v1/Rooms", { auth: basic(emulator.accountSid, emulator.credentials.authToken) })).status,
    ).toBe(200);
  });

  it("answers 401 with code 20003 for missing or wrong credentials", async () => {
    for (const auth of [
      null,
      basic(emulator.credentials.apiKeySid, "wrong"),
      basic(emulator.accountSid, emulator.credentials.apiKeySecret),
      "Bearer x",
    ]) {
      const response = await api(emulator, "/v1/Rooms", { auth });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Basic/);
      expect(await response.json()).toEqual({
        code: 20003,
        message: "Authenticate",
        more_info: "https://www.twilio.com/docs/errors/20003",
        status: 401,
      });
    }
  });
});

describe("errors", () => {
  it("404 code 20404 for unknown paths and ids, 405 for undocumented methods", async () => {
    const unknown = await api(emulator, "/v1/Nope");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 20404, status: 404 });
    expect((await api(emulator, "/v1/Rooms/RM00000000000000000000000000000000")).status).toBe(404);
    // A path segment of the wrong SID type names nothing.
    expect((await api(emulator, "/v1/Recordings/RM00000000000000000000000000000000")).status).toBe(404);
    const wrongMethod = await api(emulator, "/v1/Rooms", { method: "PUT" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET, POST");
    expect(await wrongMethod.json()).toMatchObject({ status: 405 });
  });

  it("400 with the field's Video error code for invalid input", async () => {
    const cases: Array<[Record<string, string>, number]> = [
      [{ Type: "huge" }, 53108],
      [{ MaxParticipants: "51" }, 53107],
      [{ EmptyRoomTimeout: "0" }, 53109],
      [{ StatusCallbackMethod: "PUT" }, 53110],
      [{ StatusCallback: "not a url" }, 53111],
      [{ UniqueName: "x".repeat(129) }, 53101],
      // Issue 8: no public source limits the rule count or gives a minimum duration; these stay invalid.
      [{ RecordingRules: '[{"type":"record"}]' }, 53120],
      [{ MaxParticipantDuration: "86401" }, 53123],
      [{ Bogus: "1" }, 20001],
    ];
    for (const [form, code] of cases) {
      const { response, body } = await createRoom(form);
      expect(response.status, JSON.stringify(form)).toBe(400);
      expect(body, JSON.stringify(form)).toMatchObject({
        code,
        status: 400,
        more_info: `https://www.twilio.com/docs/errors/${code}`,
      });
    }
  });

  it("refuses a UniqueName in use by an in-progress room with 53113, and frees it once the room ends", async () => {
    const first = await createRoom({ UniqueName: "daily" });
    expect(first.response.status).toBe(201);
    const again = await createRoom({ UniqueName: "daily" });
    expect(again.response.status).toBe(400);
    expect(again.body.code).toBe(53113);
    expect((await api(emulator, "/v1/Rooms/daily", { form: { Status: "completed" } })).status).toBe(202);
    expect((await createRoom({ UniqueName: "daily" })).response.status).toBe(201);
    // The completed one is reachable by SID only.
    expect((await (await api(emulator, "/v1/Rooms/daily")).json()).sid).not.toBe(first.body.sid);
  });

  it("rejects invalid subscribe rules with 53215 and recording rules with 53120", async () => {
    const { body: room } = await createRoom();
    const p = emulator.connectParticipant(String(room.sid), "zoe");
    const sub = await api(emulator, `/v1/Rooms/${room.sid}/Participants/${p.sid}/SubscribeRules`, {
      form: { Rules: JSON.stringify([{ type: "include", all: false }]) },
    });
    expect(sub.status).toBe(400);
    expect((await sub.json()).code).toBe(53215);
    const rec = await api(emulator, `/v1/Rooms/${room.sid}/RecordingRules`, {
      form: { Rules: JSON.stringify([{ all: true }]) },
    });
    expect((await rec.json()).code).toBe(53120);
  });
});

describe("paging", () => {
  it("forms meta as the real API does and follows PageToken with the filters kept", async () => {
    emulator.reset();
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) sids.push(String((await createRoom({ UniqueName: `page-${i}` })).body.sid));
    const newestFirst = [...sids].reverse();
    const first = await (await api(emulator, "/v1/Rooms?Status=in-progress&PageSize=2")).json();
    expect(first.rooms.map((r: { sid: string }) => r.sid)).toEqual(newestFirst.slice(0, 2));
    expect(first.meta).toEqual({
      page: 0,
      page_size: 2,
      first_page_url: `${emulator.url}/v1/Rooms?Status=in-progress&PageSize=2&Page=0`,
      previous_page_url: null,
      url: `${emulator.url}/v1/Rooms?Status=in-progress&PageSize=2&Page=0`,
      next_page_url: `${emulator.url}/v1/Rooms?Status=in-progress&PageSize=2&Page=1&PageToken=PA${newestFirst[1]}`,
      key: "rooms",
    });
    const second = await (await api(emulator, first.meta.next_page_url.slice(emulator.url.length))).json();
    expect(second.rooms.map((r: { sid: string }) => r.sid)).toEqual(newestFirst.slice(2, 4));
    expect(second.meta.url).toBe(first.meta.next_page_url);
    expect(second.meta.previous_page_url).toBe(
      `${emulator.url}/v1/Rooms?Status=in-progress&PageSize=2&Page=0&PageToken=PB${newestFirst[2]}`,
    );
    const back = await (await api(emulator, second.meta.previous_page_url.slice(emulator.url.length))).json();
    expect(back.rooms.map((r: { sid: string }) => r.sid)).toEqual(newestFirst.slice(0, 2));
    const third = await (await api(emulator, second.meta.next_page_url.slice(emulator.url.length))).json();
    expect(third.rooms.map((r: { sid: string }) => r.sid)).toEqual(newestFirst.slice(4));
    expect(third.meta.next_page_url).toBeNull();
    // Page alone is an offset.
    const byIndex = await (await api(emulator, "/v1/Rooms?PageSize=2&Page=2")).json();
    expect(byIndex.rooms.map((r: { sid: string }) => r.sid)).toEqual(newestFirst.slice(4));
    // An empty list is one page with no next.
    const empty = await (await api(emulator, "/v1/Rooms?Status=failed")).json();
    expect(empty).toMatchObject({ rooms: [], meta: { page_size: 50, next_page_url: null, key: "rooms" } });
  });

  it("keeps paging when the anchor item leaves the filter, and refuses a bad token with 21481", async () => {
    emulator.reset();
    const sids: string[] = [];
    for (let i = 0; i < 3; i++) sids.push(String((await createRoom()).body.sid));
    const first = await (await api(emulator, "/v1/Rooms?PageSize=1")).json();
    await api(emulator, `/v1/Rooms/${sids[2]}`, { form: { Status: "completed" } });
    const next = await (await api(emulator, first.meta.next_page_url.slice(emulator.url.length))).json();
    expect(next.rooms.map((r: { sid: string }) => r.sid)).toEqual([sids[1]]);
    const bad = await api(emulator, "/v1/Rooms?PageToken=garbage");
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe(21481);
    expect((await api(emulator, "/v1/Rooms?PageSize=1001")).status).toBe(400);
    expect((await api(emulator, "/v1/Recordings?PageSize=101")).status).toBe(400);
  });
});

describe("list filters and defaults", () => {
  it("lists in-progress rooms unless Status is given, and filters by name and date", async () => {
    emulator.reset();
    const live = (await createRoom({ UniqueName: "live" })).body;
    const done = (await createRoom({ UniqueName: "done" })).body;
    await api(emulator, `/v1/Rooms/${done.sid}`, { form: { Status: "completed" } });
    const names = async (query: string) =>
      ((await (await api(emulator, `/v1/Rooms${query}`)).json()).rooms as Array<{ unique_name: string }>).map(
        (r) => r.unique_name,
      );
    expect(await names("")).toEqual(["live"]);
    expect(await names("?Status=completed")).toEqual(["done"]);
    expect(await names("?UniqueName=done&Status=completed")).toEqual(["done"]);
    const created = String(live.date_created);
    expect(await names(`?DateCreatedAfter=${created}`)).toEqual(["live"]);
    expect(await names(`?DateCreatedBefore=${created}`)).toEqual([]);
  });
});

describe("media", () => {
  it("answers 302 with Location and redirect_to; the media host serves bytes without auth and refuses an Authorization header", async () => {
    const room = (await createRoom({ RecordParticipantsOnConnect: "true" })).body;
    emulator.connectParticipant(String(room.sid), "ann");
    emulator.publishTrack(String(room.sid), "ann", { kind: "audio", name: "ann-mic" });
    emulator.advance(10_000);
    await api(emulator, `/v1/Rooms/${room.sid}`, { form: { Status: "completed" } });
    const list = await (await api(emulator, `/v1/Rooms/${room.sid}/Recordings`)).json();
    const rec = list.recordings[0];
    expect(rec.status).toBe("processing");
    expect((await api(emulator, `/v1/Recordings/${rec.sid}/Media`)).status).toBe(404);
    emulator.advance(5_000);

    const media = await api(
      emulator,
      `/v1/Recordings/${rec.sid}/Media?Ttl=60&ContentDisposition=${encodeURIComponent("attachment; filename=a.mka")}`,
    );
    expect(media.status).toBe(302);
    const { redirect_to } = await media.json();
    expect(media.headers.get("location")).toBe(redirect_to);
    expect(redirect_to.startsWith(emulator.mediaUrl)).toBe(true);

    const file = await fetch(redirect_to);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toBe("attachment; filename=a.mka");
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const withAuth = await fetch(redirect_to, {
      headers: { Authorization: basic(emulator.credentials.apiKeySid, emulator.credentials.apiKeySecret) },
    });
    expect(withAuth.status).toBe(400);
    // Flip the first hex digit to a different one (replacing it with "0" changed nothing when it was "0").
    const tampered = await fetch(
      redirect_to.replace(/Signature=([0-9a-f])/, (_: string, d: string) => `Signature=${d === "0" ? "1" : "0"}`),
    );
    expect(tampered.url).not.toBe(redirect_to);
    expect(tampered.status).toBe(403);
    emulator.advance(61_000);
    expect((await fetch(redirect_to)).status).toBe(403);
  });
});

describe("control API over HTTP", () => {
  it("connects participants, publishes tracks, advances the clock and reports errors in the API's shape", async () => {
    const room = (await createRoom({ UniqueName: "ctl" })).body;
    const joined = await control(emulator, "/rooms/ctl/participants", "POST", { identity: "eve" });
    expect(joined.status).toBe(201);
    const eve = await joined.json();
    expect(eve).toMatchObject({ identity: "eve", status: "connected", room_sid: room.sid });
    const track = await (
      await control(emulator, `/rooms/ctl/participants/eve/tracks`, "POST", { kind: "video", name: "cam" })
    ).json();
    expect(track).toMatchObject({ kind: "video", name: "cam", enabled: true });
    expect(
      await (await control(emulator, `/rooms/ctl/participants/eve/tracks/cam`, "POST", { enabled: false })).json(),
    ).toMatchObject({ enabled: false });
    expect((await control(emulator, `/rooms/ctl/participants/eve/tracks/cam`, "DELETE")).status).toBe(204);
    const before = Date.parse((await (await control(emulator, "/clock", "GET")).json()).now);
    const after = Date.parse((await (await control(emulator, "/clock/advance", "POST", { seconds: 90 })).json()).now);
    expect(after - before).toBe(90_000);
    expect((await control(emulator, `/rooms/ctl/participants/${eve.sid}/disconnect`, "POST", {})).status).toBe(200);
    const missing = await control(emulator, "/rooms/nope/participants", "POST", { identity: "x" });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 20404 });
    expect((await control(emulator, "/rooms/ctl/participants", "POST", {})).status).toBe(400);
    expect((await control(emulator, "/faults", "POST", { kind: "meteor" })).status).toBe(400);
    const traffic = await (await control(emulator, "/traffic", "GET")).json();
    expect(traffic.recordings.length).toBeGreaterThan(0);
    expect(JSON.stringify(traffic)).not.toContain(emulator.credentials.apiKeySecret);
  });
});
