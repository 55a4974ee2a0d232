// Builds the package once (tsc -p tsconfig.build.json) into a temporary
// project, laid out the way npm installs it:
//
//   <tmp>/node_modules/twilio-video-ts/{package.json, dist/, generated/}
//   <tmp>/node_modules/{openapi-fetch, openapi-typescript-helpers, ajv, ajv-formats} -> the repo's copies
//
// then consumes it by name only, through package.json "exports": a plain
// Node ESM program, and TypeScript (NodeNext, strict) against the .d.ts.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/core-bundle.js";

const TSC = join(REPO_ROOT, "node_modules/typescript/bin/tsc");
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, string | Record<string, string>>;
  files: string[];
  bin?: Record<string, string>;
};

let project: string;
let pkg: string;
let buildOutput = "";

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` in the consumer project, without the developer's Twilio credentials or Node options. */
function runNode(args: string[], cwd: string): Promise<Outcome> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(TWILIO_|NODE_OPTIONS$|VITEST)/.test(name)));
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env, timeout: 25_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (error && code !== 0 && !stdout ? String(error) : "") });
    });
  });
}

const tsc = (...args: string[]) => runNode([TSC, "--pretty", "false", ...args], project);

function write(file: string, text: string): string {
  const path = join(project, file);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "twilio-video-ts-consumer-"));
  pkg = join(project, "node_modules", manifest.name);
  mkdirSync(pkg, { recursive: true });
  cpSync(join(REPO_ROOT, "package.json"), join(pkg, "package.json"));
  symlinkSync(join(REPO_ROOT, "generated"), join(pkg, "generated"), "dir");
  // The runtime dependency, its type helpers, and the optional ajv peers, as an app would install them.
  for (const name of ["openapi-fetch", "openapi-typescript-helpers", "ajv", "ajv-formats"]) {
    const target = join(REPO_ROOT, "node_modules", name);
    if (existsSync(target)) symlinkSync(target, join(project, "node_modules", name), "dir");
  }
  write("package.json", JSON.stringify({ name: "consumer", private: true, type: "module" }));

  const build = await runNode([TSC, "--pretty", "false", "-p", join(REPO_ROOT, "tsconfig.build.json"), "--outDir", join(pkg, "dist")], REPO_ROOT);
  buildOutput = build.code === 0 ? "" : `tsc -p tsconfig.build.json failed (exit ${build.code}):\n${build.stdout}${build.stderr}`;
}, 60_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the built package", () => {
  it("builds with tsc -p tsconfig.build.json", () => {
    expect(buildOutput).toBe("");
  });

  it('every "exports" and "bin" target exists after the build and is shipped by "files"', () => {
    const targets = Object.entries(manifest.exports).flatMap(([key, value]) =>
      typeof value === "string" ? [[key, value] as const] : Object.values(value).map((path) => [key, path] as const),
    );
    for (const path of Object.values(manifest.bin ?? {})) targets.push(["bin", path]);
    const missing = targets.filter(([, path]) => !existsSync(join(pkg, path))).map(([key, path]) => `${key} -> ${path}`);
    const unshipped = targets
      .map(([, path]) => path.replace(/^\.\//, ""))
      .filter((path) => path !== "package.json" && !manifest.files.some((entry) => path === entry || path.startsWith(`${entry}/`)));
    expect({ missing, unshipped }).toEqual({ missing: [], unshipped: [] });
  });
});

describe("ESM consumer (node, by package name)", () => {
  it("imports twilio-video-ts through its exports map and calls the API with an injected fetch", async () => {
    const script = write(
      "consumer.mjs",
      `
import { createVideoClient, TwilioApiError, TwilioVideoError, computeSignature, VERSION } from "twilio-video-ts";

const SID = "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c";
const calls = [];
const fetch = async (input, init) => {
  const request = new Request(input, init);
  calls.push({ method: request.method, url: request.url, authorization: request.headers.get("authorization"), body: await request.text() });
  const reply = (status, body) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  if (request.method === "POST") return reply(201, { sid: SID, unique_name: "standup", type: "group" });
  if (request.url.endsWith(SID)) return reply(200, { sid: SID, unique_name: "standup", type: "group" });
  return reply(404, { code: 20404, message: "Not found", more_info: "https://www.twilio.com/docs/errors/20404", status: 404 });
};

const video = createVideoClient({ accountSid: "AC0123456789abcdef0123456789abcdef", authToken: "token", fetch, maxRetries: 0 });
const room = await video.rooms.get(SID);
const created = await video.rooms.create({ UniqueName: "standup", Type: "group" });
const error = await video.rooms.get("RM00000000000000000000000000000000").catch((e) => e);
const signature = await computeSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", {
  CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212",
});
console.log(JSON.stringify({
  resolved: import.meta.resolve("twilio-video-ts"),
  version: VERSION,
  room, created, calls, signature,
  error: { api: error instanceof TwilioApiError, base: error instanceof TwilioVideoError, status: error.status, code: error.code },
}));
`,
    );
    const { code, stdout, stderr } = await runNode([script], project);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const out = JSON.parse(stdout) as {
      resolved: string;
      version: string;
      room: { sid: string };
      created: { sid: string };
      calls: Array<{ method: string; url: string; authorization: string; body: string }>;
      signature: string;
      error: Record<string, unknown>;
    };
    expect(out.resolved).toBe(`file://${join(pkg, "dist/src/index.js")}`);
    expect(out.version).toBe((JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version);
    expect(out.room.sid).toBe("RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c");
    expect(out.created.sid).toBe("RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c");
    expect(out.calls.map((c) => `${c.method} ${c.url} ${c.body}`)).toEqual([
      "GET https://video.twilio.com/v1/Rooms/RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c ",
      "POST https://video.twilio.com/v1/Rooms UniqueName=standup&Type=group",
      "GET https://video.twilio.com/v1/Rooms/RM00000000000000000000000000000000 ",
    ]);
    const basic = `Basic ${Buffer.from("AC0123456789abcdef0123456789abcdef:token").toString("base64")}`;
    expect(out.calls.every((c) => c.authorization === basic)).toBe(true);
    expect(out.signature).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    expect(out.error).toEqual({ api: true, base: true, status: 404, code: 20404 });
  });

  it("validateResponses lazily loads the built ./contract module (with its JSON spec) and the optional ajv peer", async () => {
    const script = write(
      "validate.mjs",
      `
import { createVideoClient, TwilioResponseValidationError } from "twilio-video-ts";

const settings = {
  account_sid: "AC0123456789abcdef0123456789abcdef", friendly_name: "archive",
  aws_credentials_sid: null, aws_s3_url: null, aws_storage_enabled: false,
  encryption_key_sid: null, encryption_enabled: false,
  url: "https://video.twilio.com/v1/CompositionSettings/Default",
};
const replies = [settings, { ...settings, encryption_enabled: "yes" }];
const fetch = async () => new Response(JSON.stringify(replies.shift()), { status: 200, headers: { "content-type": "application/json" } });
const video = createVideoClient({ apiKeySid: "SK0123456789abcdef0123456789abcdef", apiKeySecret: "s", fetch, validateResponses: "throw" });
const ok = await video.compositionSettings.get();
const error = await video.compositionSettings.get().catch((e) => e);
console.log(JSON.stringify({ ok: ok.friendly_name, drift: error instanceof TwilioResponseValidationError, where: error.problems?.map((p) => p.where) }));
`,
    );
    const { code, stdout, stderr } = await runNode([script], project);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const out = JSON.parse(stdout) as { ok: string; drift: boolean; where: string[] };
    expect(out.ok).toBe("archive");
    expect(out.drift).toBe(true);
    expect(out.where.join(" ")).toContain("encryption_enabled");
  });
});

describe("ESM consumer of twilio-video-ts/node (node:http fast path)", () => {
  it("imports the Node entry by name and talks to a loopback server over node:http", async () => {
    const script = write(
      "consumer-node.mjs",
      `
import { createServer } from "node:http";
import { createVideoClient, TwilioApiError } from "twilio-video-ts/node";

const SID = "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c";
const seen = [];
const server = createServer((req, res) => {
  seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization?.slice(0, 6) });
  const status = req.url.endsWith(SID) ? 200 : 404;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(status === 200 ? { sid: SID } : { code: 20404, message: "Not found", status: 404 }));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const video = createVideoClient({ apiKeySid: "SK0123456789abcdef0123456789abcdef", apiKeySecret: "s", baseUrl: "http://127.0.0.1:" + server.address().port, maxRetries: 0 });
const room = await video.rooms.get(SID);
const error = await video.rooms.get("RM00000000000000000000000000000000").catch((e) => e);
server.closeAllConnections();
server.close();
console.log(JSON.stringify({ resolved: import.meta.resolve("twilio-video-ts/node"), room, seen, api: error instanceof TwilioApiError, name: error.name }));
`,
    );
    const { code, stdout, stderr } = await runNode([script], project);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const out = JSON.parse(stdout) as { resolved: string; room: unknown; seen: unknown[]; api: boolean; name: string };
    expect(out.resolved).toMatch(/node_modules\/twilio-video-ts\/dist\/src\/node\.js$/);
    expect(out.room).toEqual({ sid: "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c" });
    expect(out.seen).toEqual([
      { method: "GET", url: "/v1/Rooms/RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c", authorization: "Basic " },
      { method: "GET", url: "/v1/Rooms/RM00000000000000000000000000000000", authorization: "Basic " },
    ]);
    expect({ api: out.api, name: out.name }).toEqual({ api: true, name: "TwilioApiError" });
  });
});

describe("TypeScript consumer (import type, NodeNext, strict) against the built .d.ts", () => {
  const tsconfig = (file: string) =>
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        // Web types only: consuming the core must not need @types/node.
        lib: ["ES2022", "DOM", "DOM.Iterable"],
        types: [],
        // Check the package's shipped .d.ts (and its dependencies'), not TypeScript's own lib files.
        skipLibCheck: false,
        skipDefaultLibCheck: true,
      },
      files: [file],
    });

  let ok: Promise<Outcome>;
  let bad: Promise<Outcome>;
  beforeAll(() => {
    write("ok.ts", OK_FIXTURE);
    write("tsconfig.ok.json", tsconfig("ok.ts"));
    write("bad.ts", BAD_FIXTURE);
    write("tsconfig.bad.json", tsconfig("bad.ts"));
    // Two independent compilations; run them side by side.
    ok = tsc("-p", "tsconfig.ok.json");
    bad = tsc("-p", "tsconfig.bad.json");
  });

  it("a fixture using VideoClient, resource types and TwilioApiError compiles clean", async () => {
    const result = await ok;
    expect({ code: result.code, output: result.stdout + result.stderr }).toEqual({ code: 0, output: "" });
  });

  it("a fixture with a wrong enum value fails to compile", async () => {
    const result = await bad;
    const output = result.stdout + result.stderr;
    expect(result.code).not.toBe(0);
    expect(output).toMatch(/^bad\.ts\(\d+,\d+\): error TS2322: Type '"huge"' is not assignable to type/m);
    // Only the deliberate error: the package's own declarations are clean.
    expect(output.trim().split("\n").filter((line) => /error TS\d+/.test(line))).toHaveLength(1);
  });
});

const HEADER = `import type { VideoClient, VideoClientOptions, Room, TwilioApiError, paths, components, StatusCallbackEvent } from "twilio-video-ts";\n`;

/** Uses the client, resource types, request bodies, errors and callbacks the way an app would. */
const OK_FIXTURE = `${HEADER}
type RoomType = components["schemas"]["RoomType"];
type CreateRoomBody = NonNullable<paths["/v1/Rooms"]["post"]["requestBody"]>["content"]["application/x-www-form-urlencoded"];

export async function openRoom(video: VideoClient, name: string, type: RoomType = "group"): Promise<Room> {
  const body: CreateRoomBody = { UniqueName: name, Type: type };
  const room = await video.rooms.create(body);
  const sid: string = room.sid;
  const again: Room = await video.rooms.get(sid);
  for await (const participant of video.rooms.participants(again.sid).iterate()) {
    const identity: string | null = participant.identity;
    void identity;
  }
  return room;
}

export function describeError(error: TwilioApiError): string {
  const code: number | null = error.code;
  const status: number = error.status;
  const kind: "api" = error.kind;
  return \`\${kind} \${status} \${code ?? "-"} \${error.requestId ?? ""}\`;
}

export const options: VideoClientOptions = { apiKeySid: "SK...", apiKeySecret: "...", timeoutMs: 10_000, validateResponses: "warn" };
export function onCallback(event: StatusCallbackEvent): string {
  return event.StatusCallbackEvent;
}
`;

/** `Type` is a RoomType enum: "huge" must be refused. */
const BAD_FIXTURE = `${HEADER}
export async function openRoom(video: VideoClient): Promise<Room> {
  return video.rooms.create({ UniqueName: "standup", Type: "huge" });
}
`;
