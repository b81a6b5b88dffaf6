/**
 * The README's "Tests" section stays true: it names every folder under test/
 * and no other, every environment variable the code reads and no other, and
 * every `pnpm test…` script; and each file pattern of the unit tier
 * (vitest.config.ts) still finds a file. Variables are read with TypeScript's
 * own parser: `env['NAME']` and `env.NAME`, a constant named `…_ENV`, and any
 * `HOOK_OBSERVATORY_…` string (the override tables name them so).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';
import { UNIT_FILES } from '../../vitest.config.js';

/** Folders that hold no source of ours: installed packages and build output. */
/** Not folders of tests: built output, and test/artifacts, the browser tests' gitignored screenshots. */
const SKIPPED = new Set(['node_modules', 'dist', 'artifacts']);
/** A name that can only be an environment variable of ours. */
const OURS = /^HOOK_OBSERVATORY_[A-Z0-9_]+$/;
/** `${NAME:-default}` in a package.json script. */
const SHELL_READ = /\$\{([A-Z][A-Z0-9_]*)/g;

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : tsFilesUnder(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The environment variables one source file reads or names. */
function variablesIn(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  // Every pattern below needs one of these words; parsing only such files saves seconds.
  if (!/env|HOOK_OBSERVATORY_/i.test(text)) return [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const isEnv = (node: ts.Expression): boolean => /(^|\.)env$/i.test(node.getText(source));
  const visit = (node: ts.Node): void => {
    if (
      ts.isElementAccessExpression(node) &&
      isEnv(node.expression) &&
      ts.isStringLiteralLike(node.argumentExpression)
    ) {
      found.push(node.argumentExpression.text);
    } else if (
      ts.isPropertyAccessExpression(node) &&
      isEnv(node.expression) &&
      /^[A-Z][A-Z0-9_]*$/.test(node.name.text)
    ) {
      found.push(node.name.text);
    } else if (
      ts.isVariableDeclaration(node) &&
      /_ENV$/.test(node.name.getText(source)) &&
      node.initializer &&
      ts.isStringLiteralLike(node.initializer)
    ) {
      found.push(node.initializer.text);
    } else if (ts.isStringLiteralLike(node) && OURS.test(node.text)) {
      found.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function variablesTheCodeReads(): string[] {
  const files = ['packages', 'scripts', 'test'].flatMap((dir) => tsFilesUnder(join(ROOT, dir)));
  const scripts = Object.values(
    (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts,
  );
  const fromScripts = scripts.flatMap((script) =>
    [...script.matchAll(SHELL_READ)].map((match) => match[1]!),
  );
  return [...new Set([...files.flatMap(variablesIn), ...fromScripts])].sort();
}

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('\n## Tests\n'),
  readme.indexOf('\n## ', readme.indexOf('\n## Tests\n') + 1),
);
/** The first cell of each row of the section's tables, split at commas: `` `test/core` ``, `` `NAME` ``. */
const firstCells = [...section.matchAll(/^\| ([^|]+) \|/gm)].flatMap((match) =>
  [...match[1]!.matchAll(/`([^`]+)`/g)].map((name) => name[1]!),
);

describe("the README's Tests section", () => {
  it('names every test folder, and only those', () => {
    const folders = readdirSync(join(ROOT, 'test'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !SKIPPED.has(entry.name))
      .map((entry) => `test/${entry.name}`);
    expect(firstCells.filter((cell) => cell.startsWith('test/')).sort()).toEqual(folders.sort());
  });

  it('names every environment variable the code reads, and only those', () => {
    const named = firstCells.filter((cell) => /^[A-Z][A-Z0-9_]+$/.test(cell));
    expect([...named].sort()).toEqual(variablesTheCodeReads());
  });

  it('names every pnpm test script, and no script that is not there', () => {
    const scripts = Object.keys(
      (
        JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
          scripts: Record<string, string>;
        }
      ).scripts,
    );
    const named = [...section.matchAll(/`pnpm (test[\w:]*)`/g)].map((match) => match[1]!);
    expect([...new Set(named)].sort()).toEqual(
      scripts.filter((name) => /^test(:|$)/.test(name)).sort(),
    );
  });
});

/** One file pattern of the unit tier as one pattern per `{a,b}` alternative. */
const alternatives = (pattern: string): string[] => {
  const braces = /\{([^}]+)\}/.exec(pattern);
  return braces === null
    ? [pattern]
    : braces[1]!.split(',').flatMap((name) => alternatives(pattern.replace(braces[0], name)));
};

/** `*` stands for any part of one name. */
const matches = (pattern: string, file: string): boolean =>
  new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`).test(file);

describe('the unit tier (vitest.config.ts)', () => {
  const files = tsFilesUnder(join(ROOT, 'test')).map((file) => relative(ROOT, file));
  it.each(UNIT_FILES.flatMap(alternatives))('%s finds a file', (pattern) => {
    expect(files.filter((file) => matches(pattern, file))).not.toEqual([]);
  });
});
