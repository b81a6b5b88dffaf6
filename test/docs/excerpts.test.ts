/**
 * Every code excerpt and region link in the notes is the code as it is now.
 * When code moves or changes, this fails and `pnpm docs:sync` mends the notes.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBlocks } from '../../scripts/docs/blocks.js';
import { RegionSource, renderExcerpt } from '../../scripts/docs/excerpts.js';
import { newRegionSource, readNotes, syncedText } from '../../scripts/docs/notes.js';

describe('the notes', () => {
  const notes = readNotes();
  const regions = newRegionSource();

  it.each(notes.map((note) => [note.path, note] as const))('%s quotes the code as it is now', (_, note) => {
    // Compared line by line so that a failure shows where the note went stale.
    expect(syncedText(note, regions).split('\n'), 'run pnpm docs:sync').toEqual(note.text.split('\n'));
  });

  it('quote code: every server step and the guard at least once', () => {
    const quoted = new Set(notes.flatMap((note) => findBlocks(note.text, note.path)).filter((b) => b.kind === 'excerpt').map((b) => b.args[0]));
    expect([...quoted].some((reference) => reference?.startsWith('packages/http-server/'))).toBe(true);
    expect([...quoted].some((reference) => reference?.startsWith('packages/net-server/'))).toBe(true);
  });
});

describe('an excerpt', () => {
  const root = mkdtempSync(join(tmpdir(), 'docs-excerpt-'));
  mkdirSync(join(root, 'src'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const block = { kind: 'excerpt' as const, args: ['src/a.ts#answer'], line: 1, body: '' };

  it('follows its region when the code changes and when it moves', () => {
    writeFileSync(join(root, 'src/a.ts'), '// #region answer\nreturn 42;\n// #endregion answer\n');
    const before = renderExcerpt(block, 'docs/n.md', new RegionSource(root));
    expect(before).toContain('return 42;');
    expect(before).toContain('Line 2 of [`src/a.ts`](../src/a.ts#L2):');

    writeFileSync(join(root, 'src/a.ts'), '// a new first line\n// #region answer\nreturn 43;\n// #endregion answer\n');
    const after = renderExcerpt(block, 'docs/n.md', new RegionSource(root));
    expect(after).toContain('return 43;');
    expect(after).toContain('Line 3 of [`src/a.ts`](../src/a.ts#L3):');
  });

  it('names a missing region', () => {
    writeFileSync(join(root, 'src/a.ts'), 'return 42;\n');
    expect(() => renderExcerpt(block, 'docs/n.md', new RegionSource(root))).toThrow('src/a.ts has no region "answer"');
  });
});
