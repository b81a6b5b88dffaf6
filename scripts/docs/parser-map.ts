/**
 * The map of the net server's request parser, read from its source so that
 * it cannot drift: which group of states each stepping function reads, in
 * which file and lines, with llhttp's name beside each state, and which
 * groups lead to which. A note asks for it with
 *
 *     <!-- parser-map packages/net-server/src/request-parser.ts -->
 *     ...written by docs:sync: a table...
 *     <!-- /parser-map -->
 *
 * and its picture (parser-diagram.ts) with `<!-- diagram parser-groups -->`.
 *
 * Reading the source also checks the rules the layout promises: every state
 * belongs to one group, in the group's block of numbers, and only stepping
 * functions change the state.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, posix, relative } from 'node:path';

export interface MappedState {
  readonly name: string;
  readonly number: number;
  /** llhttp's names for the same place, from the `// llhttp:` comment beside its case. */
  readonly llhttp: readonly string[];
}

export interface StateGroup {
  /** The stepping function, e.g. `stepRequestLine`. */
  readonly step: string;
  /** Its file from the repository root, and its first and last lines (1-based). */
  readonly file: string;
  readonly firstLine: number;
  readonly lastLine: number;
  readonly states: readonly MappedState[];
  /** The states of other groups it leads to. */
  readonly exits: readonly string[];
}

export class ParserMapError extends Error {
  override readonly name = 'ParserMapError';
}

/** The one state no step reads: `execute` stops before it would. */
const STATES_WITHOUT_A_STEP = new Set(['Failed']);

const STATE_DEFINITION = /^\s+(\w+): 0x([0-9a-f]+),/;
const STEP_IMPORT = /^import \{([^}]*)\} from '(\.\/parser\/[\w-]+)\.js';$/gm;
const STATES_IMPORT = /from '(\.\/parser\/states)\.js'/;
const STEP_START = /^export function (step\w+)\(/;
const CASE = /^\s*case State\.(\w+):(?: \{)?(?: \/\/ llhttp: (.+))?$/;
const STATE_CHANGE = /\bp\.state = (.*)$/;
const STATE_NAME = /\bState\.(\w+)/g;

/** The parser whose entry file is `entry` (from `root`), group by group, in the order of their numbers. */
export function readParserMap(root: string, entry: string): StateGroup[] {
  const source = readFileSync(join(root, entry), 'utf8');
  const statesImport = STATES_IMPORT.exec(source);
  if (statesImport === null) throw new ParserMapError(`${entry} imports no ./parser/states.js`);
  const states = readStates(root, posix.join(dirname(entry), `${statesImport[1] as string}.ts`));
  const groups: StateGroup[] = [];
  for (const [, names, module] of source.matchAll(STEP_IMPORT)) {
    const steps = (names as string).split(',').map((name) => name.trim()).filter((name) => name.startsWith('step'));
    if (steps.length === 0) continue;
    groups.push(...readSteps(root, posix.join(dirname(entry), `${module as string}.ts`), steps, states));
  }
  checkGroups(groups, states);
  return groups.sort((a, b) => (a.states[0]?.number ?? 0) - (b.states[0]?.number ?? 0));
}

function readStates(root: string, file: string): Map<string, number> {
  const states = new Map<string, number>();
  for (const line of readFileSync(join(root, file), 'utf8').split('\n')) {
    const match = STATE_DEFINITION.exec(line);
    if (match !== null) states.set(match[1] as string, Number.parseInt(match[2] as string, 16));
  }
  if (states.size === 0) throw new ParserMapError(`${file} defines no states`);
  return states;
}

/** The stepping functions `steps` of one file, and a check that nothing else in it sets the state. */
function readSteps(root: string, file: string, steps: readonly string[], numbers: ReadonlyMap<string, number>): StateGroup[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const groups: StateGroup[] = [];
  let current: { step: string; firstLine: number; states: MappedState[]; exits: Set<string> } | undefined;
  lines.forEach((line, index) => {
    const start = STEP_START.exec(line);
    if (start !== null && steps.includes(start[1] as string)) {
      current = { step: start[1] as string, firstLine: index + 1, states: [], exits: new Set() };
      return;
    }
    if (current === undefined) {
      if (STATE_CHANGE.test(line)) throw new ParserMapError(`${file}:${index + 1}: the state changes outside a stepping function`);
      return;
    }
    const label = CASE.exec(line);
    if (label !== null) {
      const name = label[1] as string;
      const number = numbers.get(name);
      if (number === undefined) throw new ParserMapError(`${file}:${index + 1}: State.${name} is not in the list of states`);
      const llhttp = label[2] === undefined ? [] : label[2].split(',').map((part) => part.trim());
      current.states.push({ name, number, llhttp });
    }
    const change = STATE_CHANGE.exec(line);
    if (change !== null) for (const [, target] of (change[1] as string).matchAll(STATE_NAME)) current.exits.add(target as string);
    if (line === '}') {
      const own = new Set(current.states.map((state) => state.name));
      groups.push({ ...current, file, lastLine: index + 1, exits: [...current.exits].filter((name) => !own.has(name)) });
      current = undefined;
    }
  });
  const missing = steps.filter((step) => !groups.some((group) => group.step === step));
  if (missing.length > 0) throw new ParserMapError(`${file} has no function ${missing.join(', ')}`);
  return groups;
}

/** One block of 16 numbers per group, every state in exactly one group, every edge to a known state. */
function checkGroups(groups: readonly StateGroup[], numbers: ReadonlyMap<string, number>): void {
  const owner = new Map<string, string>();
  const blocks = new Map<number, string>();
  for (const group of groups) {
    if (group.states.length === 0) throw new ParserMapError(`${group.step} reads no state`);
    const block = (group.states[0] as MappedState).number >> 4;
    const sharer = blocks.get(block);
    if (sharer !== undefined) throw new ParserMapError(`${sharer} and ${group.step} share a block of state numbers`);
    blocks.set(block, group.step);
    for (const state of group.states) {
      const other = owner.get(state.name);
      if (other !== undefined) throw new ParserMapError(`State.${state.name} is read by both ${other} and ${group.step}`);
      owner.set(state.name, group.step);
      if (state.number >> 4 !== block) throw new ParserMapError(`State.${state.name} is outside the block of ${group.step}'s other states`);
    }
    for (const exit of group.exits) {
      if (!numbers.has(exit)) throw new ParserMapError(`${group.step} leads to State.${exit}, which is not in the list of states`);
    }
  }
  for (const name of numbers.keys()) {
    if (!owner.has(name) && !STATES_WITHOUT_A_STEP.has(name)) throw new ParserMapError(`State.${name} is read by no stepping function`);
  }
}

/** `stepRequestLine` → `request line`. */
export function groupName(step: string): string {
  return step
    .replace(/^step/, '')
    .replace(/[A-Z]/g, (letter, at: number) => (at === 0 ? letter : ` ${letter}`))
    .toLowerCase();
}

/** The map as Markdown for the note at `notePath`: a table of the groups. */
export function renderParserMap(groups: readonly StateGroup[], notePath: string): string {
  const rows = groups.map((group) => {
    // The file, not its lines: a line number would go stale with every edit above the function.
    const href = relative(dirname(notePath), group.file);
    const states = group.states
      .map((state) => (state.llhttp.length === 0 ? `\`${state.name}\`` : `\`${state.name}\` (${state.llhttp.map((name) => `\`${name}\``).join(', ')})`))
      .join(', ');
    const where = `\`${basename(group.file)}\``;
    return `| ${groupName(group.step)} | [\`${group.step}\`](${href}) in ${where} | ${states} |`;
  });
  const table = ['| Group | Stepping function | States (llhttp’s names) |', '| --- | --- | --- |', ...rows].join('\n');
  return `\n${table}\n`;
}
