/**
 * Status callbacks against the spec's `webhooks`: each event is checked
 * against the schema of its family. The webhook and family are found through
 * the discriminator mapping of each webhook's form schema
 * (`StatusCallbackEvent` → family schema), so a new webhook or family in the
 * spec needs no change here.
 */
import { deref, escapePointerToken, isObject, type JsonObject } from "./json-pointer.js";
import type { SchemaRegistry } from "./schemas.js";
import { describeValue } from "./schemas.js";
import type { Problem } from "./types.js";

const FORM = "application/x-www-form-urlencoded";

interface WebhookEntry {
  operationId: string;
  /** Pointer of the form schema of the webhook's request body. */
  schemaPointer: string;
  events: Set<string>;
}

function webhookEntries(doc: JsonObject): WebhookEntry[] {
  const entries: WebhookEntry[] = [];
  const webhooks = isObject(doc.webhooks) ? doc.webhooks : {};
  for (const [name, rawItem] of Object.entries(webhooks)) {
    const item = deref(doc, rawItem, `/webhooks/${escapePointerToken(name)}`);
    if (!item) continue;
    for (const method of ["post", "get"]) {
      const op = item.node[method];
      if (!isObject(op)) continue;
      const body = deref(doc, op.requestBody, `${item.pointer}/${method}/requestBody`);
      const media = body && isObject(body.node.content) ? body.node.content[FORM] : undefined;
      if (!body || !isObject(media)) continue;
      const schemaPointer = `${body.pointer}/content/${escapePointerToken(FORM)}/schema`;
      const schema = deref(doc, media.schema, schemaPointer);
      const mapping =
        schema && isObject(schema.node.discriminator) && isObject(schema.node.discriminator.mapping)
          ? schema.node.discriminator.mapping
          : {};
      entries.push({
        operationId: String(op.operationId ?? name),
        schemaPointer,
        events: new Set(Object.keys(mapping)),
      });
    }
  }
  return entries;
}

export interface CallbackCheck {
  /** The webhook's operationId (e.g. `RoomStatusCallback`), or null when no webhook sends this event. */
  operationId: string | null;
  problems: Problem[];
}

export type CallbackChecker = (params: Record<string, string>) => CallbackCheck;

export function createCallbackChecker(doc: JsonObject, registry: SchemaRegistry): CallbackChecker {
  const entries = webhookEntries(doc);
  return (params) => {
    const event = params.StatusCallbackEvent;
    const entry = entries.find((e) => event !== undefined && e.events.has(event));
    if (!entry) {
      const known = entries.flatMap((e) => [...e.events]);
      return {
        operationId: null,
        problems: [
          {
            where: "callback.params/StatusCallbackEvent",
            message:
              event === undefined ? "StatusCallbackEvent is missing" : "not an event of any documented status callback",
            expected: known.join(" | ") || "a documented event",
            found: describeValue(event),
          },
        ],
      };
    }
    return {
      operationId: entry.operationId,
      problems: registry.check(entry.schemaPointer, params, "callback.params", false).errors,
    };
  };
}
