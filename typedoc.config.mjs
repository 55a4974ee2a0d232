// API reference: `npm run docs` → docs-build/api/ (git-ignored).
// The entry points are read from package.json "exports" (every entry with
// types), so a new entry point is documented without touching this file;
// test/packaging/tsdoc.test.ts holds every public export to a TSDoc comment.
import { readFileSync } from "node:fs";
import { OptionDefaults } from "typedoc";

const manifest = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

/**
 * `./dist/src/contract/index.d.ts` → `src/contract/index.ts`, for every export that has types. Where
 * the types depend on the runtime (`{ node, default }`), the `default` ones, which every runtime gets.
 */
export function entryPointsFromExports(exports) {
  return Object.values(exports)
    .map((target) => (typeof target === "object" && target !== null ? target.types : undefined))
    .map((types) => (typeof types === "object" && types !== null ? types.default : types))
    .filter((types) => typeof types === "string")
    .map((types) => types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".ts"));
}

/** @type {Partial<import("typedoc").TypeDocOptions>} */
const config = {
  name: `${manifest.name} ${manifest.version}`,
  entryPoints: entryPointsFromExports(manifest.exports),
  // The build config: the shipped sources only, not the tests and scripts.
  tsconfig: "tsconfig.build.json",
  out: "docs-build/api",
  // The landing page: what each entry point is for, and where the guides are.
  readme: "docs/api-reference.md",
  // openapi-typescript writes @description (and friends) on the spec types.
  blockTags: [...OptionDefaults.blockTags, "@description", "@constant", "@enum", "@format"],
  excludePrivate: true,
  excludeInternal: true,
  // The generated spec types are documented by the spec itself (npm run docs:spec).
  // notExported off: helper types (the shapes of resource methods, spec lookups) are not
  // entry-point exports on purpose and render inline. notDocumented is enforced by
  // test/packaging/tsdoc.test.ts instead, which also covers re-exports.
  validation: { notExported: false, invalidLink: true, notDocumented: false },
  // No source links: a clone may have no git remote (or no .git at all, as in CI), and the
  // package ships no sources to link to.
  disableSources: true,
  treatWarningsAsErrors: true,
  logLevel: "Warn",
};
export default config;
