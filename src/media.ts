/**
 * Media subresources answer 302 with `{"redirect_to": <signed URL>}`. The
 * request is sent with redirects off so the file is not downloaded, and the
 * signed URL is fetched later without Twilio credentials.
 */
import { TwilioApiError, TwilioArgumentError, TwilioProtocolError } from "./errors.js";
import { apiError, send, type Context } from "./invoke.js";
import type { Endpoint } from "./resources.js";
import type { CallOptions } from "./types.js";

/** Options of the `media()` and `download()` methods of recordings and compositions. */
export interface MediaOptions {
  /** Seconds the signed URL stays valid, 1 to 3600 (Twilio's default: 600). */
  ttl?: number | undefined;
  /** `attachment` or `inline`, optionally with `; filename=…`. */
  contentDisposition?: string | undefined;
}

/** A short-lived signed URL of a media file, and when it expires. */
export interface MediaLink {
  /** Signed URL of the media file; needs no credentials. Treat it as a secret until it expires. */
  url: string;
  /** When the URL stops working (computed from the requested TTL). */
  expiresAt: Date;
}

const DEFAULT_TTL = 600;

export async function mediaLink(
  ctx: Context,
  endpoint: Endpoint,
  path: Record<string, string>,
  media: MediaOptions = {},
  options?: CallOptions,
): Promise<MediaLink> {
  const ttl = media.ttl ?? DEFAULT_TTL;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 3600) throw new TwilioArgumentError("ttl must be a whole number of seconds from 1 to 3600");
  if (media.contentDisposition !== undefined && !/^(attachment|inline)(;\s*filename=.+)?$/.test(media.contentDisposition)) {
    throw new TwilioArgumentError("contentDisposition must be 'attachment' or 'inline', optionally followed by '; filename=…'");
  }
  const requestedAt = Date.now();
  const query = { Ttl: media.ttl, ContentDisposition: media.contentDisposition };
  const result = await send(ctx, endpoint, { path, query, redirect: "manual" }, options);
  const { status } = result.response;
  if (status !== 302 && status !== 200) throw apiError(endpoint, result);
  const body = (status === 302 ? result.error : result.data) as { redirect_to?: unknown } | undefined;
  const url = typeof body?.redirect_to === "string" ? body.redirect_to : result.response.headers.get("location");
  if (!url) throw new TwilioProtocolError(`${endpoint.operationId} answered ${status} without redirect_to or Location`);
  return { url, expiresAt: new Date(requestedAt + ttl * 1000) };
}

export async function download(
  ctx: Context,
  endpoint: Endpoint,
  path: Record<string, string>,
  media?: MediaOptions,
  options: CallOptions = {},
): Promise<Response> {
  const link = await mediaLink(ctx, endpoint, path, media, options);
  // A bare request: no Authorization, no client headers, to a host that is not Twilio's API.
  const response = await ctx.mediaFetch(link.url, options.signal ? { signal: options.signal } : {});
  if (!response.ok) {
    const signed = new URL(link.url);
    // The query string holds the URL's signature; keep it out of the error.
    throw new TwilioApiError({ status: response.status, method: "GET", url: `${signed.origin}${signed.pathname}`, body: await response.text(), requestId: null });
  }
  return response;
}
