/**
 * The plumbing every command shares (src/contract/command-line.ts): parseArgs
 * with strict on, one typed usage error, whole-number flags and naming a
 * missing optional peer (one implementation for both bins and the library
 * entries, where there were three with different regexes).
 */
import { describe, expect, it } from "vitest";
import { TwilioArgumentError, TwilioVideoError } from "../src/core/errors.js";
import {
  EXIT,
  firstLine,
  isDigits,
  parseCommand,
  UsageError,
  urlOption,
  wholeNumber,
} from "../src/contract/command-line.js";
import { MissingPeerDependencyError, missingPeer } from "../src/contract/peers.js";

const notFound = (message: string, code = "ERR_MODULE_NOT_FOUND") => Object.assign(new Error(message), { code });

describe("parseCommand", () => {
  const options = { port: { type: "string" }, json: { type: "boolean" } } as const;

  it("returns values and positionals, or help for --help and -h", () => {
    const parsed = parseCommand(["--port", "8", "--json", "a"], options, true);
    expect(parsed !== "help" && parsed.values).toEqual({ port: "8", json: true });
    expect(parsed !== "help" && parsed.positionals).toEqual(["a"]);
    expect(parseCommand(["--help"], options)).toBe("help");
    expect(parseCommand(["-h", "--port", "1"], options)).toBe("help");
  });

  it("an unknown flag, a missing value or a stray positional is a typed UsageError of one line, without parseArgs' advice", () => {
    for (const args of [["--nope"], ["--port"], ["stray"]]) {
      let error: unknown;
      try {
        parseCommand(args, options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect(error).toBeInstanceOf(TwilioArgumentError);
      expect(error).toBeInstanceOf(TwilioVideoError);
      expect((error as Error).name).toBe("UsageError");
      expect((error as Error).message).not.toMatch(/\n|To specify a positional argument/);
    }
  });
});

describe("number and URL flags", () => {
  it("wholeNumber takes ASCII digits in range only", () => {
    expect(wholeNumber("port", undefined, 0, 65535)).toBeUndefined();
    expect(wholeNumber("port", "0", 0, 65535)).toBe(0);
    expect(wholeNumber("port", "65535", 0, 65535)).toBe(65535);
    for (const bad of ["", " 1", "1 ", "+1", "-0", "1e3", "0x10", "1.0", "65536", "٣"]) {
      expect(() => wholeNumber("port", bad, 0, 65535), bad).toThrow(
        `--port must be a whole number from 0 to 65535 (got "${bad}")`,
      );
    }
    expect(() => wholeNumber("jobs", "0", 1, 256, ", or auto")).toThrow(
      '--jobs must be a whole number from 1 to 256, or auto (got "0")',
    );
  });

  it("isDigits and urlOption", () => {
    expect([isDigits(""), isDigits("0123"), isDigits("12a"), isDigits("１")]).toEqual([false, true, false, false]);
    expect(urlOption("base-url", "http://127.0.0.1:4010").origin).toBe("http://127.0.0.1:4010");
    expect(() => urlOption("base-url", "nope")).toThrow(new UsageError("--base-url nope is not a URL"));
  });

  it("firstLine keeps one trimmed line, capped", () => {
    expect(firstLine(new Error(" a \nb"))).toBe("a");
    expect(firstLine("x".repeat(500))).toHaveLength(300);
    expect(EXIT).toEqual({ ok: 0, failed: 1, usage: 2, sigpipe: 141 });
  });
});

describe("missingPeer: one implementation for bins and library entries", () => {
  it("names the peer from Node's ESM and CommonJS resolution errors, deep imports included", () => {
    expect(missingPeer(notFound("Cannot find package 'ajv' imported from /x/schemas.js"))).toBe("ajv");
    expect(
      missingPeer(notFound("Cannot find module 'ajv/dist/2020.js'\nRequire stack:\n- /x", "MODULE_NOT_FOUND")),
    ).toBe("ajv");
    expect(missingPeer(notFound("Cannot find package 'ajv-formats' imported from /x/schemas.js"))).toBe("ajv-formats");
  });

  it("no longer names stream-json (HAR is read without it) or stream-chain as a peer", () => {
    expect(missingPeer(notFound("Cannot find package 'stream-chain' imported from /x/stream-json/index.js"))).toBe(
      undefined,
    );
    expect(missingPeer(notFound("Cannot find package 'stream-json' imported from /x"))).toBeUndefined();
  });

  it("is not fooled by look-alike packages, other errors or our own wrapper", () => {
    expect(missingPeer(notFound("Cannot find package 'ajvx' imported from /x"))).toBeUndefined();
    expect(missingPeer(notFound("Cannot find package 'other' imported from /node_modules/ajv/x.js"))).toBeUndefined();
    expect(missingPeer(notFound("no quotes at all"))).toBeUndefined();
    expect(missingPeer(Object.assign(new Error("Cannot find package 'ajv'"), { code: "EACCES" }))).toBeUndefined();
    expect(missingPeer(null)).toBeUndefined();
    expect(missingPeer(new MissingPeerDependencyError("twilio-video-ts/contract", "ajv-formats", undefined))).toBe(
      "ajv-formats",
    );
  });
});
