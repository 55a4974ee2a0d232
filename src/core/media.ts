/**
 * Media subresources answer 302 with `{"redirect_to": <signed URL>}`. The
 * transport never follows redirects, so the file is not downloaded with the
 * API call; `download()` fetches the signed URL afterwards with the caller's
 * fetch, without Twilio credentials (the only request that follows 302s).
 */
import { TwilioApiError, TwilioArgumentError, TwilioNetworkError, TwilioProtocolError } from "./errors.js";
import { apiError, sendEndpoint, unexpectedStatus, type Context } from "./invoke.js";
import { optionBag, optionNames, refuseUnknownOptions } from "./options.js";
import type { Endpoint, MediaLink, MediaOptions } from "./endpoint.js";

export type { MediaLink, MediaOptions } from "./endpoint.js";
import type { CallOptions } from "./types.js";

const DEFAULT_TTL = 600;

function jsonObject(text: string): { redirect_to?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

const MEDIA_OPTION_NAMES = optionNames<MediaOptions>({ ttl: true, contentDisposition: true });

export async function mediaLink(
  ctx: Context,
  endpoint: Endpoint,
  path: Record<string, string>,
  given?: MediaOptions | null,
  options?: CallOptions | null,
): Promise<MediaLink> {
  const media = optionBag("media options", given) ?? {};
  refuseUnknownOptions("media options", media, MEDIA_OPTION_NAMES);
  const ttl = media.ttl ?? DEFAULT_TTL;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 3600)
    throw new TwilioArgumentError("ttl must be a whole number of seconds from 1 to 3600");
  if (
    media.contentDisposition !== undefined &&
    !/^(attachment|inline)(;\s*filename=.+)?$/.test(media.contentDisposition)
  ) {
    throw new TwilioArgumentError(
      "contentDisposition must be 'attachment' or 'inline', optionally followed by '; filename=…'",
    );
  }
  const requestedAt = Date.now();
  const query = { Ttl: media.ttl, ContentDisposition: media.contentDisposition };
  const response = await sendEndpoint(ctx, endpoint, { path, query }, options);
  const { status } = response;
  if (status !== 302 && status !== 200) {
    if (status < 400) throw unexpectedStatus(endpoint, response);
    throw apiError(endpoint, response);
  }
  const body = jsonObject(response.body);
  const url = typeof body?.redirect_to === "string" ? body.redirect_to : response.headers.get("location");
  if (!url) throw new TwilioProtocolError(`${endpoint.operationId} answered ${status} without redirect_to or Location`);
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url))
    throw new TwilioProtocolError(
      `${endpoint.operationId} answered ${status} with a media URL that is not an absolute http(s) URL`,
    );
  return { url, expiresAt: new Date(requestedAt + ttl * 1000) };
}

export async function download(
  ctx: Context,
  endpoint: Endpoint,
  path: Record<string, string>,
  media?: MediaOptions | null,
  options?: CallOptions | null,
): Promise<Response> {
  const link = await mediaLink(ctx, endpoint, path, media, options);
  const signed = new URL(link.url);
  // The query string holds the URL's signature; keep it out of every error.
  const shown = `${signed.origin}${signed.pathname}`;
  const signal = options?.signal;
  let response: Response;
  try {
    // A bare request: no Authorization, no client headers, to a host that is not Twilio's API.
    response = await ctx.mediaFetch(link.url, signal ? { signal } : {});
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new TwilioNetworkError("GET", shown, error);
  }
  if (!response.ok) {
    const body = await response.text().catch(() => "");
    throw new TwilioApiError({ status: response.status, method: "GET", url: shown, body, requestId: null });
  }
  return response;
}
