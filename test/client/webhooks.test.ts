import { describe, expect, it } from "vitest";
import {
  InvalidSignatureError,
  InvalidStatusCallbackError,
  computeSignature,
  validateJsonSignature,
  validateSignature,
  verifyStatusCallback,
} from "../../src/index.js";
import { ROOM_CALLBACK } from "../fixtures/callbacks.js";

// Twilio's published example (token, URL, parameters and signature).
const TOKEN = "12345";
const URL_ = "https://mycompany.com/myapp.php?foo=1&bar=2";
const PARAMS = {
  CallSid: "CA1234567890ABCDE",
  Caller: "+14158675309",
  Digits: "1234",
  From: "+14158675309",
  To: "+18005551212",
};
const SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

const ROOM_EVENT = ROOM_CALLBACK;

async function sha256Hex(text: string): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

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
    const url = `https://x.test/cb?bodySHA256=${await sha256Hex(body)}`;
    const signature = await computeSignature(TOKEN, url);
    expect(await validateJsonSignature(TOKEN, signature, url, body)).toBe(true);
    expect(await validateJsonSignature(TOKEN, signature, url, '{"event":"y"}')).toBe(false);
    expect(await validateJsonSignature(TOKEN, signature, "https://x.test/cb", body)).toBe(false);
  });

  it("verifyStatusCallback parses a signed POST callback and refuses a forged one", async () => {
    const url = "https://example.com/video/events";
    const form = new URLSearchParams({ ...ROOM_EVENT, StatusCallbackEvent: "room-created", RoomName: "standup" });
    const signature = await computeSignature(TOKEN, url, form);
    const request = new Request(url, { method: "POST", body: form, headers: { "X-Twilio-Signature": signature } });
    const event = await verifyStatusCallback(request, { authToken: TOKEN });
    expect(event).toMatchObject({ StatusCallbackEvent: "room-created", RoomName: "standup" });
    const forged = new Request(url, {
      method: "POST",
      body: form,
      headers: { "X-Twilio-Signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
    });
    await expect(verifyStatusCallback(forged, { authToken: TOKEN })).rejects.toBeInstanceOf(InvalidSignatureError);
  });

  it("verifyStatusCallback reads GET callbacks from the query string", async () => {
    const url = `https://example.com/video/events?${new URLSearchParams({ ...ROOM_EVENT, StatusCallbackEvent: "room-ended", RoomDuration: "42" })}`;
    const request = new Request(url, { headers: { "X-Twilio-Signature": await computeSignature(TOKEN, url) } });
    expect(await verifyStatusCallback(request, { authToken: TOKEN })).toMatchObject({
      StatusCallbackEvent: "room-ended",
      kind: "room",
      RoomDuration: 42,
    });
  });

  it("verifyStatusCallback accepts a genuine JSON-body callback (regression: bodySHA256 was only checked by validateSignature, so it rejected them)", async () => {
    const body = JSON.stringify({ ...ROOM_EVENT, StatusCallbackEvent: "room-created" });
    const url = `https://example.com/video/events?bodySHA256=${await sha256Hex(body)}`;
    const signature = await computeSignature(TOKEN, url);
    const genuine = new Request(url, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", "X-Twilio-Signature": signature },
    });
    expect(await verifyStatusCallback(genuine, { authToken: TOKEN })).toMatchObject({
      StatusCallbackEvent: "room-created",
      kind: "room",
      SequenceNumber: 0,
    });
    // The same signature over a changed body: the digest no longer matches.
    const altered = new Request(url, {
      method: "POST",
      body: body.replace("room-created", "room-ended"),
      headers: { "X-Twilio-Signature": signature },
    });
    await expect(verifyStatusCallback(altered, { authToken: TOKEN })).rejects.toBeInstanceOf(InvalidSignatureError);
    // Genuinely signed but not a JSON object: the sender's data is wrong, not the signature.
    const list = "[1,2]";
    const listUrl = `https://example.com/video/events?bodySHA256=${await sha256Hex(list)}`;
    const signedList = new Request(listUrl, {
      method: "POST",
      body: list,
      headers: { "X-Twilio-Signature": await computeSignature(TOKEN, listUrl) },
    });
    await expect(verifyStatusCallback(signedList, { authToken: TOKEN })).rejects.toBeInstanceOf(
      InvalidStatusCallbackError,
    );
  });

  it("an invalid URL answers false and InvalidSignatureError (regression: new URL threw a TypeError)", async () => {
    const signature = await computeSignature(TOKEN, "not a url");
    expect(await validateSignature(TOKEN, signature, "not a url", {})).toBe(false);
    expect(await validateJsonSignature(TOKEN, signature, "not a url", "{}")).toBe(false);
    expect(await validateJsonSignature(TOKEN, signature, "http://[", "{}")).toBe(false);
    const request = new Request("https://example.com/cb", {
      method: "POST",
      body: "a=1",
      headers: { "X-Twilio-Signature": signature },
    });
    await expect(verifyStatusCallback(request, { authToken: TOKEN, url: "http://[" })).rejects.toBeInstanceOf(
      InvalidSignatureError,
    );
  });

  it("a form field named body is a form field (regression: it switched validateSignature to JSON mode)", async () => {
    const url = "https://example.com/video/events";
    const params = { body: "hello", From: "+14158675309" };
    const signature = await computeSignature(TOKEN, url, params);
    expect(await validateSignature(TOKEN, signature, url, params)).toBe(true);
    expect(await validateSignature(TOKEN, signature, url, { body: "hello" })).toBe(false);
    const form = new URLSearchParams({ ...ROOM_EVENT, StatusCallbackEvent: "room-created", body: "{}" });
    const request = new Request(url, {
      method: "POST",
      body: form,
      headers: { "X-Twilio-Signature": await computeSignature(TOKEN, url, form) },
    });
    expect(await verifyStatusCallback(request, { authToken: TOKEN })).toMatchObject({ kind: "room", body: "{}" });
  });

  it("a genuine callback missing a required field is an InvalidStatusCallbackError, not a signature failure", async () => {
    const url = "https://example.com/video/events";
    const form = new URLSearchParams({ StatusCallbackEvent: "room-created", RoomSid: ROOM_EVENT.RoomSid });
    const request = new Request(url, {
      method: "POST",
      body: form,
      headers: { "X-Twilio-Signature": await computeSignature(TOKEN, url, form) },
    });
    await expect(verifyStatusCallback(request, { authToken: TOKEN })).rejects.toBeInstanceOf(
      InvalidStatusCallbackError,
    );
  });
});
