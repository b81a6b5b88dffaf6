/**
 * Regions and generated blocks: the two halves of an excerpt. A region is cut
 * from the source exactly, and a note's generated block is found exactly, or
 * the tool says why not.
 */
import { describe, expect, it } from 'vitest';
import { BlockError, fencedBody, findBlocks, replaceBlocks } from '../../scripts/docs/blocks.js';
import { parseRegions, RegionError } from '../../scripts/docs/regions.js';

describe('parseRegions', () => {
  it.each([
    {
      name: 'plain',
      source: 'a\n// #region one\nconst x = 1;\n// #endregion one\nb',
      region: 'one',
      expected: { firstLine: 3, lastLine: 3, text: 'const x = 1;' },
    },
    {
      name: 'indented-and-nested',
      source: 'function f() {\n  // #region outer\n  if (x) {\n    // #region inner\n    y();\n    // #endregion inner\n  }\n  // #endregion outer\n}',
      region: 'outer',
      expected: { firstLine: 3, lastLine: 7, text: 'if (x) {\n  y();\n}' },
    },
    {
      name: 'blank-edges-trimmed',
      source: '// #region gap\n\nz();\n\n// #endregion gap',
      region: 'gap',
      expected: { firstLine: 3, lastLine: 3, text: 'z();' },
    },
  ])('$name', ({ source, region, expected }) => {
    expect(parseRegions(source, 'f.ts').get(region)).toEqual({ name: region, ...expected });
  });

  it.each([
    { name: 'unclosed', source: '// #region a\nx', message: /never closed/ },
    { name: 'end-without-start', source: 'x\n// #endregion a', message: /closes no region/ },
    { name: 'crossed', source: '// #region a\n// #region b\nx\n// #endregion a\n// #endregion b', message: /closes region "b"/ },
    { name: 'twice', source: '// #region a\nx\n// #endregion a\n// #region a\ny\n// #endregion a', message: /defined twice/ },
    { name: 'nameless', source: '// #region\nx\n// #endregion', message: /needs a name/ },
    { name: 'empty', source: '// #region a\n\n// #endregion a', message: /empty/ },
  ])('refuses $name', ({ source, message }) => {
    expect(() => parseRegions(source, 'f.ts')).toThrow(RegionError);
    expect(() => parseRegions(source, 'f.ts')).toThrow(message);
  });
});

describe('generated blocks', () => {
  const note = [
    '# Title',
    '',
    '<!-- excerpt a.ts#one -->',
    'old text',
    '<!-- /excerpt -->',
    '',
    '````md',
    '<!-- wire inside-a-fence response -->',
    '````',
    '',
    '<!-- wire health response -->',
    '<!-- /wire -->',
  ].join('\n');

  it('finds blocks outside fences only', () => {
    const blocks = findBlocks(note, 'n.md');
    expect(blocks.map(({ kind, args, line, body }) => ({ kind, args, line, body }))).toEqual([
      { kind: 'excerpt', args: ['a.ts#one'], line: 3, body: 'old text' },
      { kind: 'wire', args: ['health', 'response'], line: 11, body: '' },
    ]);
  });

  it('replaces bodies and keeps everything else', () => {
    const replaced = replaceBlocks(note, 'n.md', (block) => `new ${block.kind}`);
    expect(replaced).toBe(note.replace('old text', 'new excerpt').replace('response -->\n<!-- /wire', 'response -->\nnew wire\n<!-- /wire'));
  });

  it.each([
    { name: 'unclosed', text: '<!-- excerpt a.ts#one -->\ntext', message: /needs a <!-- \/excerpt -->/ },
    { name: 'closed-by-the-other-kind', text: '<!-- excerpt a.ts#one -->\n<!-- /wire -->', message: /needs a <!-- \/excerpt -->/ },
    { name: 'stray-close', text: 'text\n<!-- /wire -->', message: /without its opening/ },
  ])('refuses $name', ({ text, message }) => {
    expect(() => findBlocks(text, 'n.md')).toThrow(BlockError);
    expect(() => findBlocks(text, 'n.md')).toThrow(message);
  });

  it('fences code with more backticks than it holds', () => {
    expect(fencedBody('md', 'a ``` b')).toBe('\n````md\na ``` b\n````\n');
    expect(fencedBody('ts', 'x', 'From here:')).toBe('\nFrom here:\n\n```ts\nx\n```\n');
  });
});
