/**
 * rewrite.ts edges (issue 32): the Host check, target confinement, the addressed origin, URL rewriting
 * and body decoding, each at the exact boundary a mutation run found unattacked.
 */
import { brotliCompressSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { settingsOf } from "../src/contract/proxy/options.js";
import {
  addressedOrigin,
  decodeBody,
  foreignHostMessage,
  hostNameProblem,
  isOwnHost,
  Refusal,
  shownHost,
  targetUrl,
  urlRewriter,
} from "../src/contract/proxy/rewrite.js";

describe("Host names", () => {
  it("hostNameProblem: the edges of each character range, and of a bracketed address's length", () => {
    for (const ok of ["z", "Z", "9", "a", "A", "0", "-", "_", "[::]", "[a::1]", "[A::F]", "[9::0]", "[1:2]"])
      expect(hostNameProblem(ok), ok).toBeUndefined();
    expect(hostNameProblem(`[${"0000:0000:0000:0000:0000:ffff:255.255.255.255"}]`)).toBeUndefined();
    for (const bad of ["[:]", `[${"0".repeat(45)}:]`, "[fd00::1-]", "[fd00::1/]", "[g::1]", "[G::1]", "[;::1]"])
      expect(hostNameProblem(bad), bad).toBe("is not a bracketed IPv6 address");
    for (const bad of ["{", "`", "@", "/", ",", "~"])
      expect(hostNameProblem(bad), bad).toBe("has a character no host name has");
    expect(hostNameProblem("")).toBe("is empty");
    expect(hostNameProblem("a.b.")).toBe("has an empty label (two dots, or a dot at an end)");
    expect(hostNameProblem("a..b")).toBe("has an empty label (two dots, or a dot at an end)");
    expect(hostNameProblem(".")).toBe("has an empty label (two dots, or a dot at an end)");
    expect(hostNameProblem("a.b.c")).toBeUndefined();
  });

  it("shownHost escapes DEL and everything past ASCII; foreignHostMessage gives no advice for a non-name", () => {
    expect(shownHost("\u007f ~")).toBe('"\\x7f ~"');
    expect(foreignHostMessage("a b")).toBe(
      'refused: the Host header "a b" does not name this proxy (a loopback address, its --host or an ' +
        "--allow-host name); DNS rebinding?",
    );
  });

  it("isOwnHost: an empty Host never names an empty listen address; loopback octets are digits only", () => {
    expect(isOwnHost("", "")).toBe(false);
    expect(isOwnHost("127.0.0. 1", "127.0.0.1")).toBe(false);
    expect(isOwnHost("127.0 .0.1", "127.0.0.1")).toBe(false);
    expect(isOwnHost("127.0.0.1", "10.0.0.1")).toBe(true);
  });
});

describe("targets, origins, rewriting, decoding", () => {
  it("a target that hides dot segments behind an undecodable escape is still refused", () => {
    const up = new URL("http://h/api");
    const refused = targetUrl("/%zz/..", up, "/api");
    expect(refused).toBeInstanceOf(Refusal);
    expect((refused as Refusal).message).toMatch(/dot segments are not forwarded/);
  });

  it("addressedOrigin: a one-letter host, a host without port", () => {
    expect(addressedOrigin("a:1", "F")).toBe("http://a:1");
    expect(addressedOrigin("localhost", "F")).toBe("http://localhost");
    expect(addressedOrigin("[::1]", "F")).toBe("http://[::1]");
  });

  it("urlRewriter: only strings that start with the whole base; escaped slashes only stand for slashes", () => {
    const rw = urlRewriter("http://up:1/api");
    const json = (text: string) => rw.json(Buffer.from(text, "latin1"), "P")?.toString("latin1");
    expect(json('{"a":"\\/ttp://up:1/api/x"}')).toBeUndefined();
    expect(json('{"a":"http:x//up:1/api/x"}')).toBeUndefined();
    expect(json('{"k":"see http://up:1/api/x"}')).toBeUndefined();
    expect(json('{"a":"http://up:1/apix"}')).toBeUndefined();
    expect(json('{"a":"http://up:1/api\\/x"}')).toBe('{"a":"P\\/x"}');
    expect(json('{"a":"http:\\/\\/up:1\\/api/x","b":"http://up:1/api"}')).toBe('{"a":"P/x","b":"P"}');
    const host = urlRewriter("http://up:1");
    expect(host.location("http://zz:1/x", "P")).toBe("http://zz:1/x");
    expect(host.location("http://up:1/x", "P")).toBe("P/x");
  });

  it("decodeBody: an unknown encoding is unreadable even when the bytes are valid brotli", () => {
    const br = brotliCompressSync(Buffer.from('{"a":1}'));
    expect(decodeBody(br, "zstd", 100)).toBe("unreadable");
    expect(decodeBody(br, "br", 100)?.toString()).toBe('{"a":1}');
  });
});

describe("options", () => {
  it("each time limit is named in its own error", () => {
    expect(() => settingsOf({ headersTimeoutMs: -1 })).toThrow(/^headersTimeoutMs must be a whole number/);
    expect(() => settingsOf({ requestTimeoutMs: 1.5 })).toThrow(/^requestTimeoutMs must be a whole number/);
  });
});
