// The package as users get it: `npm pack` once (its prepack builds dist/),
// then every kind of consumer installs that tarball into its own temporary
// project, offline: the tarball is unpacked into node_modules/twilio-video-ts
// and the dependencies (openapi-fetch, the optional ajv peers, @types/node)
// are links to this repo's node_modules.
//
//   CommonJS     require() of every entry point; TypeScript CommonJS (nodenext, and legacy node10) compiled and run
//   ESM          plain Node by package name; TypeScript nodenext compiled and run; bundler resolution
//   types only   web types (DOM lib), no @types/node, skipLibCheck false; a wrong enum must fail
//   Node only    no DOM lib, @types/node, exactOptionalPropertyTypes (the ESM/CJS TypeScript projects)
//   edge         the installed package bundled the way a Workers bundler resolves it, run in edge-runtime
//   without ajv  the contract and emulator entries name what to install
//   the tarball  publint and attw (arethetypeswrong) clean; what ships and what does not
//
// The docs' commands run against the same kind of install in test/packaging/docs.test.ts.
//
// TypeScript runs in-process with one source-file cache, so the package's
// declarations and @types/node are parsed once for all projects.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as esbuild from "esbuild";
import { EdgeRuntime } from "edge-runtime";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, coreBuildOptions, forbiddenImports } from "../../scripts/core-bundle.js";
import { packRepository } from "./pack.js";

interface Manifest {
  name: string;
  version: string;
  license: string;
  exports: Record<string, string | Record<string, string>>;
  files: string[];
  bin?: Record<string, string>;
}
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as Manifest;
/** The entry points that hold code (not the JSON files). */
const codeEntries = Object.keys(manifest.exports).filter((key) => !key.endsWith(".json"));
const specifier = (key: string) => (key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`);

let root: string;
let tarball = "";
let tarballFiles: string[] = [];
let packOutput = "";

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without the developer's Twilio credentials, Node options or npm's per-run settings. */
function run(file: string, args: string[], cwd: string, timeout = 60_000): Promise<Outcome> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(TWILIO_|NODE_OPTIONS$|VITEST|npm_)/.test(name)),
  );
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, env: { ...env, NO_COLOR: "1" }, timeout, maxBuffer: 32 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: stderr || (error && code !== 0 && !stdout ? String(error) : "") });
      },
    );
  });
}
const runNode = (args: string[], cwd: string) => run(process.execPath, args, cwd, 30_000);
const bin = (name: string) => join(REPO_ROOT, "node_modules", ".bin", name);

const DEPS = ["openapi-fetch", "ajv", "ajv-formats", "@types/node"];

/** A consumer project with the packed package installed and the given dependencies linked. */
async function project(name: string, pkg: object, deps: string[] = DEPS): Promise<string> {
  const dir = join(root, name);
  const installed = join(dir, "node_modules", manifest.name);
  mkdirSync(installed, { recursive: true });
  for (const dep of deps) {
    mkdirSync(dirname(join(dir, "node_modules", dep)), { recursive: true });
    symlinkSync(join(REPO_ROOT, "node_modules", dep), join(dir, "node_modules", dep), "dir");
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, ...pkg }));
  const untar = await run("tar", ["-xzf", tarball, "-C", installed, "--strip-components", "1"], dir);
  if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  return dir;
}

function write(dir: string, file: string, text: string): string {
  const path = join(dir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

// ---- TypeScript, in-process, parsing each declaration file once -------------------------

const sourceFiles = new Map<string, ts.SourceFile>();
/** Compiles `files` in `dir` (emitting when `outDir` is set); answers the diagnostics, file names relative to `dir`. */
function compile(dir: string, files: string[], options: ts.CompilerOptions): string[] {
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    strict: true,
    // Check the package's shipped .d.ts (and its dependencies'), not TypeScript's own lib files.
    skipLibCheck: false,
    skipDefaultLibCheck: true,
    noEmit: !options.outDir,
    ...options,
  };
  const host = ts.createCompilerHost(compilerOptions);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    // Files of the consumer itself are read fresh; shared declarations are cached per module format.
    if (fileName.startsWith(dir) && !fileName.includes("/node_modules/"))
      return read(fileName, languageVersion, onError, shouldCreate);
    const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
    let file = sourceFiles.get(key);
    if (!file) {
      file = read(fileName, languageVersion, onError, shouldCreate);
      if (file) sourceFiles.set(key, file);
    }
    return file;
  };
  host.getCurrentDirectory = () => dir;
  const program = ts.createProgram({ rootNames: files.map((file) => join(dir, file)), options: compilerOptions, host });
  const diagnostics = [
    ...ts.getPreEmitDiagnostics(program),
    ...(compilerOptions.noEmit ? [] : program.emit().diagnostics),
  ];
  return diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n")[0];
    if (!d.file) return `error TS${d.code}: ${text}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    return `${d.file.fileName.replace(`${dir}/`, "")}(${line + 1},${character + 1}): error TS${d.code}: ${text}`;
  });
}

/** What a Node-only TypeScript project sees: no DOM lib, Node's types, the strictest optional-property rule. */
/** The first compilation parses @types/node and the package's declarations; on a loaded 2-core machine that takes a while. */
const COMPILE_TIMEOUT = 90_000;

const NODE_ONLY: ts.CompilerOptions = {
  lib: ["lib.es2022.d.ts"],
  types: ["node"],
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "twilio-video-ts-consumers-"));
  // What `npm publish` would upload: prepack builds dist/ first.
  try {
    tarball = await packRepository(join(root, "pack"));
  } catch (error) {
    packOutput = String(error);
    return;
  }
  const list = await run("tar", ["-tzf", tarball], root);
  tarballFiles = list.stdout
    .split("\n")
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ""));
}, 240_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("npm pack builds and packs", () => {
    expect(packOutput).toBe("");
    expect(tarball).toMatch(/twilio-video-ts-\d+\.\d+\.\d+.*\.tgz$/);
  });

  it('ships every "exports" and "bin" target, the LICENSE, one openapi.json, and no sourcemaps or TypeScript sources', () => {
    type Target = string | { [condition: string]: Target };
    const leaves = (value: Target): string[] =>
      typeof value === "string" ? [value] : Object.values(value).flatMap(leaves);
    const targets = Object.values(manifest.exports as Record<string, Target>).flatMap(leaves);
    targets.push(...Object.values(manifest.bin ?? {}));
    const missing = targets.map((path) => path.replace(/^\.\//, "")).filter((path) => !tarballFiles.includes(path));
    expect(missing).toEqual([]);
    expect(tarballFiles).toContain("LICENSE");
    expect(tarballFiles.filter((path) => path.endsWith("openapi.json"))).toEqual(["dist/generated/openapi.json"]);
    // Maps would point at src/ files that are not shipped.
    expect(
      tarballFiles.filter((path) => path.endsWith(".map") || (path.endsWith(".ts") && !path.endsWith(".d.ts"))),
    ).toEqual([]);
    expect(tarballFiles.filter((path) => /^(test|contract-tests|scripts|src|node_modules)\//.test(path))).toEqual([]);
  });

  it("the LICENSE is the one package.json names", () => {
    expect(manifest.license).toBe("MIT");
    expect(readFileSync(join(REPO_ROOT, "LICENSE"), "utf8")).toMatch(/^MIT License\n/);
  });

  it("every code entry point can be require()d: a `default` condition, never `import` only", () => {
    const importOnly = codeEntries.filter((key) => {
      const value = manifest.exports[key];
      return typeof value === "object" && !("default" in value) && !("require" in value);
    });
    expect(importOnly).toEqual([]);
  });

  it("publint --strict is clean", async () => {
    const result = await run(bin("publint"), ["run", tarball, "--strict"], root);
    expect({ code: result.code, output: result.stdout + result.stderr }).toMatchObject({
      code: 0,
      output: expect.stringContaining("All good!"),
    });
  });

  it("attw (are the types wrong) is clean for node10, node16 and bundler resolution", async () => {
    // cjs-resolves-to-esm: attw's TypeScript (5.6) predates require(esm). The
    // package is ES modules only and Node >= 20.19 (its engines) require()s
    // them; the CommonJS consumers below prove it, including TypeScript
    // CommonJS projects (nodenext, node10) that compile and run.
    const result = await run(bin("attw"), [tarball, "--format", "json", "--ignore-rules", "cjs-resolves-to-esm"], root);
    const report = JSON.parse(result.stdout) as {
      analysis: { problems: Array<{ kind: string; entrypoint?: string; resolutionKind?: string }> };
    };
    const problems = report.analysis.problems.filter((problem) => problem.kind !== "CJSResolvesToESM");
    expect({ code: result.code, problems }).toEqual({ code: 0, problems: [] });
    // The ignored rule is the only thing attw would report.
    expect(result.stderr).toBe("");
    expect(new Set(report.analysis.problems.map((problem) => problem.kind))).toEqual(
      new Set(report.analysis.problems.length ? ["CJSResolvesToESM"] : []),
    );
  });
});

describe("CommonJS consumers", () => {
  it("require() of every entry point and the JSON spec, by package name", async () => {
    const dir = await project("cjs", { type: "commonjs" });
    const script = write(
      dir,
      "consumer.js",
      `
const entries = ${JSON.stringify(codeEntries.map(specifier))};
const loaded = Object.fromEntries(entries.map((name) => [name, Object.keys(require(name)).sort()]));
const { createVideoClient, TwilioApiError } = require("twilio-video-ts");
const { createContractValidator } = require("twilio-video-ts/contract");
const { startEmulator } = require("twilio-video-ts/emulator");
const spec = require("twilio-video-ts/openapi.json");
(async () => {
  const emulator = await startEmulator({ clock: "manual" });
  const video = createVideoClient({ ...emulator.clientOptions, maxRetries: 0 });
  const room = await video.rooms.create({ UniqueName: "from-commonjs" });
  const missing = await video.rooms.get("RM" + "0".repeat(32)).catch((e) => e);
  const verdicts = emulator.traffic().map((r) => createContractValidator({ baseUrls: [emulator.url] }).validateRecording(r).ok);
  await emulator.stop();
  console.log(JSON.stringify({ loaded, openapi: spec.openapi, room: room.unique_name, api: missing instanceof TwilioApiError, status: missing.status, verdicts, resolved: require.resolve("twilio-video-ts") }));
})();
`,
    );
    const { code, stdout, stderr } = await runNode([script], dir);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const out = JSON.parse(stdout) as {
      loaded: Record<string, string[]>;
      openapi: string;
      room: string;
      api: boolean;
      status: number;
      verdicts: boolean[];
      resolved: string;
    };
    for (const name of codeEntries.map(specifier)) expect(out.loaded[name]?.length, name).toBeGreaterThan(0);
    expect(out.loaded["twilio-video-ts"]).toContain("createVideoClient");
    expect(out.loaded["twilio-video-ts/contract"]).toContain("createContractValidator");
    expect(out.loaded["twilio-video-ts/emulator"]).toContain("startEmulator");
    expect(out).toMatchObject({
      openapi: "3.1.0",
      room: "from-commonjs",
      api: true,
      status: 404,
      verdicts: [true, true],
    });
    expect(out.resolved).toBe(join(dir, "node_modules/twilio-video-ts/dist/src/index.js"));
  });

  describe("TypeScript CommonJS projects compile (Node-only lib) and run", () => {
    const APP = `
import { createVideoClient, TwilioApiError, type VideoClientOptions } from "twilio-video-ts";
import { createContractValidator } from "twilio-video-ts/contract";
import { startEmulator } from "twilio-video-ts/emulator";

async function main(): Promise<void> {
  const emulator = await startEmulator({ clock: "manual", port: process.env.EMULATOR_PORT ? Number(process.env.EMULATOR_PORT) : undefined });
  // exactOptionalPropertyTypes: possibly-undefined values go straight into optional options.
  const options: VideoClientOptions = { ...emulator.clientOptions, userAgent: process.env.APP_USER_AGENT, timeoutMs: undefined };
  const video = createVideoClient(options);
  const room = await video.rooms.create({ UniqueName: "from-ts-commonjs", Type: "group" });
  const missing: unknown = await video.rooms.get("RM" + "0".repeat(32)).catch((e: unknown) => e);
  const validator = createContractValidator({ baseUrls: [emulator.url], strict: process.env.STRICT === "1" ? true : undefined });
  const verdicts = emulator.traffic().map((recording) => validator.validateRecording(recording).ok);
  await emulator.stop();
  console.log(JSON.stringify({ room: room.unique_name, api: missing instanceof TwilioApiError, verdicts, module: typeof module }));
}
void main();
`;
    for (const [label, options] of [
      ["module nodenext", { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }],
      [
        "module commonjs, moduleResolution node10",
        { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 },
      ],
    ] as const) {
      it(
        label,
        async () => {
          const dir = await project(`ts-cjs-${label.replace(/\W+/g, "-")}`, { type: "commonjs" });
          write(dir, "app.ts", APP);
          const errors = compile(dir, ["app.ts"], { ...NODE_ONLY, ...options, outDir: join(dir, "out") });
          expect(errors).toEqual([]);
          const emitted = readFileSync(join(dir, "out/app.js"), "utf8");
          expect(emitted).toContain('require("twilio-video-ts")');
          const { code, stdout, stderr } = await runNode([join(dir, "out/app.js")], dir);
          expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
          expect(JSON.parse(stdout)).toEqual({
            room: "from-ts-commonjs",
            api: true,
            verdicts: [true, true],
            module: "object",
          });
        },
        COMPILE_TIMEOUT,
      );
    }
  });
});

describe("ESM consumers", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await project("esm", { type: "module" });
  });

  it("imports twilio-video-ts through its exports map and calls the API with an injected fetch", async () => {
    const script = write(
      dir,
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
    const { code, stdout, stderr } = await runNode([script], dir);
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
    expect(out.resolved).toBe(`file://${join(dir, "node_modules/twilio-video-ts/dist/src/index.js")}`);
    expect(out.version).toBe(manifest.version);
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

  it("imports twilio-video-ts/node by name and talks to a loopback server over node:http", async () => {
    const script = write(
      dir,
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
    const { code, stdout, stderr } = await runNode([script], dir);
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

  it("validateResponses lazily loads the built ./contract module (with its JSON spec) and the optional ajv peer", async () => {
    const script = write(
      dir,
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
    const { code, stdout, stderr } = await runNode([script], dir);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const out = JSON.parse(stdout) as { ok: string; drift: boolean; where: string[] };
    expect(out.ok).toBe("archive");
    expect(out.drift).toBe(true);
    expect(out.where.join(" ")).toContain("encryption_enabled");
  });

  it("the Node entries of ./contract and ./emulator export exactly what their plain entries do", async () => {
    const script = write(
      dir,
      "entries.mjs",
      `
const keys = async (path) => Object.keys(await import(path)).sort();
const out = {};
for (const name of ["contract", "emulator"]) {
  out[name] = { node: await keys("twilio-video-ts/" + name), plain: await keys("./node_modules/twilio-video-ts/dist/src/" + name + "/index.js"),
    resolved: import.meta.resolve("twilio-video-ts/" + name).replace(/^.*node_modules\\//, "") };
}
console.log(JSON.stringify(out));
`,
    );
    const { code, stdout, stderr } = await runNode([script], dir);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const out = JSON.parse(stdout) as Record<string, { node: string[]; plain: string[]; resolved: string }>;
    for (const name of ["contract", "emulator"]) {
      expect(out[name]!.resolved).toBe(`twilio-video-ts/dist/src/${name}/node.js`);
      // startProxy stays importable from ./contract on Node, where it was before it moved to ./contract/node.
      expect(out[name]!.node).toEqual([...out[name]!.plain, ...(name === "contract" ? ["startProxy"] : [])].sort());
    }
  });

  it(
    "startProxy from ./contract/node and, on Node, from ./contract (JavaScript and TypeScript nodenext) forwards to a loopback server",
    async () => {
      write(
        dir,
        "proxy.ts",
        `
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startProxy, type ProxySummary } from "twilio-video-ts/contract/node";
import { startProxy as legacyStartProxy } from "twilio-video-ts/contract";

const upstream = createServer((req, res) => {
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ code: 20404, message: "Not found", more_info: "https://www.twilio.com/docs/errors/20404", status: 404 }));
});
await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
const statuses: number[] = [];
const summaries: ProxySummary[] = [];
for (const start of [startProxy, legacyStartProxy]) {
  const proxy = await start({ upstream: \`http://127.0.0.1:\${(upstream.address() as AddressInfo).port}\`, onFinding: () => {} });
  statuses.push((await fetch(\`\${proxy.url}/v1/Rooms/RM\${"0".repeat(32)}\`)).status);
  summaries.push(await proxy.close());
}
upstream.close();
console.log(JSON.stringify({ statuses, exchanges: summaries.map((s) => s.exchanges) }));
`,
      );
      const errors = compile(dir, ["proxy.ts"], {
        ...NODE_ONLY,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        outDir: join(dir, "out-proxy"),
      });
      expect(errors).toEqual([]);
      const { code, stdout, stderr } = await runNode([join(dir, "out-proxy/proxy.js")], dir);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(JSON.parse(stdout)).toEqual({ statuses: [404, 404], exchanges: [1, 1] });
    },
    COMPILE_TIMEOUT,
  );

  it(
    "a bundler-resolution TypeScript project does not see startProxy on ./contract: it is Node-only",
    () => {
      write(
        dir,
        "no-proxy.ts",
        `import { startProxy } from "twilio-video-ts/contract";\nexport const p = startProxy;\n`,
      );
      const errors = compile(dir, ["no-proxy.ts"], {
        ...NODE_ONLY,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
      });
      expect(errors).toEqual([
        expect.stringMatching(
          /^no-proxy\.ts\(1,10\): error TS2305: Module '"twilio-video-ts\/contract"' has no exported member 'startProxy'/,
        ),
      ]);
    },
    COMPILE_TIMEOUT,
  );

  it(
    "a TypeScript nodenext project (Node-only lib, exactOptionalPropertyTypes) compiles and runs against the emulator",
    async () => {
      write(
        dir,
        "app.ts",
        `
import { createVideoClient, type Room } from "twilio-video-ts";
import { startEmulator } from "twilio-video-ts/emulator";
import spec from "twilio-video-ts/openapi.json" with { type: "json" };

const emulator = await startEmulator({ clock: "manual", port: process.env.EMULATOR_PORT ? Number(process.env.EMULATOR_PORT) : undefined });
const video = createVideoClient({ ...emulator.clientOptions, apiKeySid: process.env.KEY_SID ?? emulator.clientOptions.apiKeySid, userAgent: process.env.APP_UA, maxRetries: undefined });
const room: Room = await video.rooms.create({ UniqueName: "from-ts-esm", RecordingRules: [{ type: "include", kind: "audio" }] });
const names: string[] = [];
for await (const r of video.rooms.iterate({ Status: "in-progress" }, { pageSize: process.env.PAGE ? Number(process.env.PAGE) : undefined })) names.push(r.unique_name ?? "");
await emulator.stop();
console.log(JSON.stringify({ sid: room.sid.slice(0, 2), names, openapi: spec.openapi }));
`,
      );
      const errors = compile(dir, ["app.ts"], {
        ...NODE_ONLY,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        resolveJsonModule: true,
        outDir: join(dir, "out"),
      });
      expect(errors).toEqual([]);
      const { code, stdout, stderr } = await runNode([join(dir, "out/app.js")], dir);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(JSON.parse(stdout)).toEqual({ sid: "RM", names: ["from-ts-esm"], openapi: "3.1.0" });
    },
    COMPILE_TIMEOUT,
  );

  it(
    "a TypeScript bundler-resolution project (Node-only lib, exactOptionalPropertyTypes) type-checks",
    () => {
      write(
        dir,
        "bundled.ts",
        `
import { createVideoClient, TwilioApiError } from "twilio-video-ts";
import { createContractValidator, type Recording } from "twilio-video-ts/contract";
import type { Emulator } from "twilio-video-ts/emulator";
export const video = createVideoClient({ apiKeySid: process.env.KEY_SID, apiKeySecret: process.env.KEY_SECRET, baseUrl: process.env.BASE_URL });
export const check = (r: Recording): boolean => createContractValidator({ baseUrls: process.env.BASE_URL ? [process.env.BASE_URL] : undefined }).validateRecording(r).ok;
export const isApi = (e: unknown): e is TwilioApiError => e instanceof TwilioApiError;
export type E = Emulator["url"];
export const arm = (e: Emulator): void => e.injectFault({ kind: "rate-limit", count: process.env.FAULTS ? Number(process.env.FAULTS) : undefined, path: process.env.FAULT_PATH });
`,
      );
      const errors = compile(dir, ["bundled.ts"], {
        ...NODE_ONLY,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
      });
      expect(errors).toEqual([]);
    },
    COMPILE_TIMEOUT,
  );
});

describe("types-only consumer (import type; web types, no @types/node; strict)", () => {
  it(
    "a fixture using VideoClient, resource types and TwilioApiError compiles clean; a wrong enum value does not",
    async () => {
      const dir = await project("types-only", { type: "module" }, ["openapi-fetch"]);
      write(dir, "ok.ts", OK_FIXTURE);
      write(dir, "bad.ts", BAD_FIXTURE);
      const errors = compile(dir, ["ok.ts", "bad.ts"], {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
        types: [],
      });
      // Only the deliberate error: the package's own declarations are clean.
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^bad\.ts\(\d+,\d+\): error TS2322: Type '"huge"' is not assignable to type/);
    },
    COMPILE_TIMEOUT,
  );
});

describe("without the optional ajv peers", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await project("no-ajv", { type: "module" }, ["openapi-fetch"]);
  });

  it("the client works; ./contract and ./emulator say what to install, on import and on require()", async () => {
    const script = write(
      dir,
      "no-ajv.mjs",
      `
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { createVideoClient } = await import("twilio-video-ts");
const out = { client: typeof createVideoClient };
for (const entry of ["twilio-video-ts/contract", "twilio-video-ts/emulator"]) {
  const imported = await import(entry).then(() => null, (e) => ({ code: e.code, message: e.message }));
  let required = null;
  try { require(entry); } catch (e) { required = { code: e.code, message: e.message }; }
  out[entry] = { imported, required };
}
console.log(JSON.stringify(out));
`,
    );
    const { code, stdout, stderr } = await runNode([script], dir);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out.client).toBe("function");
    for (const entry of ["twilio-video-ts/contract", "twilio-video-ts/emulator"]) {
      const failure = {
        code: "ERR_TWILIO_VIDEO_MISSING_PEER",
        message: `${entry} needs the optional peer dependency ajv: npm install ajv ajv-formats`,
      };
      expect(out[entry]).toEqual({ imported: failure, required: failure });
    }
  });

  it("with ajv but without ajv-formats, the message names ajv-formats", async () => {
    const half = await project("no-ajv-formats", { type: "module" }, ["openapi-fetch", "ajv"]);
    const script = write(
      half,
      "half.mjs",
      `await import("twilio-video-ts/contract").then(() => console.log("loaded"), (e) => console.log(e.message));\n`,
    );
    const { code, stdout, stderr } = await runNode([script], half);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toBe(
      "twilio-video-ts/contract needs the optional peer dependency ajv-formats: npm install ajv ajv-formats\n",
    );
  });

  it("an uncaught import failure is that one line, not a resolution error", async () => {
    const script = write(dir, "crash.mjs", `import "twilio-video-ts/emulator";\n`);
    const { code, stderr } = await runNode([script], dir);
    expect(code).toBe(1);
    expect(stderr).toContain(
      "MissingPeerDependencyError: twilio-video-ts/emulator needs the optional peer dependency ajv: npm install ajv ajv-formats",
    );
  });
});

describe("a Node app bundled with esbuild (platform node) from the installed package", () => {
  it('resolves ./contract and ./emulator through the "module" condition (not the require()-based Node entries) and runs without node_modules', async () => {
    const dir = await project("bundled-node-app", { type: "module" });
    const result = await esbuild.build({
      absWorkingDir: dir,
      stdin: {
        contents: `
import { createVideoClient } from "twilio-video-ts";
import { createContractValidator } from "twilio-video-ts/contract";
import { startEmulator } from "twilio-video-ts/emulator";
const emulator = await startEmulator({ clock: "manual" });
const video = createVideoClient({ ...emulator.clientOptions, validator: createContractValidator({ baseUrls: [emulator.url] }), validateResponses: "throw" });
const room = await video.rooms.create({ UniqueName: "bundled" });
await emulator.stop();
console.log(JSON.stringify({ room: room.unique_name }));
`,
        resolveDir: dir,
        sourcefile: "app.mjs",
        loader: "js",
      },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      metafile: true,
      outfile: join(root, "bundled-app", "app.mjs"),
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => /dist\/src\/(contract|emulator)\/node\.js$/.test(path))).toEqual([]);
    expect(inputs.some((path) => path.endsWith("dist/src/contract/index.js"))).toBe(true);
    // No node_modules beside the bundle: everything it needs is inside.
    const { code, stdout, stderr } = await runNode([join(root, "bundled-app", "app.mjs")], join(root, "bundled-app"));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(stdout)).toEqual({ room: "bundled" });
  });
});

describe("edge consumer: the installed package bundled for Workers, run in edge-runtime", () => {
  let runtime: EdgeRuntime;
  let metafile: esbuild.Metafile;
  beforeAll(async () => {
    const dir = await project("edge", { type: "module" }, ["openapi-fetch"]);
    const result = await esbuild.build({
      ...coreBuildOptions(),
      absWorkingDir: dir,
      entryPoints: undefined,
      stdin: { contents: `export * from "twilio-video-ts";`, resolveDir: dir, sourcefile: "worker.js", loader: "js" },
      format: "iife",
      globalName: "TwilioVideo",
      metafile: true,
      write: false,
    });
    metafile = result.metafile;
    runtime = new EdgeRuntime();
    runtime.evaluate(result.outputFiles[0]!.text);
  });

  it("the bundle holds the shipped dist/ and openapi-fetch, and no Node built-in, ajv or contract module", () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((path) => path.includes("node_modules/twilio-video-ts/dist/src/core/client.js"))).toBe(true);
    expect(inputs.some((path) => path.includes("node_modules/openapi-fetch/"))).toBe(true);
    expect(forbiddenImports(metafile)).toEqual([]);
  });

  it("creates a client with an injected fetch and gets a room and a typed 404", async () => {
    const text = await (runtime.evaluate(`(async () => {
      const SID = "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c";
      const fetch = async (input, init) => {
        const request = new Request(input, init);
        const ok = request.url.endsWith(SID);
        return new Response(JSON.stringify(ok ? { sid: SID } : { code: 20404, message: "Not found", status: 404 }), { status: ok ? 200 : 404, headers: { "content-type": "application/json" } });
      };
      const video = TwilioVideo.createVideoClient({ apiKeySid: "SK0123456789abcdef0123456789abcdef", apiKeySecret: "s", fetch, maxRetries: 0 });
      const room = await video.rooms.get(SID);
      const error = await video.rooms.get("RM" + "0".repeat(32)).catch((e) => e);
      return JSON.stringify({ process: typeof process, room, api: error instanceof TwilioVideo.TwilioApiError, status: error.status });
    })()`) as Promise<string>);
    expect(JSON.parse(text)).toEqual({
      process: "undefined",
      room: { sid: "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c" },
      api: true,
      status: 404,
    });
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

/** \`Type\` is a RoomType enum: "huge" must be refused. */
const BAD_FIXTURE = `${HEADER}
export async function openRoom(video: VideoClient): Promise<Room> {
  return video.rooms.create({ UniqueName: "standup", Type: "huge" });
}
`;
