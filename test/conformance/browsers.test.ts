import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS } from '@hook-observatory/launcher';
import { BROWSER_CASES } from '@hook-observatory/conformance/cases/browsers';
import { STREAM_ENVIRONMENT } from '@hook-observatory/conformance/cases/stream';
import { ServerPair } from '@hook-observatory/conformance/harness/server-pair';
import { checkCase } from './suite.js';

/** On every answer with a body, in this order, after Content-Length (core/src/protocol.ts). */
const BROWSER_HEADERS =
  "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: frame-ancestors 'none'\r\n";
/** The page has a policy of its own, which forbids framing as well. */
const PAGE_POLICY =
  /Content-Security-Policy: default-src 'none';[^\r\n]*; frame-ancestors 'none'\r\n/;

/** What each kind of answer carries, beyond both servers sending the same bytes (checkCase). */
function expectationsFor(name: string): {
  holds: ReadonlyArray<string | RegExp>;
  lacks: ReadonlyArray<string | RegExp>;
} {
  if (name === 'node-fetch-hook') {
    return {
      holds: ['HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 0\r\nDate: '],
      lacks: ['X-Frame-Options', 'nosniff'],
    };
  }
  if (name.endsWith('-refused') || name.endsWith('-refused-unrecorded')) {
    const byOrigin = /-(fetch|eventsource)-at-/.test(name);
    return {
      holds: [
        `HTTP/1.1 403 Forbidden\r\n`,
        BROWSER_HEADERS,
        byOrigin ? '(with an Origin header)' : '(Sec-Fetch-Site)',
      ],
      lacks: ['event: hello'],
    };
  }
  if (name.endsWith('-to-page') || name === 'curl-at-page') {
    return {
      holds: [
        'HTTP/1.1 200 OK\r\n',
        'X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n',
        PAGE_POLICY,
      ],
      lacks: [],
    };
  }
  if (name.endsWith('-at-stream')) {
    return { holds: [`Cache-Control: no-store\r\n${BROWSER_HEADERS}`, 'event: hello'], lacks: [] };
  }
  return { holds: [BROWSER_HEADERS], lacks: [] };
}

describe.each(TRANSPORTS)('browsers over %s', (transport) => {
  let pair: ServerPair;
  beforeAll(async () => {
    pair = await ServerPair.start(transport, { env: STREAM_ENVIRONMENT });
  });
  afterAll(async () => {
    await pair?.stop();
  });
  it.for(BROWSER_CASES.map((testCase) => ({ testCase, name: testCase.name })))(
    '$name',
    async ({ testCase }, context) => {
      const capture = await checkCase(pair, 'browsers', testCase, context);
      const received = capture.http.clients[0]?.received.toString('utf8') ?? '';
      const { holds, lacks } = expectationsFor(testCase.name);
      for (const wanted of holds) expect(received).toMatch(wanted);
      for (const unwanted of lacks) expect(received).not.toMatch(unwanted);
    },
  );
});
