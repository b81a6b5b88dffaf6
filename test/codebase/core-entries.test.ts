/**
 * Core's two front doors (packages/core/package.json "exports"):
 * `@hook-observatory/core`, what the servers, the lessons and the docs
 * generator use, and `@hook-observatory/core/vocabulary`, the names a tool
 * needs without a server. Each exports nothing that no one outside core
 * imports through it. Tests reach the rest of core by
 * `@hook-observatory/core/internal/<module>`, and nothing shipped does.
 *
 * The vocabulary is apart from the runtime: the installer and the query tool,
 * run as a user runs them, load no module of core's runtime, neither koffi
 * (the FFI) nor yaml. Watched in a child process by a module resolve hook
 * (node:module register), which sees every module as it is loaded.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';

const CORE_SOURCES = join(ROOT, 'packages/core/src');
const ENTRIES = [
  { specifier: '@hook-observatory/core', file: 'index.ts' },
  { specifier: '@hook-observatory/core/vocabulary', file: 'vocabulary.ts' },
] as const;
const INTERNAL = '@hook-observatory/core/internal/';
/** The core modules the vocabulary entry may load: words and their parsing, no machinery. */
const VOCABULARY_MODULES = [
  'cli-args',
  'config',
  'enrich',
  'events',
  'json-shape',
  'protocol',
  'rotated-names',
  'session-state',
  'store-follow',
  'store-rows',
  'store-tls',
  'test-overrides',
  'vocabulary',
];

function sourcesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return /\.m?ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every file outside core that may import it: the other packages' sources, the scripts, the tests. */
const OUTSIDE_CORE = [
  ...readdirSync(join(ROOT, 'packages'))
    .filter((name) => name !== 'core')
    .flatMap((name) => sourcesUnder(join(ROOT, 'packages', name, 'src'))),
  ...sourcesUnder(join(ROOT, 'scripts')),
  ...sourcesUnder(join(ROOT, 'test')),
];

interface Import {
  readonly file: string;
  readonly specifier: string;
  readonly names: readonly string[];
}

/** The import and export-from declarations of a file, each with the names it takes. */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    false,
  );
  return source.statements.flatMap((statement): Import[] => {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) return [];
    const specifier = statement.moduleSpecifier;
    if (specifier === undefined || !ts.isStringLiteral(specifier)) return [];
    const bindings = ts.isImportDeclaration(statement)
      ? statement.importClause?.namedBindings
      : statement.exportClause;
    const names =
      bindings !== undefined && (ts.isNamedImports(bindings) || ts.isNamedExports(bindings))
        ? bindings.elements.map((element) => (element.propertyName ?? element.name).text)
        : [];
    return [{ file, specifier: specifier.text, names }];
  });
}

/** The names an entry file exports (it re-exports by name only: an `export *` would hide them). */
function exportedNames(entry: string): string[] {
  return importsOf(join(CORE_SOURCES, entry)).flatMap(({ names }) => names);
}

const outsideImports = OUTSIDE_CORE.flatMap(importsOf);

describe("core's front doors", () => {
  it('are found, with the files that import them', () => {
    expect(
      outsideImports.filter(({ specifier }) => specifier === '@hook-observatory/core').length,
    ).toBeGreaterThan(10);
    expect(exportedNames('index.ts')).toContain('runServer');
  });

  it.for(ENTRIES)(
    '$specifier exports only names something outside core imports through it',
    ({ specifier, file }) => {
      const used = new Set(
        outsideImports.filter((each) => each.specifier === specifier).flatMap(({ names }) => names),
      );
      expect(exportedNames(file).filter((name) => !used.has(name))).toEqual([]);
    },
  );

  it.for(ENTRIES)('$specifier names each export (no export *)', ({ file }) => {
    expect(readFileSync(join(CORE_SOURCES, file), 'utf8')).not.toMatch(/export \*/);
  });

  it('are the only way into core from what ships or is run: internal modules are for tests', () => {
    const reachingIn = outsideImports
      .filter(
        ({ file, specifier }) =>
          specifier.startsWith(INTERNAL) && !file.startsWith(join(ROOT, 'test')),
      )
      .map(({ file, specifier }) => `${relative(ROOT, file)}: ${specifier}`);
    expect(reachingIn).toEqual([]);
  });

  it("the installer, the query tool and the conformance cases import core's vocabulary only", () => {
    const tools = outsideImports.filter(({ file }) =>
      /packages\/(installer|query|conformance)\/src\//.test(file),
    );
    const coreSpecifiers = new Set(
      tools
        .map(({ specifier }) => specifier)
        .filter((specifier) => specifier.startsWith('@hook-observatory/core')),
    );
    expect([...coreSpecifiers]).toEqual(['@hook-observatory/core/vocabulary']);
  });
});

describe('the vocabulary, apart from the runtime', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'core-entries-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** The modules a node process loads to run `args`, as file paths relative to the repository or package names. */
  function loadedModules(name: string, args: readonly string[]): string[] {
    const log = join(scratch, `${name}.log`);
    const hooks = `import { appendFileSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        const resolved = await next(specifier, context);
        appendFileSync(${JSON.stringify(log)}, resolved.url + '\\n');
        return resolved;
      }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    execFileSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(register)}`, ...args],
      { cwd: ROOT, stdio: 'ignore' },
    );
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter((url) => url.startsWith('file:'))
      .map((url) => relative(ROOT, new URL(url).pathname));
  }

  const coreModulesIn = (loaded: readonly string[]): string[] =>
    [
      ...new Set(
        loaded.flatMap((path) => /^packages\/core\/dist\/(.+)\.js$/.exec(path)?.[1] ?? []),
      ),
    ].sort();
  const packagesIn = (loaded: readonly string[]): string[] =>
    [
      ...new Set(
        loaded.flatMap((path) => /node_modules\/\.pnpm\/([^/]+?)@\d/.exec(path)?.[1] ?? []),
      ),
    ].sort();

  it('the recorder sees what the front door loads: the FFI modules of the runtime, and not yaml', () => {
    const loaded = loadedModules('front-door', [
      '--input-type=module',
      '--eval',
      "await import('@hook-observatory/core')",
    ]);
    expect(coreModulesIn(loaded)).toEqual(
      expect.arrayContaining(['peer-address', 'peer-credentials', 'format', 'sinks', 'stream']),
    );
    // YAML costs a server start a third of its CPU: only --format pretty-yaml loads it.
    expect(packagesIn(loaded)).not.toContain('yaml');
  });

  it('the recorder sees yaml loaded for --format pretty-yaml', () => {
    const loaded = loadedModules('pretty-yaml', [
      '--input-type=module',
      '--eval',
      "const { formatterFor } = await import('@hook-observatory/core/internal/format'); await formatterFor('pretty-yaml', { colour: false });",
    ]);
    expect(coreModulesIn(loaded)).toContain('yaml-format');
    expect(packagesIn(loaded)).toContain('yaml');
  });

  it.for([
    {
      name: 'the vocabulary entry',
      args: ['--input-type=module', '--eval', "await import('@hook-observatory/core/vocabulary')"],
    },
    { name: 'the installer', args: ['packages/installer/dist/main.js', '--help'] },
    { name: 'the query tool', args: ['packages/query/dist/main.js', '--help'] },
  ])(
    '$name loads only vocabulary modules of core, and neither koffi nor yaml',
    ({ name, args }) => {
      const loaded = loadedModules(name.replaceAll(' ', '-'), args);
      expect(
        coreModulesIn(loaded).filter((module) => !VOCABULARY_MODULES.includes(module)),
      ).toEqual([]);
      expect(coreModulesIn(loaded)).toContain('vocabulary');
      expect(packagesIn(loaded).filter((name) => name === 'koffi' || name === 'yaml')).toEqual([]);
    },
  );
});
