/**
 * No function in packages/ longer than a screen or two (the developers'
 * guide): a longer one hides its steps. Parsed with TypeScript's own parser,
 * so that a function is whatever TypeScript says is one: declarations,
 * methods, arrows, accessors.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';
import { packageSources } from './package-sources.js';

/** Lines from a function's first line to its last, both counted. */
const MAX_FUNCTION_LINES = 120;

interface FunctionSpan {
  readonly where: string;
  readonly lines: number;
}

function functionsOf(file: string): FunctionSpan[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const spans: FunctionSpan[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      spans.push({ where: `${relative(ROOT, file)}:${first + 1}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return spans;
}

describe('the packages', () => {
  const files = packageSources();

  it('are found', () => {
    expect(files.map((file) => relative(ROOT, file))).toContain('packages/net-server/src/main.ts');
  });

  it(`have no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = files.flatMap(functionsOf).filter((span) => span.lines > MAX_FUNCTION_LINES);
    expect(long).toEqual([]);
  });
});
