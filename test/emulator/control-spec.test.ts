/**
 * spec/emulator-control.yaml describes the control API exactly: every route
 * src/emulator/control.ts serves is in it and nothing else (the list is read
 * from the code), the real answers validate against it, it stays out of the
 * Twilio API's bundle, and docs/emulator-control.md has a curl example for
 * every operation that runs as written (and so do the README's).
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { USAGE } from "../../src/emulator/cli.js";
import { CONTROL_ROUTES } from "../../src/emulator/control.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import {
  at,
  deref,
  describeErrors,
  documentValidator,
  escapeToken,
  isObject,
  type JsonObject,
} from "../spec/helpers.js";
import { basic, startReceiver } from "./helpers.js";

const root = resolve(import.meta.dirname, "..", "..");
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(TWILIO_|NODE_OPTIONS$)/.test(name)),
);
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

interface SpecOperation {
  operationId: string;
  method: string;
  path: string;
  pattern: RegExp;
}

let scratch: string;
let doc: JsonObject;
let operations: SpecOperation[];
let validate: ReturnType<typeof documentValidator>;

beforeAll(async () => {
  // Bundled with the Redocly CLI, as a user generating a client would: proves the
  // references into spec/ resolve, and gives ajv one self-contained document.
  scratch = mkdtempSync(join(tmpdir(), "twilio-video-control-spec-"));
  const out = join(scratch, "emulator-control.json");
  await new Promise<void>((done, fail) =>
    execFile(
      join(root, "node_modules", ".bin", "redocly"),
      ["bundle", "spec/emulator-control.yaml", "--config", "spec/redocly.yaml", "--ext", "json", "--output", out],
      {
        cwd: root,
        env: { ...cleanEnv, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
        timeout: 60_000,
      },
      (error, _stdout, stderr) => (error ? fail(new Error(`redocly bundle failed: ${stderr}`)) : done()),
    ),
  );
  doc = JSON.parse(readFileSync(out, "utf8")) as JsonObject;
  validate = documentValidator(doc);
  operations = [];
  for (const [path, item] of Object.entries(doc.paths as JsonObject)) {
    for (const method of METHODS) {
      const op = (item as JsonObject)[method];
      if (!isObject(op)) continue;
      const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      operations.push({ operationId: String(op.operationId), method: method.toUpperCase(), path, pattern });
    }
  }
}, 90_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function operationFor(method: string, path: string): SpecOperation | undefined {
  return operations.find((op) => op.method === method && op.pattern.test(path));
}

/** The routes control.ts dispatches, the keys of its route table (`rooms/:room` written `rooms/:id`). */
function codeRoutes(): string[] {
  return Object.keys(CONTROL_ROUTES)
    .map((key) => key.replace(/:[a-z]+/g, ":id"))
    .sort();
}

/** A spec operation in control.ts's route notation: `/_emulator/rooms/{room}/participants` → `rooms/:id/participants`. */
const asCodeRoute = (op: SpecOperation) =>
  `${op.method} ${op.path.replace(/^\/_emulator\/?/, "").replace(/\{[^}]+\}/g, ":id")}`;

describe("the control spec and the code", () => {
  it("has the routes control.ts serves, and no other", () => {
    const fromCode = codeRoutes();
    expect(fromCode.length).toBeGreaterThanOrEqual(17);
    const specRoutes = operations.map(asCodeRoute).sort();
    expect(
      {
        servedButNotInSpec: fromCode.filter((r) => !specRoutes.includes(r)),
        inSpecButNotServed: specRoutes.filter((r) => !fromCode.includes(r)),
      },
      "add a route served by control.ts to spec/emulator-control.yaml (and a curl example to docs/emulator-control.md)",
    ).toEqual({ servedButNotInSpec: [], inSpecButNotServed: [] });
  });

  it("names path parameters after the collection before them (rooms/{room}, participants/{participant}, tracks/{track})", () => {
    for (const op of operations) {
      for (const m of op.path.matchAll(/\/([a-z]+)s\/\{([a-z]+)\}/g)) expect(m[2], op.path).toBe(m[1]);
    }
  });

  it("stays out of generated/openapi.json (that is the Twilio API only)", () => {
    const bundled = readFileSync(join(root, "generated/openapi.json"), "utf8");
    expect(bundled).not.toContain("/_emulator");
    expect(bundled).not.toContain("emulator-control");
  });

  it("is linted with the Twilio spec's rules (an API of spec/redocly.yaml)", () => {
    expect(readFileSync(join(root, "spec/redocly.yaml"), "utf8")).toMatch(
      /^ {2}emulator-control@v1:\n {4}root: \.\/emulator-control\.yaml$/m,
    );
    // npm run lint:spec lints every API of that config (through the banner-filtering wrapper).
    expect(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts["lint:spec"]).toBe(
      "tsx scripts/redocly.ts lint",
    );
    expect(readFileSync(join(root, "scripts/redocly.ts"), "utf8")).toContain(
      'lint: ["lint", "--config", "spec/redocly.yaml"]',
    );
  });
});

// ---------------------------------------------------------------- live answers

describe("answers of the real control API validate against the spec", () => {
  let emulator: Emulator;
  /** Started without a recordings folder: traffic/write is refused. */
  let closed: Emulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const seen = new Map<string, Set<number>>();

  beforeAll(async () => {
    emulator = await startEmulator({
      clock: { mode: "manual", start: "2025-01-01T00:00:00Z" },
      recordingsDir: scratch,
      maxBodyBytes: 4096,
    });
    closed = await startEmulator({ clock: "manual" });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await emulator?.stop();
    await closed?.stop();
    await receiver?.close();
  });

  /** Calls the control API and checks the answer against the operation's documented response. */
  async function call(
    method: string,
    path: string,
    body?: unknown,
    init: { headers?: Record<string, string>; on?: Emulator } = {},
  ): Promise<{ status: number; json: unknown }> {
    const raw = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const headers = { ...(raw !== undefined ? { "Content-Type": "application/json" } : {}), ...init.headers };
    const response = await fetch(`${(init.on ?? emulator).url}/_emulator${path}`, {
      method,
      headers,
      ...(raw !== undefined ? { body: raw } : {}),
    });
    const text = await response.text();
    const op = operationFor(method, new URL(`${emulator.url}/_emulator${path}`).pathname);
    expect(op, `${method} ${path} is in the spec`).toBeDefined();
    const ptr = `/paths/${escapeToken(op!.path)}/${method.toLowerCase()}/responses/${response.status}`;
    const declared = deref(doc, at(doc, ptr), ptr);
    expect(declared.node, `${op!.operationId} documents status ${response.status} (${text})`).toBeDefined();
    if (!seen.has(op!.operationId)) seen.set(op!.operationId, new Set());
    seen.get(op!.operationId)!.add(response.status);
    const content = (declared.node as JsonObject).content;
    if (!isObject(content)) {
      expect(text, `${op!.operationId} ${response.status} has no body`).toBe("");
      return { status: response.status, json: undefined };
    }
    expect(response.headers.get("content-type")).toBe("application/json");
    const json = JSON.parse(text) as unknown;
    const errors = validate.errorsOf(`${declared.ptr}/content/application~1json/schema`, json);
    expect(errors, `${op!.operationId} ${response.status}: ${describeErrors(errors)}\n${text}`).toEqual([]);
    return { status: response.status, json };
  }

  it("for every operation, on success and on the documented errors", async () => {
    expect((await call("GET", "")).status).toBe(200);
    expect((await call("GET", "/state")).status).toBe(200);
    const created = await fetch(`${emulator.url}/v1/Rooms`, {
      method: "POST",
      headers: {
        Authorization: basic(emulator.credentials.apiKeySid, emulator.credentials.apiKeySecret),
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ UniqueName: "spec-room", StatusCallback: `${receiver.url}/events` }).toString(),
    });
    expect(created.status).toBe(201);

    expect((await call("POST", "/rooms/spec-room/participants", { identity: "alice" })).status).toBe(201);
    // The hardened control API's refusals, on any route.
    expect(
      (
        await call(
          "POST",
          "/rooms/spec-room/participants",
          { identity: "eve" },
          { headers: { Origin: "https://evil.example" } },
        )
      ).status,
    ).toBe(403);
    expect((await call("POST", "/reset", "{}", { headers: { "Content-Type": "text/plain" } })).status).toBe(415);
    expect((await call("POST", "/rooms/spec-room/participants", { identity: "x".repeat(5000) })).status).toBe(413);

    // Tokens minted by the emulator, and joins with them.
    const minted = (await call("POST", "/tokens", { identity: "tok", room: "spec-room", ttl: 600 })).json as {
      token: string;
    };
    const joined = (await call("POST", "/connect", { token: minted.token })).json as {
      identity: string;
      status: string;
    };
    expect(joined).toMatchObject({ identity: "tok", status: "connected" });
    expect((await call("POST", "/tokens", { identity: "" })).status).toBe(400);
    expect((await call("POST", "/tokens", { identity: "tok", ttl: 86_401 })).status).toBe(400);
    expect((await call("POST", "/connect", {})).status).toBe(400);
    expect(((await call("POST", "/connect", { token: "not-a-jwt" })).json as { code: number }).code).toBe(20101);
    expect(
      ((await call("POST", "/connect", { token: minted.token, room: "another-room" })).json as { code: number }).code,
    ).toBe(20106);
    const anyRoom = (await call("POST", "/tokens", { identity: "roamer" })).json as { token: string };
    expect(
      (
        (await call("POST", "/connect", { token: anyRoom.token, room: "RM00000000000000000000000000000000" })).json as {
          code: number;
        }
      ).code,
    ).toBe(53106);
    expect((await call("POST", "/connect", { token: anyRoom.token, room: "spec-room" })).status).toBe(201);
    expect((await call("POST", "/rooms/spec-room/participants", {})).status).toBe(400);
    expect((await call("POST", "/rooms/nowhere/participants", { identity: "bob" })).status).toBe(404);
    expect(
      (await call("POST", "/rooms/spec-room/participants/alice/tracks", { kind: "audio", name: "mic" })).status,
    ).toBe(201);
    expect((await call("POST", "/rooms/spec-room/participants/alice/tracks", { kind: "smell" })).status).toBe(400);
    expect((await call("POST", "/rooms/spec-room/participants/alice/tracks/mic", { enabled: false })).status).toBe(200);
    expect((await call("POST", "/rooms/spec-room/participants/alice/tracks/mic", { enabled: "no" })).status).toBe(400);
    expect((await call("DELETE", "/rooms/spec-room/participants/alice/tracks/mic")).status).toBe(204);
    expect((await call("DELETE", "/rooms/spec-room/participants/alice/tracks/absent")).status).toBe(404);
    expect((await call("POST", "/rooms/spec-room/participants/alice/disconnect")).status).toBe(200);
    expect((await call("POST", "/rooms/spec-room/participants/nobody/disconnect", {})).status).toBe(404);

    expect((await call("GET", "/clock")).status).toBe(200);
    expect(((await call("POST", "/clock/advance", { seconds: 30 })).json as { now: string }).now).toBe(
      "2025-01-01T00:00:30Z",
    );
    expect((await call("POST", "/clock/advance", { ms: -1 })).status).toBe(400);
    expect(
      ((await call("POST", "/clock/settle", { maxSteps: 10_000 })).json as { steps: number }).steps,
    ).toBeGreaterThanOrEqual(0);
    expect((await call("POST", "/clock/settle", { maxMs: -1 })).status).toBe(400);

    expect(
      (
        await call("POST", "/faults", {
          kind: "server-error",
          count: 2,
          method: "GET",
          path: "/v1/Compositions",
          status: 503,
          body: "html",
        })
      ).status,
    ).toBe(201);
    expect((await call("POST", "/faults", { kind: "rate-limit", retryAfter: null })).status).toBe(201);
    expect((await call("POST", "/faults", { kind: "gremlin" })).status).toBe(400);
    expect(((await call("GET", "/faults")).json as { faults: unknown[] }).faults).toHaveLength(2);
    expect(((await call("GET", "/state")).json as { faults: unknown[] }).faults).toHaveLength(2);
    expect((await call("DELETE", "/faults")).status).toBe(204);

    expect(((await call("GET", "/traffic")).json as { recordings: unknown[] }).recordings.length).toBeGreaterThan(0);
    // dir is relative to the recordings folder (scratch here), and optional.
    const written = (await call("POST", "/traffic/write", { dir: "written", baseUrl: null })).json as {
      files: string[];
    };
    expect(written.files.length).toBeGreaterThan(0);
    expect(written.files.every((f) => existsSync(f) && f.startsWith(join(realpathSync(scratch), "written")))).toBe(
      true,
    );
    expect(
      ((await call("POST", "/traffic/write", {})).json as { files: string[] }).files.every((f) => existsSync(f)),
    ).toBe(true);
    expect((await call("POST", "/traffic/write", { dir: "../outside" })).status).toBe(400);
    expect((await call("POST", "/traffic/write", { dir: scratch })).status).toBe(400);
    expect((await call("POST", "/traffic/write", {}, { on: closed })).status).toBe(403);
    expect((await call("DELETE", "/traffic")).status).toBe(204);

    await emulator.callbacksSettled();
    const deliveries = ((await call("GET", "/callbacks")).json as { deliveries: Array<{ status?: number }> })
      .deliveries;
    expect(deliveries.length).toBeGreaterThan(3);
    expect(deliveries.every((d) => d.status === 204)).toBe(true);

    expect((await call("POST", "/reset", "{not json")).status).toBe(400);
    expect((await call("POST", "/reset", {})).status).toBe(204);
    expect(((await call("GET", "/state")).json as { rooms: number }).rooms).toBe(0);
  });

  it("exercised every operation of the spec with a success status", () => {
    const succeeded = [...seen]
      .filter(([, statuses]) => [...statuses].some((s) => s >= 200 && s < 300))
      .map(([id]) => id)
      .sort();
    expect(succeeded).toEqual(operations.map((op) => op.operationId).sort());
  });

  it("the validation it relies on rejects a wrong body", () => {
    const ptr = "/paths/~1_emulator~1clock/get/responses/200";
    const response = deref(doc, at(doc, ptr), ptr);
    const schema = `${response.ptr}/content/application~1json/schema`;
    expect(validate.errorsOf(schema, { now: "2025-01-01T00:00:00Z", mode: "manual", pendingTimers: 0 })).toEqual([]);
    expect(validate.errorsOf(schema, { now: "2025-01-01T00:00:00Z", mode: "sideways", pendingTimers: 0 })).not.toEqual(
      [],
    );
    expect(
      validate.errorsOf(schema, { now: "2025-01-01T00:00:00Z", mode: "manual", pendingTimers: 0, extra: 1 }),
    ).not.toEqual([]);
  });
});

// ---------------------------------------------------------------- the curl examples

describe("docs/emulator-control.md", () => {
  const text = readFileSync(join(root, "docs/emulator-control.md"), "utf8");
  const routes = text.slice(text.indexOf("\n## Routes"));
  const examples = [...routes.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());

  /** The method and path a curl command sends; of a pipeline, the last curl's (the one the example shows). */
  function request(example: string): { method: string; path: string } {
    const command = example.split(" | ").at(-1)!;
    const url = /(http:\/\/\S+)/.exec(command)![1]!;
    const method = /-X (\w+)/.exec(command)?.[1] ?? (/ -d /.test(command) ? "POST" : "GET");
    return { method, path: new URL(url).pathname };
  }

  it("shows a curl example for every operation of the control spec", () => {
    expect(
      examples.every(
        (e) => e.startsWith("curl ") && !e.includes("\n") && e.split(" | ").every((c) => c.startsWith("curl ")),
      ),
    ).toBe(true);
    const controlRequests = examples.map(request).filter((r) => r.path.startsWith("/_emulator"));
    expect(
      controlRequests.filter((r) => !operationFor(r.method, r.path)),
      "examples of routes the spec lacks",
    ).toEqual([]);
    const shown = new Set(controlRequests.map((r) => operationFor(r.method, r.path)?.operationId));
    expect([...shown].sort()).toEqual(operations.map((op) => op.operationId).sort());
  });

  it("every curl example runs as written, in order, against the emulator bin", async () => {
    const cwd = mkdtempSync(join(scratch, "bin-"));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const child = spawn(
      process.execPath,
      [
        "--import",
        tsx,
        join(root, "scripts/emulator.ts"),
        "--port",
        "0",
        "--json",
        "--clock",
        "manual",
        "--recordings-dir",
        ".",
      ],
      { cwd, env: cleanEnv, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const ready = await new Promise<{ url: string }>((done, fail) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("\n")) done(JSON.parse(out.slice(0, out.indexOf("\n"))) as { url: string });
        });
        child.on("exit", (code) => fail(new Error(`emulator exited ${code}`)));
      });
      const run = (example: string) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
          execFile(
            "bash",
            ["-c", example.replaceAll("http://127.0.0.1:4010", ready.url)],
            { cwd, env: cleanEnv, timeout: 15_000 },
            (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
          ),
        );
      for (const example of examples) expect(await run(example), example).toMatchObject({ code: 0, stderr: "" });
      // The traffic/write example wrote into the emulator's working directory.
      expect(readdirSync(join(cwd, "recordings"))).toContain("0001-CreateRoom.json");
      // The emulator guide (docs/emulator.md) shows the same kind of commands; they run too (after the reset above).
      const readme = readFileSync(join(root, "docs/emulator.md"), "utf8");
      const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
        .map((m) => m[1]!)
        .find((b) => b.includes("/_emulator/rooms/standup/participants"));
      expect(block).toBeDefined();
      for (const line of block!.trim().split("\n"))
        expect(await run(line), line).toMatchObject({ code: 0, stderr: "" });
    } finally {
      child.kill("SIGTERM");
    }
  }, 60_000);

  it("documents every option of the bin", () => {
    const flags = new Set([...USAGE.matchAll(/(?<![\w-])--[a-z][a-z-]+/g)].map((m) => m[0]));
    expect(flags.size).toBeGreaterThanOrEqual(12);
    for (const flag of flags) expect(text, flag).toContain(flag);
  });
});
