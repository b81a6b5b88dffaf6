/**
 * The grader's groups send a student to read a section of the notes: each
 * group's section, and the sections of families whose rules are explained
 * elsewhere, exist; a failure of the header cases points at the headers, not
 * at the request line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headingSlugs } from '../../scripts/docs/links.js';
import { ROOT } from '@hook-observatory/launcher';
import { GROUPS, noteFor } from '@hook-observatory/conformance/families';

const groupNamed = (name: string) => GROUPS.find((group) => group.name === name)!;

describe('where a failing group sends a student', () => {
  it.each(
    GROUPS.flatMap((group) =>
      [group.note, ...Object.values(group.familyNotes ?? {})].map(
        (note) => [group.name, note] as const,
      ),
    ),
  )('%s: %s is a section of its note', (_, note) => {
    const [file, anchor] = note.split('#') as [string, string];
    expect(headingSlugs(readFileSync(join(ROOT, file), 'utf8'))).toContain(anchor);
  });

  it.each([
    { family: 'headers', group: 'malformed', read: 'docs/net-server.md#headers' },
    { family: 'request-line', group: 'malformed', read: 'docs/net-server.md#the-request-line' },
    { family: 'routing', group: 'routing', read: 'docs/net-server.md#3-route' },
  ])('a failure of $family reads $read', ({ family, group, read }) => {
    expect(noteFor(groupNamed(group), family)).toBe(read);
  });
});
