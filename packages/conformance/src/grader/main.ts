/**
 * `pnpm -s conformance`: the conformance suite as a grader for any server.
 *
 *   pnpm -s conformance --server net          # or http, or lesson-3
 *   pnpm -s conformance --command 'python3 my_server.py'   # started with --port N appended
 *   pnpm -s conformance --server lesson-2 --json --skip-timeouts
 *   pnpm -s conformance --server lesson-1 --server lesson-2 --json   # one node:http run for both
 *
 * Prints a scoreboard by group, then for the first failing case of each group
 * the bytes sent, node:http's answer and the server's, and the note that
 * explains the rule; for each server given, in order. With --json, one line
 * of totals per server ends the output, in the same order. Exits 0 only when
 * every case played is identical.
 */
import { parseArgs } from 'node:util';
import { GROUPS } from '../families.js';
import { escapeBytes } from '../harness/byte-diff.js';
import { grade, type Grade } from './grade.js';
import { GRADER_OPTIONS } from './options.js';
import { SUBJECT_NAMES, commandSubject, namedSubject, type Subject } from './subjects.js';

const USAGE = `usage: pnpm -s conformance (--server ${SUBJECT_NAMES.join('|')}... | --command 'PROGRAM ARGS') [--json] [--skip-timeouts] [--unix] [--family NAME]...`;
/** Bytes of a failing case shown before the rest is elided. */
const SHOWN_BYTES = 600;
/** Differences shown per failing case: the first ones say what went wrong, the rest repeat it. */
const SHOWN_DIFFERENCES = 2;

const { values } = parseArgs({ options: GRADER_OPTIONS });
const named = (values.server ?? []).flatMap((name) => namedSubject(name) ?? []);
const subjects: Subject[] = values.command !== undefined ? [commandSubject(values.command)] : named;
if (subjects.length === 0 || named.length < (values.server?.length ?? 0) || (values.command !== undefined && values.server !== undefined)) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const percent = (identical: number, cases: number): string => (cases === 0 ? '-' : `${Math.floor((100 * identical) / cases)} %`);

function report(subject: Subject, result: Grade): string {
  const lines = [`${subject.name} against node:http (in the diffs below: http is node:http, net is ${subject.name})`, '', 'group         identical / cases'];
  for (const group of GROUPS) {
    const score = result.groups[group.name]!;
    lines.push(`${group.name.padEnd(13)} ${String(score.identical).padStart(9)} / ${String(score.cases).padEnd(5)} ${percent(score.identical, score.cases)}`);
  }
  lines.push(`${'total'.padEnd(13)} ${String(result.identical).padStart(9)} / ${String(result.cases).padEnd(5)} ${percent(result.identical, result.cases)}`);
  if (result.skipped > 0) lines.push(`(${result.skipped} time-based cases skipped)`);
  for (const group of GROUPS) {
    const failure = result.groups[group.name]!.firstFailure;
    if (failure === undefined) continue;
    const sent = escapeBytes(Buffer.concat(failure.sent));
    lines.push(
      '',
      `== ${group.name}: first failure ${failure.family}/${failure.caseName}`,
      `   read: ${group.note}`,
      `   sent: ${sent.length > SHOWN_BYTES ? `${sent.slice(0, SHOWN_BYTES)}… (${sent.length} escaped bytes)` : sent}`,
      ...failure.differences.slice(0, SHOWN_DIFFERENCES).map((found) => found.replace(/^/gm, '   ')),
      ...(failure.differences.length > SHOWN_DIFFERENCES ? [`   (${failure.differences.length - SHOWN_DIFFERENCES} more differences)`] : []),
    );
  }
  return lines.join('\n');
}

const results = await grade(subjects, {
  transport: values.unix ? 'unix' : 'tcp',
  skipTimed: values['skip-timeouts'],
  ...(values.family === undefined ? {} : { families: values.family }),
});
process.stdout.write(`${results.map((result, index) => report(subjects[index]!, result)).join('\n\n')}\n`);
if (values.json) {
  for (const result of results) {
    const groups = Object.fromEntries(GROUPS.map((group) => [group.name, { cases: result.groups[group.name]!.cases, identical: result.groups[group.name]!.identical }]));
    process.stdout.write(`${JSON.stringify({ cases: result.cases, identical: result.identical, skipped: result.skipped, groups })}\n`);
  }
}
process.exit(results.every((result) => result.identical === result.cases) ? 0 : 1);
