/**
 * Twilio's Node SDK (twilio-node, npm `twilio`) against the emulator.
 *
 * The SDK has no base-URL option, but it takes any `httpClient`: this subclass of its own
 * RequestClient sends what the SDK addresses to https://video.twilio.com to the emulator
 * instead.
 *
 *     npx twilio-video-emulator --port 4010        # in another terminal
 *     VIDEO_BASE_URL=http://127.0.0.1:4010 node twilio-node.cjs
 *
 * To validate and record the traffic, put the conformance proxy in front of the emulator and
 * set VIDEO_PROXY_URL: the SDK then goes through the proxy (page URLs in its answers point
 * back at it), while the emulator's control API is still reached at VIDEO_BASE_URL.
 *
 *     npx twilio-video-conformance proxy --upstream http://127.0.0.1:4010 --port 4011 --out traffic.ndjson --strict
 *     VIDEO_BASE_URL=http://127.0.0.1:4010 VIDEO_PROXY_URL=http://127.0.0.1:4011 node twilio-node.cjs
 */
"use strict";
const twilio = require("twilio");

const TWILIO_VIDEO = "https://video.twilio.com";

class EmulatorRequestClient extends twilio.RequestClient {
  constructor(baseUrl, options) {
    super(options);
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }
  request(opts) {
    const uri = opts.uri.startsWith(`${TWILIO_VIDEO}/`) ? this.baseUrl + opts.uri.slice(TWILIO_VIDEO.length) : opts.uri;
    return super.request({ ...opts, uri });
  }
}

const baseUrl = process.env.VIDEO_BASE_URL ?? "http://127.0.0.1:4010";
// Where the SDK's requests go: the emulator, or a proxy in front of it.
const apiUrl = process.env.VIDEO_PROXY_URL || baseUrl;
// The control API is the emulator's own, so it is not proxied.
const controlUrl = process.env.EMULATOR_CONTROL_URL ?? `${baseUrl}/_emulator`;

// The emulator's default credentials (printed when it starts).
const client = twilio(
  process.env.TWILIO_API_KEY ?? "SK00000000000000000000000000e0e0e0",
  process.env.TWILIO_API_SECRET ?? "emulator-api-key-secret",
  {
    accountSid: process.env.TWILIO_ACCOUNT_SID ?? "AC00000000000000000000000000e0e0e0",
    httpClient: new EmulatorRequestClient(apiUrl),
  },
);

/** What a client SDK does with an access token, through the emulator's control API. */
async function join(room, identity) {
  const res = await fetch(`${controlUrl}/rooms/${room}/participants`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ identity }),
  });
  if (!res.ok) throw new Error(`join: ${res.status}`);
  return res.json();
}

async function main() {
  let room = await client.video.v1.rooms.create({ uniqueName: "standup", type: "group" });
  await join("standup", "alice");
  const connected = await client.video.v1.rooms(room.sid).participants.list({ status: "connected" });
  room = await client.video.v1.rooms(room.sid).update({ status: "completed" });
  console.log(`room ${room.uniqueName} ${room.status}, participants: ${connected.map((p) => p.identity).join(", ")}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
