// The vitest run Stryker mutates against: the test files written for the
// client files it mutates (timeouts, retries, hooks, pagination), not every
// client test. Nearly every client test reaches the transport and the
// deadline queue, so with all of them each mutant would rerun hundreds of
// tests that cannot tell it apart.
import { defineConfig } from "vitest/config";

// `node stryker/run.mjs --tests a.test.ts,b.test.ts` narrows the run to those files.
const only = process.env.STRYKER_CLIENT_TESTS?.split(",");

export default defineConfig({
  test: {
    include: only ?? [
      "test/client/deadlines.test.ts",
      "test/client/deadline-wheel.test.ts",
      "test/client/fetch-exchange.test.ts",
      "test/client/fetch-exchange-edges.test.ts",
      "test/client/hooks.test.ts",
      "test/client/sensitive-names.test.ts",
      "test/client/pagination.test.ts",
      "test/client/list-iterator.test.ts",
      "test/client/retry.test.ts",
      "test/client/transport-unit.test.ts",
      "test/client/retry-policy.test.ts",
      "test/client/parity.test.ts",
      "test/client/typed-errors.test.ts",
    ],
    // Tests that spawn a Node process on the sources: in Stryker's sandbox that
    // process loads instrumented code without the runner around it and fails
    // whatever the mutant. They run in the ordinary suite.
    testNamePattern: /^(?!.*a process that made one call exits when it is done).*$/,
    testTimeout: 20_000,
  },
});
