/**
 * The pieces both servers share to refuse a body: the limits and their
 * test-only overrides, the budget every connection draws from, the answers,
 * and the record a refused hook leaves in the stream.
 */
import { describe, expect, it } from 'vitest';
import { BODY_LIMIT_ENV } from '@hook-observatory/core/internal/test-overrides';
import { BodyBudget, bodyRefusalAnswer } from '@hook-observatory/core/internal/body-limits';
import { MAX_BODY_BYTES, MAX_BUFFERED_BODY_BYTES } from '@hook-observatory/core/internal/protocol';
import { UsageError } from '@hook-observatory/core/vocabulary';
import { declaredTooLong, enrich } from '@hook-observatory/core';
import { parseCommand, type BodyLimits } from '@hook-observatory/core/internal/config';
import { refusedBodyRecord } from '@hook-observatory/core/internal/enrich';

const TIMESTAMP = '2026-01-01T00:00:00.000Z';
const LIMITS: BodyLimits = { maxBodyBytes: 1_000, maxBufferedBodyBytes: 3_000 };

function bodyLimits(env: NodeJS.ProcessEnv): BodyLimits {
  const command = parseCommand([], env);
  if (command.kind !== 'run') throw new Error('expected run');
  return command.config.bodyLimits;
}

describe('body limits', () => {
  it('defaults-are-protocol-constants', () => {
    expect(bodyLimits({})).toEqual({
      maxBodyBytes: MAX_BODY_BYTES,
      maxBufferedBodyBytes: MAX_BUFFERED_BODY_BYTES,
    });
  });

  it('tests-shorten-them-through-the-environment', () => {
    const env = {
      [BODY_LIMIT_ENV.maxBodyBytes]: '1000',
      [BODY_LIMIT_ENV.maxBufferedBodyBytes]: '3000',
    };
    expect(bodyLimits(env)).toEqual(LIMITS);
  });

  it('an-override-that-is-not-a-number-is-a-usage-error', () => {
    expect(() => bodyLimits({ [BODY_LIMIT_ENV.maxBodyBytes]: '1k' })).toThrow(UsageError);
  });

  it.each([
    { name: 'no-content-length', contentLength: undefined, tooLong: false },
    { name: 'at-the-limit', contentLength: '1000', tooLong: false },
    { name: 'one-past-the-limit', contentLength: '1001', tooLong: true },
    { name: 'past-uint64-range-of-a-number', contentLength: '18446744073709551615', tooLong: true },
  ])('declared-$name', ({ contentLength, tooLong }) => {
    expect(declaredTooLong(contentLength, LIMITS)).toBe(tooLong);
  });
});

describe('the shared budget', () => {
  it('takes-up-to-its-capacity-and-refuses-a-piece-that-does-not-fit', () => {
    const budget = new BodyBudget(3_000);
    expect(budget.take(2_000)).toBe(true);
    expect(budget.take(1_001)).toBe(false);
    expect(budget.heldBytes).toBe(2_000);
    expect(budget.take(1_000)).toBe(true);
    expect(budget.heldBytes).toBe(3_000);
  });

  it('what-is-given-back-can-be-taken-again', () => {
    const budget = new BodyBudget(3_000);
    budget.take(3_000);
    budget.giveBack(3_000);
    expect(budget.take(3_000)).toBe(true);
  });
});

describe('the answers', () => {
  it('too-large-is-413-and-closes', () => {
    expect(bodyRefusalAnswer('too-large', LIMITS)).toEqual({
      status: 413,
      body: '{"error":"body too large: the limit is 1000 bytes"}',
      headers: [['Connection', 'close']],
      reason: 'body over the 1000-byte limit',
    });
  });

  it('busy-is-503-with-retry-after-and-closes', () => {
    expect(bodyRefusalAnswer('busy', LIMITS)).toMatchObject({
      status: 503,
      headers: [
        ['Retry-After', '1'],
        ['Connection', 'close'],
      ],
      reason: '3000 bytes of bodies already held',
    });
  });
});

describe('the record of a refused hook', () => {
  it('names-the-event-who-sent-it-why-and-how-many-bytes', () => {
    const record = refusedBodyRecord({
      timestamp: TIMESTAMP,
      eventFromQuery: 'PostToolUse',
      origin: { transport: 'tcp', address: '127.0.0.1' },
      bodyBytes: 629_145_600,
      error: 'body over the 1000-byte limit',
    });
    expect(JSON.stringify(record)).toBe(
      '{"_ts":"2026-01-01T00:00:00.000Z","_event":"PostToolUse","_client":"127.0.0.1","_error":"body over the 1000-byte limit","_body_bytes":629145600}',
    );
  });

  it('without-a-query-the-event-is-unknown', () => {
    const record = refusedBodyRecord({
      timestamp: TIMESTAMP,
      eventFromQuery: undefined,
      origin: { transport: 'unix', peer: undefined },
      bodyBytes: 1,
      error: 'x',
    });
    expect(record['_event']).toBe('Unknown');
  });

  it('a-payload-cannot-forge-an-error', () => {
    const record = enrich({
      timestamp: TIMESTAMP,
      eventFromQuery: 'Stop',
      origin: { transport: 'tcp', address: undefined },
      body: Buffer.from('{"_error":"forged","_body_bytes":1}'),
    });
    expect(record).toEqual({
      _ts: TIMESTAMP,
      _event: 'Stop',
      _error_from_payload: 'forged',
      _body_bytes_from_payload: 1,
    });
  });
});
