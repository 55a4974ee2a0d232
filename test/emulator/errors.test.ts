/**
 * The emulator's refusals are TwilioVideoErrors like everything else the
 * package throws (issue 31 item 6): one `instanceof`, one `kind` union.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TwilioVideoError, type TwilioErrorKind } from "../../src/core/errors.js";
import { EmulatorError, startEmulator, type Emulator } from "../../src/emulator/index.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ clock: "manual", statusCallbacks: false });
});
afterAll(() => emulator.stop());

describe("EmulatorError", () => {
  it("is a TwilioVideoError of kind emulator, with the API's status, code and body", () => {
    let caught: unknown;
    try {
      emulator.connectParticipant("RM00000000000000000000000000000000", "alice");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EmulatorError);
    expect(caught).toBeInstanceOf(TwilioVideoError);
    const error = caught as EmulatorError;
    const kind: TwilioErrorKind = error.kind;
    expect(kind).toBe("emulator");
    expect(error.name).toBe("EmulatorError");
    expect(error.status).toBe(404);
    expect(error.code).toBe(20404);
    expect(error.body()).toEqual({
      code: 20404,
      message: error.message,
      more_info: "https://www.twilio.com/docs/errors/20404",
      status: 404,
    });
    expect(error.toJSON()).toMatchObject({ name: "EmulatorError", kind: "emulator", status: 404, code: 20404 });
  });

  it("is what a refused control method throws, with the refusal's code", () => {
    expect(() => emulator.advance(-1)).toThrow(expect.objectContaining({ kind: "emulator", status: 400, code: 20001 }));
  });
});
