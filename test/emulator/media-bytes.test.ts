/**
 * The media host serves exactly the bytes a resource's `size` declares
 * (regression: downloads were 16,384 bytes while `size` said 3,750,000),
 * streamed, the same on every download.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { mediaBytes } from "../../src/emulator/media.js";
import { api } from "./helpers.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual" });
});
afterAll(async () => {
  await emulator?.stop();
});

/** A room with one 60-second video track, completed, its recording processed. */
async function completedVideoRecording(): Promise<{ roomSid: string; sid: string; size: number }> {
  const room = (await (await api(emulator, "/v1/Rooms", { form: { RecordParticipantsOnConnect: "true" } })).json()) as {
    sid: string;
  };
  emulator.connectParticipant(room.sid, "cam-owner");
  emulator.publishTrack(room.sid, "cam-owner", { kind: "video", name: "cam" });
  emulator.advance(60_000);
  await api(emulator, `/v1/Rooms/${room.sid}`, { form: { Status: "completed" } });
  emulator.advance(5_000);
  const list = (await (await api(emulator, `/v1/Rooms/${room.sid}/Recordings`)).json()) as {
    recordings: Array<{ sid: string; size: number; status: string }>;
  };
  const rec = list.recordings[0]!;
  expect(rec.status).toBe("completed");
  return { roomSid: room.sid, sid: rec.sid, size: rec.size };
}

async function signedUrl(path: string): Promise<string> {
  const response = await api(emulator, path);
  expect(response.status).toBe(302);
  return ((await response.json()) as { redirect_to: string }).redirect_to;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("media downloads are as large as the declared size", () => {
  it("a 60-second video recording downloads its declared 3,750,000 bytes, Content-Length included", async () => {
    const rec = await completedVideoRecording();
    expect(rec.size).toBe(3_750_000);
    const url = await signedUrl(`/v1/Recordings/${rec.sid}/Media`);
    const file = await fetch(url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-length")).toBe(String(rec.size));
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(bytes.byteLength).toBe(rec.size);
    // The first line names the resource; the rest is the documented pattern, byte i = i % 251.
    expect(Buffer.from(bytes.subarray(0, 80)).toString("latin1")).toMatch(
      new RegExp(`^twilio-video-ts emulator media ${rec.sid}\\n`),
    );
    for (const offset of [1000, 64_255, 64_256, 64_257, 1_000_003, rec.size - 1])
      expect(bytes[offset], `byte ${offset}`).toBe(offset % 251);
    // Deterministic: a second download is the same file.
    const again = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(sha256(again)).toBe(sha256(bytes));
  });

  it("HEAD declares the size without sending a body", async () => {
    const rec = await completedVideoRecording();
    const head = await fetch(await signedUrl(`/v1/Recordings/${rec.sid}/Media`), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(rec.size));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it("a composition downloads exactly its declared size", async () => {
    const rec = await completedVideoRecording();
    const created = (await (
      await api(emulator, "/v1/Compositions", {
        form: {
          RoomSid: rec.roomSid,
          AudioSources: "*",
          VideoLayout: JSON.stringify({ grid: { video_sources: ["*"] } }),
          Format: "webm",
        },
      })
    ).json()) as { sid: string };
    emulator.advance(10_000);
    const composition = (await (await api(emulator, `/v1/Compositions/${created.sid}`)).json()) as {
      status: string;
      size: number;
    };
    expect(composition.status).toBe("completed");
    expect(composition.size).toBeGreaterThan(16_384);
    const file = await fetch(await signedUrl(`/v1/Compositions/${created.sid}/Media`));
    expect(file.headers.get("content-type")).toBe("video/webm");
    expect(file.headers.get("content-length")).toBe(String(composition.size));
    expect((await file.arrayBuffer()).byteLength).toBe(composition.size);
  });

  it("a client that hangs up mid-download does not disturb the host", async () => {
    const rec = await completedVideoRecording();
    const url = await signedUrl(`/v1/Recordings/${rec.sid}/Media`);
    const aborted = new AbortController();
    const response = await fetch(url, { signal: aborted.signal });
    const reader = response.body!.getReader();
    await reader.read();
    aborted.abort();
    await reader.closed.catch(() => undefined);
    const whole = await fetch(url);
    expect((await whole.arrayBuffer()).byteLength).toBe(rec.size);
  });
});

describe("mediaBytes", () => {
  it("yields exactly `size` bytes for sizes around the chunk length, and nothing for 0", () => {
    const total = (size: number) =>
      [...mediaBytes("RT00000000000000000000000000000000", size)].reduce((n, chunk) => n + chunk.length, 0);
    for (const size of [0, 1, 10, 64_255, 64_256, 64_257, 200_000]) expect(total(size), `size ${size}`).toBe(size);
  });

  it("cuts the header line short when the file is smaller than it", () => {
    const [only] = [...mediaBytes("RT00000000000000000000000000000000", 5)];
    expect(only!.toString("latin1")).toBe("twili");
  });
});
