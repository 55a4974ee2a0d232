/**
 * Redaction of recordings that are meant to be committed, by rule rather
 * than by example:
 *
 * 1. Userinfo (`user:pass@`) in any URL, whatever its scheme (https, s3, …).
 * 2. Parameters whose name is sensitive, in URL query strings, URL fragments
 *    (`#access_token=…`), form bodies and JSON bodies (at any depth).
 * 3. Every value removed by 1 or 2 is remembered, and removed again wherever
 *    else it appears: an error message that repeats a rejected password, a
 *    later response that echoes a token. Values shorter than 4 characters are
 *    not hunted this way (they would erase ordinary text).
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

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>\\]+/gi;
const MIN_REMEMBERED = 4;


function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/**
 * Applies the redaction rules and remembers what it removed, so a value
 * removed once is removed everywhere after. One instance per recording session.
 */
export class Redactor {
  private readonly extra: Set<string>;
  /** Values removed so far; removed again wherever they reappear. */
  private readonly secrets = new Set<string>();

  constructor(extraNames: readonly string[] = []) {
    this.extra = new Set(extraNames.map(normalizeName));
  }

  /** Whether a parameter or field of this name holds a secret. */
  isSensitive(name: string): boolean {
    return isSensitiveName(name) || this.extra.has(normalizeName(name));
  }

  private remember(value: string): void {
    if (value.length >= MIN_REMEMBERED && value !== REDACTED) this.secrets.add(value);
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
          this.remember(value);
          this.remember(rawValue);
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
      this.remember(decode(user!));
      if (pass.length > 0) this.remember(decode(pass.join(":")));
      url = `${userinfo[1]}${pass.length > 0 ? `${REDACTED}:${REDACTED}` : REDACTED}@${url.slice(userinfo[0].length)}`;
    }
    const hash = url.indexOf("#");
    const beforeHash = hash === -1 ? url : url.slice(0, hash);
    const fragment = hash === -1 ? undefined : url.slice(hash + 1);
    const q = beforeHash.indexOf("?");
    const base = q === -1 ? beforeHash : beforeHash.slice(0, q);
    const query = q === -1 ? undefined : beforeHash.slice(q + 1);
    return `${base}${query === undefined ? "" : `?${this.params(query)}`}${fragment === undefined ? "" : `#${fragment.includes("=") ? this.params(fragment) : fragment}`}`;
  }

  /** Free text: every URL in it redacted. */
  text(value: string): string {
    return value.includes("://") ? value.replace(URL_IN_TEXT, (u) => this.url(u)) : value;
  }

  /** A parsed JSON body: sensitive keys' scalar values, and URLs in any string. */
  json(value: unknown): unknown {
    if (typeof value === "string") return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.json(v));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => {
          if (this.isSensitive(k) && v !== null && typeof v !== "object") {
            this.remember(String(v));
            return [k, REDACTED];
          }
          return [k, this.json(v)];
        }),
      );
    }
    return value;
  }

  /** Removes every remembered value (and its percent-encoded form) from every string inside `value`. */
  scrub<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    const forms = [...this.secrets].flatMap((s) => [s, encodeURIComponent(s)]).filter((s, i, all) => all.indexOf(s) === i);
    forms.sort((a, b) => b.length - a.length); // longest first, so a secret inside another is not half-replaced
    const replace = (text: string): string => forms.reduce((t, s) => (t.includes(s) ? t.split(s).join(REDACTED) : t), text);
    const walk = (v: unknown): unknown => {
      if (typeof v === "string") return replace(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return walk(value) as T;
  }
}

/** Redacts one URL with the default rules (kept for callers of the 0.1 API). */
export function redactUrl(value: string): string {
  return new Redactor().text(value);
}
