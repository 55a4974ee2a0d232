// Regression: on Deno without --allow-env every read of process.env throws
// (NotCapable); reading TWILIO_VIDEO_DEBUG made every createVideoClient throw.
import { expect, it } from "vitest";
import { environmentVariable } from "../../src/core/environment.js";

const denied = {
  env: new Proxy({} as Record<string, string | undefined>, {
    get: () => {
      throw new Error('NotCapable: Requires env access to "TWILIO_VIDEO_DEBUG"');
    },
  }),
};

it("a read the runtime refuses counts as unset instead of throwing", () => {
  expect(environmentVariable("TWILIO_VIDEO_DEBUG", denied)).toBeUndefined();
});

it("reads a set variable, and no environment at all (Workers) is unset", () => {
  expect(environmentVariable("TWILIO_VIDEO_DEBUG", { env: { TWILIO_VIDEO_DEBUG: "1" } })).toBe("1");
  expect(environmentVariable("TWILIO_VIDEO_DEBUG", { env: {} })).toBeUndefined();
  expect(environmentVariable("TWILIO_VIDEO_DEBUG", undefined)).toBeUndefined();
  expect(environmentVariable("X", {})).toBeUndefined();
});
