// Access tokens and the Web-standard status callback handler inside a
// Workers-like runtime (edge-runtime: no process, no Buffer, no require), from
// the same core bundle the packaging tests build.
import { createHmac } from "node:crypto";
import * as esbuild from "esbuild";
import { EdgeRuntime } from "edge-runtime";
import { beforeAll, describe, expect, it } from "vitest";
import { coreBuildOptions } from "../../scripts/core-bundle.js";

describe("tokens and callback handlers in edge-runtime", () => {
  let runtime: EdgeRuntime;
  beforeAll(async () => {
    const iife = await esbuild.build({
      ...coreBuildOptions(),
      format: "iife",
      globalName: "TwilioVideo",
      metafile: true,
      write: false,
    });
    runtime = new EdgeRuntime();
    runtime.evaluate(iife.outputFiles[0]!.text);
  });

  async function inVm<T>(body: string): Promise<T> {
    const text = await (runtime.evaluate(
      `(async () => JSON.stringify(await (async () => { ${body} })()))()`,
    ) as Promise<string>);
    return JSON.parse(text) as T;
  }

  it("mints an access token with Web Crypto that node:crypto verifies", async () => {
    const token = await inVm<string>(`
      if (typeof process !== "undefined" || typeof Buffer !== "undefined") throw new Error("not an edge runtime");
      return TwilioVideo.createAccessToken({
        accountSid: "AC0123456789abcdef0123456789abcdef", apiKeySid: "SK0123456789abcdef0123456789abcdef",
        apiKeySecret: "edge-secret", identity: "alice", room: "standup", ttl: 600, now: 1800000000,
      });
    `);
    const [h, p, s] = token.split(".") as [string, string, string];
    expect(createHmac("sha256", "edge-secret").update(`${h}.${p}`).digest("base64url")).toBe(s);
    expect(JSON.parse(Buffer.from(p, "base64url").toString())).toMatchObject({
      iat: 1800000000,
      exp: 1800000600,
      grants: { identity: "alice", video: { room: "standup" } },
    });
  });

  it("the handler answers 204 / 403 / 413 / 500 and dispatches typed events", async () => {
    const result = await inVm<{ statuses: number[]; seen: unknown[]; errors: string[] }>(`
      const TOKEN = "edge-auth-token";
      const url = "https://app.example.com/video/events";
      const seen = [];
      const errors = [];
      const handle = TwilioVideo.createStatusCallbackHandler({
        authToken: TOKEN,
        maxBodyBytes: 2048,
        onError: (e, { status }) => errors.push(e.name + " " + status),
        on: {
          "participant-connected": (e) => { seen.push([e.kind, e.ParticipantIdentity, e.SequenceNumber]); },
          "room-ended": () => { throw new Error("listener failed"); },
        },
      });
      const fields = {
        AccountSid: "AC0123456789abcdef0123456789abcdef", RoomName: "standup", RoomSid: "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c",
        RoomStatus: "in-progress", RoomType: "group", Timestamp: "2026-11-24T20:00:04Z", SequenceNumber: "4",
        ParticipantSid: "PA8b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e", ParticipantStatus: "connected", ParticipantIdentity: "alice",
        StatusCallbackEvent: "participant-connected",
      };
      const post = async (f, signature) => {
        const form = new URLSearchParams(f);
        const sig = signature ?? await TwilioVideo.computeSignature(TOKEN, url, form);
        return handle(new Request(url, { method: "POST", body: form.toString(), headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": sig } }));
      };
      const statuses = [
        (await post(fields)).status,
        (await post(fields, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")).status,
        (await post({ ...fields, Padding: "x".repeat(4096) })).status,
        (await post({ ...fields, StatusCallbackEvent: "room-ended", RoomStatus: "completed" })).status,
      ];
      return { statuses, seen, errors };
    `);
    expect(result.statuses).toEqual([204, 403, 413, 500]);
    expect(result.seen).toEqual([["participant", "alice", 4]]);
    expect(result.errors).toEqual(["InvalidSignatureError 403", "CallbackBodyTooLargeError 413", "Error 500"]);
  });
});
