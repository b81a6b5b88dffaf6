/**
 * The grader's stages (`pnpm -s conformance --lesson N`): every case that is
 * not time-based is in one stage, every stage has cases and a section of
 * docs/lessons.md to read, each lesson passes its own stage (exit status 0),
 * and the lesson before it fails that stage, naming its first failure with the
 * link into docs/lessons.md: a stage asks something new.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';
import { LESSONS } from '@hook-observatory/lessons';
import { FAMILIES } from '@hook-observatory/conformance/families';
import { GRADER_MAIN } from '@hook-observatory/conformance/grader/options';
import { STAGES, stageOf } from '@hook-observatory/conformance/grader/stages';

const run = promisify(execFile);
/** One stage graded by the grader as a student runs it; a loaded machine makes it slow. */
const GRADING_TIMEOUT_MS = 600_000;

async function conformance(...args: string[]): Promise<{ code: number; stdout: string }> {
  return run(process.execPath, [GRADER_MAIN, ...args], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    (done) => ({ code: 0, stdout: done.stdout }),
    (failed: { code: number; stdout: string }) => ({ code: failed.code, stdout: failed.stdout }),
  );
}

/** The anchors of docs/lessons.md's headings, as GitHub makes them. */
function lessonsAnchors(): Set<string> {
  const note = readFileSync(join(ROOT, 'docs/lessons.md'), 'utf8');
  const headings = [...note.matchAll(/^#+ (.+)$/gm)].map((match) => match[1]!);
  return new Set(
    headings.map((heading) =>
      heading
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replaceAll(' ', '-'),
    ),
  );
}

describe('the stages', () => {
  it('one-stage-per-lesson-each-with-cases-and-a-section-to-read', () => {
    expect(STAGES.map((stage) => stage.lesson)).toEqual(LESSONS.map((_, index) => index + 1));
    const anchors = lessonsAnchors();
    for (const stage of STAGES) {
      const [note, anchor] = stage.read.split('#');
      expect(note).toBe('docs/lessons.md');
      expect(anchors, stage.read).toContain(anchor);
      const hasCases = FAMILIES.some((family) =>
        family.cases.some((testCase) => stageOf(family.family, testCase.name) === stage.lesson),
      );
      expect(hasCases, `stage ${stage.lesson}`).toBe(true);
    }
  });

  it('every-case-not-time-based-is-in-a-stage', () => {
    for (const family of FAMILIES) {
      for (const testCase of family.cases) {
        expect(stageOf(family.family, testCase.name), `${family.family}/${testCase.name}`).toEqual(
          family.timed ? undefined : expect.any(Number),
        );
      }
    }
  });
});

/** Grading a lesson per stage is re-grading, as the scoreboard is: the slow tier (vitest.config.ts). */
describe.each(STAGES.map((stage) => stage))(
  'stage $lesson ($title)',
  { tags: ['slow'] },
  (stage) => {
    it(
      'its-lesson-passes-it-with-exit-status-0',
      async () => {
        const { code, stdout } = await conformance('--lesson', String(stage.lesson));
        expect(stdout).toContain(`stage ${stage.lesson} passes`);
        expect(code).toBe(0);
      },
      GRADING_TIMEOUT_MS,
    );

    it.runIf(stage.lesson > 1)(
      'the-lesson-before-fails-it-and-is-sent-to-read-the-step',
      async () => {
        const { code, stdout } = await conformance(
          '--lesson',
          String(stage.lesson),
          '--server',
          `lesson-${stage.lesson - 1}`,
        );
        expect(stdout).toContain(`== stage ${stage.lesson} (${stage.title}): first failure `);
        expect(stdout).toContain(`read: ${stage.read}`);
        expect(code).toBe(1);
      },
      GRADING_TIMEOUT_MS,
    );
  },
);
