/**
 * Reading a form body or query string that the contract validator already
 * accepted: values are known to parse, so these readers only convert (a JSON
 * field that still fails to parse is a 400, never a crash).
 */
import { badRequest } from "./errors.js";

/** Deepest JSON nesting a form field may carry; the spec's deepest document (VideoLayout) needs 4. */
export const MAX_JSON_DEPTH = 32;

/**
 * How deeply `[`/`{` nest in `text`, counted outside strings, in one pass
 * without recursion (so a 100,000-deep field costs a scan, not a stack).
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** The first field of a form or query nested deeper than {@link MAX_JSON_DEPTH}, if any. */
export function tooDeep(params: URLSearchParams): string | undefined {
  for (const [name, value] of params)
    if ((value.includes("[") || value.includes("{")) && jsonDepth(value) > MAX_JSON_DEPTH) return name;
  return undefined;
}

export class Fields {
  constructor(private readonly params: URLSearchParams) {}

  has(name: string): boolean {
    return this.params.has(name);
  }

  str(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  bool(name: string): boolean | undefined {
    const v = this.params.get(name);
    return v === null ? undefined : v.toLowerCase() === "true";
  }

  int(name: string): number | undefined {
    const v = this.params.get(name);
    return v === null ? undefined : Number(v);
  }

  /** Repeated keys (`AudioSources=a&AudioSources=b`). */
  list(name: string): string[] | undefined {
    const all = this.params.getAll(name);
    return all.length === 0 ? undefined : all;
  }

  /** A JSON document serialised into one field (`VideoLayout`, `Rules`, …). */
  json<T>(name: string): T | undefined {
    const v = this.params.get(name);
    if (v === null) return undefined;
    try {
      return JSON.parse(v) as T;
    } catch {
      throw badRequest(20001, `Invalid parameter ${name}: not a JSON document`);
    }
  }
}
