/**
 * `pnpm -s lesson N [flags]`: run lesson N from its TypeScript source under
 * tsx, with the servers' own flags. The script runs `tsc -b` first, so a type
 * error anywhere stops it; `node --import tsx packages/lessons/src/lesson.ts N`
 * skips that check (tsx strips types without checking them).
 */
import { pathToFileURL } from 'node:url';
import { LESSONS, lessonFile } from './lessons.js';

const [number, ...flags] = process.argv.slice(2);
const file = lessonFile(Number(number));
if (file === undefined) {
  process.stderr.write(
    `usage: pnpm -s lesson N [--port P | --socket PATH] [flags], N from 0 to ${LESSONS.length}\n`,
  );
  process.exit(2);
}
// runServer reads process.argv: the lesson sees only its own flags.
process.argv.splice(2, process.argv.length - 2, ...flags);
await import(pathToFileURL(file).href);
