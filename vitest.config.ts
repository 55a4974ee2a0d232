import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "contract-tests/**/*.test.ts", "examples/**/*.test.ts"],
    // No test may reach the network; nock, injected fetches and loopback servers stand in.
    // Generous: the suite runs its CLIs as child processes beside packing and installing tests on 2 cores.
    testTimeout: 60_000,
    // CI reads the totals from the JSON report (see .ci/run).
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".vitest-results.json" }]] : ["default"],
  },
});
