/**
 * What core hands a server (ReceiverContext, core/src/serve.ts) is no wider
 * than both servers need: each of its fields is read by the http server and
 * by the net server. A field only one of them reads belongs to that server;
 * core knows nothing belonging to only one server. Read with TypeScript's
 * own parser: a field counts as read where a server writes `context.field`,
 * reaches it through what keeps the context (`connection.context.field`,
 * `this.context.field`) or takes it apart (`const { field } = context`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';

const SERVERS = ['http-server', 'net-server'];

function contextFields(): string[] {
  const file = join(ROOT, 'packages/core/src/serve.ts');
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    false,
  );
  const context = source.statements.find(
    (statement) =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === 'ReceiverContext',
  );
  if (context === undefined || !ts.isInterfaceDeclaration(context)) {
    throw new Error('no ReceiverContext in serve.ts');
  }
  return context.members.flatMap((member) =>
    member.name !== undefined && ts.isIdentifier(member.name) ? [member.name.text] : [],
  );
}

/** `context`, or `something.context`. */
function isContext(node: ts.Expression): boolean {
  if (ts.isIdentifier(node)) return node.text === 'context';
  return ts.isPropertyAccessExpression(node) && node.name.text === 'context';
}

/** The fields of `context` a server's sources read. */
function fieldsRead(server: string): Set<string> {
  const directory = join(ROOT, 'packages', server, 'src');
  const read = new Set<string>();
  for (const name of readdirSync(directory, { recursive: true, encoding: 'utf8' }).filter((path) =>
    path.endsWith('.ts'),
  )) {
    const file = join(directory, name);
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && isContext(node.expression)) {
        read.add(node.name.text);
      }
      if (
        ts.isVariableDeclaration(node) &&
        node.initializer !== undefined &&
        ts.isIdentifier(node.initializer) &&
        node.initializer.text === 'context'
      ) {
        if (ts.isObjectBindingPattern(node.name)) {
          for (const element of node.name.elements) {
            read.add(((element.propertyName ?? element.name) as ts.Identifier).text);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true));
  }
  return read;
}

describe('ReceiverContext', () => {
  const fields = contextFields();

  it('is found, with its fields', () => {
    expect(fields).toEqual(expect.arrayContaining(['askOrigin', 'record', 'eventStream']));
  });

  it.for(SERVERS)('has no field the %s does not read', (server) => {
    const read = fieldsRead(server);
    expect(fields.filter((field) => !read.has(field))).toEqual([]);
  });
});
