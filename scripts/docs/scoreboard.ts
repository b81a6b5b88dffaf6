/**
 * The lessons' scoreboard in docs/lessons.md: every lesson graded by the
 * grader (`pnpm -s conformance --server lesson-N --json`, over TCP, the
 * time-based cases skipped to keep it to minutes), one column per lesson,
 * one row per group.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LESSONS } from '@hook-observatory/lessons';
import { ROOT } from './paths.js';

const run = promisify(execFile);

export interface Score {
  readonly cases: number;
  readonly identical: number;
}

export interface Grade extends Score {
  readonly skipped: number;
  readonly groups: Readonly<Record<string, Score>>;
}

/** One grade per lesson, lesson 1 first. */
export type Scores = readonly Grade[];

/** Lessons graded at once: a naive lesson spends most of its grading waiting for answers that never come, not on the CPU. */
const PARALLEL_LESSONS = 2;

/** The grader's summary of one server: the last line it prints with --json. */
export async function gradeServer(server: string): Promise<Grade> {
  const args = ['--import', 'tsx', 'test/conformance/grader/main.ts', '--server', server, '--json', '--skip-timeouts'];
  const stdout = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }).then(
    (done) => done.stdout,
    (failed: { stdout?: string; stderr?: string }) => {
      if (failed.stdout?.trimEnd().split('\n').at(-1)?.startsWith('{"cases"')) return failed.stdout;
      throw new Error(`the grader failed on ${server}: ${failed.stderr ?? ''}`);
    },
  );
  return JSON.parse(stdout.trimEnd().split('\n').at(-1) as string) as Grade;
}

export async function gradeLessons(): Promise<Scores> {
  const grades: Grade[] = new Array(LESSONS.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < LESSONS.length) {
      const index = next++;
      grades[index] = await gradeServer(`lesson-${index + 1}`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_LESSONS }, lane));
  return grades;
}

function lineCount(file: string): number {
  return readFileSync(join(ROOT, file), 'utf8').trimEnd().split('\n').length;
}

const cell = ({ cases, identical }: Score): string => (cases === 0 ? '-' : `${identical}/${cases} (${Math.floor((100 * identical) / cases)} %)`);

/** The table, as a block body. */
export function renderScoreboard(scores: Scores): string {
  const groups = Object.keys(scores[0]?.groups ?? {});
  const header = `| group | ${scores.map((_, index) => `lesson ${index + 1}`).join(' | ')} |`;
  const rule = `| --- | ${scores.map(() => '---').join(' | ')} |`;
  const rows = groups.map((group) => `| ${group} | ${scores.map((grade) => cell(grade.groups[group]!)).join(' | ')} |`);
  const total = `| **total** | ${scores.map((grade) => `**${cell(grade)}**`).join(' | ')} |`;
  const lines = `| lines in its file | ${LESSONS.map((file) => String(lineCount(file))).join(' | ')} |`;
  return ['', header, rule, ...rows, total, lines, ''].join('\n');
}
