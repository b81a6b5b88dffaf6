/**
 * The tables the raw server carries by hand must agree with node:http's own,
 * on whatever Node runs the tests.
 */
import { METHODS, STATUS_CODES } from 'node:http';
import { describe, expect, it } from 'vitest';
import { KNOWN_METHODS } from '@hook-observatory/net-server/request-parser';
import { serializeResponse } from '@hook-observatory/net-server/response-writer';

/** Every status either server can send. */
const STATUSES_SENT = [200, 400, 401, 403, 404, 405, 408, 413, 415, 417, 421, 431];

describe('the net server tables', () => {
  it('methods-are-node-http-methods', () => {
    expect([...KNOWN_METHODS].sort()).toEqual([...METHODS].sort());
  });

  it.each(STATUSES_SENT)('reason-phrase-of-%i-is-node-http-one', (status) => {
    const head = serializeResponse(
      { status, headers: [], keepAlive: true, keepAliveTimeoutMs: 5_000 },
      '',
      false,
    );
    expect(head.toString('latin1').split('\r\n')[0]).toBe(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    );
  });
});
