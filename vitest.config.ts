import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "contract-tests/**/*.test.ts"],
    // No test may reach the network; nock and the loopback servers stand in.
    testTimeout: 20_000,
  },
});
