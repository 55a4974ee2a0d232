// Shared by the packaging tests and scripts/bundle-size.ts: how the client core (src/index.ts) is
// bundled the way a Workers / browser / Deno bundler would see it, and what
// may not end up in its static import graph.
import { builtinModules, isBuiltin } from "node:module";
import { fileURLToPath } from "node:url";
import type { BuildOptions, Metafile } from "esbuild";

export const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The response validator is loaded lazily by src/core/invoke.ts through a non-literal specifier, so bundlers leave it out of the core. */
export const LAZY_CONTRACT_IMPORT = "../contract/index.js";

/** Node-free and ajv-free: these are externalised so that, if imported, they show up in the metafile instead of failing resolution. */
const FORBIDDEN_EXTERNALS = [
  "node:*",
  ...builtinModules,
  ...builtinModules.map((name) => `${name}/*`),
  "ajv",
  "ajv/*",
  "ajv-formats",
  "ajv-formats/*",
];

/** esbuild options shared by the neutral ESM bundle and the IIFE evaluated in edge-runtime. */
export function coreBuildOptions(overrides: BuildOptions = {}): BuildOptions {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: ["src/index.ts"],
    bundle: true,
    write: false,
    metafile: true,
    platform: "neutral",
    format: "esm",
    target: "es2022",
    mainFields: ["module", "main"],
    // What Workers (wrangler) and browser bundlers resolve with; "import" is added per import kind.
    conditions: ["workerd", "worker", "browser"],
    external: FORBIDDEN_EXTERNALS,
    logLevel: "silent",
    ...overrides,
  };
}

export interface ImportEdge {
  from: string;
  path: string;
  kind: string;
}

const STATIC_KINDS = new Set([
  "import-statement",
  "require-call",
  "require-resolve",
  "import-rule",
  "composes-from",
  "url-token",
]);

function isForbidden(path: string): boolean {
  return (
    path.startsWith("node:") ||
    isBuiltin(path) ||
    /^ajv(-formats)?(\/|$)/.test(path) ||
    /\/node_modules\/ajv(-formats)?\//.test(`/${path}`)
  );
}

/**
 * Every static import (or bundled input) in the metafile that is a Node
 * built-in or ajv, plus any static import of the lazy contract module.
 * Inputs are all statically reachable: the only dynamic import is external.
 */
export function forbiddenImports(metafile: Metafile): ImportEdge[] {
  const found: ImportEdge[] = [];
  for (const [from, input] of Object.entries(metafile.inputs)) {
    if (isForbidden(from)) found.push({ from: "(bundled input)", path: from, kind: "input" });
    if (/(^|\/)src\/(contract|emulator)\//.test(from))
      found.push({ from: "(bundled input)", path: from, kind: "input" });
    for (const edge of input.imports) {
      if (!STATIC_KINDS.has(edge.kind)) continue;
      if (
        isForbidden(edge.path) ||
        edge.path === LAZY_CONTRACT_IMPORT ||
        /(^|\/)contract\/index\.(js|ts)$/.test(edge.path)
      ) {
        found.push({ from, path: edge.path, kind: edge.kind });
      }
    }
  }
  return found;
}

/** All import edges to the lazy contract module, wherever they are. */
export function contractImports(metafile: Metafile): ImportEdge[] {
  return Object.entries(metafile.inputs).flatMap(([from, input]) =>
    input.imports
      .filter((edge) => edge.path === LAZY_CONTRACT_IMPORT)
      .map((edge) => ({ from, path: edge.path, kind: edge.kind })),
  );
}
