/**
 * The learning path: the event-loop primer and the lessons come before the
 * full raw server, the raw server's core note stays within its word budget,
 * and a note's "about N lines" of a file is still about right. (The table of
 * words and times in docs/README.md is generated; excerpts.test.ts fails when
 * it is stale.)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathSteps, renderPathTable, sourceLines, stepCost } from '../../scripts/docs/path-table.js';
import { readNotes } from '../../scripts/docs/notes.js';
import { DOCS_DIR } from '../../scripts/docs/paths.js';
import { codeLines, pictures, proseWords } from '../../scripts/docs/prose.js';

/** Issue 18: what every HTTP server must do fits in this many words; the rest is the appendix. */
const NET_SERVER_MAX_WORDS = 3_000;
/** "about N lines" is true while the file is within this fraction of N. */
const ABOUT_TOLERANCE = 0.1;

const readme = readFileSync(join(DOCS_DIR, 'README.md'), 'utf8');
const steps = pathSteps(readme);
const stepOf = (note: string): number => steps.find((step) => step.notes.includes(note))?.number ?? Number.NaN;

describe('the learning path', () => {
  it('reads the event loop before the raw server', () => {
    expect(stepOf('concurrency.md')).toBeLessThan(stepOf('net-server.md'));
  });

  it('goes through the lessons before the full raw server', () => {
    expect(stepOf('lessons.md')).toBeLessThan(stepOf('net-server.md'));
  });

  it('gives every step a row in its table, with a time', () => {
    const rows = renderPathTable(readme).split('\n').filter((line) => /^\| \d+\. /.test(line));
    expect(rows).toHaveLength(steps.length);
    for (const row of rows) expect(row).toMatch(/\| \d+ (min|h)[^|]* \|$/);
  });

  it(`keeps net-server.md within ${NET_SERVER_MAX_WORDS} words of prose`, () => {
    expect(proseWords(readFileSync(join(DOCS_DIR, 'net-server.md'), 'utf8'))).toBeLessThanOrEqual(NET_SERVER_MAX_WORDS);
  });

  it('marks the appendix as one to skip on first read', () => {
    expect(readFileSync(join(DOCS_DIR, 'net-server-appendix.md'), 'utf8')).toMatch(/Skip on first read/);
  });

  it.each(
    readNotes().flatMap((note) =>
      [...note.text.matchAll(/\]\(\.\.\/([\w/.-]+)\) is about (\d+) lines/g)].map((match) => [note.path, match[1] as string, Number(match[2])] as const),
    ),
  )('%s: %s is about %i lines', (_, file, claimed) => {
    expect(existsSync(join(DOCS_DIR, '..', file))).toBe(true);
    const lines = readFileSync(join(DOCS_DIR, '..', file), 'utf8').split('\n').length - 1;
    expect(Math.abs(lines - claimed) / claimed).toBeLessThanOrEqual(ABOUT_TOLERANCE);
  });
});

describe('counting a note', () => {
  it.each([
    { name: 'prose', note: 'Bytes arrive in pieces.', words: 4, code: 0 },
    { name: 'heading', note: '## The body\n\nIt ends.', words: 4, code: 0 },
    { name: 'link-target-left-out', note: 'See [the note](net-server.md#5-respond).', words: 3, code: 0 },
    { name: 'code-span-counted-as-words', note: 'Call `setImmediate` now.', words: 3, code: 0 },
    { name: 'fenced-code-left-out', note: 'Here:\n\n```ts\nconst a = 1;\nconst b = 2;\n```\n', words: 1, code: 2 },
    { name: 'generated-block-left-out', note: 'Here:\n\n<!-- wire health response -->\n\n```http\nHTTP/1.1 200 OK\n```\n\n<!-- /wire -->\n', words: 1, code: 1 },
    { name: 'picture-neither-words-nor-code', note: 'See:\n\n<!-- diagram timers -->\n\n![The timers. Each one\nin turn](images/timers.svg)\n\n<!-- /diagram -->\n', words: 1, code: 0, shown: 1 },
  ])('$name', ({ note, words, code, shown }) => {
    expect(proseWords(note)).toBe(words);
    expect(codeLines(note)).toBe(code);
    expect(pictures(note)).toBe(shown ?? 0);
  });
});

describe("counting a step's source files", () => {
  const readme = (item: string): string => `## The path\n\n${item}\n\n## Next\n`;
  it.each([
    { name: 'a-file-linked-in-the-repository', item: '1. **Read.** See [main.ts](../packages/a/src/main.ts).', sources: ['packages/a/src/main.ts'] },
    { name: 'a-folder-linked-with-its-slash', item: '1. **Read.** See [`parser/`](../packages/a/src/parser/).', sources: ['packages/a/src/parser'] },
    { name: 'a-note-is-not-a-source', item: '1. **Read.** Read [protocol.md](protocol.md).', sources: [] },
    { name: 'a-file-linked-twice-counts-once', item: '1. **Read.** [a](../x.ts) and [b](../x.ts).', sources: ['x.ts'] },
  ])('$name', ({ item, sources }) => {
    expect(pathSteps(readme(item))[0]?.sources).toEqual(sources);
  });

  it('counts the lines of a file, and of a folder its TypeScript sources only', () => {
    const root = mkdtempSync(join(tmpdir(), 'path-table-'));
    try {
      mkdirSync(join(root, 'src'));
      writeFileSync(join(root, 'src/a.ts'), 'one\ntwo\nthree\n');
      writeFileSync(join(root, 'src/b.ts'), 'one\n');
      writeFileSync(join(root, 'src/b.d.ts'), 'declared\n');
      writeFileSync(join(root, 'src/notes.md'), 'prose\n');
      expect(sourceLines(root, 'src/a.ts')).toBe(3);
      expect(sourceLines(root, 'src')).toBe(4);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("adds a step's source lines to its time, at the reading speed of code", () => {
    const [step] = pathSteps(readme('1. **Read.** See [main.ts](../main.ts).'));
    const cost = stepCost(step!, () => '', () => 15 * 60);
    expect(cost.sourceLines).toBe(900);
    expect(cost.minutes).toBe(60);
  });
});
