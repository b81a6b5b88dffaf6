/**
 * The on-ramp: every note links each glossary term where it first uses it,
 * and the glossary defines every term in the table, and only those.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstUses, GLOSSARY_NOTE, TERMS, unlinkedFirstUses } from '../../scripts/docs/glossary.js';
import { headingSlugs } from '../../scripts/docs/links.js';
import { readNotes } from '../../scripts/docs/notes.js';
import { DOCS_DIR } from '../../scripts/docs/paths.js';

const glossary = readFileSync(join(DOCS_DIR, GLOSSARY_NOTE), 'utf8');

describe('the glossary', () => {
  it.each(readNotes().filter((note) => note.path !== `docs/${GLOSSARY_NOTE}`).map((note) => [note.path, note] as const))(
    '%s links each term to the glossary where it first uses it',
    (_, note) => {
      expect(unlinkedFirstUses(note.text, note.path)).toEqual([]);
    },
  );

  it('defines every term of the table under its anchor', () => {
    const anchors = headingSlugs(glossary);
    expect(TERMS.map((term) => term.anchor).filter((anchor) => !anchors.has(anchor))).toEqual([]);
  });

  it('defines no term the table leaves unchecked', () => {
    const defined = [...glossary.matchAll(/^### (.+)$/gm)].map((match) => [...headingSlugs(`### ${match[1]}`)][0]);
    expect(defined.filter((anchor) => !TERMS.some((term) => term.anchor === anchor))).toEqual([]);
  });
});

describe('a first use', () => {
  const use = (markdown: string, anchor: string) => firstUses(markdown).find((found) => found.anchor === anchor);

  it.each([
    { name: 'plain', note: 'A socket here.', anchor: 'socket', href: undefined, line: 1 },
    { name: 'linked', note: 'A [socket](glossary.md#socket) here.', anchor: 'socket', href: 'glossary.md#socket', line: 1 },
    { name: 'plural', note: 'Two\n[sockets](glossary.md#socket).', anchor: 'socket', href: 'glossary.md#socket', line: 2 },
    { name: 'inside-code-span', note: 'See `socket.write`, then a socket.', anchor: 'socket', href: undefined, line: 1 },
    { name: 'code-span-that-is-the-term', note: 'Then [`setImmediate`](glossary.md#setimmediate).', anchor: 'setimmediate', href: 'glossary.md#setimmediate', line: 1 },
    { name: 'in-a-link-target', note: 'See [this](security.md#a-unix-socket).\n\nA kernel.', anchor: 'socket', href: undefined, line: -1 },
    { name: 'heading', note: '## The socket\n\nA socket.', anchor: 'socket', href: undefined, line: 3 },
    { name: 'fenced-code', note: '```ts\nsocket.end();\n```\n\nA socket.', anchor: 'socket', href: undefined, line: 5 },
    { name: 'unix-socket-is-its-own-term', note: 'A [Unix\nsocket](glossary.md#unix-socket).', anchor: 'socket', href: undefined, line: -1 },
    { name: 'linked-elsewhere', note: 'A [socket](net-server.md#1-accept).', anchor: 'socket', href: 'net-server.md#1-accept', line: 1 },
  ])('$name', ({ note, anchor, href, line }) => {
    const found = use(note, anchor);
    if (line === -1) return expect(found).toBeUndefined();
    expect(found).toMatchObject({ line, href });
  });

  it('names the line and the link it should carry', () => {
    expect(unlinkedFirstUses('# T\n\nOne connection.', 'docs/n.md')).toEqual([
      'docs/n.md:3: the first "connection" should link to glossary.md#connection',
    ]);
  });
});
