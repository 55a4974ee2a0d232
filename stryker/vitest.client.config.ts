// The vitest run Stryker mutates against: the client tests only, so a
// mutant is judged in seconds rather than by the whole suite.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/client/**/*.test.ts", "test/node/**/*.test.ts"],
    // Tests that spawn a Node process on the sources: in Stryker's sandbox that
    // process loads instrumented code without the runner around it and fails
    // whatever the mutant. They run in the ordinary suite.
    testNamePattern: /^(?!.*a process that made one call exits when it is done).*$/,
    testTimeout: 20_000,
  },
});
