/** Where things are: the repository, the servers' entry points, the benchmark's own files. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
  return dir;
}

/** The repository root (this file runs compiled, from test/bench/dist). */
export const ROOT = findRoot(import.meta.dirname);
export const BENCH_DIR = join(ROOT, 'test/bench');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
export const PROFILES_DIR = join(RESULTS_DIR, 'profiles');
/** Compiled files of the benchmark itself. */
export const BENCH_DIST = join(BENCH_DIR, 'dist');

export const SERVER_ENTRIES = {
  limit: join(BENCH_DIST, 'baselines/limit-server.js'),
  'event-limit': join(BENCH_DIST, 'baselines/event-limit-server.js'),
  bare: join(BENCH_DIST, 'baselines/bare-http-server.js'),
  http: join(ROOT, 'packages/http-server/dist/main.js'),
  net: join(ROOT, 'packages/net-server/dist/main.js'),
} as const;
export type ServerName = keyof typeof SERVER_ENTRIES;
export const SERVER_NAMES = Object.keys(SERVER_ENTRIES) as ServerName[];
