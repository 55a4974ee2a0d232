/**
 * Everything that lists the spec's operations, derived from the bundled spec
 * (generated/openapi.json) by `npm run generate`: the client's endpoint table
 * (generated/endpoints.ts, read by src/core/resources.ts), the README's table
 * of resource methods, and the operation list the coverage tests iterate.
 * Pure functions of the document, so the generator, its --check and the drill
 * test (test/spec/drill.test.ts) all run the same code.
 */

const HTTP_METHODS = ["get", "post", "delete", "put", "patch"] as const;
const SHAPES = [
  "create",
  "fetch",
  "list",
  "update",
  "delete",
  "action",
  "singleton-fetch",
  "singleton-update",
  "media",
] as const;
/** Order of a resource's methods in the tree and the README (ties keep spec order). */
const SHAPE_ORDER: Record<string, number> = {
  create: 0,
  fetch: 1,
  "singleton-fetch": 1,
  list: 2,
  update: 3,
  "singleton-update": 3,
  action: 4,
  delete: 5,
  media: 6,
};

export interface ClientMethodSpec {
  /** Dotted access path, e.g. `rooms.participants.get`. */
  method: string;
  shape: (typeof SHAPES)[number];
  doc?: string;
  sid?: string;
  body?: Record<string, string>;
}

export interface ResourceSpec {
  doc?: string;
  /** Name of the scope's id argument in the README (`rooms.participants(room)`). */
  arg?: string;
  /** SID prefix the scope's id must have. */
  sid?: string;
}

export interface SpecOperation {
  operationId: string;
  method: (typeof HTTP_METHODS)[number];
  path: string;
  summary?: string;
  clientMethods: ClientMethodSpec[];
}

export interface ClientRow extends ClientMethodSpec {
  operationId: string;
  httpMethod: string;
  path: string;
  resource: string[];
}

type Doc = {
  paths?: Record<
    string,
    Record<
      string,
      { operationId?: string; summary?: string; "x-client-method"?: ClientMethodSpec | ClientMethodSpec[] }
    >
  >;
  "x-client-resources"?: Record<string, ResourceSpec>;
};

/** Every REST operation of the document, in document order. */
export function listSpecOperations(document: unknown): SpecOperation[] {
  const doc = document as Doc;
  const ops: SpecOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op?.operationId) continue;
      const x = op["x-client-method"];
      ops.push({
        operationId: op.operationId,
        method,
        path,
        ...(op.summary ? { summary: op.summary } : {}),
        clientMethods: x === undefined ? [] : Array.isArray(x) ? x : [x],
      });
    }
  }
  return ops;
}

/**
 * The client's methods, one row each, in tree order; throws naming the
 * operation when an x-client-method is malformed, missing or clashes.
 */
export function clientRows(document: unknown): ClientRow[] {
  const doc = document as Doc;
  const resources = Object.keys(doc["x-client-resources"] ?? {});
  const rows: ClientRow[] = [];
  const problems: string[] = [];
  for (const op of listSpecOperations(document)) {
    const where = `${op.method.toUpperCase()} ${op.path} (${op.operationId})`;
    if (op.clientMethods.length === 0) problems.push(`${where} has no x-client-method`);
    for (const m of op.clientMethods) {
      if (typeof m?.method !== "string" || !/^[a-z]\w*(\.[a-z]\w*)+$/i.test(m.method))
        problems.push(
          `${where}: x-client-method.method must be a dotted name like rooms.get, not ${JSON.stringify(m?.method)}`,
        );
      else if (!SHAPES.includes(m.shape))
        problems.push(
          `${where}: x-client-method.shape must be one of ${SHAPES.join(", ")}, not ${JSON.stringify(m.shape)}`,
        );
      else
        rows.push({
          ...m,
          operationId: op.operationId,
          httpMethod: op.method,
          path: op.path,
          resource: m.method.split("."),
        });
    }
  }
  const seen = new Map<string, string>();
  for (const row of rows) {
    const clash = seen.get(row.method);
    if (clash) problems.push(`${row.method} is the x-client-method of both ${clash} and ${row.operationId}`);
    seen.set(row.method, row.operationId);
  }
  if (problems.length > 0) throw new Error(`spec/: ${problems.join("; ")}`);
  const rank = (resource: string[]): number[] =>
    resource.slice(0, -1).map((_, i) => {
      const at = resources.indexOf(resource.slice(0, i + 1).join("."));
      return at === -1 ? resources.length : at;
    });
  const order = (a: ClientRow, b: ClientRow): number => {
    // Depth-first: a resource's own methods, then its scopes in x-client-resources order.
    const ra = rank(a.resource);
    const rb = rank(b.resource);
    for (let i = 0; i < Math.min(ra.length, rb.length); i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    if (ra.length !== rb.length) return ra.length - rb.length;
    const pa = a.resource.slice(0, -1).join(".");
    const pb = b.resource.slice(0, -1).join(".");
    if (pa !== pb) return pa < pb ? -1 : 1;
    return SHAPE_ORDER[a.shape]! - SHAPE_ORDER[b.shape]!;
  };
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => order(a.row, b.row) || a.i - b.i)
    .map(({ row }) => row);
}

interface TreeNode {
  methods: ClientRow[];
  scopes: Map<string, { param: string; node: TreeNode }>;
}

function tree(document: unknown): TreeNode {
  const root: TreeNode = { methods: [], scopes: new Map() };
  for (const row of clientRows(document)) {
    const params = [...row.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    let at = root;
    row.resource.slice(0, -1).forEach((name, depth) => {
      if (depth === 0) {
        const top = at.scopes.get(name) ?? { param: "", node: { methods: [], scopes: new Map() } };
        at.scopes.set(name, top);
        at = top.node;
        return;
      }
      // The scope at depth d binds the path's d-th parameter: rooms.participants(RoomSid).
      const param = params[depth - 1];
      if (!param)
        throw new Error(
          `spec/: ${row.operationId} (${row.method}) nests ${depth} scopes but ${row.path} has only ${params.length} path parameters`,
        );
      const scope = at.scopes.get(name) ?? { param, node: { methods: [], scopes: new Map() } };
      if (scope.param !== param)
        throw new Error(
          `spec/: ${row.operationId} puts scope ${row.resource.slice(0, depth + 1).join(".")} on {${param}}, another operation on {${scope.param}}`,
        );
      at.scopes.set(name, scope);
      at = scope.node;
    });
    at.methods.push(row);
  }
  return root;
}

const q = JSON.stringify;
const comment = (text: string | undefined, indent: string) =>
  text ? `${indent}/** ${text.replace(/\*\//g, "*\\/")} */\n` : "";

/** The TypeScript source of generated/endpoints.ts. */
export function endpointsModule(document: unknown): string {
  const doc = document as Doc;
  const resources = doc["x-client-resources"] ?? {};
  const root = tree(document);
  const emit = (node: TreeNode, prefix: string[], indent: string): string => {
    let out = "";
    for (const row of node.methods) {
      const name = row.resource.at(-1)!;
      const fields = [
        `operationId: ${q(row.operationId)}`,
        `method: ${q(row.httpMethod)}`,
        `path: ${q(row.path)}`,
        `shape: ${q(row.shape)}`,
      ];
      if (row.sid) fields.push(`sid: ${q(row.sid)}`);
      if (row.body)
        fields.push(
          `body: { ${Object.entries(row.body)
            .map(([k, v]) => `${k}: ${q(String(v))}`)
            .join(", ")} }`,
        );
      out += comment(row.doc ?? `${row.operationId}.`, indent);
      out += `${indent}${name}: { ${fields.join(", ")} },\n`;
    }
    for (const [name, scope] of node.scopes) {
      const key = [...prefix, name].join(".");
      const info = resources[key] ?? {};
      if (prefix.length === 0) {
        out += `${indent}${name}: {\n${emit(scope.node, [name], `${indent}  `)}${indent}},\n`;
      } else {
        out += comment(info.doc ?? `The ${name} of ${prefix.at(-1)}, by {${scope.param}}.`, indent);
        out += `${indent}${name}: {\n${indent}  param: ${q(scope.param)},\n${info.sid ? `${indent}  sid: ${q(info.sid)},\n` : ""}`;
        out += `${indent}  children: {\n${emit(scope.node, [...prefix, name], `${indent}    `)}${indent}  },\n${indent}},\n`;
      }
    }
    return out;
  };
  const ops = listSpecOperations(document)
    .map((op) => `  { operationId: ${q(op.operationId)}, method: ${q(op.method)}, path: ${q(op.path)} },\n`)
    .join("");
  return `// Written by npm run generate (scripts/derive.ts) from spec/: each operation's
// x-client-method and the root's x-client-resources. Do not edit.

/** Every REST operation of the spec, in spec order. */
export const specOperations = [
${ops}] as const;

/** The client's resource tree: leaves name their operation and call shape, branches bind a path parameter. */
export const endpointTree = {
${emit(root, [], "  ")}} as const;
`;
}

/** The README's table of resource methods (markdown, without the markers). */
export function readmeTable(document: unknown): string {
  const doc = document as Doc;
  const resources = doc["x-client-resources"] ?? {};
  const lines = ["| resource | methods | operations |", "| --- | --- | --- |"];
  const walk = (node: TreeNode, label: string, key: string) => {
    if (node.methods.length > 0) {
      const names: string[] = [];
      for (const row of node.methods) {
        const name = row.resource.at(-1)!;
        names.push(name);
        // list and media build companion methods (client.ts): iterate/all, download.
        if (row.shape === "list") names.push("iterate", "all");
        if (row.shape === "media") names.push("download");
      }
      const ops = [...new Set(node.methods.map((r) => r.operationId))];
      lines.push(`| \`${label}\` | ${names.map((n) => `\`${n}\``).join(" ")} | ${ops.join(", ")} |`);
    }
    for (const [name, scope] of node.scopes) {
      const childKey = key ? `${key}.${name}` : name;
      const arg = resources[childKey]?.arg ?? scope.param;
      walk(scope.node, key ? `${label}.${name}(${arg})` : name, childKey);
    }
  };
  walk(tree(document), "", "");
  return lines.join("\n");
}

export const README_START = "<!-- operations:start (written by npm run generate from spec/; do not edit) -->";
export const README_END = "<!-- operations:end -->";

/** README text with the operations table between its markers replaced; throws when the markers are missing. */
export function withReadmeTable(readme: string, document: unknown): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} markers`);
  return `${readme.slice(0, start + README_START.length)}\n${readmeTable(document)}\n${readme.slice(end)}`;
}

// ---- status callbacks (spec/webhooks.yaml) -------------------------------------------

/** One event family of the spec's status callbacks: a schema of `oneOf` a webhook's body. */
export interface CallbackFamily {
  /** `RoomCallbackEvent` → `room`, `CompositionHookCallbackEvent` → `composition-hook`. */
  kind: string;
  schema: string;
  events: string[];
  required: string[];
  /** Fields typed CallbackCount: digits on the wire, numbers once parsed. */
  numbers: string[];
  booleans: string[];
  /** Every field the schema declares (beyond them, `additionalProperties` only says "a string"). */
  fields: string[];
}

type CallbackSchema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, CallbackSchema>;
  oneOf?: CallbackSchema[];
};
type Media = { schema?: CallbackSchema };
type WebhookDoc = {
  webhooks?: Record<string, Record<string, { requestBody?: { content?: Record<string, Media> } }>>;
  components?: { schemas?: Record<string, CallbackSchema> };
};

const COUNT_REF = "#/components/schemas/CallbackCount";

/** The callback families of the document's webhooks, in webhook then `oneOf` order; throws naming a malformed one. */
export function callbackFamilies(document: unknown): CallbackFamily[] {
  const doc = document as WebhookDoc;
  const schemas = doc.components?.schemas ?? {};
  const named = (s: CallbackSchema | undefined): string | undefined => s?.$ref?.split("/").at(-1);
  const deref = (s: CallbackSchema | undefined): CallbackSchema | undefined => {
    const name = named(s);
    return name ? deref(schemas[name]) : s;
  };
  const names = new Set<string>();
  for (const webhook of Object.values(doc.webhooks ?? {})) {
    for (const op of Object.values(webhook)) {
      for (const media of Object.values(op.requestBody?.content ?? {})) {
        const body = deref(media.schema);
        for (const member of body?.oneOf ?? [media.schema]) {
          const name = named(member);
          if (name) names.add(name);
        }
      }
    }
  }
  return [...names].map((schema) => {
    const s = schemas[schema] ?? {};
    const props = s.properties ?? {};
    const events = deref(props.StatusCallbackEvent)?.enum;
    if (!schema.endsWith("CallbackEvent") || !Array.isArray(events)) {
      throw new Error(
        `spec/webhooks.yaml: ${schema} must be named <Family>CallbackEvent and declare StatusCallbackEvent's enum`,
      );
    }
    const kind = schema
      .slice(0, -"CallbackEvent".length)
      .replace(/(?<=[a-z0-9])([A-Z])/g, "-$1")
      .toLowerCase();
    const isBoolean = (p: CallbackSchema) => deref(p)?.type === "boolean" || String(deref(p)?.enum) === "true,false";
    return {
      kind,
      schema,
      events: events.map(String),
      required: s.required ?? [],
      numbers: Object.keys(props).filter((f) => props[f]!.$ref === COUNT_REF),
      booleans: Object.keys(props).filter((f) => isBoolean(props[f]!)),
      fields: Object.keys(props),
    };
  });
}

/** The TypeScript source of generated/callbacks.ts: the families src/server/status-callbacks.ts parses by. */
export function callbacksModule(document: unknown): string {
  const list = (items: string[]) => `[${items.map((i) => q(i)).join(", ")}]`;
  const rows = callbackFamilies(document).map(
    (f) =>
      `  {\n    kind: ${q(f.kind)},\n    schema: ${q(f.schema)},\n    events: ${list(f.events)},\n` +
      `    required: ${list(f.required)},\n    numbers: ${list(f.numbers)},\n` +
      `    booleans: ${list(f.booleans)},\n  },\n`,
  );
  return (
    "// Written by npm run generate (scripts/derive.ts) from spec/webhooks.yaml: one row per\n" +
    "// status callback family (a schema of a webhook body's oneOf). Do not edit.\n\n" +
    "/** Each family's events, required fields, and the fields parsed as numbers or booleans. */\n" +
    `export const statusCallbackFamilies = [\n${rows.join("")}] as const;\n`
  );
}
