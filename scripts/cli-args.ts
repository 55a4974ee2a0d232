/**
 * The one way our scripts take arguments, over the package's own command-line
 * plumbing (src/contract/command-line.ts, which the bins use): node:util
 * parseArgs with strict on. `--help` / `-h` prints the usage and exits 0; an
 * unknown flag, a missing value or a stray positional is one line on stderr
 * and exit 2 (no stack trace).
 */
import type { ParseArgsConfig } from "node:util";
import { EXIT, parseCommand, UsageError, type ParsedCommand } from "../src/contract/command-line.js";

export interface CommandLine<O extends NonNullable<ParseArgsConfig["options"]>> {
  /** Usage text printed for --help (and named after an argument error). */
  usage: string;
  options: O;
  /** Accept positional arguments (default: refused). */
  allowPositionals?: boolean;
  /** Defaults to the process's own arguments. */
  args?: string[];
  /** Put before an argument error's line (e.g. the script's name and a colon). */
  prefix?: string;
}

/** Parses the command line; exits the process on --help (0) or on an argument error (2). */
export function parseCommandLine<const O extends NonNullable<ParseArgsConfig["options"]>>(
  config: CommandLine<O>,
): ParsedCommand<O> {
  let parsed: ParsedCommand<O> | "help";
  try {
    parsed = parseCommand(config.args ?? process.argv.slice(2), config.options, config.allowPositionals ?? false);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${config.prefix ?? ""}${error.message} (--help shows the usage)\n`);
    process.exit(EXIT.usage);
  }
  if (parsed === "help") {
    process.stdout.write(`${config.usage.trimEnd()}\n`);
    process.exit(EXIT.ok);
  }
  return parsed;
}

/** A usage problem found after parsing (a wrong number of arguments, say): one line on stderr, exit 2. */
export function exitWithUsageError(message: string): never {
  process.stderr.write(`${message} (--help shows the usage)\n`);
  process.exit(EXIT.usage);
}
