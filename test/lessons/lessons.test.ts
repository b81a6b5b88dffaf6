/**
 * The lessons are hook receivers a student can use: each records the recorded
 * real sessions' curl hooks as the servers do (the same event stream, byte for
 * byte, under the test clock), and the last lesson is the net server itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, TRANSPORTS } from '@hook-observatory/launcher';
import { LESSONS, lessonFile } from '@hook-observatory/lessons';
import { REAL_TRAFFIC_CASES } from '../conformance/cases/real-traffic.js';
import { ServerPair } from '../conformance/harness/server-pair.js';
import { statusesIn } from '../conformance/harness/wire-client.js';

/** The bound for the first lesson, comments included. */
const FIRST_LESSON_MAX_LINES = 80;
const CURL_SESSIONS = REAL_TRAFFIC_CASES.filter((testCase) => /^curl-hooks-.*-session$/.test(testCase.name));

describe('the lessons', () => {
  it('lesson-1-fits-in-80-lines', () => {
    const lines = readFileSync(lessonFile(1)!, 'utf8').split('\n').filter((line, index, all) => index < all.length - 1 || line !== '');
    expect(lines.length).toBeLessThanOrEqual(FIRST_LESSON_MAX_LINES);
  });

  it('the-last-lesson-is-the-net-server-itself', () => {
    expect(lessonFile(LESSONS.length)).toBe(join(ROOT, 'packages/net-server/src/main.ts'));
    expect(lessonFile(0)).toBeUndefined();
    expect(lessonFile(LESSONS.length + 1)).toBeUndefined();
  });
});

describe.each(TRANSPORTS)('lesson 1 over %s', (transport) => {
  let pair: ServerPair;
  beforeAll(async () => {
    pair = await ServerPair.start(transport, { subject: { name: 'lesson-1', entry: { kind: 'tsx', file: lessonFile(1)! } } });
  });
  afterAll(async () => {
    await pair?.stop();
  });

  for (const testCase of CURL_SESSIONS.filter((candidate) => candidate.only === undefined || candidate.only === transport)) {
    it(`records-${testCase.name}-as-the-servers-do`, async () => {
      const capture = await pair.play(testCase);
      expect(capture.net.stdout.toString('utf8').split('\n').length - 1).toBe(testCase.events);
      expect(capture.net.stdout.toString('utf8')).toBe(capture.http.stdout.toString('utf8'));
      expect(capture.net.clients.map((client) => statusesIn(client.received))).toEqual(testCase.clients.map(() => [200]));
    });
  }
});
