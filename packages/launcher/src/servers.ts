/**
 * The one table of servers. A name stands for how to run it: a built entry
 * file on node, a TypeScript file on tsx (a student's edit runs with no build
 * step), or any command line (the grader's foreign servers). The grader, the
 * tools, the docs generator, the benchmark and the tests add their own entries
 * to a copy of SERVERS rather than keeping tables of their own.
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

/** The repository root, found by walking up: this file runs from dist and, under vitest, from src. */
export const ROOT = findRoot(resolve(import.meta.dirname));

export type ServerEntry =
  /** A compiled JavaScript entry, run as `node FILE` (`tsc -b` builds it). */
  | { readonly kind: 'node'; readonly file: string }
  /** A TypeScript entry, run from its source as `node --import tsx FILE`. */
  | { readonly kind: 'tsx'; readonly file: string }
  /** Any program; the launcher appends the listen flags (`--port N` or `--socket PATH`). */
  | { readonly kind: 'command'; readonly argv: readonly string[] };

/** The two servers as a student runs them, after `tsc -b`. */
export const SERVERS = {
  http: { kind: 'node', file: join(ROOT, 'packages/http-server/dist/main.js') },
  net: { kind: 'node', file: join(ROOT, 'packages/net-server/dist/main.js') },
} as const satisfies Record<string, ServerEntry>;
export type ServerName = keyof typeof SERVERS;
export const SERVER_NAMES = Object.keys(SERVERS) as ServerName[];

/** The source file a student reads for each server (the side-by-side page sets them in two columns). */
export const SERVER_SOURCES: Readonly<Record<ServerName, string>> = {
  http: 'packages/http-server/src/main.ts',
  net: 'packages/net-server/src/main.ts',
};

/** tsx's loader as a URL, resolved from here so that a server started in any directory finds it. */
export function tsxLoader(): string {
  return import.meta.resolve('tsx');
}

/** The argv (program first) that runs `entry` on `node`, before its own flags. */
export function commandLine(
  entry: ServerEntry,
  node: string,
  nodeArgs: readonly string[] = [],
): string[] {
  switch (entry.kind) {
    case 'node':
      if (!existsSync(entry.file)) {
        throw new Error(`${entry.file} is missing: build first (npx tsc -b)`);
      }
      return [node, ...nodeArgs, entry.file];
    case 'tsx':
      return [node, ...nodeArgs, '--import', tsxLoader(), entry.file];
    case 'command':
      return [...entry.argv];
  }
}
