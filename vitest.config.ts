import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/bench/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration and end-to-end suites start PostgreSQL clusters and Chromium: cap parallelism to
    // the two cores of the CI machine.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
