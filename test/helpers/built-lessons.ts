/**
 * A lesson as the tests start it: its build (`tsc -b`, which `pnpm test` runs
 * first) on node, not its source under tsx. The program is the same, compiled
 * by the same compiler; tsx's loader would add most of a second of start-up
 * to every lesson started. How a student starts a lesson, from its source
 * under tsx, stays proven where the tests start one as a student does: the
 * grader's `--server lesson-N` (test/conformance/grader.test.ts) and the notes'
 * Try-it blocks (test/docs/try-it.test.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer, type ServerEntry } from '@hook-observatory/launcher';
import { lessonFile } from '@hook-observatory/lessons';

/** Where tsc writes a package's `src/NAME.ts`: `dist/NAME.js` (every package's tsconfig). */
const SOURCE_FILE = /\/src\/([^/]+)\.ts$/;
/** The package's build record: `tsc -b` writes it on every build, even one that emits nothing new. */
const BUILD_INFO = '/tsconfig.tsbuildinfo';

/** Lesson `number`'s built entry, named `lesson-N`; throws when it is missing or older than its source. */
export function builtLesson(number: number): {
  readonly name: string;
  readonly entry: ServerEntry;
} {
  const source = lessonFile(number);
  if (source === undefined) throw new Error(`no lesson ${number}`);
  const built = source.replace(SOURCE_FILE, '/dist/$1.js');
  const buildInfo = source.replace(SOURCE_FILE, BUILD_INFO);
  if (!existsSync(built) || statSync(buildInfo).mtimeMs < statSync(source).mtimeMs) {
    throw new Error(`${source} changed since the last build: build first (npx tsc -b)`);
  }
  return { name: `lesson-${number}`, entry: { kind: 'node', file: built } };
}

/**
 * Lesson `number` running for the describe block this is called in: started
 * before its tests, stopped after them. The returned function gives the
 * running server inside a test.
 */
export function runningLesson(number: number): () => RunningServer {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await startServer(builtLesson(number));
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error(`lesson ${number} did not start`);
    return server;
  };
}
