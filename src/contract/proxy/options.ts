/**
 * The proxy's public types and the checks of its options: everything a
 * caller can get wrong is refused here, with one clear line, before a socket
 * is opened.
 */
import { statSync } from "node:fs";
import type { Recording, RecordingResult } from "../types.js";
import { TwilioArgumentError } from "../../core/errors.js";
import { trimTrailingSlashes } from "../../core/trim.js";
import { hostNameProblem, shownHost } from "./rewrite.js";

/** Output formats of the proxy's traffic file. */
export type ProxyFormat = "ndjson" | "har" | "recordings";

/** Kinds of proxy finding; every kind but `warning` and `spec-too-strict` fails (those two fail when strict). */
export type ProxyFindingKind =
  | "error"
  | "warning"
  | "spec-too-strict"
  | "body-too-large"
  | "upstream-unreachable"
  | "bad-request";

/** One finding, reported as it happens. Redacted: it never quotes a credential. */
export interface ProxyFinding {
  kind: ProxyFindingKind;
  /** 1-based number of the exchange (every request the proxy received counts). */
  exchange: number;
  method?: string;
  /** The upstream URL, redacted. */
  url?: string;
  operationId?: string | null;
  where: string;
  message: string;
  expected?: string;
  found?: string;
  /** Whether it makes the run fail (the CLI check's rule: errors always, drift and spec-too-strict when strict). */
  fails: boolean;
}

/** One exchange the proxy forwarded and recorded. */
export interface ProxyExchange {
  exchange: number;
  /** The redacted recording, as written to the out file. */
  recording: Recording;
  /** The verdict, or undefined when a body was over the cap and the exchange was not validated. */
  result: RecordingResult | undefined;
}

/** What a proxy run saw, returned by `close()`. */
export interface ProxySummary {
  /** Requests received (malformed ones included). */
  exchanges: number;
  /** Exchanges written to the out file (or that would be, without one). */
  recorded: number;
  /** Exchanges cut short: by the client hanging up, the upstream breaking, or close() aborting them. */
  aborted: number;
  /** Findings by kind. */
  findings: Partial<Record<ProxyFindingKind, number>>;
  /** Findings that fail the run. */
  failed: number;
  strict: boolean;
}

/** The counts of a proxy that has seen nothing yet. */
export function emptySummary(strict: boolean): ProxySummary {
  return { exchanges: 0, recorded: 0, aborted: 0, findings: {}, failed: 0, strict };
}

/** Options of {@link startProxy}. */
export interface ProxyOptions {
  /** Where requests go (default `https://video.twilio.com`); a path prefix is kept, and no request leaves it. */
  upstream?: string | undefined;
  /** Port to listen on (default 0: an ephemeral port). */
  port?: number | undefined;
  /** Address to listen on (default 127.0.0.1). */
  host?: string | undefined;
  /**
   * More names a request's Host may give besides loopback and `host` (the
   * DNS-rebinding check): exact host names or bracketed IPv6 addresses, no
   * port, compared case-insensitively; e.g. `["proxy"]` for a CI service
   * container reached as `http://proxy:8787`. No wildcards.
   */
  allowHosts?: readonly string[] | undefined;
  /** Traffic file (ndjson, har) or directory (recordings); unset, nothing is written. */
  out?: string | undefined;
  /**
   * Format of `out`. Unset, it follows from the path: an existing directory
   * or a trailing `/` → recordings, `.har` → har, anything else → ndjson.
   */
  format?: ProxyFormat | undefined;
  /** Largest body recorded and validated, per direction (default 1 MiB); larger ones are forwarded, not recorded. */
  maxBodyBytes?: number | undefined;
  /** Drift and spec-too-strict findings fail, as the CLI's `--strict`. */
  strict?: boolean | undefined;
  /** More parameter names to redact (see redact.ts). */
  sensitiveNames?: readonly string[] | undefined;
  /** How long close() lets in-flight exchanges finish before aborting them (default 5,000 ms). */
  drainMs?: number | undefined;
  /** How long a client may take to send a request's headers (default 10,000 ms); then 408 and hang up. */
  headersTimeoutMs?: number | undefined;
  /** How long a client may take to send a whole request, body included (default 300,000 ms; 0: no limit). */
  requestTimeoutMs?: number | undefined;
  /** How long an idle keep-alive connection is held open (default 5,000 ms). */
  keepAliveTimeoutMs?: number | undefined;
  /**
   * Rewrite absolute URLs on the upstream origin, in JSON response bodies and
   * `Location` headers sent to the client, to the proxy's origin (default
   * true). The recordings and the validation keep the upstream's bytes.
   */
  rewriteUrls?: boolean | undefined;
  /** Called with each finding as it happens. */
  onFinding?: ((finding: ProxyFinding) => void) | undefined;
  /** Called with each exchange once it is recorded. */
  onExchange?: ((exchange: ProxyExchange) => void) | undefined;
}

/** A running proxy. */
export interface RunningProxy {
  /** Base URL to point a client at, e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** The counts so far. */
  summary(): ProxySummary;
  /**
   * Stops accepting, lets in-flight exchanges finish (up to `drainMs`, then aborts them), closes the out file.
   * Idempotent.
   */
  close(): Promise<ProxySummary>;
}

/** The default cap on recorded bodies, the emulator's request cap. */
export const DEFAULT_PROXY_MAX_BODY_BYTES = 1024 * 1024;

/** The default time limits (milliseconds). */
export const DEFAULT_PROXY_TIMEOUTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
} as const;

/** Options after their checks, defaults filled in. */
export interface Settings {
  upstream: URL;
  /** The upstream's path prefix, without a trailing slash ("" for none). */
  prefix: string;
  cap: number;
  format: ProxyFormat;
  strict: boolean;
  rewriteUrls: boolean;
  drainMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** `allowHosts`, lower case. */
  allowHosts: ReadonlySet<string>;
}

const FORMATS: readonly string[] = ["ndjson", "har", "recordings"];

function wholeNumber(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`${name} must be a whole number, 0 or more (got ${String(value)})`);
  return n;
}

/**
 * The format of an out path when none is given: a directory (existing, or
 * named with a trailing slash) holds recordings, a `.har` file HAR, anything
 * else NDJSON.
 */
export function inferFormat(out: string): ProxyFormat {
  if (/[/\\]$/.test(out)) return "recordings";
  if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) return "recordings";
  return out.toLowerCase().endsWith(".har") ? "har" : "ndjson";
}

function upstreamUrl(value: string | undefined): URL {
  let upstream: URL;
  try {
    upstream = new URL(value ?? "https://video.twilio.com");
  } catch {
    throw new Error(`upstream ${JSON.stringify(value)} is not a URL`);
  }
  if (upstream.protocol !== "http:" && upstream.protocol !== "https:")
    throw new Error(`upstream must be http: or https: (got ${upstream.protocol})`);
  if (upstream.username || upstream.password)
    throw new Error("upstream must not carry credentials in the URL; the client sends them");
  return upstream;
}

/** The allowHosts option as a set of lower-case names; throws on a name the Host check could never match. */
export function allowedHosts(names: readonly string[] | undefined): ReadonlySet<string> {
  if (names === undefined) return new Set();
  if (!Array.isArray(names)) throw new TwilioArgumentError("allowHosts must be an array of host names");
  const set = new Set<string>();
  for (const name of names as readonly unknown[]) {
    if (typeof name !== "string") throw new TwilioArgumentError(`allowHosts: ${typeof name} is not a host name`);
    const problem = hostNameProblem(name);
    if (problem !== undefined) throw new TwilioArgumentError(`allowHosts: ${shownHost(name)} ${problem}`);
    set.add(name.toLowerCase());
  }
  return set;
}

/** Checks the options; throws one clear line on the first bad one. */
export function settingsOf(options: ProxyOptions): Settings {
  const upstream = upstreamUrl(options.upstream);
  const cap = options.maxBodyBytes ?? DEFAULT_PROXY_MAX_BODY_BYTES;
  if (!Number.isInteger(cap) || cap < 0) throw new Error(`maxBodyBytes must be a whole number of bytes (got ${cap})`);
  const format = options.format ?? (options.out === undefined ? "ndjson" : inferFormat(options.out));
  if (!FORMATS.includes(format)) throw new Error(`format must be ndjson, har or recordings (got ${String(format)})`);
  const t = DEFAULT_PROXY_TIMEOUTS;
  const headersTimeoutMs = wholeNumber("headersTimeoutMs", options.headersTimeoutMs, t.headersTimeoutMs);
  const requestTimeoutMs = wholeNumber("requestTimeoutMs", options.requestTimeoutMs, t.requestTimeoutMs);
  if (headersTimeoutMs === 0)
    throw new Error("headersTimeoutMs must be 1 or more: a client must not hold a connection forever");
  if (requestTimeoutMs !== 0 && requestTimeoutMs < headersTimeoutMs) {
    throw new Error(
      `requestTimeoutMs (${requestTimeoutMs}) must be 0 or at least headersTimeoutMs (${headersTimeoutMs})`,
    );
  }
  return {
    upstream,
    prefix: trimTrailingSlashes(upstream.pathname),
    cap,
    format,
    strict: options.strict === true,
    rewriteUrls: options.rewriteUrls !== false,
    drainMs: wholeNumber("drainMs", options.drainMs, 5000),
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: wholeNumber("keepAliveTimeoutMs", options.keepAliveTimeoutMs, t.keepAliveTimeoutMs),
    allowHosts: allowedHosts(options.allowHosts),
  };
}
