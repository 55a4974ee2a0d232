/** JSON Pointer helpers (RFC 6901) and `$ref` resolution inside one bundled OpenAPI document. */

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Value at `pointer` ("" or "/a/0/b") inside `root`, or undefined when any step is missing. */
export function getAtPointer(root: unknown, pointer: string): unknown {
  if (pointer === "" || pointer === "#") return root;
  const tokens = pointer.replace(/^#/, "").split("/").slice(1).map(unescapePointerToken);
  let node: unknown = root;
  for (const token of tokens) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The JSON Schema type of a value: `null`, `array`, `integer` for whole numbers, else its `typeof`. */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/**
 * Follows local `$ref`s (`#/components/...`) until a non-reference object is
 * reached, returning it with the pointer it lives at so ajv can compile it in
 * place (refs inside it then resolve against the same document).
 */
export function deref(
  document: JsonObject,
  node: unknown,
  pointer: string,
): { node: JsonObject; pointer: string } | undefined {
  let current = node;
  let at = pointer;
  for (let hops = 0; hops < 32; hops++) {
    if (!isObject(current)) return undefined;
    const ref = current.$ref;
    if (typeof ref !== "string") return { node: current, pointer: at };
    if (!ref.startsWith("#"))
      throw new Error(`Only local $refs are supported in a bundled document (found ${ref} at ${at})`);
    at = ref.slice(1);
    current = getAtPointer(document, at);
  }
  throw new Error(`$ref chain too long at ${pointer}`);
}
