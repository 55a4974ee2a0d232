/**
 * Content-Disposition as a header value Node can send. The media URL carries
 * whatever `ContentDisposition` the caller asked for, and a file name such as
 * `réunion-日本.mka` is not a valid header value (Node throws on it). Names
 * that are not plain ASCII are sent the RFC 6266 way: an ASCII fallback in
 * `filename="…"` and the exact name, UTF-8 percent-encoded, in
 * `filename*=UTF-8''…` (RFC 5987), which browsers and download clients prefer.
 */

/** Printable ASCII plus space and tab: sent as is. */
const PLAIN = /^[\t\x20-\x7e]*$/;
/** RFC 5987 attr-char: what `filename*` may carry unencoded. */
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

function percentEncode(value: string): string {
  // Buffer.from turns a lone surrogate into U+FFFD instead of throwing like encodeURIComponent.
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && ATTR_CHAR.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function asciiFallback(value: string): string {
  return value.replace(/[^\x20-\x7e]/gu, "_").replace(/["\\]/g, "_");
}

/** Splits `type; a=1; b="x;y"` on the semicolons outside quotes. */
function splitParams(header: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    if (ch === ";" && !quoted) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

/** A Content-Disposition value safe to send as a header, meaning what `value` meant. */
export function encodeContentDisposition(value: string): string {
  if (PLAIN.test(value)) return value;
  const [type = "", ...params] = splitParams(value);
  const out = [PLAIN.test(type) && type ? type : "attachment"];
  for (const param of params) {
    const eq = param.indexOf("=");
    if (eq < 0) {
      if (PLAIN.test(param) && param) out.push(param);
      continue;
    }
    const name = param.slice(0, eq).trim();
    let raw = param.slice(eq + 1).trim();
    if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) raw = raw.slice(1, -1).replace(/\\(.)/g, "$1");
    if (!/^[A-Za-z0-9!#$&+\-.^_`|~]+$/.test(name)) continue;
    if (PLAIN.test(raw)) {
      out.push(`${name}="${raw.replace(/["\\]/g, "\\$&")}"`);
    } else if (name.toLowerCase() === "filename") {
      out.push(`filename="${asciiFallback(raw)}"`, `filename*=UTF-8''${percentEncode(raw)}`);
    } else {
      out.push(`${name.replace(/\*$/, "")}*=UTF-8''${percentEncode(raw)}`);
    }
  }
  return out.join("; ");
}
