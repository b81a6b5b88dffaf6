/**
 * The test tiers (README "Tests"). Two projects split the files: `unit` holds
 * the specifications that start no process and open no socket (seconds), `servers` the rest.
 * The tag `slow` marks what a reader's change is unlikely to break and costs
 * minutes: the floods, Chromium, the lessons' re-grading. `pnpm test` runs
 * both projects without it, `pnpm test:slow` runs it alone.
 */
import { defineConfig } from 'vitest/config';

/** Files that start no server, no child process and no browser. */
export const UNIT_FILES = [
  'test/bench/*.test.ts',
  'test/codebase/*.test.ts',
  'test/core/{body-limits,config,descriptors,enrich,event-ring,format,guard,log-file,log-history,payload-shape,peer-address,store-tls,stream,transcript-usage}.test.ts',
  'test/docs/{chromium,diagrams,excerpts,exercises,first-use,glossary,html,lesson-diff,links,live-view-claims,parser-map,path,regions,stream-example}.test.ts',
  'test/installer/{examples,options,settings-text}.test.ts',
  'test/net-server/*.test.ts',
  'test/query/sessions.test.ts',
  'test/store/postgres-rule.test.ts',
];

export default defineConfig({
  test: {
    // Integration tests start real servers as child processes: allow for a busy 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // Tests marked concurrent (the servers' Try-it runs) at once in a file, at most: each starts a
    // server, and many starting together on a loaded 2-core machine miss STARTUP_TIMEOUT_MS.
    maxConcurrency: 3,
    // The default output, then one line: conformance cases × servers × transports, identical or not.
    reporters: ['default', './test/conformance/summary-reporter.ts'],
    tags: [
      {
        name: 'slow',
        description: 'minutes of load, Chromium or re-grading: pnpm test:slow (and .ci/run) only',
      },
    ],
    projects: [
      // One process runs many unit files (vitest still evaluates each file and our modules afresh,
      // keeping node_modules loaded): a process per file cost the unit tier twice its CPU.
      { extends: true, test: { name: 'unit', include: UNIT_FILES, isolate: false } },
      // The same for the files that start servers: they run them as child processes, and no file
      // changes process.env or leaves a mock or fake timer behind for the next file in its process.
      {
        extends: true,
        test: {
          name: 'servers',
          include: ['test/**/*.test.ts'],
          exclude: UNIT_FILES,
          isolate: false,
        },
      },
    ],
  },
});
