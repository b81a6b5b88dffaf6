/**
 * The lessons in order, each one HTTP concept beyond the one before. The last
 * is packages/net-server itself, not a copy: the full raw server. Lesson 0
 * comes before them all and is no hook receiver: it shows the server and the
 * bytes that reach it, so the grader does not grade it.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file runs from src (tsx) and from dist alike. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Lesson 0: `listen`, and every read printed as it arrives. */
export const FIRST_BYTES_LESSON = 'packages/lessons/src/00-first-bytes.ts';

/** The graded lessons' source files, relative to the repository root, lesson 1 first. */
export const LESSONS: readonly string[] = [
  'packages/lessons/src/01-one-request.ts',
  'packages/lessons/src/02-keep-alive.ts',
  'packages/lessons/src/03-answer-headers.ts',
  'packages/lessons/src/04-routes.ts',
  'packages/lessons/src/05-pipelining.ts',
  'packages/lessons/src/06-chunked.ts',
  'packages/lessons/src/07-expect-continue.ts',
  'packages/lessons/src/08-bad-requests.ts',
  'packages/lessons/src/09-limits.ts',
  'packages/lessons/src/10-reading-heads.ts',
  'packages/lessons/src/11-byte-parser.ts',
  'packages/lessons/src/12-event-stream.ts',
  'packages/net-server/src/main.ts',
];

/** The absolute path of lesson `number` (0 to LESSONS.length), or undefined. */
export function lessonFile(number: number): string | undefined {
  const relative =
    number === 0 ? FIRST_BYTES_LESSON : Number.isInteger(number) ? LESSONS[number - 1] : undefined;
  return relative === undefined ? undefined : join(ROOT, relative);
}
