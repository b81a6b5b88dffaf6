/**
 * The lessons are hook receivers a student can use: each records the recorded
 * real sessions' curl hooks as the servers do (the same event stream, byte for
 * byte, under the test clock), and the last lesson is the net server itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, TRANSPORTS, type Transport } from '@hook-observatory/launcher';
import { LESSONS, lessonFile } from '@hook-observatory/lessons';
import { REAL_TRAFFIC_CASES } from '@hook-observatory/conformance/cases/real-traffic';
import { ServerPair } from '@hook-observatory/conformance/harness/server-pair';
import { builtLesson } from '../helpers/built-lessons.js';
import { statusesIn } from '@hook-observatory/conformance/harness/wire-client';

/** The bound for the first lesson, comments included, laid out at the project's width (100). */
const FIRST_LESSON_MAX_LINES = 115;
/**
 * The recorded traffic each lesson records: curl's command hooks (one
 * request per connection) from lesson 1, Claude Code's native http hooks
 * (kept-alive connections) from lesson 2, the lesson that keeps them alive,
 * and curl's hook over 1 MiB, which waits for its 100 Continue, from lesson 7.
 */
const SESSIONS_FROM_LESSON: ReadonlyArray<readonly [RegExp, number]> = [
  [/^curl-hooks-.*-session$/, 1],
  [/^native-hooks-.*-session$/, 2],
  [/^curl-hook-over-one-mebibyte-expect-continue$/, 7],
];
/** The statuses a well-behaved client meets: the interim 100 Continue, and the empty 200. */
const GOOD_STATUSES = [100, 200];
const sessionsFor = (lesson: number): typeof REAL_TRAFFIC_CASES =>
  REAL_TRAFFIC_CASES.filter((testCase) =>
    SESSIONS_FROM_LESSON.some(([name, from]) => lesson >= from && name.test(testCase.name)),
  );

describe('the lessons', () => {
  it('lesson-1-fits-in-115-lines', () => {
    const lines = readFileSync(lessonFile(1)!, 'utf8')
      .split('\n')
      .filter((line, index, all) => index < all.length - 1 || line !== '');
    expect(lines.length).toBeLessThanOrEqual(FIRST_LESSON_MAX_LINES);
  });

  it('the-last-lesson-is-the-net-server-itself-and-lesson-0-comes-first', () => {
    expect(lessonFile(LESSONS.length)).toBe(join(ROOT, 'packages/net-server/src/main.ts'));
    expect(lessonFile(0)).toBe(join(ROOT, 'packages/lessons/src/00-first-bytes.ts'));
    expect(lessonFile(-1)).toBeUndefined();
    expect(lessonFile(LESSONS.length + 1)).toBeUndefined();
  });
});

/** Every lesson before the last (the last is the net server, which the conformance suite covers). */
const OWN_LESSONS = LESSONS.slice(0, -1).map((_, index) => index + 1);
/**
 * The transport `pnpm test` plays a lesson over, alternating from lesson to
 * lesson; the slow tier plays it over the other. A lesson listens through
 * core's runServer, which the servers' conformance suite plays over both.
 */
const everyRun = (lesson: number): Transport => TRANSPORTS[(lesson - 1) % TRANSPORTS.length]!;

describe.each(
  OWN_LESSONS.flatMap((lesson) => TRANSPORTS.map((transport) => [lesson, transport] as const)),
)('lesson %i over %s', (lesson, transport) => {
  let pair: ServerPair;
  beforeAll(async () => {
    pair = await ServerPair.start(transport, { subject: builtLesson(lesson) });
  });
  afterAll(async () => {
    await pair?.stop();
  });

  for (const testCase of sessionsFor(lesson).filter(
    (candidate) => candidate.only === undefined || candidate.only === transport,
  )) {
    const tags = transport === everyRun(lesson) ? [] : ['slow'];
    it(`records-${testCase.name}-as-the-servers-do`, { tags }, async () => {
      const capture = await pair.play(testCase);
      expect(capture.net.stdout.toString('utf8').split('\n').length - 1).toBe(testCase.events);
      expect(capture.net.stdout.toString('utf8')).toBe(capture.http.stdout.toString('utf8'));
      const statuses = capture.net.clients.map((client) => statusesIn(client.received));
      expect(statuses).toEqual(capture.http.clients.map((client) => statusesIn(client.received)));
      expect(statuses.flat().every((status) => GOOD_STATUSES.includes(status))).toBe(true);
      expect(statuses.flat()).toContain(200);
    });
  }
});
