import { defineConfig } from "vitest/config";

// Only the proxy's and redaction's own functional tests, fast enough to run for every mutant. The
// timing and flood attacks (proxy-attack.test.ts) are left out: instrumentation slows every statement, so
// their time bounds would fail for reasons that are not the mutant's.
export default defineConfig({
  test: {
    include: [
      "contract-tests/proxy-units.test.ts",
      "contract-tests/proxy-record-units.test.ts",
      "contract-tests/proxy-rewrite-units.test.ts",
      "contract-tests/proxy-allow-host.test.ts",
      "contract-tests/proxy-forward-units.test.ts",
      "contract-tests/proxy-index-units.test.ts",
      "contract-tests/proxy.test.ts",
    ],
    testTimeout: 60_000,
  },
});
