import { defineConfig } from "vitest/config";

// Only the proxy's and redaction's own tests: fast enough to run for every mutant.
export default defineConfig({
  test: {
    include: ["contract-tests/proxy-units.test.ts", "contract-tests/proxy.test.ts", "contract-tests/proxy-attack.test.ts"],
    testTimeout: 60_000,
  },
});
