/**
 * Shared by the contract tests: the recorded corpus and the spec document it
 * is checked against. CONTRACT_SPEC=<bundled openapi.json> checks against
 * another bundle (e.g. a work-in-progress one) instead of generated/.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import generated from "../../generated/openapi.json" with { type: "json" };
import type { Recording } from "../../src/contract/index.js";

export const contractTestsDir = resolve(import.meta.dirname, "..");
export const recordingsDir = join(contractTestsDir, "recordings");

export const specDocument: Record<string, unknown> = process.env.CONTRACT_SPEC
  ? (JSON.parse(readFileSync(resolve(process.env.CONTRACT_SPEC), "utf8")) as Record<string, unknown>)
  : (generated as Record<string, unknown>);

export interface CorpusEntry {
  /** Path relative to contract-tests/recordings, e.g. `rooms/create-group.json`. */
  name: string;
  resource: string;
  recording: Recording;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".json") ? [join(dir, e.name)] : []));
}

export function loadCorpus(): CorpusEntry[] {
  return walk(recordingsDir).map((file) => {
    const name = relative(recordingsDir, file);
    return { name, resource: name.split("/")[0]!, recording: JSON.parse(readFileSync(file, "utf8")) as Recording };
  });
}

/** Every operation of the document: operationId, method, path template, and the operation object. */
export function documentOperations(
  document: Record<string, unknown>,
): { operationId: string; method: string; path: string; operation: Record<string, unknown> }[] {
  const out: { operationId: string; method: string; path: string; operation: Record<string, unknown> }[] = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === "parameters" || typeof op !== "object" || op === null) continue;
      const operation = op as Record<string, unknown>;
      out.push({ operationId: String(operation.operationId), method: method.toUpperCase(), path, operation });
    }
  }
  return out;
}

export const clone = <T>(value: T): T => structuredClone(value);
