/**
 * Status callback delivery: form-encoded POST (or GET with the fields in the
 * query string) to the resource's StatusCallback, signed with
 * X-Twilio-Signature exactly as Twilio signs it. Deliveries go out one at a
 * time in the order the events happened, off the request path, and every
 * attempt is kept so tests can inspect what was sent and how it was answered.
 */
import { computeSignature } from "../server/webhooks.js";
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
}

export class CallbackDispatcher {
  readonly deliveries: CallbackDelivery[] = [];
  private queue: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /** Aborted by stop(): a receiver that never answers must not keep a stopped emulator's deliveries (and sockets) alive. */
  private readonly stopping = new AbortController();

  constructor(private readonly options: CallbackOptions) {}

  /** Queues one event; returns at once. */
  send(target: { url: string | null; method: HttpMethod | null }, params: Record<string, string>): void {
    if (!this.options.enabled || !target.url || this.stopping.signal.aborted) return;
    const method = target.method ?? "POST";
    const callbackUrl = target.url;
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

  /** Aborts the delivery in flight and drops the queued ones (each is kept with error "stopped"); later events are not sent. */
  stop(): void {
    this.stopping.abort(new Error("stopped"));
  }

  clear(): void {
    this.deliveries.length = 0;
  }

  private async deliver(callbackUrl: string, method: HttpMethod, params: Record<string, string>): Promise<void> {
    const form = new URLSearchParams(params);
    let url = callbackUrl;
    let signature: string;
    if (method === "GET") {
      const target = new URL(callbackUrl);
      for (const [name, value] of form) target.searchParams.append(name, value);
      url = target.toString();
      // GET callbacks are signed over the URL alone (it carries the fields).
      signature = await computeSignature(this.options.authToken, url, {});
    } else {
      signature = await computeSignature(this.options.authToken, url, params);
    }
    const delivery: CallbackDelivery = { url, method, event: params.StatusCallbackEvent ?? "", params, signature };
    this.deliveries.push(delivery);
    if (this.stopping.signal.aborted) {
      delivery.error = "stopped";
      return;
    }
    try {
      const response = await fetch(url, {
        method,
        headers: {
          "X-Twilio-Signature": signature,
          "User-Agent": "TwilioProxy/1.1 (twilio-video-ts emulator)",
          ...(method === "POST" ? { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" } : {}),
        },
        ...(method === "POST" ? { body: form.toString() } : {}),
        signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.options.timeoutMs ?? 5000)]),
      });
      delivery.status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      delivery.error = this.stopping.signal.aborted
        ? "stopped"
        : error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error);
    }
  }
}
