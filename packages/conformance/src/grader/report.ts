/**
 * The grader's report of one server: by group (every case played), or by
 * stage (--lesson N: stages 1 to N). A failing case is shown with what a
 * student needs to fix it: the bytes sent, both answers, where to read.
 */
import { GROUPS, noteFor } from '../families.js';
import { escapeBytes } from '../harness/byte-diff.js';
import type { FirstFailure, Grade } from './grade.js';
import { STAGES, stageOf } from './stages.js';

/** Bytes of a failing case shown before the rest is elided. */
const SHOWN_BYTES = 600;
/** Differences shown per failing case: the first ones say what went wrong, the rest repeat it. */
const SHOWN_DIFFERENCES = 2;

const percent = (identical: number, cases: number): string =>
  cases === 0 ? '-' : `${Math.floor((100 * identical) / cases)} %`;

/** One failing case: a heading, where to read, the bytes sent and the first differences. */
function failureLines(heading: string, read: string, failure: FirstFailure): string[] {
  const sent = escapeBytes(Buffer.concat(failure.sent));
  return [
    '',
    `== ${heading}: first failure ${failure.family}/${failure.caseName}`,
    `   read: ${read}`,
    `   sent: ${sent.length > SHOWN_BYTES ? `${sent.slice(0, SHOWN_BYTES)}… (${sent.length} escaped bytes)` : sent}`,
    ...failure.differences.slice(0, SHOWN_DIFFERENCES).map((found) => found.replace(/^/gm, '   ')),
    ...(failure.differences.length > SHOWN_DIFFERENCES
      ? [`   (${failure.differences.length - SHOWN_DIFFERENCES} more differences)`]
      : []),
  ];
}

const heading = (name: string): string =>
  `${name} against node:http (in the diffs below: http is node:http, net is ${name})`;

/** Every group's count, then the first failure of each failing group with its note. */
export function groupReport(name: string, result: Grade): string {
  const lines = [heading(name), '', 'group         identical / cases'];
  for (const group of GROUPS) {
    const score = result.groups[group.name]!;
    lines.push(
      `${group.name.padEnd(13)} ${String(score.identical).padStart(9)} / ${String(score.cases).padEnd(5)} ${percent(score.identical, score.cases)}`,
    );
  }
  lines.push(
    `${'total'.padEnd(13)} ${String(result.identical).padStart(9)} / ${String(result.cases).padEnd(5)} ${percent(result.identical, result.cases)}`,
  );
  if (result.skipped > 0) lines.push(`(${result.skipped} time-based cases skipped)`);
  for (const group of GROUPS) {
    const failure = result.groups[group.name]!.firstFailure;
    if (failure !== undefined) {
      lines.push(...failureLines(group.name, noteFor(group, failure.family), failure));
    }
  }
  return lines.join('\n');
}

/** Stages 1 to `lesson`, each with its count; then the first failure of the lowest stage that fails, or that all pass. */
export function stageReport(name: string, lesson: number, result: Grade): string {
  const stages = STAGES.filter((stage) => stage.lesson <= lesson);
  const lines = [heading(name), '', `stage                                    identical / cases`];
  let failing:
    { readonly stage: (typeof STAGES)[number]; readonly failure: FirstFailure } | undefined;
  for (const stage of stages) {
    const outcomes = result.outcomes.filter(
      (outcome) => stageOf(outcome.family, outcome.caseName) === stage.lesson,
    );
    const identical = outcomes.filter((outcome) => outcome.differences.length === 0).length;
    const failure = outcomes.find((outcome) => outcome.differences.length > 0);
    if (failure !== undefined) failing ??= { stage, failure };
    lines.push(
      `${`${stage.lesson}. ${stage.title}`.padEnd(40)} ${String(identical).padStart(9)} / ${String(outcomes.length).padEnd(5)} ${failure === undefined ? 'passes' : 'fails'}`,
    );
  }
  if (failing === undefined) {
    lines.push(
      '',
      `stage ${lesson} passes${lesson < STAGES.length ? `: on to lesson ${lesson + 1}, ${STAGES[lesson]!.read}` : ''}`,
    );
  } else {
    lines.push(
      ...failureLines(
        `stage ${failing.stage.lesson} (${failing.stage.title})`,
        failing.stage.read,
        failing.failure,
      ),
    );
  }
  return lines.join('\n');
}

/**
 * Exit with `status` once standard output has taken all that was written. To a
 * pipe, writes are asynchronous (Node's "A note on process I/O"): exiting at
 * once drops what a slow reader has not taken yet, the summaries last.
 */
export function exitOnceWritten(status: number): void {
  process.stdout.write('', () => process.exit(status));
}
