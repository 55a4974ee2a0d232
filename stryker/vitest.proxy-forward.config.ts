import { defineConfig } from "vitest/config";

// The fast loopback tests of forward.ts and index.ts (stryker/proxy-forward.json): a tiny upstream on 127.0.0.1,
// each test well under a second, no floods, so a run over both files takes minutes rather than hours. The
// allow-host tests cover the Host check in index.ts.
export default defineConfig({
  test: {
    include: [
      "contract-tests/proxy-forward-units.test.ts",
      "contract-tests/proxy-index-units.test.ts",
      "contract-tests/proxy-allow-host.test.ts",
    ],
    testTimeout: 60_000,
  },
});
