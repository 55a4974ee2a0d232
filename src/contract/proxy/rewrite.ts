/**
 * Where a request may go and how URLs change on the way: the request target
 * is confined under the upstream's path prefix, the client's Host must name
 * the proxy itself (DNS rebinding), and absolute upstream URLs in answers are
 * rewritten to the origin the client addressed. String scanning only: no
 * pattern is built from input.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { trimTrailingSlashes } from "../../core/trim.js";

/** Why a request was refused, with the status to answer. */
export class Refusal {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}

const LOOPBACK_NAMES = new Set(["localhost", "[::1]"]);

/** The host part of a Host header value (`[::1]:80` → `[::1]`, `a:1` → `a`), lower case. */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const close = h.indexOf("]");
    return close === -1 ? h : h.slice(0, close + 1);
  }
  const colon = h.indexOf(":");
  return colon === -1 ? h : h.slice(0, colon);
}

const isLoopbackV4 = (name: string): boolean => {
  const parts = name.split(".");
  return parts.length === 4 && parts[0] === "127" && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
};

/**
 * Whether a Host header names this proxy: a loopback name (127.0.0.0/8,
 * localhost, [::1]), the address it listens on, or one of `allowed` (lower
 * case, from --allow-host: a service name such as `proxy` in CI). Anything
 * else is a name an attacker's page can point at 127.0.0.1 (DNS rebinding).
 */
export function isOwnHost(
  host: string | undefined,
  listenHost: string,
  allowed: ReadonlySet<string> = new Set(),
): boolean {
  if (host === undefined || host === "") return false;
  const name = hostName(host);
  if (LOOPBACK_NAMES.has(name) || isLoopbackV4(name) || allowed.has(name)) return true;
  const own = listenHost.toLowerCase();
  const wildcard = own === "0.0.0.0" || own === "::" || own === "[::]";
  return !wildcard && (name === own || name === `[${own}]`);
}

/** The longest name --allow-host takes (DNS's limit on a whole name). */
export const MAX_ALLOWED_HOST_LENGTH = 253;

const isNameChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 95;

/** Whether `inner` (between brackets) is made of an IPv6 address's characters and has a colon. */
const isIpv6Text = (inner: string): boolean => {
  if (inner.length < 2 || inner.length > 45 || !inner.includes(":")) return false;
  for (let i = 0; i < inner.length; i++) {
    const c = inner.charCodeAt(i);
    if (!((c >= 48 && c <= 58) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 46)) return false;
  }
  return true;
};

/**
 * Why `name` cannot be admitted by --allow-host, or undefined when it can:
 * a host name (letters, digits, `-`, `_` for container names, dot-separated
 * labels) or a bracketed IPv6 address, without a port. No wildcard and no
 * pattern: each admitted name is compared whole. A character scan, so a
 * hostile Host costs linear time when the 421 message asks this.
 */
export function hostNameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  if (name.length > MAX_ALLOWED_HOST_LENGTH) return `is longer than ${MAX_ALLOWED_HOST_LENGTH} characters`;
  if (name.startsWith("[")) {
    return name.endsWith("]") && isIpv6Text(name.slice(1, -1)) ? undefined : "is not a bracketed IPv6 address";
  }
  const emptyLabel = "has an empty label (two dots, or a dot at an end)";
  let labelEmpty = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 46) {
      if (labelEmpty) return emptyLabel;
      labelEmpty = true;
    } else if (isNameChar(c)) labelEmpty = false;
    else if (c === 58) return "has a port or a colon: give the name alone (an IPv6 address in brackets)";
    else if (c === 42) return "has a wildcard: list each name";
    else return "has a character no host name has";
  }
  return labelEmpty ? emptyLabel : undefined;
}

/** The longest part of a Host header a message quotes. */
const SHOWN_HOST_LENGTH = 100;

/**
 * A Host value (attacker-controlled) as a message quotes it: in double
 * quotes, cut at {@link SHOWN_HOST_LENGTH}, every character but printable
 * ASCII written as `\xNN` or `\uNNNN` (and `"`, `\\` escaped), so no control
 * character, bidi override or line break reaches a log or a terminal.
 */
export function shownHost(host: string): string {
  const cut = host.length > SHOWN_HOST_LENGTH;
  let out = "";
  for (let i = 0; i < Math.min(host.length, SHOWN_HOST_LENGTH); i++) {
    const c = host.charCodeAt(i);
    if (c === 34 || c === 92) out += `\\${host.charAt(i)}`;
    else if (c >= 32 && c < 127) out += host.charAt(i);
    else out += c < 256 ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u${c.toString(16).padStart(4, "0")}`;
  }
  return `"${out}${cut ? "..." : ""}"`;
}

/** The 421 message for a Host that does not name the proxy: the Host escaped, and the flag that would admit it. */
export function foreignHostMessage(host: string | undefined): string {
  const why = "does not name this proxy (a loopback address, its --host or an --allow-host name); DNS rebinding?";
  if (host === undefined || host === "") return `refused: the Host header (none) ${why}`;
  const name = hostName(host);
  const admit =
    hostNameProblem(name) === undefined
      ? ` If ${name} is this proxy's name (a CI service, a container), start it with --allow-host ${name}.`
      : "";
  return `refused: the Host header ${shownHost(host)} ${why}${admit}`;
}

/** Decodes percent-escapes until nothing changes (at most 4 rounds: `%252e` is `%2e` is `.`). */
function fullyDecoded(text: string): string {
  let current = text;
  for (let i = 0; i < 4; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/**
 * The upstream URL for a request target, or a Refusal: only origin-form
 * targets (`/v1/Rooms`), and none whose path, decoded as any server might,
 * has a `.` or `..` segment (slashes, encoded slashes and backslashes all
 * count as separators), so nothing climbs out of the upstream's path prefix.
 */
export function targetUrl(target: string, upstream: URL, prefix: string): URL | Refusal {
  if (!target.startsWith("/") || target.startsWith("//")) {
    return new Refusal(400, "invalid request target: expected an absolute path such as /v1/Rooms");
  }
  const q = target.indexOf("?");
  const path = q === -1 ? target : target.slice(0, q);
  const segments = fullyDecoded(path).split(/[/\\]/);
  if (segments.some((s) => s === "." || s === "..")) {
    return new Refusal(
      400,
      `invalid request target: dot segments are not forwarded (the proxy serves only ${prefix || "/"})`,
    );
  }
  let url: URL;
  try {
    url = new URL(`${upstream.origin}${prefix}${target}`);
  } catch {
    return new Refusal(400, "invalid request target: not a valid path");
  }
  const inside = url.pathname === prefix || url.pathname.startsWith(`${prefix}/`);
  if (url.origin !== upstream.origin || !inside)
    return new Refusal(400, "invalid request target: it leaves the upstream's path");
  return url;
}

/**
 * The origin a client addressed the proxy by: its Host header when that is a plain host[:port], else the listening URL.
 */
export function addressedOrigin(host: string | undefined, fallback: string): string {
  const plain = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;
  if (host && plain.test(host)) return `http://${host}`;
  return fallback;
}

/** Where `base` ends if it starts at `at` in `lower`, each of its slashes read as `/` or `\/`; else -1. */
function matchBase(lower: string, at: number, base: string): number {
  let i = at;
  for (let j = 0; j < base.length; j++) {
    const c = base.charCodeAt(j);
    if (c === 47 && lower.charCodeAt(i) === 92 && lower.charCodeAt(i + 1) === 47) i += 2;
    else if (lower.charCodeAt(i) === c) i++;
    else return -1;
  }
  return i;
}

/** JSON text with every string that starts with `base` (a whole origin and prefix) starting with `to` instead. */
function rewriteJsonText(text: string, lower: string, base: string, to: string): string | undefined {
  let out = "";
  let from = 0;
  for (let at = lower.indexOf('"'); at !== -1; at = lower.indexOf('"', Math.max(at + 1, from))) {
    const end = matchBase(lower, at + 1, base);
    if (end === -1) continue;
    // Only a whole origin (and prefix): what follows is a path, query, fragment, the string's end or `\/`.
    const next = lower.charAt(end);
    if (
      !(
        next === "/" ||
        next === '"' ||
        next === "?" ||
        next === "#" ||
        (next === "\\" && lower.charAt(end + 1) === "/")
      )
    )
      continue;
    out += `${text.slice(from, at)}"${to}`;
    from = end;
  }
  return from === 0 ? undefined : out + text.slice(from);
}

/**
 * Rewrites absolute URLs on `from` (an origin, with the upstream's path prefix
 * if it has one) to another origin: in a `Location` value, and in JSON text
 * wherever a string starts with one (`"https://host/…"`, slashes escaped as
 * `\/` or not). Works on bytes as latin1, so everything but the rewritten
 * prefixes is passed on byte for byte, valid UTF-8 or not.
 */
export function urlRewriter(from: string): {
  location: (value: string, to: string) => string;
  json: (body: Buffer, to: string) => Buffer | undefined;
} {
  const base = trimTrailingSlashes(from).toLowerCase();
  return {
    location: (value, to) => {
      if (!value.toLowerCase().startsWith(base)) return value;
      const next = value.charAt(base.length);
      return next === "" || next === "/" || next === "?" || next === "#" ? `${to}${value.slice(base.length)}` : value;
    },
    json: (body, to) => {
      const text = body.toString("latin1");
      const rewritten = rewriteJsonText(text, text.toLowerCase(), base, to);
      return rewritten === undefined ? undefined : Buffer.from(rewritten, "latin1");
    },
  };
}

/**
 * Undoes a Content-Encoding within `cap` bytes of output: the bytes,
 * "too-large" past the cap (a decompression bomb is just too large), or
 * "unreadable" when the encoding is unknown or the data broken.
 */
export function decodeBody(
  bytes: Buffer,
  encoding: string | undefined,
  cap: number,
): Buffer | "too-large" | "unreadable" {
  const e = (encoding ?? "").trim().toLowerCase();
  if (e === "" || e === "identity" || bytes.length === 0) return bytes;
  const options = { maxOutputLength: Math.max(1, cap) };
  try {
    if (e === "gzip" || e === "x-gzip") return gunzipSync(bytes, options);
    if (e === "deflate") return inflateSync(bytes, options);
    if (e === "br") return brotliDecompressSync(bytes, options);
  } catch (err) {
    return (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" ? "too-large" : "unreadable";
  }
  return "unreadable";
}
