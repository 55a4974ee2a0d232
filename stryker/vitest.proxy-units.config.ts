import { defineConfig } from "vitest/config";

// The socket-free unit tests only: seconds per mutant, for the pure modules (stryker/proxy-units.json).
export default defineConfig({
  test: { include: ["contract-tests/proxy-units.test.ts"], testTimeout: 60_000 },
});
