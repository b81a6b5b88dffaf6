import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS } from '@hook-observatory/launcher';
import {
  STREAM_CASES,
  STREAM_ENVIRONMENT,
  STREAM_INSTANCE,
  TEST_RING_SIZE,
} from '@hook-observatory/conformance/cases/stream';
import { ServerPair } from '@hook-observatory/conformance/harness/server-pair';
import { checkCase, conformanceSuite } from './suite.js';

conformanceSuite('stream', STREAM_CASES, { env: STREAM_ENVIRONMENT });

/** Ours after Content-Type: never stored, never sniffed, never framed (core/src/protocol.ts). */
const STREAM_OWN_HEADERS =
  'Content-Type: text/event-stream\r\nCache-Control: no-store\r\n' +
  "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: frame-ancestors 'none'\r\n";
/** What node:http writes before the first message: our headers, Date, Connection, Keep-Alive, chunked. */
const STREAM_HEAD = `HTTP/1.1 200 OK\r\n${STREAM_OWN_HEADERS}Date: <date>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n`;

/** Both servers agree (checkCase); these say what they agree on. */
const WHAT_ARRIVES: ReadonlyArray<{
  name: string;
  holds: readonly (string | RegExp)[];
  lacks: readonly (string | RegExp)[];
}> = [
  {
    name: 'stream-live-events-in-order',
    holds: [
      STREAM_HEAD,
      /^[0-9a-f]+\r\nretry: 2000\nevent: hello\ndata: \{"instance":"conformance",/m,
      /event: PreToolUse\ndata: \{[^\n]*"marker":"one"\}\n\n\r\n[0-9a-f]+\r\nid: conformance-\d+\nevent: PostToolUse\n/,
    ],
    lacks: [],
  },
  {
    name: 'stream-filter-by-event',
    holds: ['"marker":"kept"', '"marker":"last"'],
    lacks: ['"marker":"left-out"'],
  },
  {
    name: 'stream-other-sessions-left-out',
    holds: ['"marker":"mine"'],
    lacks: ['"marker":"theirs"'],
  },
  {
    name: 'stream-session-by-prefix',
    holds: ['"marker":"whole-id"'],
    lacks: ['"marker":"other"'],
  },
  { name: 'stream-resume-up-to-date', holds: ['"marker":"next"'], lacks: [/"marker":"(?!next")/] },
  {
    name: 'stream-resume-past-the-ring',
    holds: [new RegExp(`event: gap\\ndata: \\{"after":1,"oldest":\\d+\\}`)],
    lacks: [],
  },
  {
    name: 'stream-head',
    holds: [
      `HTTP/1.1 200 OK\r\n${STREAM_OWN_HEADERS}Date: <date>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n`,
    ],
    lacks: ['Transfer-Encoding', 'retry:'],
  },
  {
    name: 'stream-http10-bare-and-closed',
    holds: ['Connection: close\r\n\r\nretry: 2000\n'],
    lacks: ['Transfer-Encoding'],
  },
  { name: 'stream-pipelined-request-waits', holds: ['event: hello'], lacks: ['{"status":"ok"}'] },
];

describe.each(TRANSPORTS)('what the stream carries over %s', (transport) => {
  let pair: ServerPair;
  beforeAll(async () => {
    pair = await ServerPair.start(transport, { env: STREAM_ENVIRONMENT });
  });
  afterAll(async () => {
    await pair?.stop();
  });
  // Played in the table's order, so that the ring has moved past id 1 when the gap case runs.
  it.for(STREAM_CASES.map((testCase) => ({ testCase, name: testCase.name })))(
    '$name',
    async ({ testCase }, context) => {
      const capture = await checkCase(pair, 'stream-contents', testCase, context);
      const row = WHAT_ARRIVES.find((candidate) => candidate.name === testCase.name);
      if (row === undefined) return;
      const received = capture.http.clients[0]?.received.toString('utf8') ?? '';
      for (const wanted of row.holds) expect(received).toMatch(wanted);
      for (const unwanted of row.lacks) expect(received).not.toMatch(unwanted);
    },
  );
});

it('the family sends more events than the test ring holds before the gap case', () => {
  const before = STREAM_CASES.slice(
    0,
    STREAM_CASES.findIndex((testCase) => testCase.name === 'stream-resume-past-the-ring'),
  );
  expect(before.reduce((sum, testCase) => sum + testCase.events, 0)).toBeGreaterThan(
    TEST_RING_SIZE + 1,
  );
  expect(STREAM_INSTANCE).toMatch(/^[0-9a-z]+$/);
});
