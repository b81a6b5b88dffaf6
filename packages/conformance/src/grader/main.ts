/**
 * `pnpm -s conformance`: the conformance suite as a grader for any server.
 *
 *   pnpm -s conformance --server net          # or http, or lesson-5
 *   pnpm -s conformance --command 'python3 my_server.py'   # started with --port N appended
 *   pnpm -s conformance --server lesson-4 --json --skip-timeouts
 *   pnpm -s conformance --server lesson-1 --server lesson-4 --json   # one node:http run for both
 *   pnpm -s conformance --lesson 5            # lesson 5 on stages 1 to 5 (or --command ... --lesson 5)
 *
 * Prints a scoreboard by group, then for the first failing case of each group
 * the bytes sent, node:http's answer and the server's, and the note that
 * explains the rule; for each server given, in order. With --json, one line
 * of totals per server ends the output, in the same order. Exits 0 only when
 * every case played is identical. With --lesson N, only the cases of stages 1
 * to N are played (stages.ts), and the report is by stage: the first failure
 * of the lowest stage that fails, with a link into docs/lessons.md.
 */
import { parseArgs } from 'node:util';
import { LESSONS } from '@hook-observatory/lessons';
import { FAMILIES, GROUPS } from '../families.js';
import { grade, type Grade } from './grade.js';
import { GRADER_OPTIONS } from './options.js';
import { exitOnceWritten, groupReport, stageReport } from './report.js';
import { STAGES, stageOf } from './stages.js';
import { SUBJECT_NAMES, commandSubject, namedSubject, type Subject } from './subjects.js';

const FAMILY_NAMES = FAMILIES.map((family) => family.family);
const USAGE = [
  `usage: pnpm -s conformance [--server NAME... | --command 'PROGRAM ARGS'] [--lesson N] [--json] [--skip-timeouts] [--unix] [--family FAMILY]...`,
  `  NAME: ${SUBJECT_NAMES.join(', ')}`,
  `  N: 1 to ${LESSONS.length}, the cases lessons 1 to N are meant to pass; alone, it grades lesson N`,
  `  FAMILY: ${FAMILY_NAMES.join(', ')}`,
].join('\n');
const HELP = `${USAGE}

Plays the conformance cases against node:http and against the server graded,
and counts the cases whose bytes are identical (answers, connection ends,
event stream). Exit status 0 only when every case played is identical.

--command: your program, in any language, is started with --port N appended
and graded over TCP once that port accepts. It writes each event as one JSON
line on standard output, as the servers do. Two fields are not held against
it: every _ts (its own clock) and a port after the address in _client. To
match node:http's bytes exactly anyway, write as every _ts the value of the
environment variable HOOK_OBSERVATORY_FIXED_TS, which the grader sets.
--lesson N: only stages 1 to N (docs/lessons.md); time-based cases left out.
--skip-timeouts: leave out the cases that wait for the server's timers.
--json: end with one line of totals per server.
--unix: over a Unix socket (not for --command).
`;

/** A command line the grader cannot run: what is wrong, the usage, exit status 2. */
function usageError(problem: string): never {
  process.stderr.write(`conformance: ${problem}\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({ options: GRADER_OPTIONS }));
} catch (error) {
  usageError((error as Error).message);
}
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const lesson = values.lesson === undefined ? undefined : Number(values.lesson);
if (lesson !== undefined && !STAGES.some((stage) => stage.lesson === lesson)) {
  usageError(`no stage for --lesson ${values.lesson}`);
}
const unknownFamilies = (values.family ?? []).filter((name) => !FAMILY_NAMES.includes(name));
if (unknownFamilies.length > 0) usageError(`no such family: ${unknownFamilies.join(', ')}`);
const unknownServers = (values.server ?? []).filter((name) => namedSubject(name) === undefined);
if (unknownServers.length > 0) usageError(`no such server: ${unknownServers.join(', ')}`);
if (values.command !== undefined && values.server !== undefined) {
  usageError('--server and --command: one or the other');
}
const named = (
  values.server ??
  (values.command === undefined && lesson !== undefined ? [`lesson-${lesson}`] : [])
).map((name) => namedSubject(name)!);
const subjects: Subject[] = values.command !== undefined ? [commandSubject(values.command)] : named;
if (subjects.length === 0) usageError('nothing to grade: give --server, --command or --lesson');

const results = await grade(subjects, {
  transport: values.unix ? 'unix' : 'tcp',
  skipTimed: values['skip-timeouts'],
  ...(values.family === undefined ? {} : { families: values.family }),
  ...(lesson === undefined
    ? {}
    : {
        cases: (family: string, caseName: string) =>
          (stageOf(family, caseName) ?? Infinity) <= lesson,
      }),
});
const shown = (subject: Subject, result: Grade): string =>
  lesson === undefined
    ? groupReport(subject.name, result)
    : stageReport(subject.name, lesson, result);
process.stdout.write(
  `${results.map((result, index) => shown(subjects[index]!, result)).join('\n\n')}\n`,
);
if (values.json) {
  for (const result of results) {
    const groups = Object.fromEntries(
      GROUPS.map((group) => [
        group.name,
        {
          cases: result.groups[group.name]!.cases,
          identical: result.groups[group.name]!.identical,
        },
      ]),
    );
    process.stdout.write(
      `${JSON.stringify({ cases: result.cases, identical: result.identical, skipped: result.skipped, groups })}\n`,
    );
  }
}
exitOnceWritten(results.every((result) => result.identical === result.cases) ? 0 : 1);
