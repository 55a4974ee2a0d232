// The client core must bundle for runtimes without Node (Workers, Deno,
// browsers): no Node built-ins, no ajv, and the response validator only
// behind a dynamic import. Then the bundle runs inside edge-runtime.
import { readFileSync } from "node:fs";
import { builtinModules, isBuiltin } from "node:module";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { EdgeRuntime } from "edge-runtime";
import { beforeAll, describe, expect, it } from "vitest";
import {
  LAZY_CONTRACT_IMPORT,
  REPO_ROOT,
  contractImports,
  coreBuildOptions,
  forbiddenImports,
} from "../../scripts/core-bundle.js";

type BuildResult = esbuild.BuildResult<{ metafile: true; write: false }>;

const build = (options: esbuild.BuildOptions) =>
  esbuild.build({ ...coreBuildOptions(), ...options, metafile: true, write: false });

describe("core bundle (platform neutral, esm)", () => {
  let result: BuildResult;
  beforeAll(async () => {
    result = await build({});
  });

  it("has no Node built-in and no ajv in its static import graph", () => {
    expect(result.errors).toEqual([]);
    expect(forbiddenImports(result.metafile)).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain("src/core/client.ts");
    expect(inputs.some((path) => path.includes("node_modules/openapi-fetch/"))).toBe(true);
    // From generated/ only the endpoint table (derived from the spec's x-client-method) and the status
    // callback families (from spec/webhooks.yaml) are runtime code; the generated types module and the
    // JSON spec stay out.
    expect(inputs.filter((path) => path.startsWith("generated/")).sort()).toEqual([
      "generated/callbacks.ts",
      "generated/endpoints.ts",
    ]);
  });

  it("leaves the contract validator out even with default bundler settings (regression: a literal import pulled in ajv and the spec)", () => {
    expect(contractImports(result.metafile)).toEqual([]);
    expect(
      Object.keys(result.metafile.inputs).filter((path) =>
        /src\/contract\/|openapi\.json|node_modules\/ajv/.test(path),
      ),
    ).toEqual([]);
    const [output] = Object.values(result.metafile.outputs);
    expect(output?.imports).toEqual([]);
    // The specifier is still there for unbundled runtimes to load on first use.
    expect(result.outputFiles[0]!.text).toContain(LAZY_CONTRACT_IMPORT);
  });

  it("the check itself catches a Node built-in, ajv, or a static contract import", async () => {
    const probe = await build({
      entryPoints: undefined,
      external: [...(coreBuildOptions().external ?? []), LAZY_CONTRACT_IMPORT],
      stdin: {
        contents: [
          `import { createHmac } from "node:crypto";`,
          `import { readFileSync } from "fs";`,
          `import Ajv from "ajv";`,
          `import { defaultContractValidator } from "${LAZY_CONTRACT_IMPORT}";`,
          `export const all = [createHmac, readFileSync, Ajv, defaultContractValidator];`,
        ].join("\n"),
        resolveDir: "src",
        sourcefile: "src/probe.ts",
        loader: "ts",
      },
    });
    expect(forbiddenImports(probe.metafile).map((edge) => edge.path)).toEqual([
      "node:crypto",
      "fs",
      "ajv",
      LAZY_CONTRACT_IMPORT,
    ]);
  });
});

describe("core bundle in a Workers-like runtime (edge-runtime: no process, no require)", () => {
  let runtime: EdgeRuntime;
  beforeAll(async () => {
    const iife = await build({ format: "iife", globalName: "TwilioVideo" });
    runtime = new EdgeRuntime();
    runtime.evaluate(iife.outputFiles[0]!.text);
  });

  /** Runs an async function body inside the VM; its JSON-serialisable result comes back to the test. */
  async function inVm<T>(body: string): Promise<T> {
    const text = await (runtime.evaluate(
      `(async () => JSON.stringify(await (async () => { ${body} })()))()`,
    ) as Promise<string>);
    return JSON.parse(text) as T;
  }

  it("is a runtime without Node globals", async () => {
    const globals = await inVm<Record<string, string>>(
      `return { process: typeof process, require: typeof require, Buffer: typeof Buffer, fetch: typeof fetch, subtle: typeof crypto.subtle, client: typeof TwilioVideo.createVideoClient };`,
    );
    expect(globals).toEqual({
      process: "undefined",
      require: "undefined",
      Buffer: "undefined",
      fetch: "function",
      subtle: "object",
      client: "function",
    });
  });

  it("creates a client with an injected fetch: rooms.get, rooms.create, a typed 404", async () => {
    const result = await inVm<{
      got: { sid: string; unique_name: string };
      created: { sid: string; type: string };
      calls: Array<{
        method: string;
        url: string;
        authorization: string | null;
        contentType: string | null;
        userAgent: string | null;
        body: string;
      }>;
      expectedAuthorization: string;
      error: Record<string, unknown>;
    }>(`
      const SID = "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c";
      const KEY = "SK0123456789abcdef0123456789abcdef";
      const room = { sid: SID, unique_name: "standup", type: "group", status: "in-progress" };
      const calls = [];
      const fetch = async (input, init) => {
        const request = new Request(input, init);
        const url = new URL(request.url);
        calls.push({
          method: request.method,
          url: request.url,
          authorization: request.headers.get("authorization"),
          contentType: request.headers.get("content-type"),
          userAgent: request.headers.get("user-agent"),
          body: await request.text(),
        });
        const reply = (status, body) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "twilio-request-id": "RQ" + calls.length } });
        if (url.pathname === "/v1/Rooms/" + SID) return reply(200, room);
        if (url.pathname === "/v1/Rooms" && request.method === "POST") return reply(201, { ...room, type: "group-small" });
        return reply(404, { code: 20404, message: "The requested resource was not found", more_info: "https://www.twilio.com/docs/errors/20404", status: 404 });
      };
      const video = TwilioVideo.createVideoClient({ apiKeySid: KEY, apiKeySecret: "s3cret", fetch, maxRetries: 0 });
      const got = await video.rooms.get(SID);
      const created = await video.rooms.create({ UniqueName: "standup", Type: "group-small", VideoCodecs: ["VP8", "H264"], RecordParticipantsOnConnect: true });
      let error;
      try {
        await video.rooms.get("RM00000000000000000000000000000000");
      } catch (e) {
        error = {
          isApiError: e instanceof TwilioVideo.TwilioApiError,
          isVideoError: e instanceof TwilioVideo.TwilioVideoError,
          name: e.name, kind: e.kind, status: e.status, code: e.code, requestId: e.requestId, method: e.method,
        };
      }
      return { got, created, calls, error, expectedAuthorization: "Basic " + btoa(KEY + ":s3cret") };
    `);

    expect(result.got).toMatchObject({ sid: "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c", unique_name: "standup" });
    expect(result.created).toMatchObject({ type: "group-small" });
    expect(result.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      "GET https://video.twilio.com/v1/Rooms/RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c",
      "POST https://video.twilio.com/v1/Rooms",
      "GET https://video.twilio.com/v1/Rooms/RM00000000000000000000000000000000",
    ]);
    for (const call of result.calls) {
      expect(call.authorization).toBe(result.expectedAuthorization);
      expect(call.authorization).toBe(
        `Basic ${Buffer.from("SK0123456789abcdef0123456789abcdef:s3cret").toString("base64")}`,
      );
      // No `process` here, so the runtime shows up as plain "fetch".
      expect(call.userAgent).toMatch(/^twilio-video-ts\/\S+ \(fetch\)$/);
    }
    const post = result.calls[1]!;
    expect(post.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect([...new URLSearchParams(post.body)]).toEqual([
      ["UniqueName", "standup"],
      ["Type", "group-small"],
      ["VideoCodecs", "VP8"],
      ["VideoCodecs", "H264"],
      ["RecordParticipantsOnConnect", "true"],
    ]);
    expect(result.calls[0]!.body).toBe("");
    expect(result.error).toEqual({
      isApiError: true,
      isVideoError: true,
      name: "TwilioApiError",
      kind: "api",
      status: 404,
      code: 20404,
      requestId: "RQ3",
      method: "GET",
    });
  });

  it("without credentials and without process.env, fails with a TwilioConfigError", async () => {
    const error = await inVm<{ name: string; message: string }>(`
      try { TwilioVideo.createVideoClient({ fetch: async () => new Response("{}") }); return null; }
      catch (e) { return { name: e.name, message: e.message }; }
    `);
    expect(error).toMatchObject({
      name: "TwilioConfigError",
      message: expect.stringMatching(/^No Twilio credentials/),
    });
  });

  it("computes Twilio's published signature vector with Web Crypto", async () => {
    const signature = await inVm<string>(`
      return TwilioVideo.computeSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", {
        CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212",
      });
    `);
    expect(signature).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  });
});

// Every entry point of package.json "exports" that is not Node-only must bundle for Workers
// (regression: the lazy `import("./proxy.js")` of twilio-video-ts/contract pulled node:http,
// node:fs and node:crypto into Workers bundles). An entry added later is checked unless it is
// listed here, with the reason it may use Node.
const NODE_ONLY_ENTRIES: Record<string, string> = {
  "./node": "the client over node:http",
  "./node/handler": "status callbacks on node:http's request and response",
  "./emulator": "an HTTP server (node:http)",
  "./contract/node": "the live proxy (node:http, node:fs)",
};
/** What esbuild adds to custom conditions for `import` statements (never "module", "node" or "require"). */
const WORKER_CONDITIONS = ["workerd", "worker", "browser", "import", "default"];

type Target = string | null | { [condition: string]: Target };
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  exports: Record<string, Target>;
};

/** Node's PACKAGE_TARGET_RESOLVE for a string or a conditions object (first matching key in order), without arrays. */
function resolveTarget(target: Target, conditions: string[]): string | undefined {
  if (typeof target === "string") return target;
  if (target === null) return undefined;
  for (const [condition, value] of Object.entries(target)) {
    if (!conditions.includes(condition)) continue;
    const resolved = resolveTarget(value, conditions);
    if (resolved !== undefined) return resolved;
  }
  return undefined;
}

/** `./dist/src/contract/index.js` → `src/contract/index.ts`: the source the build compiles to that file. */
const sourceOf = (target: string) => target.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts");

/** Every Node built-in the bundle would import at run time, in any way (static, dynamic or require), or bundled as a file. */
function nodeImports(metafile: esbuild.Metafile): string[] {
  const found: string[] = [];
  for (const [from, input] of Object.entries(metafile.inputs)) {
    if (isBuiltin(from)) found.push(`(bundled) ${from}`);
    for (const edge of input.imports)
      if (edge.path.startsWith("node:") || isBuiltin(edge.path)) found.push(`${from} -> ${edge.path} (${edge.kind})`);
  }
  return found;
}

const workersBuild = (options: esbuild.BuildOptions): Promise<esbuild.BuildResult<{ metafile: true; write: false }>> =>
  esbuild.build({
    ...coreBuildOptions(),
    // Only Node's modules are kept out, so that each one shows up in the metafile; ajv may be bundled.
    external: ["node:*", ...builtinModules, ...builtinModules.map((name) => `${name}/*`)],
    ...options,
    metafile: true,
    write: false,
  });

describe("every non-Node entry point bundles for Workers (platform neutral, conditions workerd / worker / browser)", () => {
  const codeEntries = Object.keys(manifest.exports).filter((key) => !key.endsWith(".json") && key !== "./package.json");

  it("the Node-only list names real entry points, and leaves some to check", () => {
    expect(Object.keys(NODE_ONLY_ENTRIES).filter((key) => !codeEntries.includes(key))).toEqual([]);
    expect(codeEntries.filter((key) => !(key in NODE_ONLY_ENTRIES))).toEqual(
      expect.arrayContaining([".", "./contract"]),
    );
  });

  it("resolves an entry the way a Workers bundler does: never through the node or module condition", () => {
    expect(resolveTarget({ types: "t", module: "m", node: "n", default: "d" }, WORKER_CONDITIONS)).toBe("d");
    expect(resolveTarget({ worker: { import: "w" }, default: "d" }, WORKER_CONDITIONS)).toBe("w");
    expect(resolveTarget(manifest.exports["./contract"]!, WORKER_CONDITIONS)).toBe("./dist/src/contract/index.js");
  });

  const checked = codeEntries.filter((key) => !(key in NODE_ONLY_ENTRIES));
  it.each(checked)(
    "%s",
    async (key) => {
      const target = resolveTarget(manifest.exports[key]!, WORKER_CONDITIONS);
      expect(target, `${key} has no target for ${WORKER_CONDITIONS.join(", ")}`).toBeDefined();
      const result = await workersBuild({ entryPoints: [sourceOf(target!)] });
      expect(result.errors).toEqual([]);
      expect(nodeImports(result.metafile)).toEqual([]);
    },
    60_000,
  );

  it("the check catches a Node built-in behind a lazy import (the regression's shape) and a bare built-in", async () => {
    const probe = await workersBuild({
      entryPoints: undefined,
      stdin: {
        contents: [
          `export async function later() { return (await import("node:http")).createServer; }`,
          `import { readFileSync } from "fs";`,
          `export const now = readFileSync;`,
        ].join("\n"),
        resolveDir: "src",
        sourcefile: "src/probe.ts",
        loader: "ts",
      },
    });
    expect(nodeImports(probe.metafile).sort()).toEqual([
      "src/src/probe.ts -> fs (import-statement)",
      "src/src/probe.ts -> node:http (dynamic-import)",
    ]);
  });
});
