// The vitest run Stryker mutates against: the client tests only, so a
// mutant is judged in seconds rather than by the whole suite.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/client/**/*.test.ts", "test/node/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
