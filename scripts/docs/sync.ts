/**
 * pnpm docs:sync: rewrite every excerpt, region link and wire example in the
 * notes from the code and the running servers, and the lessons' scoreboard
 * from the grader, draw the pictures in docs/images and write the example
 * settings files in configs/ again, then check every
 * link and rebuild docs/side-by-side.html (what pnpm docs:html writes) from
 * the synced notes.
 *
 *   pnpm docs:sync            rewrite what is out of date
 *   pnpm docs:sync --check    rewrite nothing; exit 1 if anything is out of date
 *   pnpm docs:check           --check --skip-scoreboard, as CI runs it
 *
 * --skip-scoreboard leaves the lessons' scoreboard as it is: grading every
 * lesson takes minutes, and test/docs/scoreboard.test.ts grades them anyway.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { exampleConfigs } from './configs.js';
import { pluginFiles } from './plugin.js';
import { drawnDiagrams } from './diagrams.js';
import { buildPage, HTML_PATH, readPageInput } from './html.js';
import { checkLinks } from './links.js';
import { newRegionSource, readNotes, syncedText, usesPathTable, usesScoreboard, usesWire } from './notes.js';
import { ROOT } from './paths.js';
import { gradeLessons } from './scoreboard.js';
import { captureAll, differences } from './wire.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, 'skip-scoreboard': { type: 'boolean', default: false } } });
  const check = values.check;
  const notes = readNotes();
  const regions = newRegionSource();
  const captures = notes.some(usesWire) ? await captureAll() : undefined;
  const scores = notes.some(usesScoreboard) && !values['skip-scoreboard'] ? await gradeLessons() : undefined;
  let status = 0;
  if (captures !== undefined) {
    for (const difference of differences(captures)) {
      process.stderr.write(`the two servers differ: ${difference}\n`);
      status = 1;
    }
  }
  status |= writeFiles([...drawnDiagrams(captures ?? (await captureAll())), ...exampleConfigs(), ...pluginFiles()], check);
  // The notes the path table counts are written first, so that one run leaves it right.
  for (const note of [...notes.filter((note) => !usesPathTable(note)), ...notes.filter(usesPathTable)]) {
    const synced = syncedText(note, regions, captures, scores);
    if (synced === note.text) continue;
    if (check) {
      process.stderr.write(`${note.path} is out of date: run pnpm docs:sync\n`);
      status = 1;
    } else {
      writeFileSync(join(ROOT, note.path), synced);
      process.stdout.write(`updated ${note.path}\n`);
    }
  }
  for (const note of readNotes()) {
    for (const problem of checkLinks(ROOT, note.path, note.text, regions)) {
      process.stderr.write(`${problem}\n`);
      status = 1;
    }
  }
  const page = buildPage(readPageInput());
  if (page !== readFileSync(join(ROOT, HTML_PATH), 'utf8')) {
    if (check) {
      process.stderr.write(`${HTML_PATH} is out of date: run pnpm docs:sync\n`);
      status = 1;
    } else {
      writeFileSync(join(ROOT, HTML_PATH), page);
      process.stdout.write(`updated ${HTML_PATH}\n`);
    }
  }
  if (status === 0) process.stdout.write(`${notes.length} notes in step with the code and the servers\n`);
  return status;
}

/** Write the generated files that are out of date; in --check mode only say which. */
function writeFiles(files: ReadonlyArray<{ file: string; text: string }>, check: boolean): number {
  let status = 0;
  for (const { file, text } of files.filter((generated) => committedText(generated.file) !== generated.text)) {
    if (check) {
      process.stderr.write(`${file} is out of date: run pnpm docs:sync\n`);
      status = 1;
    } else {
      mkdirSync(dirname(join(ROOT, file)), { recursive: true });
      writeFileSync(join(ROOT, file), text);
      process.stdout.write(`updated ${file}\n`);
    }
  }
  return status;
}

/** A file's committed text, or undefined when there is none yet. */
function committedText(file: string): string | undefined {
  try {
    return readFileSync(join(ROOT, file), 'utf8');
  } catch {
    return undefined;
  }
}

main().then(
  (status) => (process.exitCode = status),
  (error: unknown) => {
    process.stderr.write(`docs:sync: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
