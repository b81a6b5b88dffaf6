/**
 * The lessons' scoreboard in docs/lessons.md is what the grader says today,
 * and the lessons climb it: every total at least the one before, the last
 * lesson (the net server itself) at 100 %. Grading thirteen lessons takes
 * many minutes: the slow tier (vitest.config.ts).
 *
 * @module-tag slow
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readNotes, syncedText, newRegionSource } from '../../scripts/docs/notes.js';
import { gradeLessons, type Scores } from '../../scripts/docs/scoreboard.js';

/**
 * Grading every lesson plays the whole suite once per lesson, and an early
 * lesson's unanswered cases each wait out the grader's quiet time: 13 lessons
 * took 18 to 23 min on 2 cores, so 45 min leaves room for a loaded machine.
 */
const GRADING_TIMEOUT_MS = 45 * 60_000;

describe('the lessons scoreboard', () => {
  let scores: Scores;
  const note = readNotes().find((candidate) => candidate.path === 'docs/lessons.md')!;

  // The grader plays again a differing case whose wait ran out, and node:http's
  // capture that misses its case's expectations (grade.ts, DIFFERENCE_REPLAYS,
  // REFERENCE_REPLAYS): one grading is the lessons' grade, not the machine's.
  beforeAll(async () => {
    scores = await gradeLessons();
  }, GRADING_TIMEOUT_MS);

  it('docs/lessons.md shows what the grader says', () => {
    const shown = syncedText(note, newRegionSource(), undefined, scores);
    expect(shown.split('\n'), 'run pnpm docs:sync').toEqual(note.text.split('\n'));
  });

  it('scores rise lesson by lesson to 100 % for the last', () => {
    const totals = scores.map((grade) => grade.identical / grade.cases);
    totals.forEach((total, index) => expect(total).toBeGreaterThanOrEqual(totals[index - 1] ?? 0));
    const last = scores.at(-1)!;
    expect(last.identical).toBe(last.cases);
  });
});
