import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Real-cargo and browser tests start servers and child processes; two cores are all we have.
    maxWorkers: 2,
  },
});
