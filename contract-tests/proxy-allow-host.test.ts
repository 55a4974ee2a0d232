/**
 * `allowHosts` / `--allow-host` (issue 32): a proxy behind a CI service or container name (`http://proxy:8787`)
 * admits exactly the names it is given, besides loopback and its --host; every other Host still gets 421, and the
 * 421 message quotes the (attacker-controlled) Host escaped and names the flag that would admit it.
 */
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TwilioArgumentError, TwilioVideoError } from "../src/core/errors.js";
import { startProxy, type ProxyFinding } from "../src/contract/node-tools.js";
import { findingLine, runProxyCli } from "../src/contract/proxy-cli.js";
import { allowedHosts, settingsOf } from "../src/contract/proxy/options.js";
import {
  foreignHostMessage,
  hostNameProblem,
  isOwnHost,
  MAX_ALLOWED_HOST_LENGTH,
  shownHost,
} from "../src/contract/proxy/rewrite.js";
import { getWithHost, parsed, sendJson, upstream, type Upstream } from "./lib/proxy-wire.js";

/** Every character that could act on a terminal or a log: C0, DEL, C1, line separators, bidi controls. */
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let up: Upstream;
beforeAll(async () => {
  up = await upstream((req, res) => sendJson(res, 200, { path: req.url }, { Location: `${up.url}/v1/Rooms/RM1` }));
});
afterAll(() => up.close());

describe("allowHosts on the wire", () => {
  it("an admitted name forwards (any case, any port); other names, and it by default, get 421", async () => {
    const findings: ProxyFinding[] = [];
    const proxy = await startProxy({
      upstream: up.url,
      allowHosts: ["Proxy", "ci-svc.internal", "[FD00::7]"],
      onFinding: (f) => findings.push(f),
    });
    const port = Number(new URL(proxy.url).port);
    const before = up.seen.length;
    for (const host of ["proxy:8787", "PROXY", "proxy", "ci-svc.internal:1", "[fd00::7]:80", `127.0.0.1:${port}`]) {
      const answer = parsed(await getWithHost(port, "/v1/Rooms", host));
      expect(answer.status, host).toBe(200);
      expect(answer.body, host).toContain('"path":"/v1/Rooms"');
    }
    expect(up.seen.length - before).toBe(6);
    // The Location a service-name client gets points back at that name, so it stays on the proxy.
    const viaName = parsed(await getWithHost(port, "/v1/Rooms", "proxy:8787"));
    expect(viaName.head).toMatch(/\r\nlocation: http:\/\/proxy:8787\/v1\/Rooms\/RM1\r\n/i);
    const refused = ["proxyx", "proxy.evil", "sub.proxy", "ci-svc", "internal", "evil.example:8787", "[fd00::8]"];
    for (const host of refused) expect(parsed(await getWithHost(port, "/v1/Rooms", host)).status, host).toBe(421);
    expect(up.seen.length - before).toBe(7);
    expect(findings.filter((f) => f.kind === "bad-request")).toHaveLength(refused.length);
    const summary = await proxy.close();
    expect(summary.findings["bad-request"]).toBe(refused.length);

    const strict = await startProxy({ upstream: up.url });
    const strictPort = Number(new URL(strict.url).port);
    const answer = parsed(await getWithHost(strictPort, "/v1/Rooms", "proxy:8787"));
    expect(answer.status).toBe(421);
    // The message names the flag that admits the name, port left off.
    expect(JSON.parse(answer.body).message).toContain("start it with --allow-host proxy.");
    await strict.close();
  });

  it("a Host with control characters is escaped in the 421 answer, the finding and the printed line", async () => {
    const findings: ProxyFinding[] = [];
    const proxy = await startProxy({ upstream: up.url, allowHosts: ["proxy"], onFinding: (f) => findings.push(f) });
    const port = Number(new URL(proxy.url).port);
    // HTTP lets bytes 0x80-0xff through in a header value; read as latin1 they are C1 controls (CSI, NEL).
    const evil = "proxy\u009b2J\u0085::error::owned\u00e2\u0080\u00ae";
    const answer = parsed(await getWithHost(port, "/v1/Rooms", evil));
    expect(answer.status).toBe(421);
    const message: string = JSON.parse(Buffer.from(answer.body, "latin1").toString("utf8")).message;
    expect(message).not.toMatch(ACTIVE);
    expect(message).toContain('"proxy\\x9b2J\\x85::error::owned\\xe2\\x80\\xae"');
    // Not a name --allow-host could take: no advice to pass it on a command line.
    expect(message).not.toContain("start it with");
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toBe(message.replace("twilio-video-conformance proxy: ", ""));
    expect(findings[0]!.message).not.toMatch(ACTIVE);
    expect(findingLine(findings[0]!).slice(0, -1)).not.toMatch(ACTIVE);
    // A request with no Host at all is refused too (HTTP/1.0 may leave it out).
    const noHost = parsed(await getWithHost(port, "/v1/Rooms", undefined));
    expect(noHost.status).toBeGreaterThanOrEqual(400);
    await proxy.close();
    expect(up.seen).not.toContain("/v1/Rooms?evil");
  });
});

describe("allowHosts: the names it takes", () => {
  it("host names, container names and bracketed IPv6 pass; wildcards, ports, empty labels and junk are refused", () => {
    for (const ok of ["proxy", "my_proxy", "ci-svc.internal", "A.B.C", "10.0.0.5", "[fd00::1]", "[::ffff:1.2.3.4]"])
      expect(hostNameProblem(ok), ok).toBeUndefined();
    expect(hostNameProblem("a".repeat(MAX_ALLOWED_HOST_LENGTH))).toBeUndefined();
    const cases: Array<[string, RegExp]> = [
      ["", /empty/],
      ["a".repeat(MAX_ALLOWED_HOST_LENGTH + 1), /longer than 253/],
      ["*.example", /wildcard/],
      ["proxy:8787", /port/],
      ["fd00::1", /port/],
      ["a..b", /empty label/],
      [".a", /empty label/],
      ["a.", /empty label/],
      [".", /empty label/],
      ["a b", /character/],
      ["a/b", /character/],
      ["a\u0000", /character/],
      ["pr\u00f6xy", /character/],
      ["[fd00::1", /bracketed/],
      ["[]", /bracketed/],
      ["[zz::1]", /bracketed/],
      ["[1.2.3.4]", /bracketed/],
      [`[${"1:".repeat(30)}]`, /bracketed/],
    ];
    for (const [name, problem] of cases) expect(hostNameProblem(name), JSON.stringify(name)).toMatch(problem);
  });

  it("settingsOf keeps them lower case; a bad one is a TwilioArgumentError quoting it escaped", async () => {
    expect([...settingsOf({ allowHosts: ["Proxy", "[FD00::1]"] }).allowHosts]).toEqual(["proxy", "[fd00::1]"]);
    expect(settingsOf({}).allowHosts.size).toBe(0);
    expect(allowedHosts([]).size).toBe(0);
    for (const bad of [["*.ci"], ["proxy:8787"], ["ok", ""], ["a\u001b[2J"]]) {
      const thrown = (() => {
        try {
          settingsOf({ allowHosts: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(thrown, String(bad)).toBeInstanceOf(TwilioArgumentError);
      expect((thrown as Error).message).toMatch(/^allowHosts: "/);
      expect((thrown as Error).message).not.toMatch(ACTIVE);
    }
    expect(() => settingsOf({ allowHosts: "proxy" as unknown as string[] })).toThrow(/must be an array/);
    expect(() => settingsOf({ allowHosts: [42 as unknown as string] })).toThrow(/number is not a host name/);
    await expect(startProxy({ allowHosts: ["*"] })).rejects.toBeInstanceOf(TwilioVideoError);
  });

  it("--allow-host: repeatable and comma-separated; a malformed name is a usage error (exit 2)", async () => {
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const out: string[] = [];
    const err: string[] = [];
    const run = runProxyCli(["--upstream", up.url, "--allow-host", "proxy, other", "--allow-host", "third"], {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      stopped,
    });
    while (out.length === 0) await new Promise((r) => setTimeout(r, 5));
    const port = Number(new URL(out[0]!.trim()).port);
    for (const host of ["proxy", "other:1", "third"])
      expect(parsed(await getWithHost(port, "/v1/Rooms", host)).status, host).toBe(200);
    expect(parsed(await getWithHost(port, "/v1/Rooms", "fourth")).status).toBe(421);
    stop();
    expect(await run).toBe(1);
    for (const bad of ["*.ci", "proxy:8787", "a,,b", "", "x\u001b]0;t\u0007"]) {
      const lines: string[] = [];
      const code = await runProxyCli(["--allow-host", bad], { stdout: () => undefined, stderr: (t) => lines.push(t) });
      expect(code, JSON.stringify(bad)).toBe(2);
      expect(lines.join(""), JSON.stringify(bad)).toMatch(/^twilio-video-conformance proxy: --allow-host "/);
      expect(lines.join("").slice(0, -1)).not.toMatch(ACTIVE);
    }
    const help: string[] = [];
    await runProxyCli(["--help"], { stdout: (t) => help.push(t), stderr: () => undefined });
    expect(help.join("")).toContain("--allow-host <name>");
  });
});

describe("the Host check and its message", () => {
  it("isOwnHost admits an allowed name whole, never a prefix, suffix or sub-domain of it", () => {
    const allowed = new Set(["proxy", "[fd00::1]"]);
    for (const host of ["proxy", "PROXY:8787", " proxy ", "[fd00::1]:1", "localhost", "127.0.0.9"])
      expect(isOwnHost(host, "0.0.0.0", allowed), host).toBe(true);
    for (const host of ["proxy.", "xproxy", "proxy.evil", "a.proxy", "prox", "fd00::1", "[fd00::1", undefined, ""])
      expect(isOwnHost(host, "0.0.0.0", allowed), String(host)).toBe(false);
    expect(isOwnHost("proxy", "0.0.0.0")).toBe(false);
  });

  it("foreignHostMessage: escaped, bounded, and advice only for a name --allow-host takes", () => {
    expect(foreignHostMessage("Proxy:8787")).toBe(
      'refused: the Host header "Proxy:8787" does not name this proxy (a loopback address, its --host or an ' +
        "--allow-host name); DNS rebinding? If proxy is this proxy's name (a CI service, a container), start it " +
        "with --allow-host proxy.",
    );
    expect(foreignHostMessage(undefined)).toMatch(/^refused: the Host header \(none\) does not name this proxy/);
    expect(foreignHostMessage("")).toBe(foreignHostMessage(undefined));
    const evil = '\u001b[2J\r\n::error::x"\\\u202e\u0085';
    const message = foreignHostMessage(evil);
    expect(message).not.toMatch(ACTIVE);
    expect(message).toContain('"\\x1b[2J\\x0d\\x0a::error::x\\"\\\\\\u202e\\x85"');
    expect(message).not.toContain("start it with");
    expect(shownHost("a".repeat(101))).toBe(`"${"a".repeat(100)}..."`);
    expect(shownHost("a".repeat(100))).toBe(`"${"a".repeat(100)}"`);
    expect(shownHost("\u00ff\u0100~ ")).toBe('"\\xff\\u0100~ "');
    // A megabyte of Host: linear work, a short message.
    for (const huge of ["\u001b".repeat(1 << 20), "a.".repeat(1 << 19), `[${":".repeat(1 << 20)}`]) {
      const t = performance.now();
      const m = foreignHostMessage(huge);
      expect(performance.now() - t).toBeLessThan(2000);
      expect(m.length).toBeLessThan(1000);
    }
  });
});
