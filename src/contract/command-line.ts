/**
 * The plumbing every command of the package shares (the conformance check
 * and its `proxy` and `diff` subcommands, the emulator, and the repository's
 * scripts): node:util parseArgs with strict on, one typed usage error, the
 * exit codes, whole-number flags, the one-line form of an error, and naming a
 * missing optional peer. Node-only (parseArgs), and imported only by bins and
 * CLIs: no library entry loads it, so Workers bundles never see it.
 *
 * Exit codes: 0 success, 1 a finding failed the run, 2 usage error (or
 * nothing to do), 141 the reader of stdout went away (`| head`).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { TwilioArgumentError } from "../core/errors.js";
import { missingPeer, type Peer } from "./peers.js";

export const EXIT = { ok: 0, failed: 1, usage: 2, sigpipe: 141 } as const;

/** Where a command writes; tests pass collectors and call the command in-process. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Paths on the command line are relative to this (default process.cwd()). */
  cwd?: string;
}

/** A bad command line or input: one line on stderr and exit 2, never a stack. */
export class UsageError extends TwilioArgumentError {
  static {
    Object.defineProperty(this.prototype, "name", {
      value: "UsageError",
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}

/** The first line of an error's message, at most `max` characters. */
export function firstLine(error: unknown, max = 300): string {
  const message = error instanceof Error ? error.message : String(error);
  const end = message.indexOf("\n");
  return (end === -1 ? message : message.slice(0, end)).trim().slice(0, max);
}

/** parseArgs' advice for a stray positional names `--`; our commands say --help instead. */
const POSITIONAL_ADVICE = ". To specify a positional argument";

/** parseArgs' error as one line without its advice. */
function argumentMessage(error: unknown): string {
  const line = firstLine(error, 2000);
  const advice = line.indexOf(POSITIONAL_ADVICE);
  return advice === -1 ? line : line.slice(0, advice);
}

type Options = NonNullable<ParseArgsConfig["options"]>;
type WithHelp<O extends Options> = O & { help: { type: "boolean"; short: "h" } };
export type ParsedCommand<O extends Options> = ReturnType<
  typeof parseArgs<{ options: WithHelp<O>; strict: true; allowPositionals: true }>
>;

/**
 * The command line against `options` plus `--help`/`-h`: "help" when asked
 * for, the values and positionals otherwise. An unknown flag, a missing value
 * or (without `positionals`) a stray argument throws a {@link UsageError}.
 */
export function parseCommand<const O extends Options>(
  args: readonly string[],
  options: O,
  positionals = false,
): ParsedCommand<O> | "help" {
  let parsed: { values: unknown };
  try {
    const all = { ...options, help: { type: "boolean", short: "h" } } as WithHelp<O>;
    parsed = parseArgs({ args: [...args], options: all, strict: true, allowPositionals: positionals });
  } catch (error) {
    throw new UsageError(argumentMessage(error));
  }
  if ((parsed.values as { help?: boolean }).help) return "help";
  return parsed as unknown as ParsedCommand<O>;
}

/**
 * A flag's whole-number value from `min` to `max` (digits only: no sign,
 * exponent or blank), or undefined when absent.
 */
export function wholeNumber(
  flag: string,
  value: string | undefined,
  min: number,
  max: number,
  alternatives = "",
): number | undefined {
  if (value === undefined) return undefined;
  const n = isDigits(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}${alternatives} (got "${value}")`);
  return n;
}

/** Only ASCII digits, at least one. */
export function isDigits(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A URL flag's value, or a usage error naming it. */
export function urlOption(flag: string, value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new UsageError(`--${flag} ${value} is not a URL`);
  }
}

/**
 * `text` with each character `replace` maps (by its code unit) written as
 * that replacement: one pass, no regex, so its cost is linear in the text
 * however many characters need escaping.
 */
export function escapeEach(text: string, replace: (code: number, index: number) => string | undefined): string {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const replacement = replace(text.charCodeAt(i), i);
    if (replacement === undefined) continue;
    if (i > from) parts.push(text.slice(from, i));
    parts.push(replacement);
    from = i + 1;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(from));
  return parts.join("");
}

/**
 * Whether a character would let text taken from input act on a terminal or a
 * CI log instead of being shown: C0 and C1 controls (escape sequences move
 * the cursor, set a window title, ring the bell; CR and LF start new lines
 * that could pose as our own, or as a `::error::` workflow command), DEL, the
 * Unicode line and paragraph separators, and the bidirectional controls that
 * make text display in another order than it reads. Tab is left alone.
 */
export function isActive(code: number): boolean {
  if (code < 0x20) return code !== 0x09;
  if (code < 0x7f) return false;
  if (code <= 0x9f) return true;
  return (
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** A code unit as a visible escape: `\n`, `\r`, `\x1b`, `\u202e`. */
export function visibleEscape(code: number): string {
  return code < 0x100 ? BYTE_ESCAPES[code]! : `\\u${code.toString(16).padStart(4, "0")}`;
}

const BYTE_ESCAPES = Array.from({ length: 0x100 }, (_, code) =>
  code === 0x0a ? "\\n" : code === 0x0d ? "\\r" : `\\x${code.toString(16).padStart(2, "0")}`,
);

/** `text` with every {@link isActive} character written as a {@link visibleEscape}. */
export function terminalSafe(text: string): string {
  return escapeEach(text, (code) => (isActive(code) ? visibleEscape(code) : undefined));
}

/** The one line a command prints for a usage error. */
export function usageLine(program: string, message: string, hint = "(see --help)"): string {
  return `${program}: ${terminalSafe(message)}${hint ? ` ${hint}` : ""}\n`;
}

/**
 * A package bin's whole life: runs `main` (loaded by the bin with a dynamic
 * import, so a missing peer surfaces here), turns a missing peer into
 * `install` and exit 2, and (with `quietEpipe`) ends with 141, no stack,
 * when stdout's reader leaves.
 */
export async function runBin(
  main: () => Promise<number | undefined>,
  install: (peer: Peer) => string,
  quietEpipe = true,
): Promise<void> {
  if (quietEpipe) {
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      // 128 + SIGPIPE, as a shell reports a writer whose reader left: the output is incomplete.
      process.exit(EXIT.sigpipe);
    });
  }
  try {
    const code = await main();
    if (code !== undefined) process.exitCode = code;
  } catch (error) {
    const peer = missingPeer(error);
    if (!peer) throw error;
    process.stderr.write(install(peer));
    process.exitCode = EXIT.usage;
  }
}
