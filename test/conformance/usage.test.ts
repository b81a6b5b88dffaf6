/**
 * GET /sessions/<id>/usage on both servers (core/src/session-usage.ts): the
 * same bytes from each, and what each kind of answer says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS } from '@hook-observatory/launcher';
import {
  USAGE_CASES,
  USAGE_ENVIRONMENT,
  USAGE_SESSION,
} from '@hook-observatory/conformance/cases/usage';
import { ServerPair } from '@hook-observatory/conformance/harness/server-pair';
import { checkCase } from './suite.js';

/** After Content-Length on every usage answer: never cached, sniffed or framed. */
const USAGE_HEADERS =
  "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: frame-ancestors 'none'\r\n";

/** What the last answer of each case holds, beyond both servers sending the same bytes. */
const EXPECTED: Readonly<Record<string, ReadonlyArray<string | RegExp>>> = {
  'usage-found': [
    USAGE_HEADERS,
    `"session":"${USAGE_SESSION}"`,
    /"total":\{"messages":4,"input_tokens":920,"output_tokens":530,"cache_creation_input_tokens":21500,"cache_read_input_tokens":20000,"cost_usd":0.14331\}/,
  ],
  'usage-head': [
    /HTTP\/1\.1 200 OK\r\nContent-Type: application\/json\r\nContent-Length: \d+\r\n/,
    USAGE_HEADERS,
  ],
  'usage-then-health-pipelined': [/"cost_usd":0\.14331[^]*\{"status":"ok"\}$/],
  'usage-transcript-missing': ['HTTP/1.1 404 Not Found', 'does not exist'],
  'usage-transcript-outside-refused': ['HTTP/1.1 403 Forbidden', USAGE_HEADERS, 'refused:'],
  'usage-link-out-refused': ['HTTP/1.1 403 Forbidden', 'refused:'],
  'usage-dot-dot-refused': ['HTTP/1.1 403 Forbidden', 'refused:'],
  'usage-unknown-session': ['HTTP/1.1 404 Not Found', 'unknown session'],
  'usage-post-not-allowed': ['HTTP/1.1 405 Method Not Allowed', 'Allow: GET, HEAD'],
  'usage-not-a-session-id': ['HTTP/1.1 404 Not Found', '{"error":"not found"}'],
  'usage-cross-site-refused': ['HTTP/1.1 403 Forbidden', '(Sec-Fetch-Site)'],
  'usage-other-origin-refused': ['HTTP/1.1 403 Forbidden', '(with an Origin header)'],
};

describe.each(TRANSPORTS)('usage over %s', (transport) => {
  let pair: ServerPair;
  beforeAll(async () => {
    pair = await ServerPair.start(transport, { env: USAGE_ENVIRONMENT });
  });
  afterAll(async () => {
    await pair?.stop();
  });
  it.for(USAGE_CASES.map((testCase) => ({ testCase, name: testCase.name })))(
    '$name',
    async ({ testCase }, context) => {
      const capture = await checkCase(pair, 'usage', testCase, context);
      const received = capture.http.clients[0]?.received.toString('utf8') ?? '';
      for (const wanted of EXPECTED[testCase.name] ?? ['(no expectation)']) {
        expect(received).toMatch(wanted);
      }
      if (testCase.name === 'usage-head') expect(received).not.toMatch('"session"');
    },
  );
});
