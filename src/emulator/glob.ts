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

/** Where `needle` first occurs in `text` at or after `from`, or -1: KMP, linear in both lengths. */
export function findFrom(text: string, needle: string, from: number): number {
  const m = needle.length;
  if (m === 0) return from <= text.length ? from : -1;
  // failure[i]: length of the longest proper border of needle[0..i].
  const failure = new Int32Array(m);
  for (let i = 1, k = 0; i < m; i++) {
    while (k > 0 && needle.charCodeAt(i) !== needle.charCodeAt(k)) k = failure[k - 1]!;
    if (needle.charCodeAt(i) === needle.charCodeAt(k)) k++;
    failure[i] = k;
  }
  for (let i = from, k = 0; i < text.length; i++) {
    while (k > 0 && text.charCodeAt(i) !== needle.charCodeAt(k)) k = failure[k - 1]!;
    if (text.charCodeAt(i) === needle.charCodeAt(k)) k++;
    if (k === m) return i - m + 1;
  }
  return -1;
}

/** A compiled `*` pattern: test it against as many names as needed. */
export class Glob {
  private readonly pieces: readonly string[];

  constructor(readonly pattern: string) {
    this.pieces = pattern.split("*");
  }

  /** Whether `name` matches the whole pattern (`*` stands for any run of characters, empty included). */
  test(name: string): boolean {
    const pieces = this.pieces;
    const first = pieces[0]!;
    // No star: the name is the pattern.
    if (pieces.length === 1) return name === first;
    const last = pieces[pieces.length - 1]!;
    if (name.length < first.length + last.length) return false;
    if (!name.startsWith(first) || !name.endsWith(last)) return false;
    // The middle pieces must fit between the first piece and the last one, without overlapping them.
    const end = name.length - last.length;
    let at = first.length;
    for (let i = 1; i < pieces.length - 1; i++) {
      const piece = pieces[i]!;
      if (piece === "") continue;
      const found = findFrom(name, piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  }
}

/** Whether any of `names` matches any of `patterns`; each pattern is compiled once. */
export function anyMatches(patterns: readonly Glob[], names: readonly string[]): boolean {
  return patterns.some((glob) => names.some((name) => glob.test(name)));
}

/** `url` without its trailing slashes, in one backward scan (`/\/+$/` is quadratic on a run of slashes). */
export function trimTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 0x2f) end--;
  return url.slice(0, end);
}
