import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers as child processes: allow for a busy 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // The default output, then one line: conformance cases × servers × transports, identical or not.
    reporters: ['default', './test/conformance/summary-reporter.ts'],
  },
});
