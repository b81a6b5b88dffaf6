/**
 * Exercises: under a note's `## Exercises`, each `### Exercise N: title` holds
 * one command in a ```sh block and says what it should print. Its solution is
 * in docs/solutions.md under `### NOTE, exercise N: title`.
 * test/docs/exercises.test.ts checks the commands against the grader's flags,
 * families and servers, and that every exercise has its solution.
 */
import { fences, inFences } from './blocks.js';

export interface Exercise {
  readonly note: string;
  readonly number: number;
  readonly title: string;
  /** 1-based line of its heading. */
  readonly line: number;
  readonly commands: readonly string[];
}

const HEADING = /^### Exercise (\d+): (.+)$/;
const SOLUTION_HEADING = /^### ([\w.-]+\.md), exercise (\d+): (.+)$/;

export function exercisesIn(markdown: string, note: string): Exercise[] {
  const lines = markdown.split('\n');
  const exercises: { note: string; number: number; title: string; line: number; commands: string[] }[] = [];
  let inSection = false;
  const code = inFences(lines);
  const shellBlocks = new Map(fences(lines).filter(({ info }) => info.split(/\s/)[0] === 'sh').map((fence) => [fence.open, fence]));
  for (const [index, line] of lines.entries()) {
    const shell = shellBlocks.get(index);
    if (inSection && shell !== undefined) exercises.at(-1)?.commands.push(lines.slice(shell.open + 1, shell.close).join('\n'));
    if (code[index]) continue;
    if (/^## /.test(line)) inSection = line === '## Exercises';
    if (!inSection) continue;
    const heading = HEADING.exec(line);
    if (heading !== null) {
      exercises.push({ note, number: Number(heading[1]), title: heading[2] as string, line: index + 1, commands: [] });
    }
  }
  return exercises;
}

/** The solutions in docs/solutions.md, as `NOTE N: title` keys. */
export function solutionKeys(markdown: string): string[] {
  return markdown
    .split('\n')
    .map((line) => SOLUTION_HEADING.exec(line))
    .filter((match) => match !== null)
    .map((match) => `${match[1]} ${match[2]}: ${match[3]}`);
}

export function exerciseKey(exercise: Exercise): string {
  return `${exercise.note} ${exercise.number}: ${exercise.title}`;
}
