// Per-attempt timeouts on the client's one timer (src/core/deadlines.ts): each
// attempt still times out at its own deadline, and an idle client holds no
// process open.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TwilioTimeoutError } from "../../src/index.js";
import { Deadlines, type Deadline } from "../../src/core/deadlines.js";
import { createTransport, type Exchange } from "../../src/core/transport.js";

const ORIGIN = "https://video.twilio.com";

/** An exchange whose answers the test releases (or never does); aborts reject, as a real exchange's do. */
function controlled() {
  const releases: Array<() => void> = [];
  const exchange: Exchange = (request, attempt) =>
    new Promise((resolve, reject) => {
      attempt.onabort = () => reject(attempt.reason);
      releases.push(() => resolve({ status: 200, headers: new Headers(), body: "{}", url: request.url }));
    });
  return { exchange, releases };
}

function send(exchange: Exchange, timeoutMs: number) {
  const transport = createTransport({ exchange, authorization: "Basic x", origin: ORIGIN, userAgent: "t", timeoutMs, maxResponseBytes: 1024, maxRetries: 0 });
  return () => {
    const started = performance.now();
    return transport({ method: "GET", url: `${ORIGIN}/v1/Rooms`, headers: {} }).then(
      () => ({ ok: true, after: performance.now() - started }),
      (error: unknown) => ({ ok: false, error, after: performance.now() - started }),
    );
  };
}

describe("attempt deadlines on one timer", () => {
  it("a later attempt times out at its own deadline after the earlier one, whose deadline the timer was armed for, succeeded", async () => {
    const { exchange, releases } = controlled();
    const call = send(exchange, 120);
    const first = call();
    await new Promise((resolve) => setTimeout(resolve, 40));
    const second = call();
    releases[0]!();
    expect(await first).toMatchObject({ ok: true });
    const outcome = await second;
    expect(outcome.ok).toBe(false);
    expect((outcome as { error: unknown }).error).toBeInstanceOf(TwilioTimeoutError);
    // Not at the first deadline (80 ms into the second call), and not much later than its own.
    expect(outcome.after).toBeGreaterThanOrEqual(115);
    expect(outcome.after).toBeLessThan(1000);
  });

  it("many attempts in flight each time out, in order, and those answered in time are not touched", async () => {
    const { exchange, releases } = controlled();
    const call = send(exchange, 60);
    const calls = [];
    for (let i = 0; i < 6; i++) {
      calls.push(call());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    releases[1]!();
    releases[4]!();
    const outcomes = await Promise.all(calls);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, false, false, true, false]);
    for (const o of outcomes.filter((o) => !o.ok)) expect((o as { error: unknown }).error).toBeInstanceOf(TwilioTimeoutError);
  });

  it("removing an entry that already expired, or twice, changes nothing", () => {
    const queue = new Deadlines(1000);
    const entry: Deadline = { deadline: 0, previous: undefined, next: undefined, queued: false, expire: () => {} };
    queue.add(entry);
    queue.remove(entry);
    queue.remove(entry);
    expect(entry.queued).toBe(false);
  });

  it("a process that made one call exits when it is done, not when the call's 30 s timeout would have passed", () => {
    const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
    const program = `
      import { createServer } from "node:http";
      import { createVideoClient } from ${JSON.stringify(entry)};
      const server = createServer((req, res) => { res.writeHead(200, { "content-type": "application/json" }); res.end('{"sid":"RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c"}'); });
      server.listen(0, "127.0.0.1", async () => {
        const video = createVideoClient({ apiKeySid: "SK0123456789abcdef0123456789abcdef", apiKeySecret: "s", baseUrl: "http://127.0.0.1:" + server.address().port, timeoutMs: 30000 });
        await video.rooms.get("RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c");
        server.closeAllConnections();
        server.close();
        console.log("done");
      });`;
    const started = Date.now();
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", program], { encoding: "utf8", timeout: 20_000 });
    expect(child.stdout.trim()).toBe("done");
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
