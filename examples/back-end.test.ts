/**
 * The README's back end, running: a token endpoint (createAccessToken), a
 * Web-standard callback receiver (createStatusCallbackHandler) and the Node
 * one (twilio-video-ts/node/handler), against the emulator.
 *
 * In your project the imports are "twilio-video-ts", "twilio-video-ts/node/handler"
 * and "twilio-video-ts/emulator".
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { computeSignature, createAccessToken, createStatusCallbackHandler } from "../src/index.js";
import { createNodeStatusCallbackHandler } from "../src/node/handler.js";

let emulator: Emulator;
let server: Server;
let env: Record<string, string>;
const log: string[] = [];

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/video/events`;
  emulator = await startEmulator({ clock: "manual", adHocRooms: { statusCallback: callbackUrl } });
  env = {
    TWILIO_ACCOUNT_SID: emulator.accountSid,
    TWILIO_API_KEY_SID: emulator.credentials.apiKeySid,
    TWILIO_API_KEY_SECRET: emulator.credentials.apiKeySecret,
    TWILIO_AUTH_TOKEN: emulator.credentials.authToken,
  };
  // The Node receiver (README: "On Node's http server or Express").
  server.on(
    "request",
    createNodeStatusCallbackHandler({
      authToken: env.TWILIO_AUTH_TOKEN!,
      on: { "room-created": (e) => void log.push(`created ${e.RoomName}`) },
    }),
  );
});
afterAll(async () => {
  await emulator?.stop();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

// ---- the README's token endpoint ----
const currentUser = async (request: Request) => new URL(request.url).searchParams.get("user") ?? "anonymous";
async function GET(request: Request) {
  const identity = await currentUser(request);
  const token = await createAccessToken({
    accountSid: env.TWILIO_ACCOUNT_SID!,
    apiKeySid: env.TWILIO_API_KEY_SID!,
    apiKeySecret: env.TWILIO_API_KEY_SECRET!,
    identity,
    room: "daily-standup",
    ttl: 3600,
    now: emulator.now(), // only because the emulator's clock is manual here
  });
  return Response.json({ token });
}

it("a browser gets a token from the endpoint and joins with it; both receivers verify the callbacks", async () => {
  const { token } = (await (await GET(new Request("https://example.com/token?user=alice"))).json()) as {
    token: string;
  };
  const alice = emulator.connectParticipant(token); // what the JS SDK's connect(token) does
  expect(alice.identity).toBe("alice");
  await emulator.callbacksSettled();
  expect(log).toEqual(["created daily-standup"]);

  // ---- the README's Web-standard receiver, fed the callback the emulator sent ----
  const POST = createStatusCallbackHandler({
    authToken: env.TWILIO_AUTH_TOKEN!,
    url: "https://example.com/video/events",
    on: { "participant-connected": (e) => void log.push(`${e.ParticipantIdentity} joined ${e.RoomName}`) },
  });
  const delivery = emulator.callbacks().find((d) => d.event === "participant-connected")!;
  const asDelivered = (url: string, signature: string) =>
    new Request(url, {
      method: "POST",
      body: new URLSearchParams(delivery.params),
      headers: { "X-Twilio-Signature": signature },
    });
  // Signed for the emulator's receiver URL, not for https://example.com: refused.
  expect((await POST(asDelivered("https://example.com/video/events", delivery.signature))).status).toBe(403);
  const signed = await computeSignature(env.TWILIO_AUTH_TOKEN!, "https://example.com/video/events", delivery.params);
  expect((await POST(asDelivered("http://10.0.0.1/internal", signed))).status).toBe(204);
  expect(log).toEqual(["created daily-standup", "alice joined daily-standup"]);
});
