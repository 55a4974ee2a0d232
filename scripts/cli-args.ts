/**
 * The one way our scripts and bins take arguments: node:util parseArgs with
 * strict on. `--help` / `-h` prints the usage and exits 0; an unknown flag, a
 * missing value or a stray positional is one line on stderr and exit 2 (no
 * stack trace).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

export interface CommandLine<O extends NonNullable<ParseArgsConfig["options"]>> {
  /** Usage text printed for --help (and named after an argument error). */
  usage: string;
  options: O;
  /** Accept positional arguments (default: refused). */
  allowPositionals?: boolean;
  /** Defaults to the process's own arguments. */
  args?: string[];
}

/** Parses the command line; exits the process on --help (0) or on an argument error (2). */
export function parseCommandLine<const O extends NonNullable<ParseArgsConfig["options"]>>(
  config: CommandLine<O>,
): ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>> {
  const options = { ...config.options, help: { type: "boolean", short: "h" } } as const;
  try {
    const parsed = parseArgs({
      args: config.args ?? process.argv.slice(2),
      options,
      strict: true,
      allowPositionals: config.allowPositionals ?? false,
    });
    if ((parsed.values as { help?: boolean }).help) {
      process.stdout.write(`${config.usage.trimEnd()}\n`);
      process.exit(0);
    }
    return parsed as unknown as ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>;
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    process.stderr.write(`${message} (--help shows the usage)\n`);
    process.exit(2);
  }
}
