/**
 * The data types of the endpoint table (src/core/resources.ts), in a module of
 * their own so that the table, the request pipeline (invoke.ts) and the media
 * helpers (media.ts) all depend on it instead of on one another.
 */
import type { HttpMethod, Path } from "./types.js";

/** How a method is called; fixes its signature. */
export type Shape =
  | "create" //          (body) on the collection
  | "fetch" //           (id)
  | "list" //            (query) → page; also adds iterate() and all()
  | "update" //          (id, body)
  | "delete" //          (id) → void
  | "action" //          (id) with a fixed body (complete, disconnect, anonymize)
  | "singleton-fetch" // () on a resource without an id of its own (rules, settings)
  | "singleton-update" // (body) on such a resource
  | "media"; //          (id, {ttl, contentDisposition}) → signed URL; also adds download()

export interface Endpoint<P extends Path = Path, M extends HttpMethod = HttpMethod> {
  readonly operationId: string;
  readonly method: M;
  readonly path: P;
  readonly shape: Shape;
  /** Fixed form body for `action` endpoints. */
  readonly body?: Readonly<Record<string, string>>;
  /** The own id must be a SID with this prefix (no unique names). */
  readonly sid?: string;
}

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
