/**
 * The lessons in order, each one HTTP concept beyond the one before. The last
 * is packages/net-server itself, not a copy: the full raw server.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file runs from src (tsx) and from dist alike. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Source files, relative to the repository root, lesson 1 first. */
export const LESSONS: readonly string[] = [
  'packages/lessons/src/01-one-request.ts',
  'packages/lessons/src/02-keep-alive.ts',
  'packages/lessons/src/03-pipelining.ts',
  'packages/lessons/src/04-chunked.ts',
  'packages/lessons/src/05-expect-continue.ts',
  'packages/lessons/src/06-limits.ts',
  'packages/net-server/src/main.ts',
];

/** The absolute path of lesson `number` (1-based), or undefined. */
export function lessonFile(number: number): string | undefined {
  const relative = Number.isInteger(number) ? LESSONS[number - 1] : undefined;
  return relative === undefined ? undefined : join(ROOT, relative);
}
