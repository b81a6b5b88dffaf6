/**
 * What each lesson changes in the one before, for docs/lessons.md: a unified
 * diff of the two lesson files, made from the files themselves at every
 * `pnpm docs:sync`, so the notes cannot show a change the code does not have.
 *
 *     <!-- lesson-diff 1 2 -->
 *     <!-- lesson-diff 6 7 hunks 2-3 -->
 *     <!-- lesson-diff 12 13 sections 1-2 -->
 *
 * The second form shows only the diff's hunks 2 to 3 (counted from 1; `hunks
 * 4` for one), so the notes can narrate a diff hunk by hunk. The third is for a
 * diff that is one long hunk (two files that differ almost everywhere): it
 * cuts that hunk before each section marker of the new file (`// --- 2. Read
 * ...`, `// --- 5b. Stream ...`; section `0` is what comes before the first)
 * and shows sections 1 to 2, with a header of their own. A range that no
 * longer fits the files fails the sync, rather than narrate a stale piece.
 */
import { readFileSync } from 'node:fs';
import { structuredPatch } from 'diff';
import { LESSONS } from '@hook-observatory/lessons';
import { BlockError, type GeneratedBlock } from './blocks.js';
import { SECTION_MARKER } from './code-view.js';
import { ROOT } from './paths.js';

/** Lines kept around each change: enough to see where it sits in the file. */
const CONTEXT_LINES = 3;
/** The label of what comes before the first marker (html.ts calls it step 0 too). */
const PREAMBLE = '0';

/**
 * One hunk of a unified diff: its first line in each file (1-based, as
 * jsdiff's structuredPatch gives it, even on a side with no lines), how many
 * lines it spans there, its lines.
 */
export interface Hunk {
  readonly oldStart: number;
  readonly oldLines: number;
  readonly newStart: number;
  readonly newLines: number;
  readonly lines: readonly string[];
}

/** A part of a file: its label (`0`, `1`, `5b`) and its first line, 1-based. */
export interface FileSection {
  readonly label: string;
  readonly line: number;
}

export function fileSections(source: string): FileSection[] {
  const sections: FileSection[] = [{ label: PREAMBLE, line: 1 }];
  source.split('\n').forEach((text, index) => {
    const marker = SECTION_MARKER.exec(text);
    if (marker !== null) sections.push({ label: `${marker[1]}${marker[2]}`, line: index + 1 });
  });
  // A file that opens with a marker has nothing before it.
  return sections[1]?.line === 1 ? sections.slice(1) : sections;
}

function lessonPath(argument: string | undefined): string {
  const path = LESSONS[Number(argument) - 1];
  if (path === undefined) throw new BlockError(`lesson-diff: no lesson ${String(argument)} (1 to ${LESSONS.length})`);
  return path;
}

/** A hunk of only the lines from `start` to `end` (0-based, end excluded) of `hunk`; `old`, `fresh`: the lines there. */
function pieceOf(hunk: Hunk, start: number, end: number, old: number, fresh: number): Hunk {
  const lines = hunk.lines.slice(start, end);
  const count = (skipped: string): number => lines.filter((line) => line[0] !== skipped && line[0] !== '\\').length;
  return { oldStart: old, oldLines: count('+'), newStart: fresh, newLines: count('-'), lines };
}

/**
 * `hunk` cut before each line of it that is one of `starts` in the new file:
 * consecutive pieces, which joined are the hunk again. A removed line never
 * starts a piece, so the old lines just before a cut stay with what precedes.
 */
export function cutHunk(hunk: Hunk, starts: readonly number[]): Hunk[] {
  const pieces: Hunk[] = [];
  let [old, fresh] = [hunk.oldStart, hunk.newStart];
  let [from, fromOld, fromFresh] = [0, old, fresh];
  hunk.lines.forEach((line, index) => {
    const kind = line[0];
    if (index > from && (kind === ' ' || kind === '+') && starts.includes(fresh)) {
      pieces.push(pieceOf(hunk, from, index, fromOld, fromFresh));
      [from, fromOld, fromFresh] = [index, old, fresh];
    }
    if (kind === ' ' || kind === '-') old++;
    if (kind === ' ' || kind === '+') fresh++;
  });
  return [...pieces, pieceOf(hunk, from, hunk.lines.length, fromOld, fromFresh)];
}

/** `hunk`'s sections as pieces, each with the label of the section it begins in. */
export function sectionPieces(hunk: Hunk, newSource: string): Array<{ label: string; hunk: Hunk }> {
  const sections = fileSections(newSource);
  const labelAt = (line: number): string => sections.findLast((section) => section.line <= line)?.label ?? PREAMBLE;
  return cutHunk(hunk, sections.map((section) => section.line)).map((piece) => ({ label: labelAt(piece.newStart), hunk: piece }));
}

/** Consecutive pieces of a cut hunk as one hunk. */
function joinPieces(pieces: readonly Hunk[]): Hunk {
  const sum = (of: (piece: Hunk) => number): number => pieces.reduce((total, piece) => total + of(piece), 0);
  const [first] = pieces as [Hunk];
  const lines = pieces.flatMap((piece) => piece.lines);
  return { oldStart: first.oldStart, oldLines: sum((piece) => piece.oldLines), newStart: first.newStart, newLines: sum((piece) => piece.newLines), lines };
}

/**
 * The labels `hunks A-B` or `sections A-B` names, as indexes into `labels`:
 * both ends must be labels, in order. Without a selector, all of them.
 */
function selectedRange(args: readonly string[], labels: readonly string[]): readonly [number, number] {
  if (args.length === 2) return [0, labels.length - 1];
  const [, first = '', last = first] = args.length === 4 ? (/^(\w+)(?:-(\w+))?$/.exec(args[3] as string) ?? []) : [];
  const range = [labels.indexOf(first), labels.indexOf(last)] as const;
  if (range[0] === -1 || range[1] < range[0]) {
    const word = args[2] as string;
    throw new BlockError(`lesson-diff ${args.join(' ')}: the diff has ${word} ${labels.join(', ')} (write \`${word} N\` or \`${word} N-M\`)`);
  }
  return range;
}

/** The hunks a lesson-diff block's arguments select from the diff of `oldSource` to `newSource`. */
export function selectedHunks(args: readonly string[], oldSource: string, newSource: string): Hunk[] {
  const hunks = structuredPatch('', '', oldSource, newSource, '', '', { context: CONTEXT_LINES }).hunks;
  if (args[2] === 'sections') {
    if (hunks.length !== 1) throw new BlockError(`lesson-diff ${args.join(' ')}: sections cut a diff of one hunk, and this one has ${hunks.length} (write \`hunks N-M\`)`);
    const pieces = sectionPieces(hunks[0] as Hunk, newSource);
    const [first, last] = selectedRange(args, pieces.map((piece) => piece.label));
    return [joinPieces(pieces.slice(first, last + 1).map((piece) => piece.hunk))];
  }
  if (args.length > 2 && args[2] !== 'hunks') throw new BlockError(`lesson-diff ${args.join(' ')}: write \`hunks N-M\` or \`sections N-M\` after the two lessons`);
  const [first, last] = selectedRange(args, hunks.map((_, index) => String(index + 1)));
  return hunks.slice(first, last + 1);
}

/** The unified diff's header for `hunk`: a side with no lines names the line before (as GNU diff). */
function hunkHeader(hunk: Hunk): string {
  const side = (start: number, count: number): string => `${count === 0 ? start - 1 : start},${count}`;
  return `@@ -${side(hunk.oldStart, hunk.oldLines)} +${side(hunk.newStart, hunk.newLines)} @@`;
}

export function renderLessonDiff(block: GeneratedBlock): string {
  const [from, to] = [lessonPath(block.args[0]), lessonPath(block.args[1])];
  const read = (path: string): string => readFileSync(`${ROOT}/${path}`, 'utf8');
  const hunks = selectedHunks(block.args, read(from), read(to)).map((hunk) => [hunkHeader(hunk), ...hunk.lines]);
  return ['', '```diff', `--- ${from}`, `+++ ${to}`, ...hunks.flat(), '```', ''].join('\n');
}
