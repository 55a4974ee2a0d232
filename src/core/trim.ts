/**
 * Trimming a run of one character off the end of a string, in one backward
 * scan. `/\/+$/` and `/=+$/` look linear but retry from every position of a
 * long run, which is quadratic on input such as a URL of many slashes.
 */

/** `text` without the run of `char` (one UTF-16 unit) at its end. */
export function trimEndOf(text: string, char: string): string {
  const code = char.charCodeAt(0);
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === code) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** `url` (or a path) without its trailing slashes. */
export function trimTrailingSlashes(url: string): string {
  return trimEndOf(url, "/");
}
