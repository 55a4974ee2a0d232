/**
 * Fault injection against a real server: the client's retries, Retry-After
 * handling, timeouts and error mapping.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { TwilioApiError, TwilioNetworkError, TwilioTimeoutError } from "../../src/index.js";
import { api, clientFor, control } from "./helpers.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual" });
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(() => {
  emulator.clearFaults();
  emulator.clearTraffic();
});

const statuses = () => emulator.traffic().map((r) => r.response.status);

describe("fault injection", () => {
  it("429 with Retry-After and code 20429; the client waits and retries, POST included", async () => {
    emulator.injectFault({ kind: "rate-limit", count: 2, retryAfter: 1 });
    const raw = await api(emulator, "/v1/Rooms");
    expect(raw.status).toBe(429);
    expect(raw.headers.get("retry-after")).toBe("1");
    expect(await raw.json()).toMatchObject({ code: 20429, status: 429 });

    const started = Date.now();
    const room = await clientFor(emulator, { maxRetries: 2 }).rooms.create({ UniqueName: "retry-me" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(room.unique_name).toBe("retry-me");
    expect(statuses()).toEqual([429, 429, 201]);
  });

  it("5xx: GET is retried, POST is not", async () => {
    emulator.injectFault({ kind: "server-error", status: 503, count: 1 });
    await expect(clientFor(emulator).rooms.list()).resolves.toMatchObject({ rooms: expect.any(Array) });
    expect(statuses()).toEqual([503, 200]);

    emulator.injectFault({ kind: "server-error", status: 502, body: "html", method: "POST" });
    const error = await clientFor(emulator)
      .rooms.create()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error).toMatchObject({ status: 502, code: null, bodyExcerpt: expect.stringContaining("Bad Gateway") });
  });

  it("gives up after maxRetries with the last error", async () => {
    emulator.injectFault({ kind: "server-error", count: 5 });
    await expect(clientFor(emulator, { maxRetries: 2 }).rooms.list()).rejects.toMatchObject({
      status: 500,
      code: 20500,
    });
    expect(statuses()).toEqual([500, 500, 500]);
    emulator.clearFaults();
  });

  it("a slow answer trips the client's per-attempt timeout; the retry succeeds", async () => {
    emulator.injectFault({ kind: "slow", delayMs: 400, path: "/v1/Rooms" });
    const list = await clientFor(emulator, { timeoutMs: 150 }).rooms.list();
    expect(list.meta.key).toBe("rooms");
    emulator.injectFault({ kind: "slow", delayMs: 400, count: 3 });
    await expect(clientFor(emulator, { timeoutMs: 100, maxRetries: 0 }).rooms.list()).rejects.toBeInstanceOf(
      TwilioTimeoutError,
    );
    emulator.clearFaults();
  });

  it("a dropped connection is retried for GET and surfaces as TwilioNetworkError for POST", async () => {
    emulator.injectFault({ kind: "drop" });
    await expect(clientFor(emulator).rooms.list()).resolves.toMatchObject({ meta: { key: "rooms" } });
    emulator.injectFault({ kind: "drop", method: "POST" });
    await expect(clientFor(emulator).rooms.create()).rejects.toBeInstanceOf(TwilioNetworkError);
  });

  it("faults can be armed, listed and cleared over the control API", async () => {
    expect(
      (await control(emulator, "/faults", "POST", { kind: "rate-limit", retryAfter: null, count: 3 })).status,
    ).toBe(201);
    expect((await (await control(emulator, "/faults", "GET")).json()).faults).toMatchObject([
      { kind: "rate-limit", remaining: 3 },
    ]);
    const limited = await api(emulator, "/v1/Compositions");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBeNull();
    expect((await control(emulator, "/faults", "DELETE")).status).toBe(204);
    expect((await api(emulator, "/v1/Compositions")).status).toBe(200);
  });
});
