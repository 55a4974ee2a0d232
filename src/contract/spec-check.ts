/**
 * Checks a bundled OpenAPI document before it is compiled: every `$ref` must
 * be local (`#/…`) and resolve. ajv would otherwise throw on the first
 * recording that reaches a broken reference, deep inside the run.
 */
import { getAtPointer, isObject } from "./json-pointer.js";

export interface BrokenRef {
  ref: string;
  /** JSON pointer of the object holding the `$ref`. */
  at: string;
}

export function unresolvedRefs(document: object): BrokenRef[] {
  const broken: BrokenRef[] = [];
  // Iterative walk: a hostile document may nest deeper than the stack.
  const stack: [unknown, string][] = [[document, ""]];
  while (stack.length > 0) {
    const [node, at] = stack.pop()!;
    if (Array.isArray(node)) {
      node.forEach((child, i) => stack.push([child, `${at}/${i}`]));
      continue;
    }
    if (!isObject(node)) continue;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") {
        const resolves =
          value.startsWith("#") &&
          (value === "#" ||
            (value.startsWith("#/") && getAtPointer(document, decodeURIComponent(value.slice(1))) !== undefined));
        if (!resolves) broken.push({ ref: value, at: at || "/" });
      } else if (key !== "examples" && key !== "example") {
        stack.push([value, `${at}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`]);
      }
    }
  }
  return broken;
}
