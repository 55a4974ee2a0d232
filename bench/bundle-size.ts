/**
 * Bundle size of an app that lists every room, per contestant: esbuild,
 * minified ESM, gzip level 9. Fetch-based clients are bundled for a neutral
 * platform (Workers, browsers, Deno); Node-only ones for Node with its
 * built-ins external. (`npm run size` measures our core alone.)
 */
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { PROGRAMS, listSource } from "./programs.js";

const BENCH_DIR = fileURLToPath(new URL(".", import.meta.url));

export interface BundleSize {
  minified: number;
  gzip: number;
}

export async function bundleSize(id: string): Promise<BundleSize> {
  const program = PROGRAMS[id]!;
  const result = await esbuild.build({
    stdin: { contents: listSource(program), resolveDir: BENCH_DIR, sourcefile: `list-${id}.mjs`, loader: "ts" },
    bundle: true,
    minify: true,
    legalComments: "none",
    platform: program.platform,
    format: "esm",
    target: "es2022",
    mainFields: program.platform === "neutral" ? ["module", "main"] : undefined,
    external: ["node:*", ...builtinModules],
    write: false,
    logLevel: "error",
  });
  const bytes = result.outputFiles[0]!.contents;
  return { minified: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength };
}
