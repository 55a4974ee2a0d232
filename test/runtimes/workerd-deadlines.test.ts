// Issue #21 item 5 on the real workerd: two overlapping requests to one
// Worker share a client; the first finishes early, and the second, whose
// upstream hangs, must still end in TwilioTimeoutError at its 300 ms deadline.
// With the shared-timer deadlines.ts (before the fix) the timer died with the
// first request and the second never answered.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeApi, type FakeApi } from "./fake-api.js";
import { bundle, startWorkerd, tempDir, type Workerd } from "./harness.js";

let api: FakeApi;
let workerd: Workerd;
let temp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  api = await startFakeApi();
  temp = tempDir();
  const source = await bundle(fileURLToPath(new URL("./overlap-worker.ts", import.meta.url)));
  workerd = await startWorkerd(temp.dir, source, { API: api.url });
}, 30_000);

afterAll(async () => {
  await workerd?.stop();
  await api?.close();
  temp?.remove();
});

/** The Worker's JSON answer, or "no answer" when none came within 3 s (the bug: no deadline left). */
async function get(path: string): Promise<Record<string, unknown> | "no answer"> {
  try {
    const response = await fetch(`${workerd.url}${path}`, { signal: AbortSignal.timeout(3000) });
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return "no answer";
  }
}

describe("deadlines on workerd", () => {
  it("the second of two overlapping requests sharing a client times out after the first request finished", async () => {
    const first = get("/first");
    await new Promise((resolve) => setTimeout(resolve, 30));
    const second = get("/second");
    expect(await first).toMatchObject({ ok: true, sid: "RMbeef0123456789abcdef012345678901" });
    const outcome = await second;
    expect(outcome).toMatchObject({ ok: false, error: "TwilioTimeoutError" });
    const after = (outcome as { after: number }).after;
    expect(after).toBeGreaterThanOrEqual(250);
    expect(after).toBeLessThan(2000);
  });
});
