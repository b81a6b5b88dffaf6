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
import { GRADER_MAIN } from '@hook-observatory/conformance/grader/options';
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

/**
 * Every lesson's grade, from one grader run (`pnpm -s conformance --server
 * lesson-1 --server lesson-2 ... --json`): node:http plays each case once for
 * all of them. The summaries are its last lines, one per lesson, in order.
 */
export async function gradeLessons(): Promise<Scores> {
  const servers = LESSONS.flatMap((_, index) => ['--server', `lesson-${index + 1}`]);
  const args = [GRADER_MAIN, ...servers, '--json', '--skip-timeouts'];
  const isSummary = (line: string): boolean => line.startsWith('{"cases"');
  const stdout = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }).then(
    (done) => done.stdout,
    (failed: { stdout?: string; stderr?: string }) => {
      if (isSummary(failed.stdout?.trimEnd().split('\n').at(-1) ?? '')) return failed.stdout as string;
      throw new Error(`the grader failed on the lessons: ${failed.stderr ?? ''}`);
    },
  );
  const summaries = stdout.trimEnd().split('\n').slice(-LESSONS.length);
  if (!summaries.every(isSummary)) {
    const ending = summaries.filter((line) => !isSummary(line)).slice(-3).join('\n');
    throw new Error(`the grader printed ${summaries.filter(isSummary).length} summaries for ${LESSONS.length} lessons; before them:\n${ending}`);
  }
  return summaries.map((line) => JSON.parse(line) as Grade);
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
