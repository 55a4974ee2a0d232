/**
 * Evidence from outside (issue 8): recordings built from material others
 * published (Twilio's documentation samples, public code-sample outputs,
 * captures in other public projects). The whole folder must pass the
 * conformance CLI in strict mode: when it does not, the spec is wrong, not
 * the evidence. See contract-tests/evidence/README.md.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { runConformance } from "../src/contract/cli.js";
import {
  checkRecordingFormat,
  createContractValidator,
  type CallbackRecording,
  type Recording,
} from "../src/contract/index.js";
import { contractTestsDir, documentOperations, specDocument } from "./lib/corpus.js";

const evidenceDir = join(contractTestsDir, "evidence");

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".json") ? [join(dir, e.name)] : []));
}

type EvidenceFile = { name: string; recording: Recording | CallbackRecording };
const files: EvidenceFile[] = walk(evidenceDir).map((file) => ({
  name: relative(evidenceDir, file),
  recording: JSON.parse(readFileSync(file, "utf8")) as Recording | CallbackRecording,
}));
const isCallback = (r: Recording | CallbackRecording): r is CallbackRecording => "kind" in r && r.kind === "callback";

/** The publisher a source URL names: a GitHub repository, or a documentation site. */
export function publisherOf(source: string): string {
  const url = new URL(source);
  if (url.hostname === "github.com") return url.pathname.split("/").slice(1, 3).join("/");
  return url.hostname;
}

/** Families the evidence does not cover yet: no public sample was found. Remove an entry as soon as evidence for it lands. */
const NOT_YET_COVERED = {
  // Tags of REST operations.
  resources: new Set<string>([]),
  // Status callback families (schemas the webhooks' discriminators map to).
  callbacks: new Set(["CompositionHookCallbackEvent"]),
};

describe("evidence", () => {
  const strict = createContractValidator({ document: specDocument, strict: true });

  it("holds at least 60 recordings from at least 5 independent publishers, each naming its source", () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
    for (const f of files) {
      expect(f.recording.source, f.name).toMatch(/^https:\/\/\S+$/);
      expect(f.recording.description, f.name).toMatch(/\S/);
    }
    const publishers = new Set(files.map((f) => publisherOf(f.recording.source!)));
    expect(publishers.size).toBeGreaterThanOrEqual(5);
  });

  it("passes the conformance CLI in strict mode, every file", async () => {
    let stdout = "";
    let stderr = "";
    const code = await runConformance(["--strict", "--json", "evidence"], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      cwd: contractTestsDir,
    });
    const report = JSON.parse(stdout) as {
      files: number;
      failed: number;
      results: Array<{ file: string; ok: boolean; errors: unknown[] }>;
    };
    expect(report.results.filter((r) => !r.ok)).toEqual([]);
    expect(report.files).toBe(files.length);
    expect(code).toBe(0);
    expect(stderr).toBe("");
  });

  it("covers every resource family and every status callback family, except the ones listed as not yet covered", () => {
    const tagsByOperation = new Map(
      documentOperations(specDocument).map((o) => [
        o.operationId,
        (o.operation.tags as string[] | undefined)?.[0] ?? "?",
      ]),
    );
    const coveredTags = new Set<string>();
    const coveredFamilies = new Set<string>();
    const schemas = (
      specDocument.components as { schemas: Record<string, { discriminator?: { mapping?: Record<string, string> } }> }
    ).schemas;
    const familyOf = new Map<string, string>();
    for (const union of ["RoomStatusCallbackEvent", "CompositionStatusCallbackEvent"]) {
      for (const [event, ref] of Object.entries(schemas[union]!.discriminator!.mapping!))
        familyOf.set(event, ref.split("/").pop()!);
    }
    for (const f of files) {
      if (isCallback(f.recording)) {
        coveredFamilies.add(familyOf.get(f.recording.callback.params.StatusCallbackEvent ?? "") ?? "?");
      } else {
        const result = strict.validateRecording(f.recording);
        coveredTags.add(tagsByOperation.get(result.operationId ?? "") ?? "?");
      }
    }
    const allTags = new Set([...tagsByOperation.values()].filter((t) => t !== "StatusCallbacks"));
    const allFamilies = new Set(familyOf.values());
    const missingTags = [...allTags].filter((t) => !coveredTags.has(t)).sort();
    const missingFamilies = [...allFamilies].filter((t) => !coveredFamilies.has(t)).sort();
    expect(missingTags).toEqual([...NOT_YET_COVERED.resources].sort());
    expect(missingFamilies).toEqual([...NOT_YET_COVERED.callbacks].sort());
    expect(coveredFamilies.size).toBeGreaterThanOrEqual(4);
  });
});

describe("callback recordings", () => {
  const strict = createContractValidator({ document: specDocument, strict: true });
  const recordingCompleted = files.find((f) => f.name === "callbacks/recording-completed-prometric.json")!
    .recording as CallbackRecording;

  it("are checked against the family their StatusCallbackEvent maps to", () => {
    expect(strict.validateRecording(recordingCompleted)).toMatchObject({ ok: true, operationId: "RoomStatusCallback" });
    const { RecordingSid: _dropped, ...withoutSid } = recordingCompleted.callback.params;
    const broken = strict.validateRecording({
      ...recordingCompleted,
      callback: { ...recordingCompleted.callback, params: withoutSid },
    });
    expect(broken.ok).toBe(false);
    expect(broken.errors.map((e) => e.where)).toContain("callback.params/RecordingSid");
    const badSid = strict.validateCallback({ ...recordingCompleted.callback.params, RoomSid: "RM-not-a-sid" });
    expect(badSid.problems.map((p) => p.where)).toContain("callback.params/RoomSid");
  });

  it("name an unknown event instead of guessing a family", () => {
    const result = strict.validateCallback({
      ...recordingCompleted.callback.params,
      StatusCallbackEvent: "room-exploded",
    });
    expect(result.operationId).toBeNull();
    expect(result.problems[0]).toMatchObject({
      where: "callback.params/StatusCallbackEvent",
      found: '"room-exploded"',
    });
    expect(strict.validateCallback({}).problems[0]).toMatchObject({ message: "StatusCallbackEvent is missing" });
  });

  it("have a format of their own: params of strings, no request or response", () => {
    expect(checkRecordingFormat(recordingCompleted)).toEqual([]);
    expect(
      checkRecordingFormat({
        ...recordingCompleted,
        request: { method: "GET", url: "https://video.twilio.com/v1/Rooms" },
      }),
    ).not.toEqual([]);
    expect(checkRecordingFormat({ ...recordingCompleted, callback: { params: { Duration: 3 } } })).not.toEqual([]);
    expect(checkRecordingFormat({ kind: "callback", source: "x" })).not.toEqual([]);
  });
});
