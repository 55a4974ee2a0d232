/**
 * Derives generated/ from spec/: `redocly bundle` writes the single bundled
 * document every tool reads, then openapi-typescript turns it into types, and
 * scripts/derive.ts turns its operations (x-client-method) into the client's
 * endpoint table (generated/endpoints.ts), the status callback families
 * (generated/callbacks.ts) and README.md's operations table.
 *
 *   tsx scripts/generate.ts          write generated/
 *   tsx scripts/generate.ts --check  exit 1 when generated/ is stale
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseCommandLine } from "./cli-args.js";
import { callbacksModule, endpointsModule, withReadmeTable } from "./derive.js";

const { values: args } = parseCommandLine({
  usage: `usage: npm run generate            write generated/ from spec/
       npm run check:generated     (--check) exit 1 when generated/ differs from what spec/ produces

  --check     compare instead of writing (what CI runs)
  -h, --help  show this text

Set SPEC_ROOT to bundle another root document than spec/openapi.yaml.`,
  options: { check: { type: "boolean" } },
});

const root = resolve(import.meta.dirname, "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const outputs = ["openapi.json", "openapi.ts", "endpoints.ts", "callbacks.ts"] as const;
const readmePath = join(root, "README.md");

function generateInto(dir: string): void {
  const json = join(dir, "openapi.json");
  const run = (cmd: string, args: string[]) =>
    execFileSync(bin(cmd), args, {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
  run("redocly", [
    "bundle",
    process.env.SPEC_ROOT ?? "spec/openapi.yaml",
    "--config",
    "spec/redocly.yaml",
    "--ext",
    "json",
    "--output",
    json,
  ]);
  // Redocly writes its JSON without a final newline; normalise so editors and
  // the freshness check agree.
  writeFileSync(json, `${JSON.stringify(JSON.parse(readFileSync(json, "utf8")), null, 2)}\n`);
  run("openapi-typescript", [json, "--output", join(dir, "openapi.ts")]);
  const document: unknown = JSON.parse(readFileSync(json, "utf8"));
  writeFileSync(join(dir, "endpoints.ts"), endpointsModule(document));
  writeFileSync(join(dir, "callbacks.ts"), callbacksModule(document));
  // The README lives outside generated/; its table is written next to the outputs and compared like them.
  writeFileSync(join(dir, "README.md"), withReadmeTable(readFileSync(readmePath, "utf8"), document));
}

const check = args.check === true;
const target = join(root, "generated");
if (!check) {
  generateInto(target);
  writeFileSync(readmePath, readFileSync(join(target, "README.md"), "utf8"));
  rmSync(join(target, "README.md"));
  console.log(
    "generated/openapi.json, openapi.ts, endpoints.ts, callbacks.ts and README.md's operations table written",
  );
} else {
  const scratch = mkdtempSync(join(tmpdir(), "twilio-video-gen-"));
  try {
    generateInto(scratch);
    const stale: string[] = outputs.filter((file) => {
      const committed = join(target, file);
      return !existsSync(committed) || readFileSync(committed, "utf8") !== readFileSync(join(scratch, file), "utf8");
    });
    if (readFileSync(readmePath, "utf8") !== readFileSync(join(scratch, "README.md"), "utf8"))
      stale.push("README.md operations table");
    if (stale.length > 0) {
      console.error(`generated/ is stale (${stale.join(", ")} differ from spec/). Run: npm run generate`);
      process.exit(1);
    }
    console.log("generated/ is fresh");
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
