/**
 * The byte-level HAR scanner (src/contract/har-scan.ts) against a real JSON
 * parser: on the corpus as HAR, on generated documents of arbitrary JSON cut
 * into arbitrary chunks, and on hostile text (braces and escaped quotes in
 * strings, "\\\"", unicode escapes, a byte-order mark, truncation, garbage).
 */
import { pipeline, Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HarScanner, HarSyntaxError, type HarPiece } from "../src/contract/har-scan.js";
import { harItems } from "../src/contract/har-stream.js";
import { loadCorpus } from "./lib/corpus.js";
import { harEntry } from "./lib/synthetic-traffic.js";

const corpus = loadCorpus().map((e) => e.recording);
const OPTIONS = { maxEntryBytes: 1 << 20, maxDepth: 256 };

type Scanned = { entries: unknown[]; found: boolean } | { error: HarSyntaxError; entries: unknown[] };

/** Scans `bytes` fed in chunks of `size`; entries parsed with JSON.parse, other pieces as they are. */
function scan(bytes: Buffer, size: number, options = OPTIONS): Scanned {
  const scanner = new HarScanner(options);
  const entries: unknown[] = [];
  const take = (pieces: HarPiece[]) => {
    for (const p of pieces) entries.push(p.kind === "entry" ? JSON.parse(Buffer.concat(p.parts).toString("utf8")) : p);
  };
  for (let i = 0; i < bytes.length; i += size) {
    // A copy per chunk: the scanner may keep views of a chunk, and streams hand out fresh ones.
    take(scanner.push(Buffer.from(bytes.subarray(i, i + size))));
    if (scanner.error) return { error: scanner.error, entries };
  }
  try {
    scanner.end();
  } catch (e) {
    return { error: e as HarSyntaxError, entries };
  }
  return { entries, found: scanner.foundEntries };
}

/** What a full parse says the document's entries are (JSON.parse is the reference grammar). */
function reference(text: string): unknown[] | undefined {
  const doc = JSON.parse(text) as { log?: { entries?: unknown } };
  return Array.isArray(doc?.log?.entries) ? doc.log.entries : undefined;
}
/** The entries as the reader before the scanner saw them (stream-json picking log.entries). */
async function streamJsonEntries(text: string): Promise<unknown[]> {
  const [{ parser }, { pick }, { streamArray }] = await Promise.all([
    import("stream-json"),
    import("stream-json/filters/pick.js"),
    import("stream-json/streamers/stream-array.js"),
  ]);
  const out: unknown[] = [];
  const stages = pipeline(
    Readable.from([text]),
    parser.asStream({ streamValues: false }),
    pick.asStream({ filter: "log.entries", once: true }),
    streamArray.asStream(),
    () => {},
  );
  for await (const item of stages as AsyncIterable<{ value: unknown }>) out.push(item.value);
  return out;
}
const expectedScan = (text: string) => ({ entries: reference(text) ?? [], found: reference(text) !== undefined });

const har = (entries: unknown[], extra = {}) =>
  JSON.stringify({ log: { version: "1.2", creator: { name: "t", version: "1" }, ...extra, entries } });

describe("the HAR scanner agrees with a JSON parser", () => {
  it("on the corpus as a HAR capture, in any chunking, as the stream-json reader did", async () => {
    const text = har(corpus.map((r, i) => harEntry(r, i)));
    expect(await streamJsonEntries(text)).toEqual(reference(text));
    for (const size of [1, 7, 64, 4096, text.length]) {
      const got = scan(Buffer.from(text), size);
      expect(got, `chunks of ${size}`).toEqual({ entries: reference(text), found: true });
    }
  });

  it("on arbitrary JSON entries with arbitrary strings, whitespace and chunking", () => {
    const entry = fc.jsonValue({ maxDepth: 4 });
    const key = fc.oneof(fc.string(), fc.constantFrom("log", "entries", "{", '"', "\\", "}]"));
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 6 }),
        fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        fc.integer({ min: 1, max: 97 }),
        fc.boolean(),
        (entries, extra, size, pretty) => {
          // Spread after log, extra may replace it with any value: then there is no capture to find.
          const doc = { log: { ...extra, entries }, ...extra };
          const text = pretty ? JSON.stringify(doc, null, 2) : JSON.stringify(doc);
          expect(scan(Buffer.from(text), size)).toEqual(expectedScan(text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("on strings full of braces, escaped quotes, backslashes and unicode escapes", async () => {
    const text = String.raw`{"log":{"entries":[{"a":"{\"","b":"\\\"}","c":"\\\\","d":"]],{{","e":"\u0022\u007b\ud83c\udf89"},"\\","\"",{"k\"}":["\\\"]"]}]}}`;
    const expected = reference(text);
    expect(expected).toHaveLength(4);
    expect(await streamJsonEntries(text)).toEqual(expected);
    for (const size of [1, 2, 3, 5, 1000])
      expect(scan(Buffer.from(text), size)).toEqual({ entries: expected, found: true });
  });

  it("finds log.entries under escaped key names and only at the top level", () => {
    expect(scan(Buffer.from('{"l\\u006fg":{"entr\\u0069es":[1,2]}}'), 3)).toEqual({ entries: [1, 2], found: true });
    // log.entries nested in another key, or an entries array beside log, is not the capture's.
    expect(scan(Buffer.from('{"x":{"log":{"entries":[1]}},"entries":[2],"log":{"y":{"entries":[3]}}}'), 4)).toEqual({
      entries: [],
      found: false,
    });
    // The first log.entries is the capture's; a later one is not read.
    expect(scan(Buffer.from('{"log":{"entries":[1],"entries":[2]}}'), 5)).toEqual({ entries: [1], found: true });
  });

  it("skips a UTF-8 byte-order mark, even one split over chunks", () => {
    const text = har([{ a: 1 }, "x"]);
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    for (const size of [1, 2, 3, 100]) expect(scan(withBom, size)).toEqual({ entries: [{ a: 1 }, "x"], found: true });
  });
});

describe("broken captures: a clear error with the byte where reading stopped", () => {
  const text = har([{ a: "x" }, { b: [1, 2] }]);
  const cases: [string, string, RegExp, number][] = [
    [
      "truncated inside an entry",
      text.slice(0, text.indexOf('"b"') + 2),
      /the file ends early, inside log\.entries\[1\] at byte \d+$/,
      1,
    ],
    ["truncated between entries", text.slice(0, text.indexOf("},{") + 2), /the file ends early/, 1],
    [
      "a closing bracket of the wrong kind",
      text.replace("]}}", "}}}"),
      /unexpected '\}' \(3 bracket\(s\) still open\)/,
      2,
    ],
    ["garbage after the document", `${text} trailing`, /unexpected 't' \(at the top level\)/, 2],
    ["two commas", text.replace("},{", "},,{"), /unexpected ','/, 1],
    ["a missing colon", text.replace('"log":', '"log" '), /unexpected '\{'/, 0],
    ["a control byte between tokens", text.replace("},{", "},\u0001{"), /unexpected byte 0x01/, 1],
    ["an empty file", "", /the file is empty at byte 0/, 0],
  ];
  it.each(cases)("%s", (_, input, message, entriesBefore) => {
    for (const size of [1, 13, 4096]) {
      const got = scan(Buffer.from(input), size);
      expect("error" in got && got.error, `chunks of ${size}`).toBeInstanceOf(HarSyntaxError);
      const error = (got as { error: HarSyntaxError }).error;
      expect(error.message).toMatch(message);
      expect(error.offset).toBeGreaterThanOrEqual(0);
      expect(error.offset).toBeLessThanOrEqual(input.length);
      expect(got.entries).toHaveLength(entriesBefore);
    }
  });

  it("an entry whose own brackets or grammar are wrong is handed on whole, for JSON.parse to refuse alone", () => {
    const input = '{"log":{"entries":[{"a":[1}},{"b" 2},{"c":"]"},3]}}';
    const scanner = new HarScanner(OPTIONS);
    const pieces = scanner.push(Buffer.from(input));
    scanner.end();
    const texts = pieces.map((p) => (p.kind === "entry" ? Buffer.concat(p.parts).toString() : p.kind));
    expect(texts).toEqual(['{"a":[1}}', '{"b" 2}', '{"c":"]"}', "3"]);
    expect(() => JSON.parse(texts[0]!)).toThrow(SyntaxError);
    expect(() => JSON.parse(texts[1]!)).toThrow(SyntaxError);
  });

  it("names the exact byte of an unexpected one", () => {
    const input = '{"log":{"entries":[1,]}}';
    const got = scan(Buffer.from(input), 3) as { error: HarSyntaxError };
    expect(got.error.offset).toBe(input.indexOf("]"));
  });
});

describe("limits", () => {
  it("an entry over maxEntryBytes is reported by size, not kept, and the next entry is read", () => {
    const big = "x".repeat(10_000);
    const text = har([{ a: big }, { b: 1 }]);
    const got = scan(Buffer.from(text), 1000, { maxEntryBytes: 5_000, maxDepth: 256 });
    expect(got).toEqual({
      entries: [{ kind: "too-large", index: 0, size: JSON.stringify({ a: big }).length }, { b: 1 }],
      found: true,
    });
  });

  it("an entry nested deeper than maxDepth is reported unparsed; one exactly at it is parsed", () => {
    const nest = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
    // The entry object is depth 0, so maxDepth more levels may follow: maxDepth + 1 brackets deep in all.
    const text = `{"log":{"entries":[{"r":${nest(256)}},{"r":${nest(255)}},{"s":"[[[["},2]}}`;
    const got = scan(Buffer.from(text), 64) as { entries: unknown[] };
    expect(got.entries[0]).toEqual({ kind: "too-deep", index: 0 });
    expect(got.entries.slice(1)).toEqual(reference(text)!.slice(1));
    expect(scan(Buffer.from(`{"log":{"entries":[${nest(100_000)}]}}`), 4096)).toMatchObject({
      entries: [{ kind: "too-deep", index: 0 }],
      found: true,
    });
  });

  it("nesting outside log.entries beyond 1024 levels is an error, not a growing stack", () => {
    const got = scan(Buffer.from(`{"pages":${"[".repeat(5000)}`), 4096);
    expect("error" in got && got.error.message).toMatch(/nested deeper than 1024 levels outside log\.entries/);
  });

  it("scans a string-heavy capture in time linear in its size (no rescans per escape)", () => {
    // Backslashes far from the next quote: a scanner that searched for the quote again after each escape would be quadratic.
    const entry = (n: number) => ({ t: `${"\\n".repeat(n)}"` });
    const time = (n: number) => {
      const bytes = Buffer.from(har([entry(n)]));
      const started = performance.now();
      scan(bytes, 1 << 20);
      return performance.now() - started;
    };
    time(1000);
    const small = Math.max(time(20_000), 1);
    const large = time(400_000);
    expect(large / small).toBeLessThan(20 * 5);
  });
});

describe("harItems", () => {
  it("packs entries in order into transferable buffers and ends a broken file with one failure", async () => {
    const entries = corpus.slice(0, 5).map((r, i) => harEntry(r, i));
    const text = har(entries);
    const items = [];
    for await (const item of harItems(Readable.from([Buffer.from(text.slice(0, -30))]), "cut.har", {}))
      items.push(item);
    const packed = items.filter((i) => i.t === "har");
    expect(packed.flatMap((i) => (i.t === "har" ? i.indices : []))).toEqual([0, 1, 2, 3]);
    for (const item of packed) if (item.t === "har") expect(item.bytes.byteLength).toBe(item.bytes.buffer.byteLength);
    expect(items.at(-1)).toMatchObject({ t: "res", result: { file: "cut.har", ok: false } });
    const last = items.at(-1)!;
    expect(last.t === "res" && last.result.errors[0]!.message).toMatch(
      /^cannot read HAR: the file ends early, inside log\.entries\[4\] at byte \d+$/,
    );
  });
});

describe("the CLI on a HAR entry that is not JSON", () => {
  it("fails that entry alone, naming it, and checks the entries after it", async () => {
    const { runConformance } = await import("../src/contract/cli.js");
    const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "har-bad-entry-"));
    try {
      const good = JSON.stringify(harEntry(corpus[0]!, 0));
      writeFileSync(join(dir, "bad.har"), `{"log":{"entries":[${good},{"request":[1}},{"x" 1},${good}]}}`);
      let stdout = "";
      const code = await runConformance(["--json", "--jobs", "1", "bad.har"], {
        stdout: (t) => (stdout += t),
        stderr: () => {},
        cwd: dir,
      });
      expect(code).toBe(1);
      const results = JSON.parse(stdout).results as { file: string; ok: boolean; errors: { message: string }[] }[];
      expect(results.map((r) => [r.file, r.ok])).toEqual([
        ["bad.har#/log/entries/0", true],
        ["bad.har#/log/entries/1", false],
        ["bad.har#/log/entries/2", false],
        ["bad.har#/log/entries/3", true],
      ]);
      for (const r of results.filter((x) => !x.ok)) expect(r.errors[0]!.message).toMatch(/^entry is not valid JSON: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
