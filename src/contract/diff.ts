/**
 * A breaking-change report between two bundled OpenAPI documents, for the
 * CLIENTS of the API: the people who send its requests and read its
 * responses. Pure (documents in, changes out; no I/O), so it runs anywhere.
 *
 * The rule behind every verdict: a request change breaks a client when
 * something it may send today is refused tomorrow (narrowing); a response
 * change breaks a client when something it may read tomorrow was never
 * promised today (widening), or something promised today goes away. The
 * opposite directions are additions (minor). Text that only documents
 * (descriptions, summaries, examples, `x-` extensions) is a patch.
 *
 * Webhooks (status callbacks) run the other way: Twilio sends the request
 * and the consumer reads it, so a webhook's request body is judged as a
 * response and its response as a request.
 */
import { isObject, type JsonObject } from "./json-pointer.js";
import {
  NotOpenApiError,
  type ChangeSeverity,
  type DiffVerdict,
  type SpecChange,
  type SpecDiff,
  type Walk,
} from "./diff/model.js";
import { compareDocument } from "./diff/document.js";
import { compareOperations } from "./diff/operations.js";

export {
  NotOpenApiError,
  type ChangeKind,
  type ChangeSeverity,
  type DiffVerdict,
  type SemverLevel,
  type SpecChange,
  type SpecDiff,
} from "./diff/model.js";

const RANK: Record<DiffVerdict, number> = { none: 0, patch: 1, minor: 2, major: 3 };

function checkDocument(doc: unknown, which: "old" | "new"): asserts doc is JsonObject {
  if (!isObject(doc)) throw new NotOpenApiError(which, "not a JSON object");
  if (typeof doc.openapi !== "string" || !/^3\./.test(doc.openapi))
    throw new NotOpenApiError(
      which,
      typeof doc.swagger === "string" ? "Swagger 2.0 is not supported" : 'no "openapi": "3.x" field',
    );
  if (doc.paths !== undefined && !isObject(doc.paths)) throw new NotOpenApiError(which, '"paths" is not an object');
}

/**
 * Compares two parsed OpenAPI 3.x documents (bundled: `$ref`s local to each
 * document) and classifies every difference for clients of the API.
 *
 * @example
 * ```ts
 * const { verdict, changes } = diffSpecs(previous, openApiDocument);
 * if (verdict === "major") console.log(changes.filter((c) => c.severity === "breaking"));
 * ```
 * @throws {@link NotOpenApiError} when either input is not an OpenAPI 3 document.
 */
export function diffSpecs(oldDocument: unknown, newDocument: unknown): SpecDiff {
  checkDocument(oldDocument, "old");
  checkDocument(newDocument, "new");
  const out: SpecChange[] = [];
  const top: Walk = {
    oldDoc: oldDocument,
    newDoc: newDocument,
    operation: "document",
    out,
    state: { clean: new Set(), visits: 0, stopped: false, chars: 0 },
  };
  compareDocument(top);
  compareOperations(top, "paths");
  compareOperations(top, "webhooks");

  // One entry per distinct change (a component reached twice in one operation is one change).
  const seen = new Set<string>();
  const unique = out.filter((c) => {
    const key = `${c.operation}\u0000${c.path}\u0000${c.kind}\u0000${c.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const order: Record<ChangeSeverity, number> = { breaking: 0, "non-breaking": 1, patch: 2 };
  const changes = unique
    .map((c, i) => [c, i] as const)
    .sort(([a, i], [b, j]) => order[a.severity] - order[b.severity] || i - j)
    .map(([c]) => c);
  const counts = { breaking: 0, nonBreaking: 0, patch: 0 };
  let verdict: DiffVerdict = "none";
  for (const c of changes) {
    if (c.severity === "breaking") counts.breaking++;
    else if (c.severity === "non-breaking") counts.nonBreaking++;
    else counts.patch++;
    if (RANK[c.semver] > RANK[verdict]) verdict = c.semver;
  }
  return { verdict, changes, counts };
}
