/**
 * Fault injection: the next N matching API requests misbehave the way real
 * networks and real rate limits do, so retry and timeout code can be tested
 * against a real server instead of mocks.
 */
import { EmulatorError } from "./errors.js";

/** What an injected fault does to the requests it matches. */
export type FaultKind =
  /** 429 with code 20429 and a Retry-After header. */
  | "rate-limit"
  /** A 5xx answer: Twilio's JSON error, a proxy's HTML page, or an empty body. */
  | "server-error"
  /** The normal answer, after a delay. */
  | "slow"
  /** The connection is closed without any answer. */
  | "drop";

/** A fault to inject: which kind, how many requests, and which requests it applies to. */
export interface FaultSpec {
  kind: FaultKind;
  /** How many requests it applies to (default 1). */
  count?: number | undefined;
  /** Only requests with this method and/or whose path starts with this prefix (e.g. `/v1/Rooms`). */
  method?: string | undefined;
  path?: string | undefined;
  /** rate-limit: Retry-After seconds (default 1; null sends no header, as Twilio documents none). */
  retryAfter?: number | null | undefined;
  /** server-error: the status (default 500). */
  status?: number | undefined;
  /** server-error: the body (default json). */
  body?: "json" | "html" | "empty" | undefined;
  /** slow: delay in real ms (default 1000). */
  delayMs?: number | undefined;
}

interface Armed extends FaultSpec {
  remaining: number;
}

const KINDS = new Set<FaultKind>(["rate-limit", "server-error", "slow", "drop"]);
/** Faults armed at once at most: each request scans them. */
export const MAX_ARMED_FAULTS = 1_000;
/**
 * Longest `path`: a request target is at most Node's header limit (16 KiB,
 * `--max-http-header-size`), so a longer prefix can never match.
 */
const MAX_PATH = 16 * 1024;
/** Longest `method`: longer than any method Node's HTTP parser accepts. */
const MAX_METHOD = 32;
/** Longest `delayMs` of a slow fault (10 minutes): a longer one only holds a socket. */
const MAX_DELAY_MS = 600_000;

export class Faults {
  private armed: Armed[] = [];

  /** Checks a spec coming from the control API; returns a message when it is unusable. */
  static problem(spec: Partial<FaultSpec>): string | undefined {
    if (!spec.kind || !KINDS.has(spec.kind)) return `kind must be one of ${[...KINDS].join(", ")}`;
    if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count >= 1))
      return "count must be a whole number, 1 or more";
    if (spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 500 && spec.status <= 599))
      return "status must be a 5xx status";
    if (spec.delayMs !== undefined && !(spec.delayMs >= 0 && spec.delayMs <= MAX_DELAY_MS))
      return `delayMs must be 0 to ${MAX_DELAY_MS}`;
    if (spec.method !== undefined && !(typeof spec.method === "string" && spec.method.length <= MAX_METHOD))
      return `method must be a string of at most ${MAX_METHOD} characters`;
    if (spec.path !== undefined && !(typeof spec.path === "string" && spec.path.length <= MAX_PATH))
      return `path must be a string of at most ${MAX_PATH} characters`;
    if (spec.retryAfter != null && !(Number.isInteger(spec.retryAfter) && spec.retryAfter >= 0))
      return "retryAfter must be a whole number of seconds";
    return undefined;
  }

  inject(spec: FaultSpec): void {
    const problem = Faults.problem(spec);
    if (problem) throw new TypeError(`invalid fault: ${problem}`);
    if (this.armed.length >= MAX_ARMED_FAULTS)
      throw new EmulatorError(400, 20001, `${MAX_ARMED_FAULTS} faults are armed already: clear them first`);
    this.armed.push({ ...spec, remaining: spec.count ?? 1 });
  }

  /** The fault the request runs into, if any; each use counts down. */
  take(method: string, path: string): FaultSpec | undefined {
    const fault = this.armed.find(
      (f) => (!f.method || f.method.toUpperCase() === method) && (!f.path || path.startsWith(f.path)),
    );
    if (!fault) return undefined;
    if (--fault.remaining <= 0) this.armed = this.armed.filter((f) => f !== fault);
    return fault;
  }

  pending(): Array<FaultSpec & { remaining: number }> {
    return this.armed.map((f) => ({ ...f }));
  }

  clear(): void {
    this.armed = [];
  }
}
