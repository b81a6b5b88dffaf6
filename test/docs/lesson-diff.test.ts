/**
 * The lesson diffs of docs/lessons.md, and the pieces they are narrated in: a
 * diff cut at the new file's sections is the same diff, piece after piece,
 * and a selector that names no piece of it fails the sync with the pieces
 * there are.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlockError, type GeneratedBlock } from '../../scripts/docs/blocks.js';
import { cutHunk, fileSections, renderLessonDiff, type Hunk } from '../../scripts/docs/lesson-diff.js';
import { ROOT } from '../../scripts/docs/paths.js';

/** The block docs/lessons.md would hold for these arguments, as docs:sync renders it. */
function render(...args: string[]): string[] {
  const block: GeneratedBlock = { kind: 'lesson-diff', args, line: 1, body: '' };
  return renderLessonDiff(block).split('\n');
}

/** A rendered diff's changed and context lines: what is left without its fences, file and hunk headers. */
function bodyLines(lines: readonly string[]): string[] {
  return lines.slice(4, -2).filter((line) => !line.startsWith('@@ '));
}

/** A rendered diff's hunk headers, `@@ -a,b +c,d @@`, as numbers. */
function hunkNumbers(lines: readonly string[]): Array<Omit<Hunk, 'lines'>> {
  return lines.flatMap((line) => {
    const [, a = '', b = '', c = '', d = ''] = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(line) ?? [];
    return a === '' ? [] : [{ oldStart: Number(a), oldLines: Number(b), newStart: Number(c), newLines: Number(d) }];
  });
}

const NEW_FILE = readFileSync(join(ROOT, 'packages/net-server/src/main.ts'), 'utf8');
const LABELS = fileSections(NEW_FILE).map((section) => section.label);

describe('cutting the diff from lesson 12 to lesson 13 at the sections of main.ts', () => {
  it('finds the sections main.ts marks, and what comes before them', () => {
    expect(LABELS).toEqual(['0', '1', '2', '3', '4', '5', '5b', '5c', '6']);
  });

  it.each([
    { name: 'one piece per section', selectors: LABELS },
    { name: 'pieces of several sections', selectors: ['0-1', '2', '3-5', '5b-6'] },
    { name: 'one piece of them all', selectors: [`${LABELS[0]}-${LABELS.at(-1)}`] },
  ])('$name: the pieces, joined, are the whole diff line for line', ({ selectors }) => {
    const whole = render('12', '13');
    const pieces = selectors.map((selector) => render('12', '13', 'sections', selector));
    for (const piece of pieces) expect(piece.slice(0, 4)).toEqual(whole.slice(0, 4));
    expect(pieces.flatMap(bodyLines)).toEqual(bodyLines(whole));
  });

  it('gives each piece the header that says where it is: each starts where the one before ends', () => {
    const headers = LABELS.flatMap((label) => hunkNumbers(render('12', '13', 'sections', label)));
    const [whole] = hunkNumbers(render('12', '13'));
    expect(headers).toHaveLength(LABELS.length);
    let [old, fresh] = [whole?.oldStart, whole?.newStart];
    for (const header of headers) {
      // A side with no lines names the line before it (as GNU diff): the next line is one further.
      expect([header.oldStart + (header.oldLines === 0 ? 1 : 0), header.newStart + (header.newLines === 0 ? 1 : 0)]).toEqual([old, fresh]);
      [old, fresh] = [header.oldStart + header.oldLines + (header.oldLines === 0 ? 1 : 0), header.newStart + header.newLines + (header.newLines === 0 ? 1 : 0)];
    }
    expect([old, fresh]).toEqual([(whole?.oldStart ?? 0) + (whole?.oldLines ?? 0), (whole?.newStart ?? 0) + (whole?.newLines ?? 0)]);
  });
});

describe('cutHunk', () => {
  const hunk: Hunk = { oldStart: 1, oldLines: 4, newStart: 1, newLines: 4, lines: [' a', '-b', '+B', '+C', ' d', '-e'] };
  it.each([
    { name: 'no cut', starts: [], expected: [hunk.lines] },
    { name: 'a cut before an added line keeps the removed line before it', starts: [2], expected: [[' a', '-b'], ['+B', '+C', ' d', '-e']] },
    { name: 'a cut before a context line', starts: [4], expected: [[' a', '-b', '+B', '+C'], [' d', '-e']] },
    { name: 'a start before the hunk cuts nothing', starts: [1], expected: [hunk.lines] },
  ])('$name', ({ starts, expected }) => {
    const pieces = cutHunk(hunk, starts);
    expect(pieces.map((piece) => piece.lines)).toEqual(expected);
    expect(pieces.reduce((sum, piece) => sum + piece.oldLines, 0)).toBe(hunk.oldLines);
    expect(pieces.reduce((sum, piece) => sum + piece.newLines, 0)).toBe(hunk.newLines);
  });
});

describe('a selector that names no piece of the diff', () => {
  it.each([
    { name: 'a section main.ts does not have', args: ['12', '13', 'sections', '7'], message: /sections 0, 1, 2, 3, 4, 5, 5b, 5c, 6/ },
    { name: 'sections backwards', args: ['12', '13', 'sections', '3-1'], message: /write `sections N` or `sections N-M`/ },
    { name: 'sections with no range', args: ['12', '13', 'sections'], message: /write `sections N`/ },
    { name: 'a range that is not one', args: ['12', '13', 'sections', '1-2-3'], message: /write `sections N`/ },
    { name: 'sections of a diff of many hunks', args: ['11', '12', 'sections', '1'], message: /sections cut a diff of one hunk, and this one has \d+/ },
    { name: 'a hunk past the last', args: ['11', '12', 'hunks', '99'], message: /the diff has hunks 1, 2, / },
    { name: 'a word that is no selector', args: ['12', '13', 'parts', '1'], message: /write `hunks N-M` or `sections N-M`/ },
    { name: 'words after the range', args: ['12', '13', 'sections', '1', '2'], message: /write `sections N`/ },
  ])('$name: fails the sync and says what there is', ({ args, message }) => {
    expect(() => render(...args)).toThrow(BlockError);
    expect(() => render(...args)).toThrow(message);
  });
});
