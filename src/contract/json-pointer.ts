/** JSON Pointer helpers (RFC 6901) and `$ref` resolution inside one bundled OpenAPI document. */

export function escapePointerToken(token: string): string {
  return token.includes("~") || token.includes("/") ? token.replace(/~/g, "~0").replace(/\//g, "~1") : token;
}

export function unescapePointerToken(token: string): string {
  // Most tokens have no escape; skipping the two replaces for them matters on the per-recording path.
  return token.includes("~") ? token.replace(/~1/g, "/").replace(/~0/g, "~") : token;
}

/** Value at `pointer` ("" or "/a/0/b") inside `root`, or undefined when any step is missing. */
export function getAtPointer(root: unknown, pointer: string): unknown {
  if (pointer === "" || pointer === "#") return root;
  const tokens = (pointer.startsWith("#") ? pointer.slice(1) : pointer).split("/");
  let node: unknown = root;
  for (let i = 1; i < tokens.length; i++) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[unescapePointerToken(tokens[i]!)];
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
 * `$ref` targets by document: the validator resolves the same few refs for
 * every recording, and a bundled document is not changed once loaded.
 */
const targets = new WeakMap<JsonObject, Map<string, unknown>>();

function refTarget(document: JsonObject, pointer: string): unknown {
  let cache = targets.get(document);
  if (!cache) {
    cache = new Map();
    targets.set(document, cache);
  }
  if (cache.has(pointer)) return cache.get(pointer);
  const node = getAtPointer(document, pointer);
  cache.set(pointer, node);
  return node;
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
    current = refTarget(document, at);
  }
  throw new Error(`$ref chain too long at ${pointer}`);
}
