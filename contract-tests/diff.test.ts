/**
 * `diffSpecs` and `twilio-video-conformance diff`: pairs of specs built from
 * generated/openapi.json (deep-cloned, one mutation each) classified for
 * clients, then the CLI end to end as a child process: text, --json,
 * --fail-on, unreadable inputs, git:REF against a temporary repository, and
 * --changelog written once and idempotently.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSpecs, NotOpenApiError, openApiDocument, type SpecChange, type SpecDiff } from "../src/contract/index.js";
import { insertChangelogSection } from "../src/contract/diff-cli.js";

const root = join(import.meta.dirname, "..");
// biome-ignore lint/suspicious/noExplicitAny: the tests mutate deep paths of a parsed document
type Doc = Record<string, any>;
const base = openApiDocument as Doc;
const clone = (): Doc => structuredClone(base);
const mutated = (change: (d: Doc) => void): SpecDiff => {
  const next = clone();
  change(next);
  return diffSpecs(base, next);
};
const only = (diff: SpecDiff, kind: string): SpecChange[] => diff.changes.filter((c) => c.kind === kind);
const schemas = (d: Doc) => d.components.schemas as Doc;

describe("diffSpecs: classification for clients", () => {
  it("identical specs: verdict none, no changes", () => {
    expect(diffSpecs(base, clone())).toEqual({
      verdict: "none",
      changes: [],
      counts: { breaking: 0, nonBreaking: 0, patch: 0 },
    });
  });

  it("an operation removed is breaking (major); one added is minor", () => {
    const removed = mutated((d) => delete d.paths["/v1/Rooms"].get);
    expect(removed.verdict).toBe("major");
    expect(removed.changes).toEqual([
      expect.objectContaining({
        kind: "operation-removed",
        severity: "breaking",
        semver: "major",
        operation: "GET /v1/Rooms",
      }),
    ]);
    const without = clone();
    delete without.paths["/v1/Rooms"].get;
    const added = diffSpecs(without, base);
    expect(added.verdict).toBe("minor");
    expect(added.changes).toEqual([
      expect.objectContaining({
        kind: "operation-added",
        severity: "non-breaking",
        semver: "minor",
        operation: "GET /v1/Rooms",
      }),
    ]);
  });

  it("an optional request field added is minor", () => {
    const diff = mutated((d) => (schemas(d).CreateRoomRequest.properties.Colour = { type: "string" }));
    expect(diff.verdict).toBe("minor");
    expect(diff.changes).toEqual([
      expect.objectContaining({
        kind: "request-field-added",
        semver: "minor",
        operation: "POST /v1/Rooms",
        path: "request.body/Colour",
      }),
    ]);
  });

  it("a request field made required, or a required one added, is major", () => {
    const diff = mutated((d) => (schemas(d).CreateRoomRequest.required = ["UniqueName"]));
    expect(diff.verdict).toBe("major");
    expect(diff.changes).toEqual([
      expect.objectContaining({
        kind: "request-field-now-required",
        severity: "breaking",
        operation: "POST /v1/Rooms",
        path: "request.body/UniqueName",
      }),
    ]);
    const added = mutated((d) => {
      schemas(d).CreateRoomRequest.properties.Colour = { type: "string" };
      schemas(d).CreateRoomRequest.required = ["Colour"];
    });
    expect(only(added, "request-field-added-required")).toHaveLength(1);
    expect(added.verdict).toBe("major");
  });

  it("a request field removed is major", () => {
    const diff = mutated((d) => delete schemas(d).CreateRoomRequest.properties.EnableTurn);
    expect(diff.changes).toEqual([
      expect.objectContaining({ kind: "request-field-removed", semver: "major", path: "request.body/EnableTurn" }),
    ]);
  });

  it("a request enum narrowed is major; widened is minor", () => {
    const values = schemas(base).RoomType.enum as string[];
    const narrowed = mutated((d) => (schemas(d).RoomType.enum = values.slice(1)));
    expect(narrowed.verdict).toBe("major");
    expect(only(narrowed, "request-enum-value-removed")).toEqual([
      expect.objectContaining({ severity: "breaking", operation: "POST /v1/Rooms", path: "request.body/Type" }),
    ]);
    const widened = mutated((d) => schemas(d).RoomType.enum.push("huge"));
    expect(only(widened, "request-enum-value-added").length).toBeGreaterThan(0);
    // RoomType is read back in responses too: there the new value breaks exhaustive switches, still minor.
    expect(widened.verdict).toBe("minor");
  });

  it("a query parameter's enum narrowed is major (parameters are walked too)", () => {
    const diff = mutated((d) => (schemas(d).RoomStatus.enum = ["in-progress"]));
    expect(only(diff, "request-enum-value-removed")).toEqual(
      expect.arrayContaining([expect.objectContaining({ operation: "GET /v1/Rooms", path: "request.query/Status" })]),
    );
    expect(only(diff, "response-enum-value-removed").length).toBeGreaterThan(0);
    expect(diff.verdict).toBe("major");
  });

  it("a request constraint narrowed is major, widened minor", () => {
    const narrowed = mutated((d) => (schemas(d).RoomUniqueName.maxLength = 10));
    expect(only(narrowed, "request-constraint-narrowed")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          operation: "POST /v1/Rooms",
          path: "request.body/UniqueName/maxLength",
          semver: "major",
        }),
      ]),
    );
    const pattern = mutated((d) => (schemas(d).CreateRoomRequest.properties.StatusCallback.pattern = "^https://"));
    expect(pattern.changes).toEqual([
      expect.objectContaining({ kind: "request-constraint-narrowed", path: "request.body/StatusCallback/pattern" }),
    ]);
    const widened = mutated((d) => delete schemas(d).CreateRoomRequest.properties.StatusCallback.format);
    expect(widened.changes).toEqual([expect.objectContaining({ kind: "request-constraint-widened", semver: "minor" })]);
  });

  it("a request type changed is major", () => {
    const diff = mutated((d) => (schemas(d).CreateRoomRequest.properties.MaxParticipants.type = "string"));
    expect(diff.changes).toEqual([
      expect.objectContaining({ kind: "request-type-changed", semver: "major", path: "request.body/MaxParticipants" }),
    ]);
  });

  it("a response field added is minor; removed is major", () => {
    const added = mutated((d) => (schemas(d).Room.properties.colour = { type: "string" }));
    expect(added.verdict).toBe("minor");
    expect(only(added, "response-field-added")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          operation: "GET /v1/Rooms/{Sid}",
          path: "response.200.body/colour",
          semver: "minor",
        }),
      ]),
    );
    // The list page reaches the same schema through its array.
    expect(only(added, "response-field-added").map((c) => c.path)).toContain("response.200.body/rooms/items/colour");
    const removed = mutated((d) => delete schemas(d).Room.properties.duration);
    expect(removed.verdict).toBe("major");
    expect(only(removed, "response-field-removed").length).toBeGreaterThan(0);
  });

  it("a response enum value added is minor, flagged as breaking exhaustive switches", () => {
    const diff = mutated((d) => schemas(d).RoomStatus.enum.push("paused"));
    expect(diff.verdict).toBe("minor");
    const changes = only(diff, "response-enum-value-added");
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          operation: "GET /v1/Rooms/{Sid}",
          path: "response.200.body/status",
          severity: "non-breaking",
          semver: "minor",
          exhaustiveSwitch: true,
        }),
      ]),
    );
    expect(changes.every((c) => c.exhaustiveSwitch === true && /exhaustive switch/.test(c.message))).toBe(true);
    // Only response-side enum additions carry the flag.
    expect(diff.changes.filter((c) => c.exhaustiveSwitch).every((c) => c.kind === "response-enum-value-added")).toBe(
      true,
    );
  });

  it("a response field made nullable is major; no longer nullable is minor", () => {
    const nullable = mutated((d) => (schemas(d).Room.properties.max_participants.type = ["integer", "null"]));
    expect(nullable.verdict).toBe("major");
    expect(new Set(nullable.changes.map((c) => c.kind))).toEqual(new Set(["response-became-nullable"]));
    expect(only(nullable, "response-became-nullable")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          operation: "GET /v1/Rooms/{Sid}",
          path: "response.200.body/max_participants",
          severity: "breaking",
        }),
      ]),
    );
    // The 3.1 union form: a $ref wrapped in oneOf [X, {type: null}] is the same change and nothing else.
    const union = mutated(
      (d) => (schemas(d).Room.properties.sid = { oneOf: [{ $ref: "#/components/schemas/RoomSid" }, { type: "null" }] }),
    );
    expect(new Set(union.changes.map((c) => c.kind))).toEqual(new Set(["response-became-nullable"]));
    const unnullable = mutated((d) => (schemas(d).Room.properties.enable_turn.type = "boolean"));
    expect(unnullable.verdict).toBe("minor");
    expect(only(unnullable, "response-no-longer-nullable").length).toBeGreaterThan(0);
  });

  it("a response field made optional is major", () => {
    const diff = mutated(
      (d) => (schemas(d).Room.required = (schemas(d).Room.required as string[]).filter((n) => n !== "url")),
    );
    expect(new Set(diff.changes.map((c) => c.kind))).toEqual(new Set(["response-field-now-optional"]));
    expect(diff.verdict).toBe("major");
  });

  it("description, summary and example changes only are patch", () => {
    const diff = mutated((d) => {
      schemas(d).Room.properties.unique_name.description = "Another description.";
      d.paths["/v1/Rooms"].post.summary = "Make a room";
    });
    expect(diff.verdict).toBe("patch");
    expect(diff.counts).toMatchObject({ breaking: 0, nonBreaking: 0 });
    expect(new Set(diff.changes.map((c) => c.kind))).toEqual(new Set(["description-changed", "summary-changed"]));
    expect(diff.changes.every((c) => c.severity === "patch" && c.semver === "patch")).toBe(true);
    expect(only(diff, "summary-changed")).toEqual([
      expect.objectContaining({ operation: "POST /v1/Rooms", path: "/summary" }),
    ]);
  });

  it("a success status removed is major; a content type removed is major", () => {
    const status = mutated((d) => {
      const responses = d.paths["/v1/Rooms"].post.responses;
      responses["200"] = responses["201"];
      delete responses["201"];
    });
    expect(only(status, "response-status-removed")).toEqual([
      expect.objectContaining({ semver: "major", path: "response.201" }),
    ]);
    expect(only(status, "response-status-added")).toEqual([
      expect.objectContaining({ semver: "major", path: "response.200" }),
    ]);
    const type = mutated((d) => {
      const content = d.paths["/v1/Rooms"].post.requestBody.content;
      content["application/json"] = content["application/x-www-form-urlencoded"];
      delete content["application/x-www-form-urlencoded"];
    });
    expect(only(type, "request-content-type-removed")).toEqual([expect.objectContaining({ semver: "major" })]);
    expect(only(type, "request-content-type-added")).toHaveLength(1);
  });

  it("a request parameter added required is major, optional minor", () => {
    const diff = mutated((d) => {
      d.paths["/v1/Rooms"].get.parameters.push(
        { name: "Colour", in: "query", schema: { type: "string" } },
        { name: "Shape", in: "query", required: true, schema: { type: "string" } },
      );
    });
    expect(diff.changes.map((c) => [c.kind, c.path])).toEqual([
      ["request-parameter-added-required", "request.query/Shape"],
      ["request-parameter-added", "request.query/Colour"],
    ]);
  });

  it("a path parameter renamed matches the same operation (the URL is unchanged): patch", () => {
    const diff = mutated((d) => {
      const item = d.paths["/v1/Rooms/{Sid}"];
      delete d.paths["/v1/Rooms/{Sid}"];
      item.parameters = item.parameters
        .map((p: Doc) => (p.$ref ? { ...(base.components.parameters[p.$ref.split("/").pop()] ?? p) } : p))
        .map((p: Doc) => (p.in === "path" ? { ...p, name: "RoomSid" } : p));
      d.paths["/v1/Rooms/{RoomSid}"] = item;
    });
    expect(diff.changes.filter((c) => c.severity !== "patch")).toEqual([]);
    expect(only(diff, "path-parameter-renamed").length).toBeGreaterThan(0);
  });

  it("self-referencing schemas terminate", () => {
    const withCycle = (d: Doc) => {
      schemas(d).Node = {
        type: "object",
        properties: { next: { $ref: "#/components/schemas/Node" }, name: { type: "string" } },
      };
      schemas(d).Room.properties.tree = { $ref: "#/components/schemas/Node" };
    };
    const old = clone();
    withCycle(old);
    const next = clone();
    withCycle(next);
    schemas(next).Node.properties.name.type = "integer";
    const diff = diffSpecs(old, next);
    expect(only(diff, "response-type-changed").map((c) => c.path)).toContain("response.200.body/tree/name");
  });

  it("changes are ordered breaking, non-breaking, patch, and the counts add up", () => {
    const diff = mutated((d) => {
      schemas(d).Room.properties.unique_name.description = "x";
      schemas(d).Room.properties.colour = { type: "string" };
      delete d.paths["/v1/Rooms"].get;
    });
    const order = diff.changes.map((c) => c.severity);
    expect(order).toEqual(
      [...order].sort(
        (a, b) => ["breaking", "non-breaking", "patch"].indexOf(a) - ["breaking", "non-breaking", "patch"].indexOf(b),
      ),
    );
    expect(diff.counts.breaking + diff.counts.nonBreaking + diff.counts.patch).toBe(diff.changes.length);
  });

  it("refuses what is not an OpenAPI 3 document", () => {
    expect(() => diffSpecs({ swagger: "2.0" }, base)).toThrow(NotOpenApiError);
    expect(() => diffSpecs(base, [])).toThrow(/new document is not an OpenAPI 3 document/);
  });
});

describe("insertChangelogSection", () => {
  it("creates the file's heading, puts new sections on top and replaces one with the same heading", () => {
    const created = insertChangelogSection(undefined, "## 1.0.0 — spec change (minor)\n\n- a\n", "1.0.0");
    expect(created).toBe("# Changelog\n\n## 1.0.0 — spec change (minor)\n\n- a\n");
    const second = insertChangelogSection(created, "## 1.1.0 — spec change (patch)\n\n- b\n", "1.1.0");
    expect(second).toBe(
      "# Changelog\n\n## 1.1.0 — spec change (patch)\n\n- b\n\n## 1.0.0 — spec change (minor)\n\n- a\n",
    );
    expect(insertChangelogSection(second, "## 1.0.0 — spec change (major)\n\n- c\n", "1.0.0")).toBe(
      "# Changelog\n\n## 1.1.0 — spec change (patch)\n\n- b\n\n## 1.0.0 — spec change (major)\n\n- c\n",
    );
  });
});

// ---------------------------------------------------------------- the CLI, as a child process

const tsx = join(root, "node_modules/.bin/tsx");
const script = join(root, "scripts/conformance.ts");
function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      tsx,
      [script, "diff", ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

let dir: string;
const write = (name: string, doc: unknown) =>
  writeFileSync(join(dir, name), typeof doc === "string" ? doc : JSON.stringify(doc, null, 2));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "spec-diff-"));
  const next = clone();
  delete next.paths["/v1/Rooms"].get; // breaking
  schemas(next).RoomStatus.enum.push("paused"); // non-breaking, exhaustive switch
  next.paths["/v1/Rooms"].post.summary = "Make a room"; // patch
  write("old.json", base);
  write("new.json", next);
  write("same.json", base);
  write("broken.json", "{ not json");
  write("not-openapi.json", { hello: "world" });
  write(
    "spec.yaml",
    "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok}\n",
  );
  write("spec2.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("twilio-video-conformance diff", () => {
  it("text: grouped, breaking first, the verdict last; exit 0 without --fail-on", async () => {
    const { code, stdout, stderr } = await cli(["old.json", "new.json"], dir);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("Breaking (1):");
    expect(lines[1]).toBe(
      "  GET /v1/Rooms: operation ListRoom removed: clients that call it break [operation-removed]",
    );
    expect(stdout).toMatch(/\nNon-breaking \(\d+\):\n/);
    expect(stdout).toMatch(
      /response\.200\.body\/status: value "paused" may now be returned: this breaks exhaustive switches/,
    );
    expect(stdout.indexOf("Non-breaking")).toBeLessThan(stdout.indexOf("Documentation (1):"));
    expect(lines.at(-1)).toMatch(/^verdict: major \(1 breaking, \d+ non-breaking, 1 patch\)$/);
  });

  it("--json: one document { verdict, changes, counts }", async () => {
    const { code, stdout } = await cli(["old.json", "new.json", "--json"], dir);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as SpecDiff;
    expect(Object.keys(report)).toEqual(["verdict", "changes", "counts"]);
    expect(report.verdict).toBe("major");
    expect(report.counts.breaking).toBe(1);
    expect(report.changes.some((c) => c.exhaustiveSwitch === true)).toBe(true);
  });

  it("--fail-on breaking: exit 1 with a breaking change, 0 without", async () => {
    expect((await cli(["old.json", "new.json", "--fail-on", "breaking"], dir)).code).toBe(1);
    const same = await cli(["old.json", "same.json", "--fail-on", "breaking"], dir);
    expect(same).toEqual({ code: 0, stdout: "verdict: none (0 breaking, 0 non-breaking, 0 patch)\n", stderr: "" });
    // Reversed, the change set only adds: minor, so --fail-on breaking passes and --fail-on non-breaking fails.
    expect((await cli(["same.json", "old.json", "--fail-on", "breaking"], dir)).code).toBe(0);
    const added = clone();
    schemas(added).Room.properties.colour = { type: "string" };
    write("added.json", added);
    expect((await cli(["old.json", "added.json", "--fail-on", "breaking"], dir)).code).toBe(0);
    expect((await cli(["old.json", "added.json", "--fail-on", "non-breaking"], dir)).code).toBe(1);
  });

  it("YAML inputs are read", async () => {
    const { code, stdout } = await cli(["spec.yaml", "spec2.yaml"], dir);
    expect(code).toBe(0);
    expect(stdout).toContain("GET /a: operation removed: clients that call it break");
  });

  it.each([
    [["missing.json", "new.json"], /^twilio-video-conformance diff: OLD missing\.json: no such file\n$/],
    [["old.json", "missing.json"], /^twilio-video-conformance diff: NEW missing\.json: no such file\n$/],
    [["broken.json", "new.json"], /^twilio-video-conformance diff: broken\.json: not valid JSON \(.*\)\n$/],
    [
      ["not-openapi.json", "new.json"],
      /^twilio-video-conformance diff: not-openapi\.json: not an OpenAPI 3 document \(no "openapi": "3\.x" field\)\n$/,
    ],
    [["old.json"], /^twilio-video-conformance diff: expected OLD and NEW \(got 1 argument\) \(see --help\)\n$/],
    [["old.json", "new.json", "--fail-on", "sometimes"], /--fail-on must be breaking, non-breaking or patch/],
    [
      ["old.json", "new.json", "--colour"],
      /^twilio-video-conformance diff: Unknown option '--colour' \(see --help\)\n$/,
    ],
    [["old.json", "new.json", "--version", "1.0.0"], /--version only names the --changelog section/],
    [["old.json", "new.json", "--changelog", "C.md", "--version", "one"], /--version must be a semantic version/],
    [["git:HEAD", "new.json"], /^twilio-video-conformance diff: OLD git:HEAD: NEW is not inside a git repository\n$/],
  ])("%j: exit 2, one line, no stack", async (args, message) => {
    const { code, stdout, stderr } = await cli(args as string[], dir);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toMatch(message);
    expect(stderr.split("\n")).toHaveLength(2);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("--help: usage, exit 0", async () => {
    const { code, stdout } = await cli(["--help"], dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: twilio-video-conformance diff OLD NEW/);
  });
});

describe("twilio-video-conformance diff git:REF", () => {
  let repo: string;
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), "spec-diff-git-"));
    const git = (...args: string[]) =>
      execFileSync("git", args, {
        cwd: repo,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@example.com",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@example.com",
        },
      });
    git("init", "-q");
    writeFileSync(join(repo, "spec.json"), JSON.stringify(base));
    git("add", "spec.json");
    git("commit", "-qm", "spec");
    const next = clone();
    schemas(next).Room.required = (schemas(next).Room.required as string[]).filter((n) => n !== "url");
    writeFileSync(join(repo, "spec.json"), JSON.stringify(next));
    git("commit", "-qam", "url optional");
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("git:HEAD~1 reads NEW's path at that ref", async () => {
    const { code, stdout, stderr } = await cli(["git:HEAD~1", "spec.json", "--fail-on", "breaking"], repo);
    expect({ code, stderr }).toEqual({ code: 1, stderr: "" });
    expect(stdout).toContain("response-field-now-optional");
    expect(stdout.trimEnd().split("\n").at(-1)).toMatch(/^verdict: major \(\d+ breaking, 0 non-breaking, 0 patch\)$/);
  });

  it("git:REF:path names the path; HEAD against the working tree is the last commit", async () => {
    expect((await cli(["git:HEAD~1:spec.json", "spec.json", "--json"], repo)).stdout).toContain('"verdict": "major"');
    expect((await cli(["git:HEAD", "spec.json"], repo)).stdout).toBe(
      "verdict: none (0 breaking, 0 non-breaking, 0 patch)\n",
    );
  });

  it("an unknown ref or a path not at that ref: exit 2, one line", async () => {
    const unknown = await cli(["git:no-such-branch", "spec.json"], repo);
    expect(unknown).toEqual({
      code: 2,
      stdout: "",
      stderr: 'twilio-video-conformance diff: OLD git:no-such-branch: unknown git ref "no-such-branch"\n',
    });
    const option = await cli(["git:--output=/tmp/x", "spec.json"], repo);
    expect(option.code).toBe(2);
    const path = await cli(["git:HEAD~1:nope.json", "spec.json"], repo);
    expect(path.code).toBe(2);
    expect(path.stderr).toMatch(/^twilio-video-conformance diff: OLD git:HEAD~1:nope\.json: .*nope\.json.*\n$/);
  });
});

describe("twilio-video-conformance diff --changelog", () => {
  it("writes the section once; the same run again leaves the file as it was", async () => {
    const file = join(dir, "CHANGELOG.md");
    const first = await cli(["old.json", "new.json", "--changelog", "CHANGELOG.md", "--version", "2.0.0"], dir);
    expect(first.code).toBe(0);
    const written = readFileSync(file, "utf8");
    expect(
      written.startsWith(
        "# Changelog\n\n## 2.0.0 — spec change (major)\n\n### Breaking\n\n- `GET /v1/Rooms`: operation ListRoom removed",
      ),
    ).toBe(true);
    expect(written).toContain(
      '\n### Added/Non-breaking\n\n- `POST /v1/Rooms` `response.201.body/status`: value "paused" may now be returned: this breaks exhaustive switches',
    );
    expect(written).toContain("\n### Documentation\n\n- `POST /v1/Rooms` `/summary`: summary changed\n");
    await cli(["old.json", "new.json", "--changelog", "CHANGELOG.md", "--version", "2.0.0"], dir);
    expect(readFileSync(file, "utf8")).toBe(written);
    // Another version goes on top; Unreleased by default.
    await cli(["old.json", "same.json", "--changelog", "CHANGELOG.md"], dir);
    const both = readFileSync(file, "utf8");
    expect(both.startsWith("# Changelog\n\n## Unreleased — spec change (none)\n\n### Breaking\n\n- none\n")).toBe(true);
    expect(both.match(/^## /gm)).toHaveLength(2);
    expect(both.endsWith(written.slice("# Changelog\n\n".length))).toBe(true);
  });
});
