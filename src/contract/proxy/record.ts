/**
 * One finished exchange → a validated, redacted recording, its findings, and
 * its line in the out file.
 *
 * Redaction memory is per exchange: each gets a fresh redactor, so the cost
 * of an exchange never depends on what strangers sent before. Across
 * exchanges only the credentials of the last few authenticated exchanges
 * (the upstream did not answer 401 or 403) are hunted, a small fixed set.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { ItemChecker } from "../check.js";
import { Redactor } from "../redact.js";
import { redactRecording, requestHeadersOf, responseHeadersOf } from "../redact-recording.js";
import type { ContractValidator, Problem, Recording } from "../types.js";
import { headerValue, type Capture } from "./capture.js";
import type { OutFile } from "./out-file.js";
import { harEntry } from "./out-file.js";
import type { ProxyFinding, ProxyOptions, ProxySummary, Settings } from "./options.js";
import { decodeBody } from "./rewrite.js";

/** Credentials of this many authenticated exchanges are remembered across exchanges. */
export const REMEMBERED_CREDENTIALS = 8;
/** Values one exchange remembers for scrubbing (its form, JSON and URL secrets). */
export const SECRETS_PER_EXCHANGE = 64;

/** What one exchange left behind, for {@link Recorder.record}. */
export interface Finished {
  exchange: number;
  method: string;
  url: URL;
  started: Date;
  requestHeaders: IncomingHttpHeaders;
  request: Capture;
  status: number;
  responseHeaders: IncomingHttpHeaders;
  response: Capture;
  httpVersion: string;
  /** The response went to the client unmodified although it would have been rewritten. */
  notRewritten: boolean;
}

/** The values an Authorization header carries: itself, its token, and a Basic password. */
export function credentialsOf(value: string | undefined): string[] {
  if (!value) return [];
  // split() always yields a first element, so the scheme needs no default.
  const [scheme, token = ""] = value.trim().split(/\s+/, 2) as [string, string?];
  const found = [value, token];
  if (scheme.toLowerCase() === "basic") {
    const plain = Buffer.from(token, "base64").toString("utf8");
    const colon = plain.indexOf(":");
    if (colon !== -1) found.push(plain.slice(colon + 1));
  }
  return found;
}

/** Parses a recorded body the way recordings store it: JSON, a string, or null when empty. */
function recordedBody(bytes: Buffer, contentType: string | undefined): unknown {
  if (bytes.length === 0) return null;
  const text = bytes.toString("utf8");
  if (!/json/i.test(String(contentType))) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function problem(p: Problem): Pick<ProxyFinding, "where" | "message" | "expected" | "found"> {
  return {
    where: p.where,
    message: p.message,
    ...(p.expected !== undefined ? { expected: p.expected } : {}),
    ...(p.found !== undefined ? { found: p.found } : {}),
  };
}

export class Recorder {
  /** Credentials of the latest authenticated exchanges, newest last. */
  private readonly credentials: string[] = [];

  constructor(
    private readonly settings: Settings,
    private readonly validator: ContractValidator,
    private readonly checker: ItemChecker,
    private readonly options: ProxyOptions,
    private readonly counts: ProxySummary,
    private readonly out: OutFile | undefined,
  ) {}

  /** A redactor for one exchange: the run's remembered credentials and this request's. */
  redactorFor(authorization: string | undefined): Redactor {
    // Stryker disable next-line ObjectLiteral: SECRETS_PER_EXCHANGE is the Redactor's default too; no test can tell.
    const redactor = new Redactor(this.options.sensitiveNames, { maxSecrets: SECRETS_PER_EXCHANGE });
    for (const value of [...this.credentials, ...credentialsOf(authorization)]) redactor.learn(value, true);
    return redactor;
  }

  /** Reports a finding, scrubbed of every value `redactor` knows. */
  report(finding: ProxyFinding, redactor: Redactor): void {
    const clean = redactor.scrub(finding);
    this.counts.findings[clean.kind] = (this.counts.findings[clean.kind] ?? 0) + 1;
    if (clean.fails) this.counts.failed++;
    try {
      // Stryker disable next-line OptionalChaining: without a listener the call throws into the catch below, unseen.
      this.options.onFinding?.(clean);
    } catch {
      // A throwing listener must not take an exchange down with it.
    }
  }

  private learnCredentials(authorization: string | undefined, status: number): void {
    if (status === 401 || status === 403) return;
    for (const value of credentialsOf(authorization)) {
      const at = this.credentials.indexOf(value);
      if (at !== -1) this.credentials.splice(at, 1);
      this.credentials.push(value);
    }
    while (this.credentials.length > REMEMBERED_CREDENTIALS * 3) this.credentials.shift();
  }

  /** The exchange as sent (for validation) and what is too large to record. */
  private raw(x: Finished): { full: Recording; tooLarge: string[] } {
    const cap = this.settings.cap;
    const decoded = x.response.over
      ? "too-large"
      : decodeBody(x.response.bytes(), headerValue(x.responseHeaders, "content-encoding"), cap);
    const tooLarge: string[] = [];
    if (x.request.over) tooLarge.push(`request body of ${x.request.size} bytes`);
    if (decoded === "too-large")
      tooLarge.push(`response body of ${x.response.over ? `${x.response.size} bytes` : `over ${cap} bytes decoded`}`);
    const requestBody = x.request.over ? undefined : x.request.bytes().toString("utf8");
    const bytes = decoded === "unreadable" ? x.response.bytes() : decoded;
    const responseHeaders = responseHeadersOf((n) => headerValue(x.responseHeaders, n));
    const full: Recording = {
      description: `${x.method} ${x.url.pathname}`,
      request: {
        method: x.method,
        url: x.url.href,
        ...(requestBody
          ? { headers: requestHeadersOf((n) => headerValue(x.requestHeaders, n)), body: requestBody }
          : {}),
      },
      response: {
        status: x.status,
        headers: responseHeaders,
        body:
          bytes === "too-large"
            ? `[not recorded: over ${cap} bytes]`
            : recordedBody(bytes, responseHeaders["content-type"]),
      },
    };
    return { full, tooLarge };
  }

  /** Validates, redacts, reports and writes one exchange. Rejects only when the out file fails. */
  async record(x: Finished, redactor: Redactor): Promise<void> {
    const { cap, strict } = this.settings;
    const { full, tooLarge } = this.raw(x);
    // Validated as sent; recorded redacted. A body over the cap is not validated at all (half a body would give false
    // findings).
    const result = tooLarge.length > 0 ? undefined : this.checker.validate(full, `exchange ${x.exchange}`);
    const note = tooLarge.length > 0 ? ` (not validated: ${tooLarge.join(", ")} over the ${cap}-byte cap)` : "";
    const clean = redactRecording(
      redactor,
      { ...full, description: `${full.description}${note}`, source: `proxied ${x.started.toISOString()}` },
      { signedUrls: true },
    );
    this.learnCredentials(headerValue(x.requestHeaders, "authorization"), x.status);
    const base = { exchange: x.exchange, method: x.method, url: clean.request.url };
    const opId = result?.operationId ?? this.validator.matchOperation(x.method, x.url.href)?.operationId ?? null;
    if (tooLarge.length > 0) {
      const unmodified = x.notRewritten ? "; the response went to the client unmodified, its URLs not rewritten" : "";
      const what = tooLarge.join(" and ");
      const message = `${what} forwarded but not recorded or validated (cap ${cap} bytes)${unmodified}`;
      this.report(
        {
          kind: "body-too-large",
          ...base,
          operationId: opId,
          where: x.request.over ? "request.body" : "response.body",
          message,
          fails: true,
        },
        redactor,
      );
    }
    if (result) {
      const withOp = { ...base, operationId: result.operationId };
      for (const p of result.errors) this.report({ kind: "error", ...withOp, ...problem(p), fails: true }, redactor);
      for (const p of result.warnings)
        this.report({ kind: "warning", ...withOp, ...problem(p), fails: strict }, redactor);
      for (const p of result.specTooStrict)
        this.report({ kind: "spec-too-strict", ...withOp, ...problem(p), fails: strict }, redactor);
    }
    if (this.out) await this.out.append(x.exchange, clean, () => harEntry(clean, x.started, x.httpVersion));
    this.counts.recorded++;
    try {
      // Stryker disable next-line OptionalChaining: without a listener the call throws into the catch below, unseen.
      this.options.onExchange?.({ exchange: x.exchange, recording: clean, result: result && redactor.scrub(result) });
    } catch {
      // A throwing listener must not take an exchange down with it.
    }
  }
}
