import { defineConfig } from "vitest/config";

// The fast unit tests only: seconds per mutant, for the pure modules (stryker/proxy-units.json). The allow-host
// file opens loopback sockets but each of its tests takes well under a second.
export default defineConfig({
  test: {
    include: [
      "contract-tests/proxy-units.test.ts",
      "contract-tests/proxy-record-units.test.ts",
      "contract-tests/proxy-allow-host.test.ts",
      "contract-tests/proxy-rewrite-units.test.ts",
    ],
    testTimeout: 60_000,
  },
});
