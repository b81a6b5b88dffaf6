/**
 * Where the learning path first shows each piece of TypeScript (and of newer
 * JavaScript), for docs/typescript.md. A note names a construct of the table
 * below and gets the first line of code that uses it, in path order (the
 * node:http server, which docs/README.md's path opens at step 3, then lesson 0,
 * lessons 1 to 12 and the raw server, lesson 13), under a link to its file:
 *
 *     <!-- first-use as-const -->
 *     <!-- first-use type-alias intersection -->
 *
 * Each construct is a regular expression tried on the code of each line,
 * comments and their text left out (on the comments instead, for the one
 * construct that is a comment). So the quote is a real line, and the place it
 * names is the first that uses the construct: when a file changes, the sync
 * moves the quote, and docs:check fails until it is run.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { FIRST_BYTES_LESSON, LESSONS } from '@hook-observatory/lessons';
import { BlockError, fencedBody, type GeneratedBlock } from './blocks.js';

export interface Construct {
  /** What the note's marker names: `<!-- first-use NAME -->`. */
  readonly name: string;
  /** Matches a line that uses the construct. */
  readonly pattern: RegExp;
  /** Where the pattern is tried: the code (the default), or the comments. */
  readonly in?: 'code' | 'comment';
  /**
   * For a construct that ends a statement (`} as const;`): the quote starts at
   * the nearest line above, at most MAX_QUOTE_LINES up, whose code matches this.
   */
  readonly from?: RegExp;
}

/** A quote longer than this is no longer one line of context but a listing. */
const MAX_QUOTE_LINES = 8;

/** The constructs docs/typescript.md explains, each by how a line of the lessons uses it. */
export const CONSTRUCTS: readonly Construct[] = [
  { name: 'annotation', pattern: /\b(?:let|const) \w+: [A-Za-z]/ },
  { name: 'type-import', pattern: /(?:[{,]|^)\s*type \w+\s*(?:,|\}|$)/ },
  { name: 'as', pattern: /\bas (?!const\b)[A-Z]\w*/ },
  { name: 'numeric-separator', pattern: /\b\d+(?:_\d+)+\b/ },
  { name: 'catch-binding', pattern: /\bcatch \{/ },
  { name: 'readonly-record', pattern: /\bReadonly<Record</ },
  { name: 'interface', pattern: /^\s*(?:export )?interface \w+/ },
  { name: 'readonly-field', pattern: /^\s*readonly \w+\??:/ },
  { name: 'readonly-map', pattern: /\bReadonlyMap</ },
  { name: 'type-alias', pattern: /^\s*(?:export )?type \w+ = / },
  { name: 'intersection', pattern: /[\w>\]] & [A-Z{]/ },
  { name: 'computed-key', pattern: /[{;,]\s*\[[A-Z_]+\]\??: / },
  { name: 'literal-type', pattern: /^\s*(?:export )?type \w+ = .*: (?:true|false)\b|^\s*(?:readonly )?\w+\??: (?:true|false);/ },
  { name: 'array-type', pattern: /(?<!readonly )\b[A-Za-z]\w*\[\]/ },
  { name: 'readonly-array-type', pattern: /\bReadonlyArray</ },
  { name: 'nodejs-namespace', pattern: /\bNodeJS\.\w+/ },
  { name: 'literal-union', pattern: /'[^']*' \| '/ },
  { name: 'type-argument', pattern: /\bnew [A-Z]\w*</ },
  { name: 'or-undefined', pattern: /\| undefined\b/ },
  { name: 'nullish', pattern: /\?\?(?!=)/ },
  { name: 'void-call', pattern: /(?:^|[\s(])void [a-z]\w*[.(]/ },
  { name: 'optional-field', pattern: /\w\?: / },
  { name: 'tuple', pattern: /readonly \[\w+, \w+\]/ },
  { name: 'optional-chaining', pattern: /\?\.[\w(]/ },
  { name: 'and-assign', pattern: /&&=/ },
  { name: 'as-const', pattern: /\bas const\b/, from: /^\s*(?:export )?const \w+ = \{$/ },
  { name: 'nullish-assign', pattern: /\?\?=/ },
  { name: 'narrowing', pattern: /\btypeof \w+ === '/ },
  { name: 'readonly-array', pattern: /\breadonly \w+\[\]/ },
  { name: 'keyof-typeof', pattern: /\bkeyof typeof\b/ },
  { name: 'private', pattern: /^\s*private (?:readonly )?\w+/ },
  { name: 'generator', pattern: /^\s*\*\w+\(|\bfunction\s*\*/ },
  { name: 'non-null', pattern: /[\w)\]]!(?!=)/ },
  { name: 'relative-js-import', pattern: /\bfrom '\.{1,2}\/[^']+\.js'/ },
  { name: 'region', pattern: /^\s*\/\/ #region \S+$/, in: 'comment' },
];

/** The node:http server: docs/README.md's path opens it at step 3, before any lesson. */
export const HTTP_SERVER_MAIN = 'packages/http-server/src/main.ts';

/** The files the path shows, in its order: the node:http server, lesson 0, lessons 1 to 12, and the raw server as lesson 13. */
export const PATH_FILES: readonly string[] = [HTTP_SERVER_MAIN, FIRST_BYTES_LESSON, ...LESSONS];

/** What the note calls the file at `step` of PATH_FILES: `the \`node:http\` server` or `lesson N`. */
export function placeOf(step: number): string {
  return step === 0 ? 'the `node:http` server' : `lesson ${step - 1}`;
}

export interface SourceFile {
  /** From the repository root. */
  readonly path: string;
  readonly text: string;
}

export interface FirstUse {
  readonly file: string;
  /** The file's place in the files searched (PATH_FILES: placeOf names it). */
  readonly step: number;
  /** 1-based line of the match. */
  readonly line: number;
  /** The quoted lines, common indentation removed. */
  readonly quote: string;
}

interface SplitLine {
  readonly code: string;
  readonly comment: string;
}

/**
 * Each line's code and comments apart. Strings, template literals and block
 * comments are followed across lines; a regular expression literal is read as
 * code, which is wrong only for one that holds a quote or `//` (no lesson's does;
 * the tests would show a construct found in the wrong place).
 */
export function splitComments(text: string): SplitLine[] {
  let state: 'code' | 'block' | 'template' = 'code';
  return text.split('\n').map((line) => {
    let code = '';
    let comment = '';
    let quote: string | undefined;
    for (let at = 0; at < line.length; at++) {
      const char = line[at] as string;
      const pair = line.slice(at, at + 2);
      if (state === 'block') {
        comment += pair === '*/' ? pair : char;
        if (pair === '*/') [state, at] = ['code', at + 1];
      } else if (state === 'template' || quote !== undefined) {
        code += char;
        if (char === '\\') code += line[++at] ?? '';
        else if (state === 'template' && char === '`') state = 'code';
        else if (char === quote) quote = undefined;
      } else if (pair === '//') {
        comment += line.slice(at);
        break;
      } else if (pair === '/*') {
        [state, at] = ['block', at + 1];
        comment += pair;
      } else {
        code += char;
        if (char === '`') state = 'template';
        else if (char === "'" || char === '"') quote = char;
      }
    }
    return { code, comment };
  });
}

/** The first use of `construct` in `files`, taken in their order; an error when none uses it. */
export function firstUse(construct: Construct, files: readonly SourceFile[]): FirstUse {
  for (const [step, { path, text }] of files.entries()) {
    const lines = text.split('\n');
    const split = splitComments(text);
    const index = split.findIndex((line) => construct.pattern.test(construct.in === 'comment' ? line.comment : line.code));
    if (index < 0) continue;
    const start = construct.from === undefined ? index : startOf(construct, split, index, path);
    const quoted = lines.slice(start, index + 1).map((line) => line.trimEnd());
    const indent = Math.min(...quoted.filter((line) => line !== '').map((line) => line.length - line.trimStart().length));
    return { file: path, step, line: index + 1, quote: quoted.map((line) => line.slice(indent)).join('\n') };
  }
  throw new BlockError(`first-use ${construct.name}: no file of the path uses it (${String(construct.pattern)})`);
}

function startOf(construct: Construct, split: readonly SplitLine[], index: number, path: string): number {
  for (let start = index; start > index - MAX_QUOTE_LINES && start >= 0; start--) {
    if (construct.from!.test((split[start] as SplitLine).code)) return start;
  }
  throw new BlockError(`first-use ${construct.name}: ${path}:${index + 1} has no line matching ${String(construct.from)} within ${MAX_QUOTE_LINES} lines above`);
}

export function constructNamed(name: string | undefined): Construct {
  const construct = CONSTRUCTS.find((candidate) => candidate.name === name);
  if (construct === undefined) throw new BlockError(`first-use: no construct "${String(name)}" (scripts/docs/first-use.ts lists them)`);
  return construct;
}

/** The path's files as they are on disk, read once per run. */
export function readPathFiles(root: string): SourceFile[] {
  return PATH_FILES.map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
}

/**
 * The body of a first-use block in the note at `notePathFromRoot`. A block
 * may name several constructs that one line shows first (`type-alias
 * intersection`); when they part, the sync fails rather than quote one line
 * for both.
 */
export function renderFirstUse(block: GeneratedBlock, notePathFromRoot: string, files: readonly SourceFile[]): string {
  if (block.args.length === 0) throw new BlockError(`first-use at line ${block.line} names no construct`);
  const [use, ...others] = block.args.map((name) => ({ name, ...firstUse(constructNamed(name), files) }));
  const apart = others.find((other) => other.file !== use!.file || other.line !== use!.line);
  if (apart !== undefined) {
    throw new BlockError(
      `first-use at line ${block.line}: ${use!.name} is first at ${use!.file}:${use!.line}, ${apart.name} at ${apart.file}:${apart.line}: give each its own block`,
    );
  }
  const href = relative(dirname(notePathFromRoot), use!.file);
  return fencedBody('ts', use!.quote, `First in ${placeOf(use!.step)}, [\`${use!.file}\`](${href}):`);
}
