/**
 * Every code excerpt in the notes is the code as it is now. When a quoted
 * region changes, this fails and `pnpm docs:sync` mends the notes; when code
 * only moves (lines added above a region), no note changes.
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

  const render = (source: string): string => {
    writeFileSync(join(root, 'src/a.ts'), source);
    return renderExcerpt(block, 'docs/n.md', new RegionSource(root));
  };
  const QUOTED = '// #region answer\nreturn 42;\n// #endregion answer\n';

  it('names its region and links its file, not lines', () => {
    expect(render(QUOTED)).toContain('Region `answer` of [`src/a.ts`](../src/a.ts):');
  });

  it.each([
    { name: 'a line added above the region', edit: `// a new first line\n\n${QUOTED}` },
    { name: 'a line added below the region', edit: `${QUOTED}export const more = 1;\n` },
    { name: 'another region added above', edit: `// #region other\nlet x;\n// #endregion other\n${QUOTED}` },
  ])('is the same after $name', ({ edit }) => {
    expect(render(edit)).toBe(render(QUOTED));
  });

  it('follows its region when the code inside it changes', () => {
    expect(render(QUOTED.replace('42', '43'))).toContain('return 43;');
  });

  it('names a missing region', () => {
    writeFileSync(join(root, 'src/a.ts'), 'return 42;\n');
    expect(() => renderExcerpt(block, 'docs/n.md', new RegionSource(root))).toThrow('src/a.ts has no region "answer"');
  });
});
