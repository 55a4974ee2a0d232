// Only the unit tests of the emulator's matching code, for Stryker (stryker/emulator.json).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/emulator/glob.test.ts", "test/emulator/rules.test.ts"],
    testTimeout: 60_000,
    // The "cost …" timing tests bound wall time; instrumented code is several times slower, and a
    // mutant that makes a loop endless is caught by Stryker's own timeout instead.
    testNamePattern: /^(?!cost )/,
  },
});
