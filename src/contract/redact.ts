/**
 * Redaction of recordings that are meant to be committed, by rule rather
 * than by example:
 *
 * 1. Userinfo (`user:pass@`) in any URL, whatever its scheme (https, s3, …).
 * 2. Parameters whose name is sensitive, in URL query strings, URL fragments
 *    (`#access_token=…`), form bodies and JSON bodies (at any depth).
 * 3. Every value removed by 1 or 2 is remembered, and removed again wherever
 *    else it appears: an error message that repeats a rejected password, a
 *    later response that echoes a token. Its percent-encoded, form-encoded and
 *    JSON-escaped forms go too, and so does any run of at least
 *    {@link MIN_SECRET_PREFIX} characters that a secret starts with (a message
 *    quoting the first 100 characters of a token). Values shorter than 4
 *    characters are not hunted this way (they would erase ordinary text).
 *
 * Memory is bounded: a redactor remembers at most `maxSecrets` values (the
 * oldest are forgotten first, pinned ones never), so the cost of scrubbing
 * stays proportional to the text scrubbed, whatever was seen before.
 *
 * A name is sensitive when, compared case-insensitively with `-` read as `_`,
 * it is one of {@link DEFAULT_SENSITIVE_NAMES} or a name the user adds, or
 * contains `secret` or `password`. Twilio's own `PageToken` and `*_sid`
 * fields are not sensitive.
 */

import { isSensitiveName, normalizeName } from "../core/sensitive-names.js";

/** What a removed secret is replaced with. */
export const REDACTED = "REDACTED";

export { DEFAULT_SENSITIVE_NAMES } from "../core/sensitive-names.js";

/** Shortest remembered value that is hunted for at all. */
const MIN_REMEMBERED = 4;
/** A run of this many leading characters of a secret (or more) is removed wherever it appears. */
export const MIN_SECRET_PREFIX = 12;
/** Default number of values a redactor remembers (see {@link RedactorOptions}). */
export const DEFAULT_MAX_SECRETS = 64;
/** JSON deeper than this is replaced whole: walking it would cost stack, and a recording needs no such depth. */
export const MAX_JSON_DEPTH = 64;

/** Options of {@link Redactor}. */
export interface RedactorOptions {
  /** Most values remembered for scrubbing (default 64); past it the oldest unpinned one is forgotten. */
  maxSecrets?: number | undefined;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}

const isSchemeChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
const isLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isWordChar = (c: number): boolean => isLetter(c) || (c >= 48 && c <= 57) || c === 95;
/** Characters that end a URL in free text: white space, quotes, angle brackets, a backslash. */
const endsUrl = (c: number): boolean =>
  c <= 32 ||
  c === 34 ||
  c === 39 ||
  c === 60 ||
  c === 62 ||
  c === 92 ||
  c === 0x85 ||
  c === 0xa0 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x3000 ||
  c === 0x1680 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0xfeff;

/**
 * The URLs in free text (`scheme://…` up to white space or a quote), as
 * [start, end) spans. One pass: each `://` is looked up once, its scheme read
 * backwards no further than the previous URL's end, so the cost is linear in
 * the text whatever it holds (no backtracking pattern).
 */
export function urlSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let floor = 0;
  let at = text.indexOf("://");
  while (at !== -1) {
    let start = at;
    while (start > floor && isSchemeChar(text.charCodeAt(start - 1))) start--;
    // The scheme starts with a letter, at a word boundary.
    while (start < at && !isLetter(text.charCodeAt(start))) start++;
    let end = at + 3;
    while (end < text.length && !endsUrl(text.charCodeAt(end))) end++;
    const bounded = start === 0 || !isWordChar(text.charCodeAt(start - 1));
    if (start < at && end > at + 3 && bounded) {
      spans.push([start, end]);
      floor = end;
    }
    at = text.indexOf("://", Math.max(end, at + 1));
  }
  return spans;
}

/** The forms a secret takes in text: as is, percent-encoded, form-encoded, JSON-escaped. */
function formsOf(secret: string): string[] {
  const encoded = encodeURIComponent(secret);
  const forms = [secret, encoded, encoded.replaceAll("%20", "+"), JSON.stringify(secret).slice(1, -1)];
  return [...new Set(forms)];
}

/**
 * Replaces in `text` every whole `form` or, with `prefixes`, every run of at
 * least {@link MIN_SECRET_PREFIX} characters that `form` starts with. Linear:
 * each hit is extended once and the search goes on after it.
 */
function removeForm(text: string, form: string, prefixes: boolean): string {
  const probe = prefixes ? form.slice(0, MIN_SECRET_PREFIX) : form;
  let at = text.indexOf(probe);
  if (at === -1) return text;
  let out = "";
  let from = 0;
  while (at !== -1) {
    let end = at + probe.length;
    while (end - at < form.length && end < text.length && text.charCodeAt(end) === form.charCodeAt(end - at)) end++;
    out += `${text.slice(from, at)}${REDACTED}`;
    from = end;
    at = text.indexOf(probe, end);
  }
  return out + text.slice(from);
}

/**
 * Applies the redaction rules and remembers what it removed, so a value
 * removed once is removed everywhere after (within `maxSecrets`).
 */
export class Redactor {
  private readonly extra: Set<string>;
  private readonly max: number;
  /** Values removed so far (insertion order: the oldest first), each with its textual forms. */
  private readonly secrets = new Map<string, string[]>();
  /** Values never forgotten (a session's credentials). */
  private readonly pinned = new Map<string, string[]>();
  /** Every remembered form, longest first; rebuilt when the set changes. */
  private sorted: string[] | undefined;

  constructor(extraNames: readonly string[] = [], options: RedactorOptions = {}) {
    this.extra = new Set(extraNames.map(normalizeName));
    this.max = options.maxSecrets ?? DEFAULT_MAX_SECRETS;
    if (!Number.isSafeInteger(this.max) || this.max < 0)
      throw new TypeError("maxSecrets must be a whole number, 0 or more");
  }

  /** Whether a parameter or field of this name holds a secret. */
  isSensitive(name: string): boolean {
    return isSensitiveName(name) || this.extra.has(normalizeName(name));
  }

  /** Values remembered now, pinned ones included. */
  get remembered(): number {
    return this.secrets.size + this.pinned.size;
  }

  /**
   * Remembers a value to remove wherever it appears (one found by other means
   * than a name, such as an Authorization header). `pin` keeps it past the cap.
   */
  learn(value: string, pin = false): void {
    if (value.length < MIN_REMEMBERED || value === REDACTED || this.pinned.has(value)) return;
    if (pin) {
      this.secrets.delete(value);
      this.pinned.set(value, formsOf(value));
    } else {
      this.secrets.delete(value);
      if (this.max === 0) return;
      this.secrets.set(value, formsOf(value));
      if (this.secrets.size > this.max) this.secrets.delete(this.secrets.keys().next().value as string);
    }
    this.sorted = undefined;
  }

  /** A redactor with the same names and no memory but this one's pinned values: one per exchange. */
  fork(): Redactor {
    const child = new Redactor([], { maxSecrets: this.max });
    for (const name of this.extra) child.extra.add(name);
    for (const [value, forms] of this.pinned) child.pinned.set(value, forms);
    return child;
  }

  /** `a=1&token=x` → `a=1&token=REDACTED`, other pairs kept byte for byte; URLs inside values redacted too. */
  params(text: string): string {
    if (text === "") return text;
    return text
      .split("&")
      .map((pair) => {
        const eq = pair.indexOf("=");
        if (eq === -1) return pair;
        const rawKey = pair.slice(0, eq);
        const rawValue = pair.slice(eq + 1);
        const value = decode(rawValue);
        if (this.isSensitive(decode(rawKey))) {
          this.learn(value);
          this.learn(rawValue);
          return `${rawKey}=${REDACTED}`;
        }
        const cleaned = this.text(value);
        return cleaned === value ? pair : `${rawKey}=${encodeURIComponent(cleaned)}`;
      })
      .join("&");
  }

  /** One URL (any scheme): userinfo, sensitive query and fragment parameters. */
  url(value: string): string {
    let url = value;
    const userinfo = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i.exec(url);
    if (userinfo) {
      const [user, ...pass] = userinfo[2]!.split(":");
      this.learn(decode(user!));
      if (pass.length > 0) this.learn(decode(pass.join(":")));
      url = `${userinfo[1]}${pass.length > 0 ? `${REDACTED}:${REDACTED}` : REDACTED}@${url.slice(userinfo[0].length)}`;
    }
    const hash = url.indexOf("#");
    const beforeHash = hash === -1 ? url : url.slice(0, hash);
    const fragment = hash === -1 ? undefined : url.slice(hash + 1);
    const q = beforeHash.indexOf("?");
    const base = q === -1 ? beforeHash : beforeHash.slice(0, q);
    const query = q === -1 ? "" : `?${this.params(beforeHash.slice(q + 1))}`;
    const tail = fragment === undefined ? "" : `#${fragment.includes("=") ? this.params(fragment) : fragment}`;
    return `${base}${query}${tail}`;
  }

  /** Free text: every URL in it redacted. */
  text(value: string): string {
    if (!value.includes("://")) return value;
    let out = "";
    let from = 0;
    for (const [start, end] of urlSpans(value)) {
      out += value.slice(from, start) + this.url(value.slice(start, end));
      from = end;
    }
    return out + value.slice(from);
  }

  /** A parsed JSON body: sensitive keys' scalar values, and URLs in any string. Past MAX_JSON_DEPTH, replaced whole. */
  json(value: unknown, depth = 0): unknown {
    if (typeof value === "string") return this.text(value);
    if (value === null || typeof value !== "object") return value;
    if (depth >= MAX_JSON_DEPTH) return `${REDACTED}: nested deeper than ${MAX_JSON_DEPTH}`;
    if (Array.isArray(value)) return value.map((v) => this.json(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (this.isSensitive(k) && v !== null && typeof v !== "object") {
        this.learn(String(v));
        out[k] = REDACTED;
      } else out[k] = this.json(v, depth + 1);
    }
    return out;
  }

  /** Removes every remembered value (its encoded forms and long prefixes too) from one string. */
  scrubText(text: string): string {
    const forms = this.forms();
    let out = text;
    // Whole values first, so a prefix shared with another secret does not cut one in two.
    for (const form of forms) out = removeForm(out, form, false);
    for (const form of forms) if (form.length > MIN_SECRET_PREFIX) out = removeForm(out, form, true);
    return out;
  }

  /** Removes every remembered value from every string inside `value` (keys included). */
  scrub<T>(value: T): T {
    if (this.remembered === 0) return value;
    const walk = (v: unknown, depth: number): unknown => {
      if (typeof v === "string") return this.scrubText(v);
      if (v === null || typeof v !== "object") return v;
      if (depth >= MAX_JSON_DEPTH) return `${REDACTED}: nested deeper than ${MAX_JSON_DEPTH}`;
      if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[this.scrubText(k)] = walk(x, depth + 1);
      return out;
    };
    return walk(value, 0) as T;
  }

  private forms(): string[] {
    if (this.sorted) return this.sorted;
    const all = new Set([...this.pinned.values(), ...this.secrets.values()].flat());
    // Longest first, so a secret inside another is not half-replaced.
    this.sorted = [...all].sort((a, b) => b.length - a.length);
    return this.sorted;
  }
}

/** Redacts one URL with the default rules (kept for callers of the 0.1 API). */
export function redactUrl(value: string): string {
  return new Redactor().text(value);
}
