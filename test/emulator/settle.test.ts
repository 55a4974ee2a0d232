/**
 * Test-time helpers (issue 30): `emulator.settle()` runs the clock until the
 * timed work is done, and access tokens minted by real code keep working
 * against a manual clock however far it is advanced.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EmulatorClock } from "../../src/emulator/clock.js";
import { EmulatorError, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { settleClock } from "../../src/emulator/settle.js";
import { createAccessToken } from "../../src/index.js";
import { clientFor, control, startReceiver } from "./helpers.js";

let emulator: Emulator;
let video: ReturnType<typeof clientFor>;
beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual" });
  video = clientFor(emulator);
});
afterAll(() => emulator?.stop());
beforeEach(() => emulator.reset());

async function endedRoomWithRecording(): Promise<string> {
  const room = await video.rooms.create({ RecordParticipantsOnConnect: true });
  emulator.connectParticipant(room.sid, "alice");
  emulator.publishTrack(room.sid, "alice", { kind: "audio", name: "mic" });
  emulator.advance(20_000);
  await video.rooms.complete(room.sid);
  return room.sid;
}

describe("emulator.settle()", () => {
  it("brings a composition to completed in one call, its callbacks delivered", async () => {
    const receiver = await startReceiver();
    try {
      const roomSid = await endedRoomWithRecording();
      const c = await video.compositions.create({
        RoomSid: roomSid,
        AudioSources: ["alice"],
        StatusCallback: `${receiver.url}/c`,
      });
      expect(c.status).toBe("enqueued");
      const before = emulator.now().getTime();
      const result = await emulator.settle();
      expect(await video.compositions.get(c.sid)).toMatchObject({ status: "completed" });
      expect((await video.recordings.list()).recordings.map((r) => r.status)).toEqual(["completed"]);
      // Exactly as far as the work needed: enqueued 500 ms + processing 2,000 ms by default.
      expect(result.advancedMs).toBe(2_500);
      expect(emulator.now().getTime() - before).toBe(2_500);
      expect(result.steps).toBeGreaterThan(1);
      expect(result.standingTimers).toBe(0);
      // settle() waited for the deliveries: the last one is already in.
      expect(receiver.received.map((r) => r.params.StatusCallbackEvent).at(-1)).toBe("composition-available");
    } finally {
      await receiver.close();
    }
  });

  it("leaves standing timers alone: an in-progress room and its participant stay", async () => {
    const room = await video.rooms.create({ RecordParticipantsOnConnect: true });
    emulator.connectParticipant(room.sid, "alice");
    emulator.publishTrack(room.sid, "alice", { kind: "audio" });
    const idle = await video.rooms.create({ UniqueName: "idle" });
    const result = await emulator.settle();
    expect(result).toEqual({ advancedMs: 0, steps: 0, standingTimers: 2 });
    expect((await video.rooms.get(room.sid)).status).toBe("in-progress");
    expect((await video.rooms.get(idle.sid)).status).toBe("in-progress");
    expect((await video.rooms.participants(room.sid).get("alice")).status).toBe("connected");
  });

  it("with nothing pending it returns at once", async () => {
    expect(await emulator.settle()).toEqual({ advancedMs: 0, steps: 0, standingTimers: 0 });
  });

  it("a bound too small for the work is a clear 409, the clock left where it stopped", async () => {
    const roomSid = await endedRoomWithRecording();
    await video.compositions.create({ RoomSid: roomSid, AudioSources: ["*"] });
    const at = emulator.now().getTime();
    await expect(emulator.settle({ maxMs: 100 })).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/settle: still \d+ timers .*100 ms of emulated time/),
    });
    expect(emulator.now().getTime() - at).toBeLessThanOrEqual(100);
    await expect(emulator.settle({ maxSteps: 1 })).rejects.toThrow(/1 timer steps/);
    await expect(emulator.settle({ maxSteps: -1 })).rejects.toMatchObject({ status: 400 });
    await expect(emulator.settle({ maxMs: 1.5 })).rejects.toThrow(EmulatorError);
    expect((await emulator.settle()).standingTimers).toBe(0);
  });
});

describe("POST /_emulator/clock/settle", () => {
  it("settles over HTTP, answering the clock and what it took; bad bounds are 400s, a short one a 409", async () => {
    const roomSid = await endedRoomWithRecording();
    await video.compositions.create({ RoomSid: roomSid, AudioSources: ["*"] });
    expect((await control(emulator, "/clock/settle", "POST", { maxSteps: "many" })).status).toBe(400);
    const short = await control(emulator, "/clock/settle", "POST", { maxMs: 10 });
    expect(short.status).toBe(409);
    expect(await short.json()).toMatchObject({
      code: 20001,
      status: 409,
      message: expect.stringContaining("10 ms of emulated time"),
    });
    const settled = await control(emulator, "/clock/settle", "POST");
    expect(settled.status).toBe(200);
    expect(await settled.json()).toEqual({
      now: expect.any(String),
      mode: "manual",
      pendingTimers: 0,
      advancedMs: expect.any(Number),
      steps: expect.any(Number),
      standingTimers: 0,
    });
    expect((await video.compositions.list()).compositions.map((c) => c.status)).toEqual(["completed"]);
  });
});

describe("settleClock", () => {
  it("a schedule that never ends hits the step bound with a clear error", () => {
    const clock = new EmulatorClock({ mode: "manual", start: 0 });
    let fired = 0;
    const again = () => {
      fired++;
      clock.schedule(1, again);
    };
    clock.schedule(1, again);
    expect(() => settleClock(clock, () => 0, { maxSteps: 50, maxMs: 1e9 })).toThrow(
      /still 1 timers of pending work after 50 timer steps/,
    );
    expect(fired).toBe(50);
    expect(clock.now()).toBe(50);
  });

  it("a schedule that never ends hits the time bound, counted from where settle started", () => {
    const clock = new EmulatorClock({ mode: "manual", start: 0 });
    clock.advance(1_000);
    const again = () => clock.schedule(60_000, again);
    clock.schedule(60_000, again);
    let error: unknown;
    try {
      settleClock(clock, () => 0, { maxMs: 3_600_000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EmulatorError);
    expect(error).toMatchObject({
      status: 409,
      code: 20001,
      message: expect.stringContaining("3600000 ms of emulated time (advanced 3600000 ms)"),
    });
    expect(clock.now()).toBe(1_000 + 3_600_000);
  });

  it("stops once only standing timers are left, and fires work at its own instant", () => {
    const clock = new EmulatorClock({ mode: "manual", start: 0 });
    const seen: number[] = [];
    clock.schedule(5_000_000, () => seen.push(clock.now()));
    clock.schedule(300, () => seen.push(clock.now()));
    clock.schedule(100, () => seen.push(clock.now()));
    expect(settleClock(clock, () => 1)).toEqual({ advancedMs: 300, steps: 2, standingTimers: 1 });
    expect(seen).toEqual([100, 300]);
    expect(clock.pending()).toBe(1);
  });

  it("the default bound is 24 h of emulated time", () => {
    const clock = new EmulatorClock({ mode: "manual", start: 0 });
    const again = () => clock.schedule(3_600_000, again);
    clock.schedule(3_600_000, again);
    expect(() => settleClock(clock, () => 0)).toThrow(/86400000 ms of emulated time/);
    expect(clock.now()).toBe(24 * 3_600_000);
  });
});

describe("access tokens minted by real code against a manual clock (issue 30)", () => {
  /** `now`: a Date, or seconds since the epoch as createAccessToken takes it. */
  const tokenFor = (em: Emulator, now: number | Date, ttl?: number) =>
    createAccessToken({
      accountSid: em.accountSid,
      apiKeySid: em.credentials.apiKeySid,
      apiKeySecret: em.credentials.apiKeySecret,
      identity: "alice",
      room: "standup",
      now,
      ...(ttl !== undefined ? { ttl } : {}),
    });

  /** Waits for the wall clock's next second: a token minted in the emulator's first second is judged by its clock. */
  async function nextSecond(since: number): Promise<void> {
    while (Math.floor(Date.now() / 1000) <= Math.floor(since / 1000)) await new Promise((r) => setTimeout(r, 20));
  }

  it("a token minted with Date.now() still joins after advancing the clock by hours", async () => {
    const started = Date.now();
    const em = await startEmulator({ clock: "manual" });
    try {
      await nextSecond(started);
      const token = await tokenFor(em, new Date());
      em.advance(5 * 3_600_000);
      expect(em.connectParticipant(token).identity).toBe("alice");
    } finally {
      await em.stop();
    }
  });

  it("so does one minted when the manual clock starts in the past", async () => {
    const started = Date.now();
    const em = await startEmulator({ clock: { mode: "manual", start: "2020-01-01T00:00:00Z" } });
    try {
      await nextSecond(started);
      expect(em.connectParticipant(await tokenFor(em, new Date())).status).toBe("connected");
    } finally {
      await em.stop();
    }
  });

  it("a token expired by its own wall-clock times is refused (20104), whatever the emulated time", async () => {
    const em = await startEmulator({ clock: { mode: "manual", start: Date.now() - 10 * 3_600_000 } });
    try {
      // Issued during the run, a second ago, for one second: over by the wall clock, valid on the emulated one.
      const started = Date.now();
      await nextSecond(started);
      await nextSecond(Date.now());
      const expired = await tokenFor(em, Math.floor(Date.now() / 1000) - 1, 1);
      expect(() => em.connectParticipant(expired)).toThrow(expect.objectContaining({ code: 20104 }));
      // Issued long before the run: judged on the emulated clock, where it is over too.
      const old = await tokenFor(em, new Date(Date.now() - 30 * 3_600_000));
      expect(() => em.connectParticipant(old)).toThrow(expect.objectContaining({ code: 20104 }));
    } finally {
      await em.stop();
    }
  });

  it("a token minted at the emulated time still expires on the emulated clock", async () => {
    const em = await startEmulator({ clock: "manual" });
    try {
      em.advance(3_600_000);
      const token = await tokenFor(em, em.now(), 60);
      em.advance(61_000);
      expect(() => em.connectParticipant(token)).toThrow(expect.objectContaining({ code: 20104 }));
    } finally {
      await em.stop();
    }
  });
});
