/**
 * What the grader can grade, by name: the two servers, each lesson (from its
 * TypeScript source, under tsx, or from what tsc built of it when that is
 * newer), or any command line (a student's own server, in any language,
 * started with `--port N` appended).
 */
import { statSync } from 'node:fs';
import { SERVERS, type ServerEntry } from '@hook-observatory/launcher';
import { LESSONS, lessonFile } from '@hook-observatory/lessons';

export interface Subject {
  readonly name: string;
  readonly entry: ServerEntry;
  /**
   * A program of the student's own: its events' `_ts` is its own clock (the
   * test clock, HOOK_OBSERVATORY_FIXED_TS, is ours) and its `_client` may carry
   * the peer's port, so neither is compared (grade.ts).
   */
  readonly ownClock?: boolean;
}

/** `http`, `net`, or `lesson-N`. */
export function namedSubject(name: string): Subject | undefined {
  if (name === 'http' || name === 'net') return { name, entry: SERVERS[name] };
  const lesson = /^lesson-(\d+)$/.exec(name);
  const file = lesson === null ? undefined : lessonFile(Number(lesson[1]));
  return file === undefined ? undefined : { name, entry: lessonEntry(file) };
}

/**
 * A lesson as node runs it fastest: tsc's build of it (`pnpm conformance`
 * builds first) when it is at least as new as the source, else the source
 * under tsx. The same code either way; tsx's loader costs a start about
 * twice the time on a loaded 2-core machine (measured: 3 s against 6 to 10 s),
 * and the grader starts a lesson once per environment.
 */
function lessonEntry(source: string): ServerEntry {
  const built = source.replace(/\/src\/([^/]+)\.ts$/, '/dist/$1.js');
  const modified = (file: string): number | undefined =>
    statSync(file, { throwIfNoEntry: false })?.mtimeMs;
  const [builtAt, sourceAt] = [modified(built), modified(source)];
  return builtAt !== undefined && sourceAt !== undefined && builtAt >= sourceAt
    ? { kind: 'node', file: built }
    : { kind: 'tsx', file: source };
}

/** The names a student may give to --server. */
export const SUBJECT_NAMES: readonly string[] = [
  'http',
  'net',
  ...LESSONS.map((_, index) => `lesson-${index + 1}`),
];

/** A shell command line; `exec` so that the grader's signal reaches the program itself. */
export function commandSubject(command: string): Subject {
  return {
    name: command,
    entry: { kind: 'command', argv: ['sh', '-c', `exec ${command} "$@"`, 'sh'] },
    ownClock: true,
  };
}
