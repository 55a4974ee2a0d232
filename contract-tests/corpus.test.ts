/**
 * The shipped corpus: every recording has the recording format, conforms to
 * the spec with no drift even in strict mode, and together they cover every
 * operation and the list/error situations issue 4 asks for.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkRecordingFormat, createContractValidator, recordingSchema } from "../src/contract/index.js";
import { contractTestsDir, documentOperations, loadCorpus, specDocument } from "./lib/corpus.js";

const corpus = loadCorpus();
const strict = createContractValidator({ document: specDocument, strict: true });
const lenient = createContractValidator({ document: specDocument });

describe("recording.schema.json", () => {
  it("is the schema the validator applies", () => {
    const published = JSON.parse(readFileSync(join(contractTestsDir, "recording.schema.json"), "utf8")) as unknown;
    expect(published).toEqual(JSON.parse(JSON.stringify(recordingSchema)));
  });
});

describe("corpus", () => {
  it.each(corpus.map((e) => [e.name, e] as const))("%s conforms (strict, no drift)", (_name, entry) => {
    expect(checkRecordingFormat(entry.recording)).toEqual([]);
    expect(entry.recording.source, "every recording says where its facts came from").toMatch(/\S/);
    const result = strict.validateRecording(entry.recording);
    expect(result.errors).toEqual([]);
    expect(lenient.validateRecording(entry.recording).warnings).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("has a success recording for every operation of the spec", () => {
    const covered = new Set<string>();
    for (const { recording } of corpus) {
      if (recording.response.status >= 400) continue;
      const match = lenient.matchOperation(recording.request.method, recording.request.url);
      if (match) covered.add(match.operationId);
    }
    const operations = documentOperations(specDocument).map((o) => o.operationId);
    expect(operations.filter((id) => !covered.has(id))).toEqual([]);
  });

  it("covers the three media subresources with 302 redirects", () => {
    const media = new Set(
      corpus
        .filter((e) => e.recording.response.status === 302)
        .map((e) => lenient.matchOperation(e.recording.request.method, e.recording.request.url)?.operationId),
    );
    // Until the spec lands these names come from the issue; they must exist once it has.
    for (const id of ["FetchRecordingMedia", "FetchRoomRecordingMedia", "FetchCompositionMedia"]) {
      if (documentOperations(specDocument).some((o) => o.operationId === id)) expect(media).toContain(id);
    }
  });

  it("covers list pages: first, middle, last, empty and filtered", () => {
    const pages = corpus.filter(
      (e) =>
        e.recording.response.status === 200 &&
        typeof e.recording.response.body === "object" &&
        e.recording.response.body !== null &&
        "meta" in (e.recording.response.body as object),
    );
    const metaOf = (e: (typeof pages)[number]) =>
      e.recording.response.body as { meta: { page: number; next_page_url: string | null; key: string } } & Record<
        string,
        unknown[]
      >;
    expect(pages.some((e) => metaOf(e).meta.page === 0 && metaOf(e).meta.next_page_url !== null)).toBe(true);
    expect(pages.some((e) => metaOf(e).meta.page > 0 && metaOf(e).meta.next_page_url !== null)).toBe(true);
    expect(pages.some((e) => metaOf(e).meta.page > 0 && metaOf(e).meta.next_page_url === null)).toBe(true);
    expect(pages.some((e) => metaOf(e)[metaOf(e).meta.key]!.length === 0)).toBe(true);
    expect(
      pages.some((e) =>
        /[?&](Status|UniqueName|Identity|GroupingSid|RoomSid|Enabled|FriendlyName|SourceSid)=/.test(
          e.recording.request.url,
        ),
      ),
    ).toBe(true);
  });

  it("covers the error answers", () => {
    const errors = corpus.map((e) => e.recording.response);
    const code = (r: (typeof errors)[number]) =>
      typeof r.body === "object" && r.body !== null ? (r.body as { code?: number }).code : undefined;
    expect(errors.some((r) => r.status === 401 && code(r) === 20003)).toBe(true);
    expect(errors.some((r) => r.status === 404 && code(r) === 20404)).toBe(true);
    expect(errors.some((r) => r.status === 400)).toBe(true);
    expect(
      errors.some(
        (r) =>
          r.status === 429 &&
          code(r) === 20429 &&
          Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === "retry-after"),
      ),
    ).toBe(true);
    expect(errors.some((r) => r.status >= 500 && typeof r.body === "string")).toBe(true);
  });

  it("uses realistic values, not placeholders", () => {
    for (const { name, recording } of corpus) {
      expect(JSON.stringify(recording), name).not.toMatch(/"string"|XXXXXXXX|\.\.\.|…/);
    }
  });
});
