/**
 * `twilio-video-conformance diff OLD NEW`: the breaking-change report of
 * {@link diffSpecs} between two bundled OpenAPI documents, as text or JSON,
 * optionally written into a CHANGELOG.
 *
 * Exit codes: 0 the report was made; 1 `--fail-on` was given and a change at
 * or above that level was found; 2 usage error or an input could not be read
 * (one line on stderr, never a stack).
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { dirname, extname, relative, resolve } from "node:path";
import { firstLine, parseCommand, UsageError, type CommandIo } from "./command-line.js";
import { diffSpecs, NotOpenApiError, type SpecChange, type SpecDiff } from "./diff.js";
import { findCycle } from "./diff/model.js";
import { alsoLine, groupChanges, type ChangeGroup } from "./diff/report.js";
import { isObject } from "./json-pointer.js";
import { unresolvedRefs } from "./spec-check.js";

const USAGE = `usage: twilio-video-conformance diff OLD NEW [options]

Compares two bundled OpenAPI documents (JSON or YAML) and classifies every
change for clients of the API: breaking (major), non-breaking (minor) or
documentation only (patch). OLD may also be git:REF (the file at NEW's path
at that git ref) or git:REF:path (a path as \`git show REF:path\` reads it).

Options:
  --json                 one JSON document: { verdict, changes, counts }
  --fail-on <level>      exit 1 when a change at this level is found: breaking, non-breaking or patch
  --changelog <file>     write the report as a section at the top of this file (replaced when re-run)
  --version <x.y.z>      the section's heading (default "Unreleased"); with --changelog
  -h, --help             this text

Exit codes: 0 reported, 1 --fail-on matched, 2 usage error or unreadable input.`;

/** Options and output of {@link runDiffCli}. */
export type DiffCliIo = CommandIo;

/** A problem with the command line or an input: one line, exit 2. */
export class DiffInputError extends UsageError {
  static {
    Object.defineProperty(this.prototype, "name", {
      value: "DiffInputError",
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}

const OPTIONS = {
  json: { type: "boolean" },
  "fail-on": { type: "string" },
  changelog: { type: "string" },
  version: { type: "string" },
} as const;

const FAIL_ON = { breaking: 3, "non-breaking": 2, patch: 1 } as const;
const RANK = { none: 0, patch: 1, minor: 2, major: 3 } as const;

/** Parses JSON, or YAML with the optional `yaml` package (loaded only for YAML). */
async function parseDocument(text: string, name: string, ext: string): Promise<unknown> {
  const body = text.replace(/^\uFEFF/, "");
  const yaml = ext === ".yaml" || ext === ".yml";
  if (!yaml) {
    try {
      return JSON.parse(body);
    } catch (e) {
      // JSON it meant to be: say what JSON.parse says.
      if (ext === ".json" || /^\s*[[{]/.test(body))
        throw new DiffInputError(`${name}: not valid JSON (${firstLine(e)})`);
    }
  }
  let parse: (text: string) => unknown;
  try {
    ({ parse } = (await import("yaml")) as { parse: (text: string) => unknown });
  } catch {
    throw new DiffInputError(
      `${name}: reading YAML needs the yaml package (npm install --save-dev yaml), or pass the bundled JSON`,
    );
  }
  try {
    return parse(body);
  } catch (e) {
    throw new DiffInputError(`${name}: not valid YAML (${firstLine(e)})`);
  }
}

function readPath(path: string, cwd: string, role: string): { text: string; absolute: string } {
  const absolute = resolve(cwd, path);
  try {
    if (statSync(absolute).isDirectory()) throw new DiffInputError(`${role} ${path}: is a directory, not a file`);
    return { text: readFileSync(absolute, "utf8"), absolute };
  } catch (e) {
    if (e instanceof DiffInputError) throw e;
    const code = (e as { code?: string }).code;
    throw new DiffInputError(
      `${role} ${path}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : firstLine(e)}`,
    );
  }
}

function git(args: string[], cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile("git", args, { cwd, maxBuffer: 256 << 20, encoding: "utf8" }, (error, stdout, stderr) => {
      if (!error) return done(stdout);
      const reason =
        (stderr || error.message)
          .split("\n")
          .map((l) => l.replace(/^fatal: /, "").trim())
          .find(Boolean) ?? "git failed";
      fail(new DiffInputError((error as { code?: unknown }).code === "ENOENT" ? "git: not found on PATH" : reason));
    });
  });
}

/** `git:REF` (NEW's path at REF) or `git:REF:path` (a path as `git show` reads it, from the working directory). */
async function readGit(
  spec: string,
  newAbsolute: string | undefined,
  cwd: string,
): Promise<{ text: string; name: string; ext: string }> {
  const rest = spec.slice("git:".length);
  const colon = rest.indexOf(":");
  const ref = colon >= 0 ? rest.slice(0, colon) : rest;
  if (ref === "" || ref.startsWith("-")) throw new DiffInputError(`OLD ${spec}: expected git:REF or git:REF:path`);
  if (colon >= 0) {
    const path = rest.slice(colon + 1);
    if (path === "") throw new DiffInputError(`OLD ${spec}: expected git:REF or git:REF:path`);
    await verifyRef(ref, cwd, spec);
    const text = await git(["show", `${ref}:${path}`], cwd).catch((e: Error) => {
      throw new DiffInputError(`OLD ${spec}: ${e.message}`);
    });
    return { text, name: spec, ext: extname(path) };
  }
  if (!newAbsolute) throw new DiffInputError(`OLD ${spec}: git:REF needs NEW to be a file in a git repository`);
  const dir = dirname(realpathSync(newAbsolute));
  const root = (
    await git(["rev-parse", "--show-toplevel"], dir).catch(() => {
      throw new DiffInputError(`OLD ${spec}: NEW is not inside a git repository`);
    })
  ).trim();
  const inRepo = relative(realpathSync(root), realpathSync(newAbsolute)).split("\\").join("/");
  await verifyRef(ref, root, spec);
  const text = await git(["show", `${ref}:${inRepo}`], root).catch((e: Error) => {
    throw new DiffInputError(`OLD ${spec}: ${e.message}`);
  });
  return { text, name: `${spec}:${inRepo}`, ext: extname(inRepo) };
}

async function verifyRef(ref: string, cwd: string, spec: string): Promise<void> {
  // `--end-of-options` keeps a ref from ever reading as an option.
  await git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], cwd).catch(() => {
    throw new DiffInputError(`OLD ${spec}: unknown git ref "${ref}"`);
  });
}

function checkLoaded(document: unknown, name: string): object {
  if (!isObject(document)) throw new DiffInputError(`${name}: not an OpenAPI document (not an object)`);
  if (typeof document.openapi !== "string" || !/^3\./.test(document.openapi)) {
    throw new DiffInputError(
      `${name}: not an OpenAPI 3 document (` +
        `${typeof document.swagger === "string" ? "Swagger 2.0 is not supported" : 'no "openapi": "3.x" field'})`,
    );
  }
  // A YAML alias inside its own anchor makes an object that contains itself: no walk over it would end.
  const cycle = findCycle(document);
  if (cycle !== undefined) {
    throw new DiffInputError(`${name}: the document contains itself at ${cycle} (a YAML alias inside its own anchor)`);
  }
  const broken = unresolvedRefs(document);
  if (broken.length > 0) {
    const [first] = broken;
    throw new DiffInputError(
      `${name}: $ref "${first!.ref}" at ${first!.at} does not resolve` +
        `${broken.length > 1 ? ` (and ${broken.length - 1} more)` : ""}; pass a bundled document (redocly bundle)`,
    );
  }
  return document;
}

/** `text` without its trailing newlines (a loop: `/\n+$/` backtracks quadratically on a long run of them). */
function trimNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 10) end--;
  return text.slice(0, end);
}

function changeLine(c: SpecChange): string {
  const where = c.path ? ` ${c.path}` : "";
  return `${c.operation}${where}: ${c.message} [${c.kind}]`;
}

const GROUPS = [
  ["breaking", "Breaking"],
  ["non-breaking", "Non-breaking"],
  ["patch", "Documentation"],
] as const;

/** The text report: groups, breaking first, then the verdict line. */
export function formatDiffText(diff: SpecDiff): string {
  const out: string[] = [];
  for (const [severity, title] of GROUPS) {
    const groups = groupChanges(
      diff.changes.filter((c) => c.severity === severity),
      true,
    );
    if (groups.length === 0) continue;
    out.push(`${title} (${groups.length}):`);
    for (const group of groups) {
      out.push(`  ${changeLine(group.head)}`);
      const also = alsoLine(group);
      if (also) out.push(`    ${also}`);
    }
    out.push("");
  }
  out.push(verdictLine(diff));
  return `${out.join("\n")}\n`;
}

function verdictLine(diff: SpecDiff): string {
  return (
    `verdict: ${diff.verdict} (${diff.counts.breaking} breaking, ${diff.counts.nonBreaking} non-breaking, ` +
    `${diff.counts.patch} patch)`
  );
}

const HEADING_PREFIX = (version: string) => `## ${version} — spec change (`;

/** The CHANGELOG section for `diff` under `version`. */
export function changelogSection(diff: SpecDiff, version: string): string {
  const md = (group: ChangeGroup) => {
    const c = group.head;
    const also = alsoLine(group, (t) => `\`${t}\``);
    return `- \`${c.operation}\`${c.path ? ` \`${c.path}\`` : ""}: ${c.message}${also ? ` (${also})` : ""}`;
  };
  const lists = [
    ["Breaking", "breaking"],
    ["Added/Non-breaking", "non-breaking"],
    ["Documentation", "patch"],
  ] as const;
  const parts = [`${HEADING_PREFIX(version)}${diff.verdict})`, ""];
  for (const [title, severity] of lists) {
    const list = groupChanges(diff.changes.filter((c) => c.severity === severity));
    parts.push(`### ${title}`, "", ...(list.length > 0 ? list.map(md) : ["- none"]), "");
  }
  return parts.join("\n");
}

/**
 * `existing` with `section` at the top (under the `# ` title), replacing a
 * section for the same version (the heading up to the verdict), so a re-run
 * never duplicates it.
 */
export function insertChangelogSection(existing: string | undefined, section: string, version: string): string {
  const text = existing ?? "# Changelog\n";
  const lines = text.split("\n");
  const prefix = HEADING_PREFIX(version);
  const start = lines.findIndex((l) => l.startsWith(prefix));
  const body = trimNewlines(section).split("\n");
  if (start >= 0) {
    let end = lines.findIndex((l, i) => i > start && /^##? /.test(l));
    if (end < 0) end = lines.length;
    const replaced = [...lines.slice(0, start), ...body, "", ...lines.slice(end)];
    return `${trimNewlines(replaced.join("\n"))}\n`;
  }
  const title = lines.findIndex((l) => /^# /.test(l));
  const at = title >= 0 ? title + 1 : 0;
  const before = lines.slice(0, at);
  const after = lines.slice(at);
  while (after.length > 0 && after[0] === "") after.shift();
  const joined = [...before, ...(before.length > 0 ? [""] : []), ...body, "", ...after];
  return `${trimNewlines(joined.join("\n"))}\n`;
}

/** Runs the diff subcommand; resolves to the exit code. */
export async function runDiffCli(args: string[], io: DiffCliIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  try {
    const parsed = parseCommand(args, OPTIONS, true);
    if (parsed === "help") {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 2)
      throw new DiffInputError(
        `expected OLD and NEW (got ${positionals.length} argument${positionals.length === 1 ? "" : "s"})`,
      );
    const failOn = values["fail-on"];
    if (failOn !== undefined && !(failOn in FAIL_ON))
      throw new DiffInputError(`--fail-on must be breaking, non-breaking or patch (got "${failOn}")`);
    const version = values.version;
    if (version !== undefined && values.changelog === undefined)
      throw new DiffInputError("--version only names the --changelog section; pass --changelog <file>");
    if (version !== undefined && !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(version))
      throw new DiffInputError(`--version must be a semantic version such as 1.2.3 (got "${version}")`);
    const [oldArg, newArg] = positionals as [string, string];
    if (newArg.startsWith("git:")) throw new DiffInputError("NEW must be a file (only OLD may be git:REF)");

    const newFile = readPath(newArg, cwd, "NEW");
    const newDoc = checkLoaded(await parseDocument(newFile.text, newArg, extname(newArg)), newArg);
    let oldDoc: object;
    if (oldArg.startsWith("git:")) {
      const read = await readGit(oldArg, newFile.absolute, cwd);
      oldDoc = checkLoaded(await parseDocument(read.text, read.name, read.ext), read.name);
    } else {
      const oldFile = readPath(oldArg, cwd, "OLD");
      oldDoc = checkLoaded(await parseDocument(oldFile.text, oldArg, extname(oldArg)), oldArg);
    }

    let diff: SpecDiff;
    try {
      diff = diffSpecs(oldDoc, newDoc);
    } catch (e) {
      if (e instanceof NotOpenApiError) throw new DiffInputError(e.message);
      throw e;
    }

    if (values.changelog !== undefined) {
      const file = resolve(cwd, values.changelog);
      const heading = version ?? "Unreleased";
      let existing: string | undefined;
      try {
        existing = existsSync(file) ? readFileSync(file, "utf8") : undefined;
        writeFileSync(file, insertChangelogSection(existing, changelogSection(diff, heading), heading));
      } catch (e) {
        throw new DiffInputError(`--changelog ${values.changelog}: ${firstLine(e)}`);
      }
    }

    io.stdout(values.json ? `${JSON.stringify(diff, null, 2)}\n` : formatDiffText(diff));
    if (failOn !== undefined && RANK[diff.verdict] >= FAIL_ON[failOn as keyof typeof FAIL_ON]) {
      if (values.json)
        io.stderr(`twilio-video-conformance diff: ${verdictLine(diff)}; failing (--fail-on ${failOn})\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    const hint =
      e instanceof UsageError && /^(expected|--|unknown option|Option)/i.test(e.message) ? " (see --help)" : "";
    io.stderr(
      `twilio-video-conformance diff: ${e instanceof UsageError ? e.message : `unexpected error: ${firstLine(e)}`}` +
        `${hint}\n`,
    );
    return 2;
  }
}
