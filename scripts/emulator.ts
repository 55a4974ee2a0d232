#!/usr/bin/env node
/**
 * npm run emulator -- [--port 4010] [--json] [--help] ...
 * Thin wrapper over the `twilio-video-emulator` package bin (src/emulator/cli.ts holds the logic).
 */
import "../src/emulator/bin.js";
