/**
 * Human-readable log lines of the emulator. Their text carries URLs, names
 * and messages taken from requests, so every control character is escaped:
 * a CR or LF could forge a line (a GitHub Actions `::error::` command, a
 * fake "listening" line), an ESC sequence could move the cursor, rewrite
 * the line or set the terminal's title, and a bidi override could reorder
 * what a reader sees.
 */

/** Longest line written; a log line is for a human, the data is in the control API. */
const MAX_LINE = 2_000;

/**
 * `text` with C0/C1 controls, DEL, line/paragraph separators and bidi
 * controls written as `\xNN` / `\uNNNN` escapes (a backslash itself as `\\`,
 * so an escape in the input cannot pass for one of ours), cut at 2,000
 * characters.
 */
export function escapeControls(text: string): string {
  let out = "";
  for (let i = 0; i < text.length && out.length < MAX_LINE; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5c) out += "\\\\";
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (
      code === 0x2028 ||
      code === 0x2029 ||
      (code >= 0x200e && code <= 0x200f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    ) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else out += text[i];
  }
  return out.length < MAX_LINE ? out : `${out.slice(0, MAX_LINE)}…`;
}

/** One log line, prefixed with the emulator's name, its variable text escaped. */
export function logLine(text: string): string {
  return `[twilio-video-ts emulator] ${escapeControls(text)}`;
}
