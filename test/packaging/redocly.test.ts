// scripts/redocly.ts drops exactly Redocly's two unconditional banners from
// its stderr (the Node 20 end-of-life box and the Redoc 3 notice), and keeps
// everything else: other boxes, problems, totals.
import { describe, expect, it } from "vitest";
import { bannerFilter } from "../../scripts/redocly.js";

const box = (...lines: string[]) => [
  "    ╔══════╗",
  "    ║      ║",
  ...lines.map((l) => `    ║  ${l}  ║`),
  "    ║      ║",
  "    ╚══════╝",
];

function filter(lines: string[]): string {
  let out = "";
  const f = bannerFilter((text) => (out += text));
  for (const line of lines) f.line(line);
  f.end();
  return out;
}

describe("Redocly banner filter", () => {
  it("drops the Node 20 end-of-life box and the blank lines around it", () => {
    const input = [
      "",
      ...box("Deprecation warning: Node.js 20 support is ending", "Node.js 20 reached end-of-life on April 30, 2026."),
      "",
      "validating spec/openapi.yaml...",
      "Woohoo!",
    ];
    expect(filter(input)).toBe("validating spec/openapi.yaml...\nWoohoo!\n");
  });

  it("drops the Redoc 3 notice of build-docs", () => {
    const input = [
      ...box("build-docs now renders docs with Redoc 3."),
      "",
      "Prerendering docs",
      "",
      "🎉 bundled successfully",
    ];
    expect(filter(input)).toBe("Prerendering docs\n\n🎉 bundled successfully\n");
  });

  it("keeps any other box, problems and blank lines between them", () => {
    const other = box("A new version of Redocly CLI is available");
    const input = [
      "spec/openapi.yaml:",
      "  12:3  error  operation-summary  Operation must have a summary.",
      "",
      ...other,
      "",
      "❌ Validation failed with 1 error.",
    ];
    expect(filter(input)).toBe(`${input.join("\n")}\n`);
  });

  it("keeps an unterminated box (a crash mid-banner loses nothing)", () => {
    const input = ["    ╔══════╗", "    ║  Node.js 20 support is ending", "Error: boom"];
    expect(filter(input)).toBe(`${input.join("\n")}\n`);
  });
});
