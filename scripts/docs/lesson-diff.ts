/**
 * What each lesson changes in the one before, for docs/lessons.md: a unified
 * diff of the two lesson files, made from the files themselves at every
 * `pnpm docs:sync`, so the notes cannot show a change the code does not have.
 *
 *     <!-- lesson-diff 1 2 -->
 *     <!-- lesson-diff 6 7 hunks 2-3 -->
 *
 * The second form shows only the diff's hunks 2 to 3 (counted from 1; `hunks
 * 4` for one), so the notes can narrate a diff hunk by hunk; a hunk count that
 * no longer fits the files fails the sync, rather than narrate a stale hunk.
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

/** The hunks `hunks FIRST-LAST` names, 1-based and inclusive; all of them without it. */
function hunkRange(args: readonly string[], count: number): readonly [number, number] {
  if (args.length === 2) return [1, count];
  const [, first = '', last = first] = args[2] === 'hunks' ? (/^(\d+)(?:-(\d+))?$/.exec(args[3] ?? '') ?? []) : [];
  const range = [Number(first), Number(last)] as const;
  if (first === '' || range[0] < 1 || range[1] < range[0] || range[1] > count) {
    throw new BlockError(`lesson-diff ${args.join(' ')}: the diff has ${count} hunks (write \`hunks N\` or \`hunks N-M\`)`);
  }
  return range;
}

export function renderLessonDiff(block: GeneratedBlock): string {
  const [from, to] = [lessonPath(block.args[0]), lessonPath(block.args[1])];
  const read = (path: string): string => readFileSync(`${ROOT}/${path}`, 'utf8');
  const patch = structuredPatch(from, to, read(from), read(to), '', '', { context: CONTEXT_LINES });
  const [first, last] = hunkRange(block.args, patch.hunks.length);
  const hunks = patch.hunks.slice(first - 1, last).map((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines]);
  return ['', '```diff', `--- ${from}`, `+++ ${to}`, ...hunks.flat(), '```', ''].join('\n');
}
