/** Links between notes, to headings, to source files and to regions of them all lead somewhere true; none to lines. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegionSource } from '../../scripts/docs/excerpts.js';
import { checkLinks, headingSlugs } from '../../scripts/docs/links.js';
import { newRegionSource, readNotes } from '../../scripts/docs/notes.js';
import { ROOT } from '../../scripts/docs/paths.js';

describe('the notes', () => {
  const regions = newRegionSource();
  it.each(readNotes().map((note) => [note.path, note] as const))('%s has no broken link', (_, note) => {
    expect(checkLinks(ROOT, note.path, note.text, regions)).toEqual([]);
  });
});

describe('checkLinks', () => {
  const root = mkdtempSync(join(tmpdir(), 'docs-links-'));
  mkdirSync(join(root, 'docs'));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'docs/other.md'), '# Other\n\n## 2. Read the bytes\n\n## `node:http` gives\n');
  writeFileSync(join(root, 'src/a.ts'), 'x\n// #region step\ny\nz\n// #endregion step\n');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    { name: 'https', link: '[RFC](https://www.rfc-editor.org/rfc/rfc9112#section-6.3)', problem: undefined },
    { name: 'note', link: '[other](other.md)', problem: undefined },
    { name: 'heading', link: '[read](other.md#2-read-the-bytes)', problem: undefined },
    { name: 'heading-with-code', link: '[gives](other.md#nodehttp-gives)', problem: undefined },
    { name: 'this-note-heading', link: '[top](#here)', problem: undefined },
    { name: 'region', link: '[step](../src/a.ts "region:step")', problem: undefined },
    { name: 'file', link: '[a](../src/a.ts)', problem: undefined },
    { name: 'plain-http', link: '[x](http://example.com/)', problem: 'only https://' },
    { name: 'missing-file', link: '[x](gone.md)', problem: 'docs/gone.md does not exist' },
    { name: 'missing-heading', link: '[x](other.md#nope)', problem: 'no heading #nope' },
    { name: 'outside', link: '[x](../../etc/passwd)', problem: 'outside the repository' },
    { name: 'lines', link: '[x](../src/a.ts#L3)', problem: 'links to lines go stale' },
    { name: 'lines-with-a-region', link: '[x](../src/a.ts#L3-L4 "region:step")', problem: 'links to lines go stale' },
    { name: 'region-with-a-fragment', link: '[x](../src/a.ts#step "region:step")', problem: 'has no #fragment' },
    { name: 'other-fragment-in-code', link: '[x](../src/a.ts#step)', problem: 'is not a heading' },
    { name: 'unknown-region', link: '[x](../src/a.ts "region:other")', problem: 'no region "other"' },
  ])('$name', ({ link, problem }) => {
    const note = `# Here\n\nSee ${link}.\n`;
    const problems = checkLinks(root, 'docs/n.md', note, new RegionSource(root));
    if (problem === undefined) expect(problems).toEqual([]);
    else expect(problems).toEqual([expect.stringContaining(problem)]);
  });

  it('ignores links inside fenced code', () => {
    expect(checkLinks(root, 'docs/n.md', '# H\n\n```md\n[x](gone.md)\n```\n', new RegionSource(root))).toEqual([]);
  });

  it('ignores link syntax shown in a code span', () => {
    expect(checkLinks(root, 'docs/n.md', '# H\n\nWrite `[x](gone.md)` to link.\n', new RegionSource(root))).toEqual([]);
  });

  it('numbers repeated headings as GitHub does', () => {
    expect([...headingSlugs('# A\n## What it does\n## What it does\n## 1. Accept, then read!\n')]).toEqual([
      'a',
      'what-it-does',
      'what-it-does-1',
      '1-accept-then-read',
    ]);
  });
});
