/**
 * docs/typescript.md quotes, for each construct, the first line of the path
 * that uses it. The finder is specified here case by case; then the note is
 * checked against the files by a second route: each quote must be a line of
 * the file it names, sit under the heading of that file's place on the path
 * (the node:http server, which the path opens before lesson 0, or a lesson),
 * and no file earlier on the path may have a line of code that uses the
 * construct.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBlocks } from '../../scripts/docs/blocks.js';
import {
  CONSTRUCTS,
  HTTP_SERVER_MAIN,
  PATH_FILES,
  constructNamed,
  firstUse,
  placeOf,
  readPathFiles,
  renderFirstUse,
  splitComments,
  type Construct,
  type SourceFile,
} from '../../scripts/docs/first-use.js';
import { DOCS_DIR, ROOT } from '../../scripts/docs/paths.js';

describe('splitComments', () => {
  it.each([
    { name: 'code-only', text: 'const a = 1;', expected: [{ code: 'const a = 1;', comment: '' }] },
    { name: 'line-comment', text: 'a(); // b ?? c', expected: [{ code: 'a(); ', comment: '// b ?? c' }] },
    { name: 'slashes-in-a-string', text: "x = 'http://a'; // c", expected: [{ code: "x = 'http://a'; ", comment: '// c' }] },
    { name: 'escaped-quote', text: "x = 'it\\'s // no'; y", expected: [{ code: "x = 'it\\'s // no'; y", comment: '' }] },
    {
      name: 'block-comment-across-lines',
      text: '/**\n * a ?? b\n */\nf();',
      expected: [
        { code: '', comment: '/**' },
        { code: '', comment: ' * a ?? b' },
        { code: '', comment: ' */' },
        { code: 'f();', comment: '' },
      ],
    },
    {
      name: 'template-across-lines',
      text: 'x = `a\n// not a comment`; // one',
      expected: [
        { code: 'x = `a', comment: '' },
        { code: '// not a comment`; ', comment: '// one' },
      ],
    },
    { name: 'code-after-block-comment', text: '/* a */ b();', expected: [{ code: ' b();', comment: '/* a */' }] },
  ])('$name', ({ text, expected }) => {
    expect(splitComments(text)).toEqual(expected);
  });
});

describe('a construct', () => {
  // What each pattern must take, and the near miss it must leave.
  it.each([
    { name: 'as', uses: 'const a = b() as AddressInfo;', misses: '} as const;' },
    { name: 'nullish', uses: 'a ?? 0', misses: 'a ??= 0' },
    { name: 'non-null', uses: 'this.head!.headers', misses: 'a !== b && !c' },
    { name: 'type-import', uses: 'import { a, type B } from "c";', misses: "type Answer = Pick<R, 'a'>;" },
    { name: 'type-alias', uses: "type Answer = Pick<R, 'a'>;", misses: 'import { type B } from "c";' },
    { name: 'optional-field', uses: 'readonly headers?: string;', misses: 'a ? b : c' },
    { name: 'optional-chaining', uses: 'a?.trim()', misses: 'a ? .5 : 1' },
    { name: 'generator', uses: '  *push(bytes: Buffer): Generator<R> {', misses: '  a * b(c)' },
    { name: 'void-call', uses: 'return void socket.destroy();', misses: 'function f(): void {' },
    { name: 'numeric-separator', uses: 'port > 65_535', misses: 'const a_b = 1;' },
    { name: 'private', uses: '  private state: State = "a";', misses: ' * the private key' },
    { name: 'readonly-array', uses: 'f(lines: readonly string[])', misses: 'readonly [string, string]' },
    { name: 'narrowing', uses: "if (typeof request === 'string') return;", misses: 'type Failure = keyof typeof FAILURES;' },
    { name: 'intersection', uses: 'type S = Socket & { [ORIGIN]?: Origin };', misses: 'if (a && b) c = d & 0xff;' },
    { name: 'computed-key', uses: 'type S = Socket & { [ORIGIN]?: Origin };', misses: 'socket[ORIGIN] = origin;' },
    { name: 'literal-type', uses: 'type S = { [DONE]?: true };', misses: "socket.on('x', f, { once: true });" },
    { name: 'literal-type', uses: '  refused?: true;', misses: '  refused: true,' },
    { name: 'array-type', uses: 'const chunks: Buffer[] = [];', misses: 'f(lines: readonly string[])' },
    { name: 'readonly-array-type', uses: 'headers: ReadonlyArray<readonly [string, string]>', misses: 'lines: readonly string[]' },
    { name: 'nodejs-namespace', uses: 'let idleTimer: NodeJS.Timeout | undefined;', misses: '// node.js timers' },
  ])('$name', ({ name, uses, misses }) => {
    const { pattern } = constructNamed(name);
    expect(pattern.test(uses)).toBe(true);
    expect(pattern.test(misses)).toBe(false);
  });

  it('has a name of its own', () => {
    expect(new Set(CONSTRUCTS.map((construct) => construct.name)).size).toBe(CONSTRUCTS.length);
  });
});

describe('firstUse', () => {
  const nullish: Construct = { name: 'nullish', pattern: /\?\?(?!=)/ };
  const asConst: Construct = { name: 'as-const', pattern: /\bas const\b/, from: /^const \w+ = \{$/ };
  const region: Construct = { name: 'region', pattern: /^\/\/ #region \S+$/, in: 'comment' };
  const files = (...texts: string[]): SourceFile[] => texts.map((text, index) => ({ path: `src/${index}.ts`, text }));

  it.each([
    { name: 'first-file', construct: nullish, files: files('a;\n  b ?? c;', 'd ?? e;'), expected: { file: 'src/0.ts', step: 0, line: 2, quote: 'b ?? c;' } },
    { name: 'later-file', construct: nullish, files: files('a || b;', 'x;\nd ?? e;'), expected: { file: 'src/1.ts', step: 1, line: 2, quote: 'd ?? e;' } },
    { name: 'comment-not-a-use', construct: nullish, files: files('// a ?? b\n/* c ?? d */', 'e ?? f;'), expected: { file: 'src/1.ts', step: 1, line: 1, quote: 'e ?? f;' } },
    { name: 'string-is-code', construct: nullish, files: files("s = 'a ?? b';"), expected: { file: 'src/0.ts', step: 0, line: 1, quote: "s = 'a ?? b';" } },
    {
      name: 'quote-from-the-statement',
      construct: asConst,
      files: files('x;\nconst T = {\n  a: 1,\n} as const;'),
      expected: { file: 'src/0.ts', step: 0, line: 4, quote: 'const T = {\n  a: 1,\n} as const;' },
    },
    { name: 'in-comments', construct: region, files: files('region();', 'a;\n// #region accept'), expected: { file: 'src/1.ts', step: 1, line: 2, quote: '// #region accept' } },
  ])('$name', ({ construct, files: given, expected }) => {
    expect(firstUse(construct, given)).toEqual(expected);
  });

  it.each([
    { name: 'used-nowhere', construct: nullish, files: files('a || b;', '// a ?? b'), message: 'first-use nullish: no file of the path uses it' },
    { name: 'statement-start-missing', construct: asConst, files: files('let T = {\n} as const;'), message: 'src/0.ts:2 has no line matching' },
  ])('$name', ({ construct, files: given, message }) => {
    expect(() => firstUse(construct, given)).toThrow(message);
  });
});

describe('a first-use block', () => {
  const files: SourceFile[] = [{ path: 'packages/lessons/src/00-a.ts', text: "type A = 'x' | 'y';\nconst n = a ?? b;" }];
  const block = (...args: string[]) => ({ kind: 'first-use' as const, args, line: 3, body: '' });

  it('quotes the line under a link to its file, named by its place on the path', () => {
    expect(renderFirstUse(block('nullish'), 'docs/typescript.md', files)).toBe(
      '\nFirst in the `node:http` server, [`packages/lessons/src/00-a.ts`](../packages/lessons/src/00-a.ts):\n\n```ts\nconst n = a ?? b;\n```\n',
    );
  });

  it.each([
    { name: 'one-line-for-two', args: ['type-alias', 'literal-union'], message: undefined },
    { name: 'two-lines-for-two', args: ['type-alias', 'nullish'], message: 'type-alias is first at packages/lessons/src/00-a.ts:1, nullish at packages/lessons/src/00-a.ts:2' },
    { name: 'unknown-construct', args: ['spread'], message: 'no construct "spread"' },
    { name: 'no-construct', args: [], message: 'names no construct' },
  ])('$name', ({ args, message }) => {
    const render = (): string => renderFirstUse(block(...args), 'docs/typescript.md', files);
    if (message === undefined) expect(render()).toContain("type A = 'x' | 'y';");
    else expect(render).toThrow(message);
  });
});

describe('the path', () => {
  it('opens with the node:http server, then lesson 0 and the rest', () => {
    expect(PATH_FILES.slice(0, 2)).toEqual([HTTP_SERVER_MAIN, 'packages/lessons/src/00-first-bytes.ts']);
    expect([0, 1, 2, PATH_FILES.length - 1].map(placeOf)).toEqual(['the `node:http` server', 'lesson 0', 'lesson 1', 'lesson 13']);
  });

  it("follows docs/README.md's steps: the node:http server's step comes before the lessons'", () => {
    const readme = readFileSync(join(DOCS_DIR, 'README.md'), 'utf8');
    const step = (file: string): number => readme.indexOf(`](../${file})`);
    expect(step(HTTP_SERVER_MAIN)).toBeGreaterThan(0);
    expect(step(HTTP_SERVER_MAIN)).toBeLessThan(readme.indexOf('pnpm -s lesson 0'));
  });
});

describe('docs/typescript.md', () => {
  const note = readFileSync(join(DOCS_DIR, 'typescript.md'), 'utf8');
  const lines = note.split('\n');
  const pathFiles = readPathFiles(ROOT);
  const entries = findBlocks(note, 'docs/typescript.md')
    .filter((block) => block.kind === 'first-use')
    .map((block) => {
      const heading = lines.slice(0, block.line).findLast((line) => line.startsWith('## '));
      const file = /\]\(\.\.\/([^)]+)\)/.exec(block.body)?.[1];
      const quote = /```ts\n([\s\S]*?)\n```/.exec(block.body)?.[1];
      return { names: block.args, heading, file, quote };
    });

  it('explains every construct once', () => {
    expect(entries.flatMap((entry) => entry.names).sort()).toEqual(CONSTRUCTS.map((construct) => construct.name).sort());
  });

  it.each(entries.map((entry) => [entry.names.join(' '), entry] as const))('%s: quoted from the first lesson that uses it', (_, entry) => {
    const lesson = PATH_FILES.indexOf(entry.file ?? '');
    expect(lesson, `${entry.file} is a file of the path`).toBeGreaterThanOrEqual(0);
    const place = placeOf(lesson);
    const title = `${place[0]!.toUpperCase()}${place.slice(1)}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(entry.heading).toMatch(new RegExp(`^## ${title}(?!\\w)`));
    // The quote's last line is the use: it is in the file, as it is now.
    const used = (entry.quote ?? '').split('\n').at(-1)?.trim() ?? '';
    expect(readFileSync(join(ROOT, entry.file!), 'utf8').split('\n').map((line) => line.trim())).toContain(used);
    for (const name of entry.names) {
      const { pattern, in: where = 'code' } = constructNamed(name);
      expect(pattern.test(used), `${name} matches the quoted line`).toBe(true);
      const earlier = pathFiles.slice(0, lesson).filter((file) => splitComments(file.text).some((line) => pattern.test(line[where])));
      expect(earlier.map((file) => file.path), `files before lesson ${lesson} that use ${name}`).toEqual([]);
    }
  });

  it('lists the constructs in path order', () => {
    const places = entries.map((entry) => {
      const lesson = PATH_FILES.indexOf(entry.file ?? '');
      const text = (pathFiles[lesson] as SourceFile).text.split('\n');
      const last = (entry.quote ?? '').split('\n').at(-1)?.trim();
      return lesson * 100_000 + text.findIndex((line) => line.trim() === last);
    });
    expect(places).toEqual([...places].sort((a, b) => a - b));
  });
});
