/**
 * No import cycle between the files of a package, type-only imports included:
 * in a cycle neither file can be read first, and at run time one of them sees
 * the other half loaded. Imports are read with TypeScript's own parser.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';
import { packageSources } from './package-sources.js';

/** The files of this repository that `file` imports by a relative path. */
function relativeImports(file: string): string[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    false,
  );
  return source.statements.flatMap((statement) => {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier !== undefined
        ? statement.moduleSpecifier
        : undefined;
    if (
      specifier === undefined ||
      !ts.isStringLiteral(specifier) ||
      !specifier.text.startsWith('.')
    ) {
      return [];
    }
    return [resolve(dirname(file), specifier.text.replace(/\.js$/, '.ts'))];
  });
}

/** Every cycle, each as the files around it; found by depth-first search, each cycle once per entry file. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): void => {
    const at = path.indexOf(file);
    if (at !== -1) {
      cycles.push([...path.slice(at), file].map((each) => relative(ROOT, each)));
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const imported of graph.get(file) ?? []) visit(imported);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return cycles;
}

describe('the packages', () => {
  const graph = new Map(packageSources().map((file) => [file, relativeImports(file)]));

  it('have their imports read', () => {
    const installerCli = join(ROOT, 'packages/installer/src/cli.ts');
    expect(graph.get(installerCli)).toContain(join(ROOT, 'packages/installer/src/hooks.ts'));
  });

  it('import no file that imports them back', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('would show a cycle', () => {
    const cycle = new Map([
      ['/a.ts', ['/b.ts']],
      ['/b.ts', ['/a.ts']],
    ]);
    expect(importCycles(cycle)).toHaveLength(1);
  });
});
