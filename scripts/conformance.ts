#!/usr/bin/env node
/**
 * npm run conformance -- [--json] [--strict] [--base-url <url>] <file-or-dir>...
 * Thin wrapper over the package bin (src/contract/cli.ts holds the logic).
 */
import "../src/contract/bin.js";
