/**
 * Prints the size of the client core (src/index.ts) as an app's bundler
 * would ship it: minified ESM for a neutral (Workers / browser / Deno)
 * platform, raw and gzipped, once with openapi-fetch bundled in and once
 * with it external. The lazily loaded response validator
 * (`./contract/index.js`, ajv) is never part of it.
 *
 *   npm run size            # table
 *   npm run size -- --json  # machine-readable
 */
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { parseCommandLine } from "./cli-args.js";
import { coreBuildOptions } from "./core-bundle.js";

const { values: args } = parseCommandLine({
  usage: `usage: npm run size [-- --json]

Minified and gzipped size of the client core as an app's bundler ships it.

  --json      one JSON array on stdout instead of the table
  -h, --help  show this text`,
  options: { json: { type: "boolean" } },
});

interface Measure {
  variant: string;
  minified: number;
  gzip: number;
}

async function measure(variant: string, external: string[]): Promise<Measure> {
  const base = coreBuildOptions();
  const result = await esbuild.build({
    ...base,
    minify: true,
    legalComments: "none",
    external: [...(base.external ?? []), ...external],
    metafile: false,
    logLevel: "warning",
  });
  const bytes = result.outputFiles![0]!.contents;
  return { variant, minified: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const rows = [
  await measure("core + openapi-fetch", []),
  await measure("core only (openapi-fetch external)", ["openapi-fetch"]),
];

if (args.json) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  const width = Math.max(...rows.map((row) => row.variant.length));
  console.log(`twilio-video-ts client core (src/index.ts), esbuild --minify, esm, platform neutral; gzip level 9`);
  console.log(`${"".padEnd(width)}  ${"minified".padStart(18)}  ${"gzip".padStart(18)}`);
  for (const row of rows) {
    console.log(
      `${row.variant.padEnd(width)}  ${`${kb(row.minified)} (${row.minified} B)`.padStart(18)}  ${`${kb(row.gzip)} (${row.gzip} B)`.padStart(18)}`,
    );
  }
}
