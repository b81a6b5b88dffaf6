/**
 * The exercises: each runs one command that exists as written (the grader's
 * flags, families and servers, curl against the notes' port, or `pnpm -s
 * send` to it), none needs a lesson before the path has reached the lessons,
 * each has its solution in docs/solutions.md, and no solution is left without
 * its exercise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { exerciseKey, exercisesIn, solutionKeys, type Exercise } from '../../scripts/docs/exercises.js';
import { readNotes } from '../../scripts/docs/notes.js';
import { ROOT } from '../../scripts/docs/paths.js';
import { pathSteps } from '../../scripts/docs/path-table.js';
import { FAMILIES } from '@hook-observatory/conformance/families';
import { GRADER_OPTIONS } from '@hook-observatory/conformance/grader/options';
import { SUBJECT_NAMES } from '@hook-observatory/conformance/grader/subjects';

const GRADER = 'pnpm -s conformance ';
/** printf's bytes piped to the notes' tiny client, to the notes' port (packages/tools/src/send.ts). */
const SEND = /^printf '[^']*'(?: \S+)? \| pnpm -s send(?: --keep-open| --split \d+| --pause \d+)* 23518$/;
const FAMILY_NAMES = FAMILIES.map((family) => family.family);

/** What is wrong with an exercise's command, or undefined. */
function problemWith(command: string): string | undefined {
  if (command.includes('\n')) return 'one command, on one line';
  if (command.startsWith('curl ')) return command.includes('http://127.0.0.1:23518/') ? undefined : 'curl the notes’ port, 23518';
  if (command.startsWith('printf ')) return SEND.test(command) ? undefined : 'printf piped to pnpm -s send, to the notes’ port 23518';
  if (!command.startsWith(GRADER)) return `neither the grader (${GRADER.trim()}) nor curl`;
  const args = [...command.slice(GRADER.length).matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
  let values: { server?: string[]; command?: string; family?: string[] };
  try {
    values = parseArgs({ args, options: GRADER_OPTIONS, allowPositionals: false }).values;
  } catch (error) {
    return (error as Error).message;
  }
  if ((values.server === undefined) === (values.command === undefined)) return 'names --server or --command, not both';
  const servers = (values.server ?? []).filter((server) => !SUBJECT_NAMES.includes(server));
  if (servers.length > 0) return `no server ${servers.join(', ')}`;
  const unknown = (values.family ?? []).filter((family) => !FAMILY_NAMES.includes(family));
  return unknown.length === 0 ? undefined : `no family ${unknown.join(', ')}`;
}

const exercises: Exercise[] = readNotes().flatMap((note) => exercisesIn(note.text, note.path.replace(/^docs\//, '')));
const solutions = solutionKeys(readFileSync(join(ROOT, 'docs/solutions.md'), 'utf8'));

describe('the exercises', () => {
  it.each(exercises.map((exercise) => [exerciseKey(exercise), exercise] as const))('%s runs one valid command', (_, exercise) => {
    expect(exercise.commands).toHaveLength(1);
    expect(problemWith(exercise.commands[0] as string)).toBeUndefined();
  });

  it.each(exercises.map((exercise) => [exerciseKey(exercise)] as const))('%s has its solution', (key) => {
    expect(solutions).toContain(key);
  });

  it('every solution has its exercise', () => {
    expect(solutions.filter((key) => !exercises.some((exercise) => exerciseKey(exercise) === key))).toEqual([]);
  });

  it('none grades a lesson before the path has reached the lessons', () => {
    const steps = pathSteps(readFileSync(join(ROOT, 'docs/README.md'), 'utf8'));
    const stepOf = (note: string): number => steps.find((step) => step.notes.includes(note))?.number ?? Number.POSITIVE_INFINITY;
    const lessonsStep = stepOf('lessons.md');
    const early = exercises.filter((exercise) => /lesson-\d|--lesson/.test(exercise.commands.join('\n')) && stepOf(exercise.note) < lessonsStep);
    expect(early.map(exerciseKey)).toEqual([]);
  });

  it('every note after the path has one or two', () => {
    const counts = Object.fromEntries(
      readNotes()
        .filter((note) => !['docs/README.md', 'docs/glossary.md', 'docs/typescript.md', 'docs/solutions.md'].includes(note.path))
        .map((note) => [note.path, exercisesIn(note.text, note.path).length]),
    );
    for (const [note, count] of Object.entries(counts)) expect(count, note).toBeGreaterThanOrEqual(1);
    for (const [note, count] of Object.entries(counts)) expect(count, note).toBeLessThanOrEqual(2);
  });
});

describe('an exercise command', () => {
  it.each([
    { name: 'grader-on-a-lesson', command: 'pnpm -s conformance --server lesson-1 --family routing', problem: undefined },
    { name: 'grader-on-a-command', command: "pnpm -s conformance --command 'node my-server.js' --family bodies --skip-timeouts", problem: undefined },
    { name: 'curl', command: "curl -si 'http://127.0.0.1:23518/health'", problem: undefined },
    { name: 'send', command: "printf 'GET / HTTP/1.1\\r\\n' | pnpm -s send --split 1 --pause 1000 23518", problem: undefined },
    { name: 'send-elsewhere', command: "printf 'GET / HTTP/1.1\\r\\n' | pnpm -s send 8080", problem: 'the notes’ port' },
    { name: 'unknown-flag', command: 'pnpm -s conformance --server net --families bodies', problem: "Unknown option '--families'" },
    { name: 'unknown-server', command: 'pnpm -s conformance --server lesson-99', problem: 'no server lesson-99' },
    { name: 'unknown-family', command: 'pnpm -s conformance --server net --family chunks', problem: 'no family chunks' },
    { name: 'no-subject', command: 'pnpm -s conformance --family bodies', problem: 'names --server or --command' },
    { name: 'other-program', command: 'pnpm test', problem: 'neither the grader' },
  ])('$name', ({ command, problem }) => {
    if (problem === undefined) expect(problemWith(command)).toBeUndefined();
    else expect(problemWith(command)).toContain(problem);
  });
});
