/**
 * Checks that the hand-written parts that follow the spec still do, each
 * problem one line naming the operation, parameter, field or event and the
 * file to change:
 *  - every spec operation has an emulator handler (src/emulator/handlers.ts)
 *    and is answered with a 2xx by the scenario (scripts/derived-scenario.ts),
 *    every list with at least one item;
 *  - every required response field is emitted (src/emulator/views.ts);
 *  - every query parameter and form field is read with the spec's type, and
 *    every list filter is implemented, proved by the scenario (the filter
 *    changes the result), or listed as ignored with a reason
 *    (src/emulator/requests.ts, read in src/emulator/handlers.ts);
 *  - every status callback event of spec/webhooks.yaml is emitted in the
 *    scenario or excluded with a reason, and every field the emulator sends
 *    is declared (src/emulator/lifecycle/events.ts).
 * Functions, so test/spec/derived.test.ts and the drill
 * (test/spec/drill.test.ts, on a copy of the repo) call them directly; as a
 * script it prints the problems and exits 1 when there are any.
 *
 *   tsx scripts/derived-checks.ts
 */
import { pathToFileURL } from "node:url";
import { handlers } from "../src/emulator/handlers.js";
import { REQUESTS } from "../src/emulator/requests.js";
import document from "../generated/openapi.json" with { type: "json" };
import { callbackProblems } from "./derived-callbacks.js";
import { listSpecOperations } from "./derive.js";
import { emulatorScenario, type Exchange } from "./derived-scenario.js";

export { callbackProblems } from "./derived-callbacks.js";
export { emulatorScenario, type Exchange, type Scenario } from "./derived-scenario.js";

const HANDLERS_FILE = "src/emulator/handlers.ts";
const VIEWS_FILE = "src/emulator/views.ts";
const SCENARIO_FILE = "scripts/derived-scenario.ts";
const REQUESTS_FILE = "src/emulator/requests.ts";

/** Spec operations without a handler, and handlers of no spec operation. */
export function missingHandlers(
  spec: unknown = document,
  handlerIds: Iterable<string> = Object.keys(handlers),
): string[] {
  const have = new Set(handlerIds);
  const ops = listSpecOperations(spec);
  const problems = ops
    .filter((op) => !have.has(op.operationId))
    .map(
      (op) => `${op.method.toUpperCase()} ${op.path} (${op.operationId}) has no emulator handler in ${HANDLERS_FILE}`,
    );
  const known = new Set(ops.map((op) => op.operationId));
  for (const id of have)
    if (!known.has(id)) problems.push(`${HANDLERS_FILE} has a handler for ${id}, which is no operation of the spec`);
  return problems;
}

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
};

function resolve(spec: unknown, node: Schema): { schema: Schema; name?: string } {
  let name: string | undefined;
  let at = node;
  while (at.$ref) {
    const ref: string = at.$ref;
    name = ref.split("/").at(-1);
    at = ref
      .slice(2)
      .split("/")
      .reduce<unknown>(
        (n, key) => (n as Record<string, unknown> | undefined)?.[key.replace(/~1/g, "/").replace(/~0/g, "~")],
        spec,
      ) as Schema;
  }
  return { schema: at, ...(name ? { name } : {}) };
}

/**
 * Required response fields (the ones the API always sends, so the emulator
 * must too) that no exchange carries. Optional fields are ones Twilio leaves
 * out at times; they are not demanded. Only operations in `exchanges` count;
 * {@link unexercised} names the others.
 */
export function missingResponseFields(spec: unknown, exchanges: readonly Exchange[]): string[] {
  const declared = new Map<string, { ops: Set<string> }>();
  const emitted = new Set<string>();
  const where = new Map(
    listSpecOperations(spec).map((op) => [op.operationId, `${op.method.toUpperCase()} ${op.path}`]),
  );
  const walk = (node: Schema, value: unknown, label: string, op: string) => {
    const { schema, name } = resolve(spec, node);
    const key = name ?? label;
    for (const part of schema.allOf ?? []) walk(part, value, key, op);
    if (schema.items && Array.isArray(value)) for (const item of value) walk(schema.items, item, `${key}[]`, op);
    if (!schema.properties || value === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const field of schema.required ?? []) {
      const id = `${key}.${field}`;
      const entry = declared.get(id) ?? { ops: new Set() };
      entry.ops.add(op);
      declared.set(id, entry);
      if (field in value) emitted.add(id);
    }
    for (const [field, sub] of Object.entries(schema.properties)) {
      if (field in value) walk(sub, (value as Record<string, unknown>)[field], `${key}.${field}`, op);
    }
  };
  const doc = spec as {
    paths: Record<
      string,
      Record<
        string,
        { operationId?: string; responses?: Record<string, Schema & { content?: Record<string, { schema?: Schema }> }> }
      >
    >;
  };
  const byId = new Map<string, { responses?: Record<string, unknown> }>();
  for (const item of Object.values(doc.paths))
    for (const op of Object.values(item)) if (op?.operationId) byId.set(op.operationId, op);
  for (const x of exchanges) {
    const response = byId.get(x.operationId)?.responses?.[String(x.status)] as Schema | undefined;
    if (!response) continue;
    const media = (resolve(spec, response).schema as { content?: Record<string, { schema?: Schema }> }).content?.[
      "application/json"
    ];
    if (media?.schema) walk(media.schema, x.body, x.operationId, x.operationId);
  }
  return [...declared]
    .filter(([id]) => !emitted.has(id))
    .map(
      ([id, { ops }]) =>
        `${id} (a required field of ${[...ops].map((o) => `${where.get(o)} (${o})`).join(", ")})` +
        ` is never emitted by the emulator: add it to ${VIEWS_FILE}`,
    );
}

/** 2xx, or the 302 a media subresource answers with its download location. */
const isSuccess = (status: number) => (status >= 200 && status < 300) || status === 302;
const isList = (op: { clientMethods: { shape: string }[] }) => op.clientMethods.some((m) => m.shape === "list");

/** The items of a list page (the array its `meta.key` names). */
function listItems(body: unknown): unknown[] | undefined {
  const key = (body as { meta?: { key?: unknown } } | null)?.meta?.key;
  const items = typeof key === "string" ? (body as Record<string, unknown>)[key] : undefined;
  return Array.isArray(items) ? items : undefined;
}

/**
 * Spec operations the scenario never answered with a 2xx, and lists it only
 * answered empty: a handler that answers 404 or [] checks no field.
 */
export function unexercised(spec: unknown, exchanges: readonly Exchange[]): string[] {
  const problems: string[] = [];
  for (const op of listSpecOperations(spec)) {
    const where = `${op.method.toUpperCase()} ${op.path} (${op.operationId})`;
    const mine = exchanges.filter((x) => x.operationId === op.operationId);
    const ok = mine.filter((x) => isSuccess(x.status));
    if (mine.length === 0) {
      problems.push(`${where} is not exercised by the field check's scenario in ${SCENARIO_FILE}`);
    } else if (ok.length === 0) {
      const statuses = [...new Set(mine.map((x) => x.status))].join(", ");
      problems.push(
        `${where} never answered 2xx (or a media 302)` +
          ` in the field check's scenario (only ${statuses})` +
          `: fix its handler in ${HANDLERS_FILE} (or its call in ${SCENARIO_FILE})`,
      );
    } else if (isList(op) && !ok.some((x) => (listItems(x.body)?.length ?? 0) > 0)) {
      problems.push(
        `${where} listed no item` +
          ` in the field check's scenario: its handler in ${HANDLERS_FILE} must list what ${SCENARIO_FILE} creates`,
      );
    }
  }
  return problems;
}

type Param = { name?: string; in?: string; schema?: Schema & { enum?: unknown[]; anyOf?: Schema[]; oneOf?: Schema[] } };
type RequestTable = Readonly<
  Record<
    string,
    {
      query?: Readonly<Record<string, string>>;
      body?: Readonly<Record<string, string>>;
      filters?: Readonly<Record<string, unknown>>;
    }
  >
>;
const PAGING = new Set(["PageSize", "Page", "PageToken"]);

/** How a field of this schema is read (the rule `KindOf` in src/emulator/requests.ts applies to the types). */
export function specKind(spec: unknown, node: Schema | undefined): string {
  const { schema } = resolve(spec, node ?? {});
  const s = schema as Schema & { anyOf?: Schema[]; oneOf?: Schema[]; enum?: unknown[] };
  const members = s.anyOf ?? s.oneOf;
  if (members) {
    const kinds = new Set(members.map((m) => specKind(spec, m)));
    return kinds.size === 1 ? [...kinds][0]! : "json";
  }
  const type = Array.isArray(s.type) ? s.type.filter((t) => t !== "null")[0] : s.type;
  if (type === "integer" || type === "number") return "integer";
  if (type === "boolean" || type === "string") return type;
  if (type === "array") return specKind(spec, s.items) === "string" ? "list" : "json";
  if (type === undefined && Array.isArray(s.enum) && s.enum.every((v) => typeof v === "string")) return "string";
  return "json";
}

/** Each operation's declared query parameters and form fields, with the kind each is read as. */
function declaredFields(
  spec: unknown,
): Map<string, { query: Map<string, string>; body: Map<string, string>; where: string }> {
  const out = new Map<string, { query: Map<string, string>; body: Map<string, string>; where: string }>();
  const doc = spec as {
    paths: Record<string, Record<string, { operationId?: string; parameters?: Param[]; requestBody?: Schema }>>;
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op?.operationId) continue;
      const query = new Map<string, string>();
      for (const raw of op.parameters ?? []) {
        const p = resolve(spec, raw as Schema).schema as Param;
        if (p.in === "query" && p.name) query.set(p.name, specKind(spec, p.schema));
      }
      const body = new Map<string, string>();
      const content =
        op.requestBody &&
        (resolve(spec, op.requestBody).schema as { content?: Record<string, { schema?: Schema }> }).content;
      const form = content?.["application/x-www-form-urlencoded"]?.schema;
      const props = form ? (resolve(spec, form).schema.properties ?? {}) : {};
      for (const [name, sub] of Object.entries(props)) body.set(name, specKind(spec, sub));
      out.set(op.operationId, { query, body, where: `${method.toUpperCase()} ${path} (${op.operationId})` });
    }
  }
  return out;
}

/**
 * Query parameters and form fields the spec declares that src/emulator/requests.ts
 * does not read with the spec's type, reads without the spec declaring them,
 * or (list filters) neither implements nor ignores with a reason.
 */
export function requestProblems(spec: unknown = document, table: RequestTable = REQUESTS as RequestTable): string[] {
  const problems: string[] = [];
  const fix = `in ${REQUESTS_FILE} (and read it in ${HANDLERS_FILE})`;
  for (const [id, declared] of declaredFields(spec)) {
    const row = table[id] ?? {};
    for (const part of ["query", "body"] as const) {
      const label = part === "query" ? "query parameter" : "form field";
      const reads = row[part] ?? {};
      for (const [name, kind] of declared[part]) {
        if (!(name in reads))
          problems.push(
            `${declared.where} declares ${label} ${name} (${kind}), which the emulator never reads: add it ${fix}`,
          );
        else if (reads[name] !== kind)
          problems.push(
            `${declared.where} declares ${label} ${name} as ${kind}` +
              `, but the emulator reads it as ${reads[name]}: change it ${fix}`,
          );
      }
      for (const name of Object.keys(reads)) {
        if (!declared[part].has(name))
          problems.push(
            `${REQUESTS_FILE} reads ${label} ${name} of ${id}` +
              `, which the spec does not declare: remove it there and in ${HANDLERS_FILE}`,
          );
      }
    }
    if (!declared.query.has("PageSize")) continue;
    for (const name of declared.query.keys()) {
      if (PAGING.has(name) || (row.filters && name in row.filters)) continue;
      problems.push(
        `${declared.where} declares filter ${name}` +
          `, which the emulator neither implements nor ignores with a reason: add it to the filters of ${id} ${fix}`,
      );
    }
  }
  return problems;
}

/** A URL's query without one parameter, sorted, as one comparable string. */
function queryWithout(url: URL, name: string): string {
  const params = [...url.searchParams].filter(([k]) => k !== name);
  return JSON.stringify(params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The sids a list answer holds, as one comparable string. */
const itemSet = (x: Exchange) =>
  JSON.stringify((listItems(x.body) ?? []).map((i) => (i as { sid?: unknown }).sid ?? i));

/**
 * Filters marked implemented that no exchange of the scenario shows working:
 * none of its filtered lists differs from an unfiltered list of the same path.
 */
export function unprovedFilters(
  exchanges: readonly Exchange[],
  table: RequestTable = REQUESTS as RequestTable,
): string[] {
  const problems: string[] = [];
  for (const [id, row] of Object.entries(table)) {
    const mine = exchanges
      .filter((x) => x.operationId === id && isSuccess(x.status))
      .map((x) => ({ x, url: new URL(x.url) }));
    for (const [name, use] of Object.entries(row.filters ?? {})) {
      if (use !== "implemented") continue;
      // Against the same list asked without this filter and otherwise alike.
      const proved = mine.some(
        (f) =>
          f.url.searchParams.has(name) &&
          mine.some(
            (u) =>
              u.url.pathname === f.url.pathname &&
              queryWithout(u.url, name) === queryWithout(f.url, name) &&
              !u.url.searchParams.has(name) &&
              itemSet(u.x) !== itemSet(f.x),
          ),
      );
      if (!proved) {
        problems.push(
          `${id} filter ${name} never changed a result` +
            ` in the field check's scenario: prove it in ${SCENARIO_FILE}, implement it in ${HANDLERS_FILE}` +
            `, or mark it ignored with a reason in ${REQUESTS_FILE}`,
        );
      }
    }
  }
  return problems;
}

/** The scenario's exchanges only (the field checks' input). */
export async function emulatorExchanges(): Promise<Exchange[]> {
  return (await emulatorScenario()).exchanges;
}

/** Every problem of this file's checks, against the repo's own spec and emulator. */
export async function derivedChecks(): Promise<string[]> {
  const { exchanges, deliveries } = await emulatorScenario();
  return [
    ...missingHandlers(),
    ...unexercised(document, exchanges),
    ...missingResponseFields(document, exchanges),
    ...requestProblems(),
    ...unprovedFilters(exchanges),
    ...callbackProblems(document, deliveries),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const problems = await derivedChecks();
  for (const line of problems) console.error(line);
  if (problems.length > 0) process.exit(1);
  console.log("the emulator answers, reads, filters and calls back as the spec says");
}
