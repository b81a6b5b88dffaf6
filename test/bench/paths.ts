/** Where things are: the repository, the servers' entry points, the benchmark's own files. */
import { join } from 'node:path';
import { ROOT, SERVERS, type ServerEntry } from '@hook-observatory/launcher';

/** The repository root (this file runs compiled, from test/bench/dist). */
export { ROOT };
export const BENCH_DIR = join(ROOT, 'test/bench');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
export const PROFILES_DIR = join(RESULTS_DIR, 'profiles');
/** Compiled files of the benchmark itself. */
export const BENCH_DIST = join(BENCH_DIR, 'dist');

/** The launcher's servers and the benchmark's baselines (baselines/), in the order reports show them. */
export const BENCH_SERVERS = {
  limit: { kind: 'node', file: join(BENCH_DIST, 'baselines/limit-server.js') },
  'event-limit': { kind: 'node', file: join(BENCH_DIST, 'baselines/event-limit-server.js') },
  bare: { kind: 'node', file: join(BENCH_DIST, 'baselines/bare-http-server.js') },
  ...SERVERS,
} as const satisfies Record<string, ServerEntry>;
export type ServerName = keyof typeof BENCH_SERVERS;
export const SERVER_NAMES = Object.keys(BENCH_SERVERS) as ServerName[];
