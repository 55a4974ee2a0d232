/**
 * The `twilio-video-emulator` bin from another language's point of view: a
 * separate process, started from its entry point, read through its one JSON
 * line, driven with plain HTTP only (fetch and node:net, as curl or Python's
 * requests would), stopped with a signal, its port free afterwards. Also
 * `npm run emulator`, which used to leave an orphaned listener after SIGTERM.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { connect, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenFailure, parseEmulatorArgs } from "../../src/emulator/cli.js";
import { DEFAULT_ACCOUNT_SID, DEFAULT_CREDENTIALS } from "../../src/emulator/index.js";

const root = resolve(import.meta.dirname, "..", "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
// No Twilio credentials or Node options of the developer's shell reach the children.
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(TWILIO_|NODE_OPTIONS$)/.test(name)),
);

interface Ready {
  url: string;
  mediaUrl: string;
  controlUrl: string;
  accountSid: string;
  apiKeySid: string;
  apiKeySecret: string;
  authToken: string;
  clock: string;
  pid: number;
}

/** Resolves with the first stdout line that is a JSON object (npm prints its own banner lines first). */
function readyLine(child: ChildProcess, timeoutMs = 30_000): Promise<Ready> {
  return new Promise((resolveReady, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () => reject(new Error(`no JSON line within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`)),
      timeoutMs,
    );
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{") && out.includes(`${l}\n`));
      if (line) {
        clearTimeout(timer);
        resolveReady(JSON.parse(line) as Ready);
      }
    });
    child.on("close", (code) =>
      reject(new Error(`exited ${code} before its JSON line\nstdout: ${out}\nstderr: ${err}`)),
    );
  });
}

// "exit", not "close": an orphaned grandchild would hold the stdio pipes open.
const exitOf = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => done({ code, signal }));
  });

/** true when nothing accepts connections on the URL's port. */
function portFree(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      done(false);
    });
    socket.once("error", () => done(true));
  });
}

const processGone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function runToEnd(args: string[], cwd = root): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd, env: cleanEnv, timeout: 30_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

// ---------------------------------------------------------------- the bin

// The bin's entry point run from source, in its own process: the code `npm run build` compiles to
// dist/scripts/emulator.js (test/packaging checks that file exists after the build). Not rebuilt
// here: a second full tsc build per test run costs more than it proves on a shared machine.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const binArgs = (entry = join(root, "scripts/emulator.ts")) => ["--import", tsxLoader, entry];
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "twilio-video-emulator-bin-"));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("package.json", () => {
  it("ships the twilio-video-emulator bin from the build of scripts/emulator.ts, which has a node shebang", () => {
    expect(manifest.bin["twilio-video-emulator"]).toBe("./dist/scripts/emulator.js");
    const build = JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8")) as {
      compilerOptions: { outDir: string; rootDir: string };
      include: string[];
    };
    expect(build.compilerOptions).toMatchObject({ outDir: "dist", rootDir: "." });
    expect(build.include).toContain("scripts/emulator.ts");
    expect(readFileSync(join(root, "scripts/emulator.ts"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("npm run emulator runs the same entry point, in one process (no wrapper that could be orphaned)", () => {
    expect(manifest.scripts.emulator).toBe("node --import tsx scripts/emulator.ts");
    expect(readFileSync(join(root, "scripts/emulator.ts"), "utf8")).toContain('import "../src/emulator/bin.js";');
  });
});

describe("the bin, driven with plain HTTP", () => {
  it("creates a room with a Basic-auth form POST, connects a participant through the control API, reads it back, stops on SIGTERM and frees its port", async () => {
    const child = spawn(process.execPath, [...binArgs(), "--port", "0", "--json", "--clock", "manual"], {
      cwd: scratch,
      env: cleanEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const ready = await readyLine(child);
      expect(ready).toMatchObject({
        accountSid: DEFAULT_ACCOUNT_SID,
        ...DEFAULT_CREDENTIALS,
        clock: "manual",
        pid: child.pid,
        controlUrl: `${ready.url}/_emulator`,
      });
      expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const auth = basic(ready.apiKeySid, ready.apiKeySecret);

      const created = await fetch(`${ready.url}/v1/Rooms`, {
        method: "POST",
        headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded" },
        body: "UniqueName=standup&Type=group",
      });
      expect(created.status).toBe(201);
      const room = (await created.json()) as { sid: string; unique_name: string; status: string };
      expect(room).toMatchObject({ unique_name: "standup", status: "in-progress" });

      const joined = await fetch(`${ready.controlUrl}/rooms/${room.sid}/participants`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ identity: "alice" }),
      });
      expect(joined.status).toBe(201);
      const alice = (await joined.json()) as { sid: string; identity: string; status: string };
      expect(alice).toMatchObject({ identity: "alice", status: "connected" });

      const readBack = await fetch(`${ready.url}/v1/Rooms/${room.sid}/Participants/${alice.sid}`, {
        headers: { Authorization: auth },
      });
      expect(readBack.status).toBe(200);
      expect(await readBack.json()).toMatchObject({
        sid: alice.sid,
        identity: "alice",
        status: "connected",
        room_sid: room.sid,
      });
      // The account SID with the auth token is accepted too; a wrong secret is not.
      expect(
        (await fetch(`${ready.url}/v1/Rooms`, { headers: { Authorization: basic(ready.accountSid, ready.authToken) } }))
          .status,
      ).toBe(200);
      expect(
        (await fetch(`${ready.url}/v1/Rooms`, { headers: { Authorization: basic(ready.apiKeySid, "wrong") } })).status,
      ).toBe(401);

      child.kill("SIGTERM");
      expect(await exitOf(child)).toEqual({ code: 0, signal: null });
      expect(await portFree(ready.url)).toBe(true);
      expect(await portFree(ready.mediaUrl)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("takes the credentials it is given, and stops on SIGINT", async () => {
    const child = spawn(
      process.execPath,
      [
        ...binArgs(),
        "--json",
        "--api-key-sid",
        "SK11111111111111111111111111111111",
        "--api-key-secret",
        "s3cret",
        "--start-time",
        "2025-01-01T00:00:00Z",
        "--clock",
        "manual",
      ],
      {
        cwd: scratch,
        env: cleanEnv,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      const ready = await readyLine(child);
      expect(ready).toMatchObject({ apiKeySid: "SK11111111111111111111111111111111", apiKeySecret: "s3cret" });
      expect(
        (
          await fetch(`${ready.url}/v1/Rooms`, {
            headers: { Authorization: basic("SK11111111111111111111111111111111", "s3cret") },
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await fetch(`${ready.url}/v1/Rooms`, {
            headers: { Authorization: basic(DEFAULT_CREDENTIALS.apiKeySid, DEFAULT_CREDENTIALS.apiKeySecret) },
          })
        ).status,
      ).toBe(401);
      expect(await (await fetch(`${ready.controlUrl}/clock`)).json()).toMatchObject({
        now: "2025-01-01T00:00:00Z",
        mode: "manual",
      });
      child.kill("SIGINT");
      expect(await exitOf(child)).toEqual({ code: 0, signal: null });
      expect(await portFree(ready.url)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("--help prints the usage and exits 0; an unknown flag is one line and exit 2", async () => {
    const help = await runToEnd([...binArgs(), "--help"], scratch);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: twilio-video-emulator/);
    for (const flag of ["--host", "--port", "--clock", "--api-key-sid", "--api-key-secret", "--json"])
      expect(help.stdout).toContain(flag);

    const unknown = await runToEnd([...binArgs(), "--prot", "4010"], scratch);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^twilio-video-emulator: Unknown option '--prot'/),
    ]);
    expect(unknown.stdout).toBe("");
  });

  it("a port in use is one clear line and exit 1, not an EADDRINUSE stack", async () => {
    const squatter = createServer();
    await new Promise<void>((done) => squatter.listen(0, "127.0.0.1", done));
    const port = (squatter.address() as AddressInfo).port;
    try {
      const { code, stdout, stderr } = await runToEnd([...binArgs(), "--port", String(port)], scratch);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr.trim().split("\n")).toEqual([
        `twilio-video-emulator: 127.0.0.1:${port} is already in use: stop what listens there, or choose another --port/--media-port (0 picks a free one)`,
      ]);
    } finally {
      await new Promise((done) => squatter.close(done));
    }
  });
});

describe("the bin without the optional ajv peer", () => {
  it("still answers --help, and says what to install instead of starting", async () => {
    // A copy of the sources in a folder with no node_modules (Node resolves packages from a
    // module's real path, so a symlink would still find the repository's ajv).
    const bare = mkdtempSync(join(scratch, "noajv-"));
    for (const dir of ["src", "generated"]) cpSync(join(root, dir), join(bare, dir), { recursive: true });
    cpSync(join(root, "scripts/emulator.ts"), join(bare, "scripts/emulator.ts"));
    cpSync(join(root, "package.json"), join(bare, "package.json"));
    const entry = join(bare, "scripts/emulator.ts");
    const help = await runToEnd([...binArgs(entry), "--help"], bare);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: twilio-video-emulator/);
    const start = await runToEnd([...binArgs(entry), "--port", "0"], bare);
    expect(start.code).toBe(2);
    expect(start.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^twilio-video-emulator needs ajv(-formats)?: npm install --save-dev ajv ajv-formats/),
    ]);
  });
});

// ---------------------------------------------------------------- npm run emulator

describe("npm run emulator", () => {
  it("SIGTERM to npm leaves no orphaned listener: the emulator exits and its ports are free", async () => {
    const npm = spawn("npm", ["run", "--silent", "emulator", "--", "--port", "0", "--json"], {
      cwd: root,
      env: cleanEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let ready: Ready | undefined;
    try {
      const started = await readyLine(npm);
      ready = started;
      expect(started.pid).not.toBe(npm.pid);
      expect((await fetch(`${started.controlUrl}/clock`)).status).toBe(200);
      npm.kill("SIGTERM");
      await exitOf(npm);
      await eventually(() => processGone(started.pid), `emulator process ${started.pid} did not exit`);
      expect(await portFree(started.url)).toBe(true);
      expect(await portFree(started.mediaUrl)).toBe(true);
    } finally {
      if (npm.exitCode === null) npm.kill("SIGKILL");
      // Should this test fail, it leaves no orphan behind either.
      if (ready && !processGone(ready.pid)) process.kill(ready.pid, "SIGKILL");
    }
  }, 60_000);
});

// ---------------------------------------------------------------- arguments, in process

describe("parseEmulatorArgs", () => {
  it("defaults: loopback, free ports, real clock, the documented credentials, callbacks on", () => {
    expect(parseEmulatorArgs([])).toEqual({
      kind: "run",
      json: false,
      options: {
        host: "127.0.0.1",
        port: 0,
        mediaPort: 0,
        clock: { mode: "real" },
        accountSid: DEFAULT_ACCOUNT_SID,
        credentials: { ...DEFAULT_CREDENTIALS },
        statusCallbacks: true,
      },
    });
  });

  it("reads every option", () => {
    const parsed = parseEmulatorArgs([
      "--host",
      "::1",
      "--port",
      "4010",
      "--media-port",
      "4011",
      "--clock",
      "manual",
      "--start-time",
      "2025-06-01T12:00:00Z",
      "--account-sid",
      "AC22222222222222222222222222222222",
      "--api-key-sid",
      "SKx",
      "--api-key-secret",
      "sec",
      "--auth-token",
      "tok",
      "--no-callbacks",
      "--json",
    ]);
    expect(parsed).toEqual({
      kind: "run",
      json: true,
      options: {
        host: "::1",
        port: 4010,
        mediaPort: 4011,
        clock: { mode: "manual", start: Date.parse("2025-06-01T12:00:00Z") },
        accountSid: "AC22222222222222222222222222222222",
        credentials: { apiKeySid: "SKx", apiKeySecret: "sec", authToken: "tok" },
        statusCallbacks: false,
      },
    });
    expect(parseEmulatorArgs(["-h"])).toEqual({ kind: "help" });
  });

  it("--recordings-dir: an existing folder, resolved against the working directory", () => {
    const parsed = parseEmulatorArgs(["--recordings-dir", "test"]);
    expect(parsed.kind === "run" && parsed.options.recordingsDir).toBe(resolve("test"));
    expect(
      parseEmulatorArgs([]).kind === "run" && "recordingsDir" in (parseEmulatorArgs([]) as { options: object }).options,
    ).toBe(false);
  });

  it("refuses bad values with one line naming the flag", () => {
    const cases: Array<[string[], RegExp]> = [
      [["--port", "http"], /^--port must be a port number/],
      [["--port", "65536"], /^--port must be a port number/],
      [["--port", "-1"], /--port/],
      [["--media-port", "1.5"], /^--media-port must be a port number/],
      [["--clock", "sideways"], /^--clock must be real or manual/],
      [["--start-time", "yesterday"], /^--start-time must be an ISO 8601 date/],
      [["--account-sid", "AC123"], /^--account-sid must be AC followed by 32 hex digits/],
      [["--api-key-secret", ""], /^--api-key-secret must be a non-empty string/],
      [["--api-key-sid", "SK:1"], /^--api-key-sid must be a non-empty string without ':'/],
      [["--host", ""], /^--host must not be empty/],
      [["--recordings-dir", ""], /^--recordings-dir must not be empty/],
      [["--recordings-dir", "no/such/folder"], /^--recordings-dir no\/such\/folder is not an existing folder/],
      [["--recordings-dir", "package.json"], /^--recordings-dir package\.json is not an existing folder/],
      [["--json=yes"], /json/],
      [["positional"], /positional/],
    ];
    for (const [argv, message] of cases) {
      const parsed = parseEmulatorArgs(argv);
      expect(parsed.kind, argv.join(" ")).toBe("error");
      expect((parsed as { message: string }).message, argv.join(" ")).toMatch(message);
      expect((parsed as { message: string }).message).not.toContain("\n");
    }
  });
});

describe("listenFailure", () => {
  it("puts the usual listen errors in words", () => {
    const error = (code: string) =>
      Object.assign(new Error(`listen ${code}`), { code, address: "127.0.0.1", port: 80 });
    expect(listenFailure(error("EACCES"), "127.0.0.1")).toBe(
      "not permitted to listen on 127.0.0.1:80 (ports below 1024 need privileges)",
    );
    expect(listenFailure(error("EADDRNOTAVAIL"), "10.9.9.9")).toBe("--host 10.9.9.9 is not an address of this machine");
    expect(listenFailure(error("ENOTFOUND"), "nowhere.invalid")).toBe(
      "--host nowhere.invalid does not resolve to an address",
    );
    expect(listenFailure(error("EOTHER"), "127.0.0.1")).toBe("cannot start: listen EOTHER");
  });
});
