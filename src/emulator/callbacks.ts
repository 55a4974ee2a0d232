/**
 * Status callback delivery: form-encoded POST (or GET with the fields in the
 * query string) to the resource's StatusCallback, signed with
 * X-Twilio-Signature exactly as Twilio signs it. Deliveries go out one at a
 * time in the order the events happened, off the request path, and every
 * attempt is kept so tests can inspect what was sent and how it was answered.
 *
 * Only loopback receivers are called unless the emulator was told other
 * hosts (`callbackHosts`): a room created by tests that copy production
 * settings would otherwise POST to the production app from CI. A refused
 * callback is kept like any other attempt, with an `error` saying why, and
 * logged once per host; nothing is sent.
 */
import { computeSignature } from "../server/webhooks.js";
import { logLine } from "./log.js";
import type { HttpMethod } from "./store.js";

/** One status callback the emulator attempted: where it went, what it carried, how it was signed and answered. */
export interface CallbackDelivery {
  /** Where the event went (for GET, with the fields in the query string). */
  url: string;
  method: HttpMethod;
  event: string;
  params: Record<string, string>;
  signature: string;
  /** The receiver's status, or undefined when it could not be reached. */
  status?: number;
  error?: string;
}

export interface CallbackOptions {
  enabled: boolean;
  authToken: string;
  /** Per-delivery time limit in ms. */
  timeoutMs?: number;
  /** Hosts besides loopback that may be called (`"*"`: any); see {@link callbackHostAllowed}. */
  allowedHosts?: readonly string[] | undefined;
  /** Most attempts kept for inspection (default {@link MAX_KEPT_DELIVERIES}); the oldest go first. */
  maxKept?: number | undefined;
  /** Where a refusal is reported (default console.warn). */
  warn?: ((line: string) => void) | undefined;
}

/** Attempts kept by default: enough for any test, bounded for an emulator that runs for days. */
export const MAX_KEPT_DELIVERIES = 10_000;
/** Events waiting for delivery at most; past it an event is kept as dropped, not queued. */
export const MAX_QUEUED_DELIVERIES = 10_000;
/** Hosts already warned about, at most; later refusals are still kept, only not logged again. */
const MAX_WARNED_HOSTS = 100;

/** Whether a hostname (as `URL.hostname` spells it) is loopback: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  // Not *.localhost: a resolver may send such names to DNS, and so the callback off the machine.
  if (h === "localhost" || h === "[::1]") return true;
  const octets = h.split(".");
  return octets.length === 4 && octets[0] === "127" && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/**
 * Why a callback to `url` is refused, or undefined when it may go: only
 * http(s) URLs, to loopback or to a host in `allowed` (matched against the
 * hostname, or host:port; `"*"` allows every host).
 */
export function callbackRefusal(url: string, allowed: readonly string[] = []): string | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return "refused: not a valid URL";
  }
  if (target.protocol !== "http:" && target.protocol !== "https:")
    return `refused: ${target.protocol} is not http or https`;
  if (isLoopbackHost(target.hostname)) return undefined;
  const names = [target.hostname.toLowerCase(), target.host.toLowerCase()];
  if (allowed.some((host) => host === "*" || names.includes(host.toLowerCase()))) return undefined;
  return `refused: ${target.hostname} is not loopback and not in callbackHosts`;
}

export class CallbackDispatcher {
  readonly deliveries: CallbackDelivery[] = [];
  private queue: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /**
   * Aborted by stop(): a receiver that never answers must not keep a stopped emulator's deliveries (and sockets) alive.
   */
  private readonly stopping = new AbortController();
  private readonly warned = new Set<string>();
  /** Attempts dropped from `deliveries` to stay within maxKept, since the last clear. */
  dropped = 0;

  constructor(private readonly options: CallbackOptions) {}

  /** Queues one event; returns at once. */
  send(target: { url: string | null; method: HttpMethod | null }, params: Record<string, string>): void {
    if (!this.options.enabled || !target.url || this.stopping.signal.aborted) return;
    const method = target.method ?? "POST";
    const callbackUrl = target.url;
    if (this.inFlight >= MAX_QUEUED_DELIVERIES) {
      // A receiver slower than the events: keep memory flat, and say what was not sent.
      this.keep({
        url: callbackUrl,
        method,
        event: params.StatusCallbackEvent ?? "",
        params,
        signature: "",
        error: "dropped: too many callbacks waiting",
      });
      return;
    }
    this.inFlight++;
    this.queue = this.queue
      .then(() => this.deliver(callbackUrl, method, params))
      .finally(() => {
        this.inFlight--;
      });
  }

  /** Resolves once every queued delivery has been attempted. */
  async settled(): Promise<void> {
    // A delivery may be queued while awaiting; loop until nothing is left.
    for (let i = 0; i < 1000 && this.inFlight > 0; i++) await this.queue;
  }

  /**
   * Aborts the delivery in flight and drops the queued ones (each is kept with error "stopped"); later events are not
   * sent.
   */
  stop(): void {
    this.stopping.abort(new Error("stopped"));
  }

  clear(): void {
    this.deliveries.length = 0;
    this.dropped = 0;
  }

  private keep(delivery: CallbackDelivery): void {
    this.deliveries.push(delivery);
    const excess = this.deliveries.length - (this.options.maxKept ?? MAX_KEPT_DELIVERIES);
    if (excess > 0) {
      this.deliveries.splice(0, excess);
      this.dropped += excess;
    }
  }

  private refuse(delivery: CallbackDelivery, why: string): void {
    delivery.error = why;
    const host = URL.canParse(delivery.url) ? new URL(delivery.url).host : delivery.url.slice(0, 100);
    if (this.warned.has(host) || this.warned.size >= MAX_WARNED_HOSTS) return;
    this.warned.add(host);
    const line = logLine(
      `status callback to ${host} not sent (${why}); allow it with callbackHosts / --callback-hosts`,
    );
    (this.options.warn ?? console.warn)(line);
  }

  private async deliver(callbackUrl: string, method: HttpMethod, params: Record<string, string>): Promise<void> {
    const form = new URLSearchParams(params);
    let url = callbackUrl;
    let signature: string;
    const refusal = callbackRefusal(callbackUrl, this.options.allowedHosts);
    if (method === "GET" && refusal === undefined) {
      const target = new URL(callbackUrl);
      for (const [name, value] of form) target.searchParams.append(name, value);
      url = target.toString();
      // GET callbacks are signed over the URL alone (it carries the fields).
      signature = await computeSignature(this.options.authToken, url, {});
    } else {
      signature = await computeSignature(this.options.authToken, url, params);
    }
    const delivery: CallbackDelivery = { url, method, event: params.StatusCallbackEvent ?? "", params, signature };
    this.keep(delivery);
    if (this.stopping.signal.aborted) {
      delivery.error = "stopped";
      return;
    }
    if (refusal) return this.refuse(delivery, refusal);
    try {
      const response = await fetch(url, {
        method,
        headers: {
          "X-Twilio-Signature": signature,
          "User-Agent": "TwilioProxy/1.1 (twilio-video-ts emulator)",
          ...(method === "POST" ? { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" } : {}),
        },
        ...(method === "POST" ? { body: form.toString() } : {}),
        // A redirect is an answer, not a second callback: following it could leave loopback.
        redirect: "manual",
        signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.options.timeoutMs ?? 5000)]),
      });
      delivery.status = response.status;
      // The answer's body is not needed: never buffer it (a receiver could stream without end).
      await response.body?.cancel().catch(() => undefined);
    } catch (error) {
      delivery.error = this.stopping.signal.aborted
        ? "stopped"
        : error instanceof Error
          ? error.cause instanceof Error
            ? `${error.message}: ${error.cause.message}`
            : error.message
          : String(error);
    }
  }
}
