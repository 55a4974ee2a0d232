/**
 * The CI reporters: JUnit XML (structure, counts, escaping of markup, control
 * characters and `]]>`) and GitHub workflow annotations (escaping of `%`,
 * newlines, `:` and `,`), plus spec-too-strict findings listed on their own.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "../src/contract/cli.js";
import type { FileResult } from "../src/contract/cli.js";
import { githubData, githubProperty, junitReporter, xmlEscape, type Summary } from "../src/contract/reporters.js";
import { loadCorpus } from "./lib/corpus.js";

interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const decode = (s: string): string => {
  expect(s, "only the five predefined entities").not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
};

/** A strict little XML 1.0 reader for what the reporter writes: fails on anything malformed. */
function parseXml(xml: string): XmlNode {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  // XML 1.0 forbids these characters anywhere, even escaped.
  expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  expect(xml).not.toContain("]]>");
  const body = xml.slice(xml.indexOf("?>") + 2);
  const root: XmlNode = { name: "#document", attributes: {}, children: [], text: "" };
  const stack = [root];
  const token = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let at = 0;
  for (let m = token.exec(body); m; m = token.exec(body)) {
    at = token.lastIndex;
    const [, close, name, attrs, selfClose, text] = m;
    const top = stack.at(-1)!;
    if (text !== undefined) {
      expect(text, "no raw markup in text").not.toMatch(/[<>]/);
      top.text += decode(text);
    } else if (close) {
      expect(top.name, `closing tag </${name}>`).toBe(name);
      stack.pop();
    } else {
      const node: XmlNode = { name: name!, attributes: {}, children: [], text: "" };
      for (const a of attrs!.matchAll(/([\w.-]+)="([^"]*)"/g)) node.attributes[a[1]!] = decode(a[2]!);
      top.children.push(node);
      if (!selfClose) stack.push(node);
    }
  }
  expect(at, "the whole document was read").toBe(body.length);
  expect(stack).toHaveLength(1);
  expect(root.children).toHaveLength(1);
  return root.children[0]!;
}

const nasty = "a <b> & \"c\" 'd' ]]> \u0001\u0007\u001b \uD800 end\nsecond line";

const summary = (over: Partial<Summary> = {}): Summary => ({
  files: 1,
  recordings: 2,
  passed: 1,
  failed: 1,
  warnings: 1,
  specTooStrict: 1,
  skipped: { total: 1, reasons: { "not a Video API host": 1 } },
  strict: false,
  ...over,
});
const failing: FileResult = {
  file: `cap<1>.har#/log/entries/0`,
  operationId: "FetchRoom",
  ok: false,
  errors: [
    { where: "response.body/status", message: nasty, expected: '"in-progress"', found: '"]]>"' },
    { where: "response.body/sid", message: "value does not match the pattern" },
  ],
  warnings: [],
  specTooStrict: [],
};
const passing: FileResult = {
  file: "ok.json",
  operationId: "FetchRoom",
  ok: true,
  errors: [],
  warnings: [{ where: "response.body/x", message: 'undocumented field "x" (drift)' }],
  specTooStrict: [
    { where: "request.query/PageSize", message: "the API answered 200 to a request the spec rejects: too big" },
  ],
};

describe("JUnit XML", () => {
  const render = (results: FileResult[], s: Summary, strict = false): string => {
    let out = "";
    const reporter = junitReporter((t) => (out += t), strict);
    for (const r of results) reporter.result(r);
    reporter.end(s);
    return out;
  };

  it("is one testsuite with one testcase per recording and one failure per finding", () => {
    const root = parseXml(render([failing, passing], summary()));
    expect(root.name).toBe("testsuites");
    expect(root.attributes).toMatchObject({ name: "twilio-video-conformance", tests: "2", failures: "1", errors: "0" });
    const [suite] = root.children;
    expect(suite!.name).toBe("testsuite");
    expect(suite!.attributes).toMatchObject({ tests: "2", failures: "1" });
    const props = suite!.children
      .find((c) => c.name === "properties")!
      .children.map((p) => [p.attributes.name, p.attributes.value]);
    expect(props).toContainEqual(["skipped", "skipped 1: 1 not a Video API host"]);
    const cases = suite!.children.filter((c) => c.name === "testcase");
    expect(cases.map((c) => [c.attributes.classname, c.attributes.name, c.attributes.file])).toEqual([
      ["cap<1>.har", "cap<1>.har#/log/entries/0 [FetchRoom]", "cap<1>.har"],
      ["ok.json", "ok.json [FetchRoom]", "ok.json"],
    ]);
    const failures = cases[0]!.children.filter((c) => c.name === "failure");
    expect(failures).toHaveLength(2);
    expect(failures[1]!.attributes).toEqual({
      type: "error",
      message: "response.body/sid: value does not match the pattern",
    });
    // The passing case carries its drift and spec-too-strict findings as output, not as failures.
    expect(cases[1]!.children.map((c) => c.name)).toEqual(["system-out"]);
    expect(cases[1]!.children[0]!.text).toBe(
      'warning response.body/x: undocumented field "x" (drift)\nspec-too-strict request.query/PageSize: the API answered 200 to a request the spec rejects: too big',
    );
  });

  it("escapes markup, quotes, ]]> and characters XML cannot carry, losing nothing readable", () => {
    const root = parseXml(render([failing], summary({ recordings: 1, passed: 0 })));
    const failure = root.children[0]!.children.find((c) => c.name === "testcase")!.children[0]!;
    const shown = "a <b> & \"c\" 'd' ]]> \\u0001\\u0007\\u001b \\ud800 end\nsecond line";
    expect(failure.attributes.message).toBe(`response.body/status: ${shown}`);
    expect(failure.text).toBe(`response.body/status: ${shown} (expected "in-progress", found "]]>")`);
    expect(xmlEscape("\t\r\n")).toBe("\t\r\n");
    expect(xmlEscape("\uD83D\uDE00")).toBe("\uD83D\uDE00"); // a valid pair stays
  });

  it("fails a spec-too-strict finding in strict mode", () => {
    const strictPassing = { ...passing, ok: false, warnings: [] };
    const root = parseXml(render([strictPassing], summary({ strict: true }), true));
    const failure = root.children[0]!.children.find((c) => c.name === "testcase")!.children[0]!;
    expect(failure).toMatchObject({ name: "failure", attributes: { type: "spec-too-strict" } });
  });

  it("names NDJSON lines and stdin lines by their input file", () => {
    const line = (file: string): FileResult => ({ ...passing, file, warnings: [], specTooStrict: [] });
    const root = parseXml(
      render([line("traffic.ndjson:3"), line("stdin:1"), line("x.har#/log/entries/0")], summary({ recordings: 3 })),
    );
    expect(root.children[0]!.children.filter((c) => c.name === "testcase").map((c) => c.attributes.classname)).toEqual([
      "traffic.ndjson",
      "stdin",
      "x.har",
    ]);
  });

  it("writes an empty but valid document when nothing was checked", () => {
    const root = parseXml(render([], summary({ recordings: 0, passed: 0, failed: 0 })));
    expect(root.attributes.tests).toBe("0");
  });
});

describe("GitHub annotations", () => {
  it("escapes data and properties as the workflow command syntax requires", () => {
    expect(githubData("100% done\r\nnext")).toBe("100%25 done%0D%0Anext");
    expect(githubProperty("a:b,c%\n")).toBe("a%3Ab%2Cc%25%0A");
  });
});

describe("reporters through the CLI", () => {
  let dir: string;
  const corpus = loadCorpus();
  const good = corpus.find((e) => e.name === "rooms/fetch-by-sid.json")!.recording;
  const list = corpus.find((e) => e.name === "rooms/list-filtered.json")!.recording;
  const run = async (args: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await runConformance(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir });
    return { code, stdout, stderr };
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "conformance-reporters-"));
    mkdirSync(join(dir, "rec, 1:x"));
    writeFileSync(
      join(dir, "rec, 1:x/bad.json"),
      JSON.stringify({
        ...good,
        response: { ...good.response, body: { ...(good.response.body as object), status: "50% <done>\nreally" } },
      }),
    );
    writeFileSync(join(dir, "rec, 1:x/good.json"), JSON.stringify(good));
    // The API answered 200 to a PageSize the spec forbids: a spec bug.
    writeFileSync(
      join(dir, "rec, 1:x/too-strict.json"),
      JSON.stringify({ ...list, request: { ...list.request, url: `${list.request.url}&PageSize=5000` } }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--reporter github annotates the recording file, escaped; spec-too-strict is a warning, an error when strict", async () => {
    const r = await run(["--reporter", "github", "rec, 1:x"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    const error = lines.find((l) => l.startsWith("::error "))!;
    expect(error).toMatch(
      /^::error file=rec%2C 1%3Ax\/bad\.json,title=conformance FetchRoom response\.body\/status::rec, 1:x\/bad\.json: response\.body\/status: value is not one of the allowed values \(expected .*, found "50%25 <done>\\nreally"\)$/,
    );
    expect(lines.find((l) => l.startsWith("::warning "))).toMatch(
      /^::warning file=rec%2C 1%3Ax\/too-strict\.json,title=spec-too-strict ListRoom request\.query\/PageSize::/,
    );
    expect(lines.at(-2)).toMatch(
      /^3 file\(s\), 3 recording\(s\): 2 passed, 1 failed, 0 drift warning\(s\), 1 spec-too-strict warning\(s\)$/,
    );
    const strict = await run(["--reporter", "github", "--strict", "rec, 1:x"]);
    expect(strict.stdout).toMatch(/^::error file=rec%2C 1%3Ax\/too-strict\.json,title=spec-too-strict ListRoom/m);
  });

  it("--reporter junit writes parseable XML with one testcase per recording", async () => {
    const r = await run(["--reporter", "junit", "rec, 1:x"]);
    expect(r.code).toBe(1);
    const root = parseXml(r.stdout);
    const cases = root.children[0]!.children.filter((c) => c.name === "testcase");
    expect(cases.map((c) => c.attributes.name)).toEqual([
      "rec, 1:x/bad.json [FetchRoom]",
      "rec, 1:x/good.json [FetchRoom]",
      "rec, 1:x/too-strict.json [ListRoom]",
    ]);
    expect(cases[0]!.children[0]!.text).toContain('found "50% <done>\\nreally"');
  });

  it("text and json list spec-too-strict findings on their own", async () => {
    const text = await run(["rec, 1:x/too-strict.json"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^WARN rec, 1:x\/too-strict\.json \[ListRoom\]\n {2}spec-too-strict request\.query\/PageSize: the API answered 200 to a request the spec rejects: /,
    );
    expect(text.stdout).toContain(
      "spec-too-strict: the API accepted what the spec forbids; the spec needs fixing, not the traffic",
    );
    const json = JSON.parse((await run(["--json", "rec, 1:x/too-strict.json"])).stdout);
    expect(json).toMatchObject({ passed: 1, failed: 0, specTooStrict: 1 });
    expect(json.results[0].errors).toEqual([]);
    expect(json.results[0].specTooStrict[0].where).toBe("request.query/PageSize");
    expect((await run(["--strict", "rec, 1:x/too-strict.json"])).code).toBe(1);
  });
});
