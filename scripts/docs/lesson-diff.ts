/**
 * What each lesson changes in the one before, for docs/lessons.md: a unified
 * diff of the two lesson files, made from the files themselves at every
 * `pnpm docs:sync`, so the notes cannot show a change the code does not have.
 *
 *     <!-- lesson-diff 1 2 -->
 */
import { readFileSync } from 'node:fs';
import { structuredPatch } from 'diff';
import { LESSONS } from '@hook-observatory/lessons';
import { BlockError, type GeneratedBlock } from './blocks.js';
import { ROOT } from './paths.js';

/** Lines kept around each change: enough to see where it sits in the file. */
const CONTEXT_LINES = 3;

function lessonPath(argument: string | undefined): string {
  const path = LESSONS[Number(argument) - 1];
  if (path === undefined) throw new BlockError(`lesson-diff: no lesson ${String(argument)} (1 to ${LESSONS.length})`);
  return path;
}

export function renderLessonDiff(block: GeneratedBlock): string {
  const [from, to] = [lessonPath(block.args[0]), lessonPath(block.args[1])];
  const read = (path: string): string => readFileSync(`${ROOT}/${path}`, 'utf8');
  const patch = structuredPatch(from, to, read(from), read(to), '', '', { context: CONTEXT_LINES });
  const hunks = patch.hunks.map((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines]);
  return ['', '```diff', `--- ${from}`, `+++ ${to}`, ...hunks.flat(), '```', ''].join('\n');
}
