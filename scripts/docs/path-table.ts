/**
 * The learning path's table of steps, written by docs:sync under
 * `<!-- path-table -->` in docs/README.md: for each numbered step of "## The
 * path", the notes it reads, their prose words, the lines of code and wire
 * bytes they show, their Try-it commands and exercises, and an estimated time.
 * A step's notes are the ones its item links by their own file name
 * (`[protocol.md](protocol.md)`); its source files are the ones it links in
 * the repository (`[main.ts](../packages/http-server/src/main.ts)`, or a
 * folder, every source file in it): the item asks for them to be read beside
 * the notes, whole, so their lines count as read too. Other links in the item
 * are asides.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { exercisesIn } from './exercises.js';
import { DOCS_DIR, ROOT } from './paths.js';
import { codeLines, pictures, proseWords } from './prose.js';
import { tryItBlocks } from './try-it.js';

/** Careful reading of technical prose, slower than the 200 to 250 words a minute of easy reading. */
export const WORDS_PER_MINUTE = 150;
/** Code and wire bytes are read line by line. */
export const CODE_LINES_PER_MINUTE = 15;
/** Following a diagram from its first arrow to its last. */
export const MINUTES_PER_PICTURE = 1;
/** Typing a command, running it and comparing what it prints with the note. */
export const MINUTES_PER_COMMAND = 2;
/** Running one exercise's command, reading the result, and fixing or explaining it. */
export const MINUTES_PER_EXERCISE = 10;
/** A step's time is rounded up to this many minutes: the estimate is no finer than that. */
const ROUND_TO_MINUTES = 5;

export interface PathStep {
  readonly number: number;
  readonly title: string;
  readonly notes: readonly string[];
  /** `pnpm ...` commands the item itself asks the reader to run. */
  readonly itemCommands: number;
  /** Source files and folders the item links, from the repository root (`packages/net-server/src/parser`). */
  readonly sources: readonly string[];
}

export interface StepCost {
  readonly step: PathStep;
  readonly words: number;
  readonly codeLines: number;
  /** Lines of the source files the item asks to read beside its notes. */
  readonly sourceLines: number;
  readonly pictures: number;
  readonly commands: number;
  readonly exercises: number;
  readonly minutes: number;
}

/** The numbered items under `## The path` in docs/README.md. */
export function pathSteps(readme: string): PathStep[] {
  const section = /^## The path\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  const items = section.split(/^(?=\d+\. )/m).filter((item) => /^\d+\. /.test(item));
  return items.map((item) => {
    const number = Number(/^(\d+)\./.exec(item)![1]);
    const title = (/\*\*(.+?)\*\*/.exec(item)?.[1] ?? '').replace(/\.$/, '');
    const notes = [...item.matchAll(/\[([\w.-]+\.md)\]\(\1\)/g)].map((match) => match[1] as string);
    const itemCommands = [...item.matchAll(/`pnpm [^`]+`/g)].length;
    const sources = [...item.matchAll(/\]\(\.\.\/([\w./-]+?)\/?\)/g)].map((match) => match[1] as string);
    return { number, title, notes: [...new Set(notes)], itemCommands, sources: [...new Set(sources)] };
  });
}

/** A source file's lines, or a folder's: every TypeScript file in it, tests and builds left out. */
export function sourceLines(root: string, source: string): number {
  const path = join(root, source);
  if (!statSync(path).isDirectory()) return readFileSync(path, 'utf8').split('\n').length - 1;
  return readdirSync(path)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .reduce((sum, name) => sum + sourceLines(root, posix.join(source, name)), 0);
}

export function stepCost(step: PathStep, read: (note: string) => string, linesOf: (source: string) => number = (source) => sourceLines(ROOT, source)): StepCost {
  let words = 0;
  let lines = 0;
  let shown = 0;
  let commands = step.itemCommands;
  let exercises = 0;
  for (const note of step.notes) {
    const text = read(note);
    words += proseWords(text);
    lines += codeLines(text);
    shown += pictures(text);
    commands += tryItBlocks(text, note).reduce((sum, block) => sum + block.commands.length, 0);
    exercises += exercisesIn(text, note).length;
  }
  const beside = step.sources.reduce((sum, source) => sum + linesOf(source), 0);
  const exact =
    words / WORDS_PER_MINUTE +
    (lines + beside) / CODE_LINES_PER_MINUTE +
    shown * MINUTES_PER_PICTURE +
    commands * MINUTES_PER_COMMAND +
    exercises * MINUTES_PER_EXERCISE;
  const minutes = Math.max(ROUND_TO_MINUTES, Math.ceil(exact / ROUND_TO_MINUTES) * ROUND_TO_MINUTES);
  return { step, words, codeLines: lines, sourceLines: beside, pictures: shown, commands, exercises, minutes };
}

export function readDocsNote(note: string): string {
  return readFileSync(join(DOCS_DIR, note), 'utf8');
}

/** The table, as Markdown, with a blank line on each side for the markers. */
export function renderPathTable(readme: string, read: (note: string) => string = readDocsNote): string {
  const costs = pathSteps(readme).map((step) => stepCost(step, read));
  const total = costs.reduce((sum, cost) => sum + cost.minutes, 0);
  const rows = costs.map(
    (cost) =>
      `| ${cost.step.number}. ${cost.step.title} | ${cost.step.notes.join(', ') || '-'} | ${cost.words.toLocaleString('en-US')} | ` +
      `${cost.codeLines.toLocaleString('en-US')} | ${cost.sourceLines.toLocaleString('en-US')} | ${cost.pictures} | ${cost.commands} | ${cost.exercises} | ${formatMinutes(cost.minutes)} |`,
  );
  const sum = (count: (cost: StepCost) => number): number => costs.reduce((total, cost) => total + count(cost), 0);
  return [
    '',
    '| Step | Read | Words | Lines of code shown | Lines of source beside | Pictures | Commands | Exercises | Time |',
    '| --- | --- | --: | --: | --: | --: | --: | --: | --: |',
    ...rows,
    `| all | | ${sum((cost) => cost.words).toLocaleString('en-US')} | ${sum((cost) => cost.codeLines).toLocaleString('en-US')} | ` +
      `${sum((cost) => cost.sourceLines).toLocaleString('en-US')} | ` +
      `${sum((cost) => cost.pictures)} | ${sum((cost) => cost.commands)} | ${sum((cost) => cost.exercises)} | ${formatMinutes(total)} |`,
    '',
  ].join('\n');
}

function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return rest === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
}
