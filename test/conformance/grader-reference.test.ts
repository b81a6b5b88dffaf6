/**
 * Every subject is compared with one capture of node:http per case, so a
 * reference capture spoiled by a loaded machine would cost every subject that
 * case. The grader plays such a capture again (grade.ts, REFERENCE_REPLAYS):
 * here the reference drops its first request's connection, unanswered.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SERVERS } from '@hook-observatory/launcher';
import { grade, REFERENCE_REPLAYS } from '@hook-observatory/conformance/grader/grade';
import { namedSubject } from '@hook-observatory/conformance/grader/subjects';

const DROPS_FIRST_REQUEST = join(ROOT, 'test/fixtures/drop-first-request.mjs');

/** node:http, but each of its processes drops its first request's connection unanswered. */
const STARVED_REFERENCE = {
  name: 'http-dropping-its-first-request',
  entry: {
    kind: 'command',
    argv: [process.execPath, '--import', DROPS_FIRST_REQUEST, SERVERS.http.file],
  },
} as const;

/** A family of short cases, each on connections of its own. */
const FAMILY = 'routing';

describe('the grader against a reference that misses a case', () => {
  it('plays the reference again, so the server matching node:http scores every case', async () => {
    expect(REFERENCE_REPLAYS).toBeGreaterThan(0);
    const [graded] = await grade([namedSubject('http')!], {
      families: [FAMILY],
      reference: STARVED_REFERENCE,
    });
    const differing = graded!.outcomes.filter((outcome) => outcome.differences.length > 0);
    expect(differing.map((outcome) => outcome.caseName)).toEqual([]);
    expect(graded!.identical).toBe(graded!.cases);
  });
});
