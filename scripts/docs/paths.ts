/**
 * Where things are. The scripts run both from their TypeScript source (under
 * vitest) and from scripts/docs/dist (under pnpm), so the repository root is
 * found by walking up to the workspace file rather than by a fixed depth.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${start}`);
    dir = parent;
  }
  return dir;
}

export const ROOT = findRoot(resolve(import.meta.dirname));
export const DOCS_DIR = join(ROOT, 'docs');

/** The notes, in the order of the learning path. */
export const NOTES = [
  'README.md',
  'protocol.md',
  'http-server.md',
  'net-server.md',
  'side-by-side.md',
  'concurrency.md',
  'security.md',
] as const;

export function notePath(note: string): string {
  return join(DOCS_DIR, note);
}

/** The two servers as a student runs them, after `tsc -b`. */
export const SERVER_ENTRIES = {
  http: join(ROOT, 'packages/http-server/dist/main.js'),
  net: join(ROOT, 'packages/net-server/dist/main.js'),
} as const;
export type ServerName = keyof typeof SERVER_ENTRIES;
export const SERVER_NAMES = Object.keys(SERVER_ENTRIES) as ServerName[];

/** The two files the side-by-side page sets in its two columns. */
export const SERVER_SOURCES: Readonly<Record<ServerName, string>> = {
  http: 'packages/http-server/src/main.ts',
  net: 'packages/net-server/src/main.ts',
};
