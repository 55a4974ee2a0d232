/**
 * `twilio-video-conformance proxy`: runs {@link startProxy} until SIGINT or
 * SIGTERM (or, started by npm, until its parent is gone), printing findings
 * to stderr as they happen and a summary at the end. Exit codes as the
 * check: 0 nothing failed, 1 some finding failed, 2 usage error (or the proxy
 * could not start). Every line it prints has its control characters escaped:
 * a URL or body cannot move the cursor or start a CI workflow command.
 */
import { EXIT, firstLine, parseCommand, terminalSafe, UsageError, usageLine, wholeNumber } from "./command-line.js";
import { startProxy, type ProxyFinding, type ProxyFormat, type ProxyOptions, type ProxySummary } from "./proxy.js";
import { startedByNpm, watchParent } from "./proxy/parent.js";
import { hostNameProblem, shownHost } from "./proxy/rewrite.js";

const USAGE = `usage: twilio-video-conformance proxy [options]

A local proxy to point a client's base URL at: forwards every request to the
upstream, validates request and response against the spec, prints findings to
stderr and writes the traffic, redacted, to --out. Stops on SIGINT/SIGTERM.

Absolute URLs on the upstream's origin (meta.next_page_url, url, links.*) in
JSON response bodies, and a Location header on it, are rewritten to the
proxy's origin before the client sees them, so a client following them stays
on the proxy; the out file and the validation keep the upstream's original
bytes. URLs on other hosts (a media redirect to storage) are left as they are.
A JSON body over --max-body-bytes goes through unmodified (its body-too-large
finding says so).

It serves only requests whose Host names it (a loopback address, --host or an
--allow-host name; else 421, against DNS rebinding) and whose path stays under the upstream's
(no dot segments, however encoded; else 400). Credentials are never written
or printed, and printed text has its control characters escaped. Started by
npx or npm exec, it also stops once npm is gone (npm exits on SIGTERM
without passing it on); the out file is complete either way.

Options:
  --upstream <url>        where requests go (default https://video.twilio.com)
  --port <n>              port to listen on (default 0: any free port; the URL is printed)
  --host <addr>           address to listen on (default 127.0.0.1)
  --allow-host <name>     also serve requests whose Host is this name (a CI service or
                          container name, e.g. proxy for http://proxy:8787); exact names
                          without port, repeatable or comma-separated, no wildcards
  --out <file|dir>        traffic file (ndjson, har) or directory (recordings); valid JSON
                          after every exchange, however the proxy stops
  --format <f>            ndjson, har or recordings (default from --out: an existing
                          directory or a trailing / → recordings, *.har → har, else ndjson)
  --max-body-bytes <n>    largest body recorded and validated (default 1048576)
  --drain-ms <n>          on stop, how long in-flight exchanges may finish (default 5000)
  --headers-timeout-ms <n>     a client must send its headers within n ms (default 10000)
  --request-timeout-ms <n>     ... and its whole request within n ms (default 300000; 0: none)
  --keep-alive-timeout-ms <n>  idle keep-alive connections close after n ms (default 5000)
  --strict                drift and spec-too-strict findings fail
  --no-rewrite-urls       pass response bodies and Location headers through byte for byte
  -h, --help              this text`;

/** Options and output of {@link runProxyCli}. */
export interface ProxyCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves when the proxy should stop (default: the first SIGINT or SIGTERM). */
  stopped?: Promise<void>;
}

/** `text` with every control character written as a visible escape, so it stays on one inert line. */
export const printable = terminalSafe;

export function findingLine(f: ProxyFinding): string {
  const op = f.operationId ? ` [${f.operationId}]` : "";
  const what = f.method ? ` ${f.method} ${f.url ?? ""}` : "";
  const detail =
    `${f.expected !== undefined ? ` (expected ${f.expected}` : ""}` +
    `${f.found !== undefined ? `${f.expected !== undefined ? ", " : " ("}found ${f.found}` : ""}` +
    `${f.expected !== undefined || f.found !== undefined ? ")" : ""}`;
  // Method, URL and findings come from the traffic: written so that none of it can act on the terminal.
  const warning = f.fails ? "" : " (warning)";
  return `${terminalSafe(`proxy #${f.exchange}${what}${op} ${f.kind}${warning} ${f.where}: ${f.message}${detail}`)}\n`;
}

export function summaryLine(s: ProxySummary): string {
  const kinds =
    Object.entries(s.findings)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ") || "none";
  return (
    `proxy: ${s.exchanges} exchange(s), ${s.recorded} recorded, ${s.aborted} aborted; findings: ${kinds}; ` +
    `${s.failed} failing${s.strict ? " (strict)" : ""}\n`
  );
}

const OPTIONS = {
  upstream: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  "allow-host": { type: "string", multiple: true },
  out: { type: "string" },
  format: { type: "string" },
  "max-body-bytes": { type: "string" },
  "drain-ms": { type: "string" },
  "headers-timeout-ms": { type: "string" },
  "request-timeout-ms": { type: "string" },
  "keep-alive-timeout-ms": { type: "string" },
  strict: { type: "boolean" },
  "no-rewrite-urls": { type: "boolean" },
} as const;

const PROGRAM = "twilio-video-conformance proxy";

/** `--allow-host` values, each repeatable and comma-separated; a name the Host check cannot match is a usage error. */
function allowHostsOf(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const names = values.flatMap((v) => v.split(",")).map((name) => name.trim());
  for (const name of names) {
    const problem = hostNameProblem(name);
    if (problem !== undefined) throw new UsageError(`--allow-host ${shownHost(name)} ${problem}`);
  }
  return names;
}

/** The proxy's options from the command line; "help" when asked for. Throws a {@link UsageError}. */
function proxyOptions(args: string[], io: ProxyCliIo): ProxyOptions | "help" {
  const parsed = parseCommand(args, OPTIONS);
  if (parsed === "help") return "help";
  const { values } = parsed;
  if (values.format !== undefined && !["ndjson", "har", "recordings"].includes(values.format))
    throw new UsageError(`--format must be ndjson, har or recordings (got "${values.format}")`);
  return {
    upstream: values.upstream,
    port: wholeNumber("port", values.port, 0, 65535),
    host: values.host,
    allowHosts: allowHostsOf(values["allow-host"]),
    out: values.out,
    format: values.format as ProxyFormat | undefined,
    maxBodyBytes: wholeNumber("max-body-bytes", values["max-body-bytes"], 0, 2 ** 31),
    drainMs: wholeNumber("drain-ms", values["drain-ms"], 0, 600_000),
    headersTimeoutMs: wholeNumber("headers-timeout-ms", values["headers-timeout-ms"], 1, 3_600_000),
    requestTimeoutMs: wholeNumber("request-timeout-ms", values["request-timeout-ms"], 0, 86_400_000),
    keepAliveTimeoutMs: wholeNumber("keep-alive-timeout-ms", values["keep-alive-timeout-ms"], 0, 3_600_000),
    strict: values.strict === true,
    rewriteUrls: values["no-rewrite-urls"] !== true,
    onFinding: (f) => io.stderr(findingLine(f)),
  };
}

/** Runs the proxy subcommand; resolves to the exit code. */
export async function runProxyCli(args: string[], io: ProxyCliIo): Promise<number> {
  let options: ProxyOptions;
  try {
    const parsed = proxyOptions(args, io);
    if (parsed === "help") {
      io.stdout(`${USAGE}\n`);
      return EXIT.ok;
    }
    options = parsed;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(usageLine(PROGRAM, e.message));
    return EXIT.usage;
  }
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  try {
    proxy = await startProxy(options);
  } catch (e) {
    io.stderr(`${PROGRAM}: ${terminalSafe(firstLine(e, Number.POSITIVE_INFINITY))}\n`);
    return EXIT.usage;
  }
  io.stdout(`${proxy.url}\n`);
  const upstream = options.upstream ?? "https://video.twilio.com";
  const where = `listening on ${proxy.url}, forwarding to ${upstream}${options.out ? `, writing ${options.out}` : ""}`;
  io.stderr(`${PROGRAM}: ${terminalSafe(where)} (pid ${process.pid})\n`);
  const handlers: Array<[NodeJS.Signals, () => void]> = [];
  let unwatch = (): void => undefined;
  const stopped =
    io.stopped ??
    new Promise<void>((resolve) => {
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        const h = () => resolve();
        handlers.push([signal, h]);
        process.once(signal, h);
      }
      // npx/npm exec exit on SIGTERM without signalling us: stop once npm is gone instead of lingering.
      if (startedByNpm()) unwatch = watchParent(() => resolve());
    });
  await stopped;
  unwatch();
  // A second signal while draining aborts at once (close() then finds nothing in flight to wait for).
  for (const [signal, h] of handlers) process.off(signal, h);
  const summary = await proxy.close();
  io.stderr(summaryLine(summary));
  return summary.failed > 0 ? EXIT.failed : EXIT.ok;
}
