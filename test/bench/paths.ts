/** Where things are: the repository, the servers' entry points, the benchmark's own files. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

/** The two servers of another checkout (`--before DIR`), for a before-and-after table from one run. */
export const BEFORE_SERVERS = { 'http-before': 'http', 'net-before': 'net' } as const;
export type BeforeName = keyof typeof BEFORE_SERVERS;

export type ServerName = keyof typeof BENCH_SERVERS | BeforeName;
/** The servers every run measures, in report order; `--before` adds BEFORE_SERVERS after them. */
export const SERVER_NAMES = Object.keys(BENCH_SERVERS) as ServerName[];
export const BEFORE_NAMES = Object.keys(BEFORE_SERVERS) as BeforeName[];

/** The entry files under `dir`, a checkout of this repository built with `tsc -b`; throws when one is missing. */
export function beforeEntries(dir: string): Record<BeforeName, ServerEntry> {
  const entries = {} as Record<BeforeName, ServerEntry>;
  for (const name of BEFORE_NAMES) {
    const current = BENCH_SERVERS[BEFORE_SERVERS[name]];
    const file = resolve(dir, current.file.slice(ROOT.length + 1));
    if (!existsSync(file)) {
      throw new Error(
        `--before: ${file} is missing: build that checkout first (pnpm install && npx tsc -b)`,
      );
    }
    entries[name] = { kind: 'node', file };
  }
  return entries;
}
