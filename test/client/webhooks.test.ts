import { describe, expect, it } from "vitest";
import { InvalidSignatureError, computeSignature, validateSignature, verifyStatusCallback } from "../../src/index.js";

// Twilio's published example (token, URL, parameters and signature).
const TOKEN = "12345";
const URL_ = "https://mycompany.com/myapp.php?foo=1&bar=2";
const PARAMS = { CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212" };
const SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

describe("X-Twilio-Signature", () => {
  it("matches Twilio's published test vector", async () => {
    expect(await computeSignature(TOKEN, URL_, PARAMS)).toBe(SIGNATURE);
    expect(await computeSignature(TOKEN, URL_, new URLSearchParams(PARAMS))).toBe(SIGNATURE);
  });

  it("validates genuine signatures and rejects altered ones", async () => {
    expect(await validateSignature(TOKEN, SIGNATURE, URL_, PARAMS)).toBe(true);
    expect(await validateSignature(TOKEN, SIGNATURE, URL_, { ...PARAMS, Digits: "1235" })).toBe(false);
    expect(await validateSignature("54321", SIGNATURE, URL_, PARAMS)).toBe(false);
    expect(await validateSignature(TOKEN, SIGNATURE.replace("R", "S"), URL_, PARAMS)).toBe(false);
    expect(await validateSignature(TOKEN, "", URL_, PARAMS)).toBe(false);
    expect(await validateSignature(TOKEN, null, URL_, PARAMS)).toBe(false);
  });

  it("accepts the URL with and without the default port", async () => {
    const withPort = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    const signedWithPort = await computeSignature(TOKEN, withPort, PARAMS);
    expect(await validateSignature(TOKEN, signedWithPort, URL_, PARAMS)).toBe(true);
    expect(await validateSignature(TOKEN, SIGNATURE, withPort, PARAMS)).toBe(true);
  });

  it("signs repeated keys as each name+value, values sorted", async () => {
    const a = await computeSignature(TOKEN, "https://x.test/cb", new URLSearchParams("B=2&A=z&A=y"));
    const b = await computeSignature(TOKEN, "https://x.test/cb", { A: ["y", "z"], B: "2" });
    expect(a).toBe(b);
  });

  it("checks bodySHA256 for JSON bodies", async () => {
    const body = '{"event":"x"}';
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const url = `https://x.test/cb?bodySHA256=${digest}`;
    const signature = await computeSignature(TOKEN, url);
    expect(await validateSignature(TOKEN, signature, url, { body })).toBe(true);
    expect(await validateSignature(TOKEN, signature, url, { body: '{"event":"y"}' })).toBe(false);
  });

  it("verifyStatusCallback parses a signed POST callback and refuses a forged one", async () => {
    const url = "https://example.com/video/events";
    const form = new URLSearchParams({ StatusCallbackEvent: "room-created", RoomSid: "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c", RoomName: "standup" });
    const signature = await computeSignature(TOKEN, url, form);
    const request = new Request(url, { method: "POST", body: form, headers: { "X-Twilio-Signature": signature } });
    const event = await verifyStatusCallback(request, { authToken: TOKEN });
    expect(event).toMatchObject({ StatusCallbackEvent: "room-created", RoomName: "standup" });
    const forged = new Request(url, { method: "POST", body: form, headers: { "X-Twilio-Signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" } });
    await expect(verifyStatusCallback(forged, { authToken: TOKEN })).rejects.toBeInstanceOf(InvalidSignatureError);
  });

  it("verifyStatusCallback reads GET callbacks from the query string", async () => {
    const url = "https://example.com/video/events?StatusCallbackEvent=room-ended&RoomSid=RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c";
    const request = new Request(url, { headers: { "X-Twilio-Signature": await computeSignature(TOKEN, url) } });
    expect(await verifyStatusCallback(request, { authToken: TOKEN })).toMatchObject({ StatusCallbackEvent: "room-ended" });
  });
});
