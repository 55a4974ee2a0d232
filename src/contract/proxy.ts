/**
 * The capture proxy's entry (kept at this path for `src/contract/index.ts`
 * and the CLI): the code lives in `./proxy/` (see its index.ts).
 */
export * from "./proxy/index.js";
