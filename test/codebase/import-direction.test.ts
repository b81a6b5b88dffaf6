/**
 * Imports run one way: test/ uses packages/ and scripts/, never the other way
 * round (issue 26, item 3). What ships, what people run and what generates the
 * docs must work without the suites, so none of it imports a file under test/
 * or names a path there to read or run. Read with TypeScript's own parser:
 * static imports, re-exports and import() calls, and every string literal.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';

const TEST_DIR = join(ROOT, 'test');

/** Folders that hold no source of ours: installed packages and build output. */
const SKIPPED = new Set(['node_modules', 'dist']);

/** Every .ts and .js file under `dir`, skipping SKIPPED folders. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : sourcesUnder(path);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every source file outside test/: the packages (sources and bin files) and the scripts. */
function sourcesOutsideTest(): string[] {
  return [...sourcesUnder(join(ROOT, 'packages')), ...sourcesUnder(join(ROOT, 'scripts'))];
}

/** `text` (the file `file`) names test/ here: each as `line: what`. */
function reachesIntoTest(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const where = (node: ts.Node): number =>
    source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node)) {
      const value = node.text;
      const imported =
        value.startsWith('.') && resolve(dirname(file), value).startsWith(TEST_DIR + sep);
      const named = /(^|[/'"\s])test\/\S/.test(value);
      if (imported || named) found.push(`${where(node)}: ${value}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('imports between test/ and the rest', () => {
  it('never run from packages/ or scripts/ into test/', () => {
    const offenders = sourcesOutsideTest().flatMap((file) =>
      reachesIntoTest(file, readFileSync(file, 'utf8')).map(
        (hit) => `${relative(ROOT, file)}:${hit}`,
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('read the files they should: the grader, the tools and the docs generator are among them', () => {
    const files = sourcesOutsideTest().map((file) => relative(ROOT, file));
    expect(files).toEqual(
      expect.arrayContaining([
        'packages/conformance/src/grader/main.ts',
        'packages/tools/src/demo.ts',
        'scripts/docs/sync.ts',
      ]),
    );
  });

  const FILE = join(ROOT, 'packages/example/src/example.ts');
  const cases = [
    {
      name: 'a relative import of a test helper',
      text: "import { x } from '../../../test/helpers/clients.js';",
      found: true,
    },
    {
      name: 'a re-export from test/',
      text: "export { x } from '../../../test/helpers/clients.js';",
      found: true,
    },
    {
      name: 'a dynamic import from test/',
      text: "await import('../../../test/helpers/clients.js');",
      found: true,
    },
    {
      name: 'a path under test/ to run',
      text: "spawn(process.execPath, ['test/conformance/grader/main.ts']);",
      found: true,
    },
    {
      name: 'a path under test/ joined to the root',
      text: "readFileSync(join(ROOT, 'test/fixtures/traffic/full.jsonl'));",
      found: true,
    },
    { name: 'an import within the package', text: "import { x } from './other.js';", found: false },
    {
      name: 'an import of another package',
      text: "import { x } from '@hook-observatory/launcher';",
      found: false,
    },
    {
      name: 'a comment that names a test',
      text: '// test/docs/excerpts.test.ts checks this\nconst x = 1;',
      found: false,
    },
    { name: 'a word that ends in test', text: "const label = 'latest/version';", found: false },
  ];
  it.each(cases)('$name: found $found', ({ text, found }) => {
    expect(reachesIntoTest(FILE, text).length > 0).toBe(found);
  });
});
