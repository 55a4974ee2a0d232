/**
 * What lies outside operations: the document's `info`, `servers`, `tags`,
 * `externalDocs` and `x-` extensions, and each path item's own keys
 * (summary, description, servers, extensions) compared once per path.
 */
import { isObject, type JsonObject } from "../json-pointer.js";
import { add, compareDocs, sameJson, short, type Walk } from "./model.js";

/**
 * Server lists: a URL removed breaks clients pointed at it, one added is
 * minor, anything else (descriptions, variables) a patch.
 */
export function compareServers(walk: Walk, oldRaw: unknown, newRaw: unknown, at: string): void {
  if (sameJson(oldRaw, newRaw)) return;
  const urls = (list: unknown) =>
    new Set((Array.isArray(list) ? list : []).map((s) => (isObject(s) ? String(s.url) : "")));
  const oldUrls = urls(oldRaw);
  const newUrls = urls(newRaw);
  let reported = false;
  for (const url of oldUrls) {
    if (newUrls.has(url)) continue;
    add(walk, "servers-changed", "major", at, `server ${url} removed: clients pointed at it break`);
    reported = true;
  }
  for (const url of newUrls) {
    if (oldUrls.has(url)) continue;
    add(walk, "servers-changed", "minor", at, `server ${url} added`);
    reported = true;
  }
  if (!reported)
    add(walk, "servers-changed", "patch", at, "servers changed (descriptions or variables; the URLs are the same)");
}

/** The document's own keys (operations aside). */
export function compareDocument(top: Walk): void {
  const { oldDoc, newDoc } = top;
  const oldInfo = isObject(oldDoc.info) ? oldDoc.info : {};
  const newInfo = isObject(newDoc.info) ? newDoc.info : {};
  if (!sameJson(oldInfo, newInfo)) {
    const version =
      oldInfo.version !== newInfo.version ? ` (version ${short(oldInfo.version)} → ${short(newInfo.version)})` : "";
    add(top, "info-changed", "patch", "/info", `info changed${version}`);
  }
  compareServers(top, oldDoc.servers, newDoc.servers, "/servers");
  if (!sameJson(oldDoc.tags, newDoc.tags)) add(top, "tags-changed", "patch", "/tags", "tags changed");
  compareDocs(top, oldDoc, newDoc, "", ["externalDocs"]);
}

/** One path item's own keys, reported under `operation` (the path, or `webhook NAME`). */
export function comparePathItem(walk: Walk, oldItem: JsonObject, newItem: JsonObject): void {
  compareDocs(walk, oldItem, newItem, "", ["summary", "description"]);
  compareServers(walk, oldItem.servers, newItem.servers, "/servers");
}
