/**
 * Matching composition sources (`AudioSources`, `VideoLayout` …`video_sources`)
 * against track names, SIDs and identities. Twilio's only wildcard there is
 * `*` (https://www.twilio.com/docs/video/api/compositions-resource), so a
 * pattern is literal pieces separated by stars. Both the pattern and the
 * names reach us from requests, so no regular expression is built from them:
 * the first piece must start the name, the last must end it, and the ones in
 * between are found left to right, each at its earliest place (earliest is
 * always safe: it leaves the most room for the pieces after it). Each piece
 * is searched with Knuth–Morris–Pratt, so one match costs O(pattern + name)
 * whatever the input, with no backtracking.
 */

/**
 * Fills `table[start..end)` with the KMP border table of `source[start..end)`:
 * entry start+i is the length of the longest proper border of its first i+1 characters.
 */
function fillBorders(source: string, start: number, end: number, table: Int32Array): void {
  for (let i = 1, k = 0; start + i < end; i++) {
    while (k > 0 && source.charCodeAt(start + i) !== source.charCodeAt(start + k)) k = table[start + k - 1]!;
    if (source.charCodeAt(start + i) === source.charCodeAt(start + k)) k++;
    table[start + i] = k;
  }
}

/** Where `source[start..end)` first occurs in `text` at or after `from`, or -1 (KMP with the filled `table`). */
function search(text: string, from: number, source: string, start: number, end: number, table: Int32Array): number {
  const m = end - start;
  if (m === 0) return from <= text.length ? from : -1;
  for (let i = from, k = 0; i < text.length; i++) {
    while (k > 0 && text.charCodeAt(i) !== source.charCodeAt(start + k)) k = table[start + k - 1]!;
    if (text.charCodeAt(i) === source.charCodeAt(start + k)) k++;
    if (k === m) return i - m + 1;
  }
  return -1;
}

/** Where `needle` first occurs in `text` at or after `from`, or -1: KMP, linear in both lengths. */
export function findFrom(text: string, needle: string, from: number): number {
  const table = new Int32Array(needle.length);
  fillBorders(needle, 0, needle.length, table);
  return search(text, from, needle, 0, needle.length, table);
}

/**
 * A compiled `*` pattern: test it against as many names as needed. It keeps
 * the pieces as positions in the pattern and one border table as long as
 * the pattern, so a pattern of a million stars costs a few bytes a character.
 */
export class Glob {
  /** Where each piece starts in the pattern; piece i ends where piece i+1 starts, less its star. */
  private readonly starts: Int32Array;
  private readonly table: Int32Array;
  private readonly first: string;
  private readonly last: string;

  constructor(readonly pattern: string) {
    let stars = 0;
    for (let i = 0; i < pattern.length; i++) if (pattern.charCodeAt(i) === 0x2a) stars++;
    this.starts = new Int32Array(stars + 2);
    for (let i = 0, piece = 1; i < pattern.length; i++)
      if (pattern.charCodeAt(i) === 0x2a) this.starts[piece++] = i + 1;
    // A sentinel start one past the end, so piece i always ends at starts[i + 1] - 1.
    this.starts[stars + 1] = pattern.length + 1;
    this.table = new Int32Array(pattern.length);
    for (let i = 1; i < stars; i++) fillBorders(pattern, this.starts[i]!, this.starts[i + 1]! - 1, this.table);
    this.first = pattern.slice(0, this.starts[1]! - 1);
    this.last = stars > 0 ? pattern.slice(this.starts[stars]!) : "";
  }

  /** Whether `name` matches the whole pattern (`*` stands for any run of characters, empty included). */
  test(name: string): boolean {
    const pieces = this.starts.length - 1;
    // No star: the name is the pattern.
    if (pieces === 1) return name === this.pattern;
    const { first, last } = this;
    if (name.length < first.length + last.length) return false;
    if (!name.startsWith(first) || !name.endsWith(last)) return false;
    // The middle pieces must fit between the first piece and the last one, without overlapping them.
    const end = name.length - last.length;
    let at = first.length;
    for (let i = 1; i < pieces - 1; i++) {
      const start = this.starts[i]!;
      const length = this.starts[i + 1]! - 1 - start;
      const found = search(name, at, this.pattern, start, start + length, this.table);
      if (found < 0 || found + length > end) return false;
      at = found + length;
    }
    return true;
  }
}

/** Whether any of `names` matches any of `patterns`; each pattern is compiled once. */
export function anyMatches(patterns: readonly Glob[], names: readonly string[]): boolean {
  return patterns.some((glob) => names.some((name) => glob.test(name)));
}

/** `url` without its trailing slashes, in one backward scan (`/\/+$/` is quadratic on a run of slashes). */
export { trimTrailingSlashes } from "../core/trim.js";
