/**
 * The empty 200 is made once a second and reused: it must stay the bytes
 * serializeResponse would write now, Date included.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { serializeEmptyOk, serializeResponse } from '@hook-observatory/net-server/response-writer';

const KEEP_ALIVE_TIMEOUT_MS = 5_000;
const MIDNIGHT = Date.UTC(2026, 0, 1, 0, 0, 0);

function freshEmptyOk(keepAlive: boolean): string {
  const headers = [
    ['Content-Type', 'application/json'],
    ['Content-Length', '0'],
  ] as const;
  return serializeResponse({ status: 200, headers, keepAlive, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS }, '', false).toString('latin1');
}

describe('the cached empty 200', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    { name: 'empty-ok-keep-alive-as-serialized', keepAlive: true },
    { name: 'empty-ok-close-as-serialized', keepAlive: false },
  ])('$name', ({ keepAlive }) => {
    vi.setSystemTime(MIDNIGHT);
    expect(serializeEmptyOk(keepAlive, KEEP_ALIVE_TIMEOUT_MS).toString('latin1')).toBe(freshEmptyOk(keepAlive));
  });

  it('empty-ok-reused-within-a-second', () => {
    vi.setSystemTime(MIDNIGHT + 100);
    const first = serializeEmptyOk(true, KEEP_ALIVE_TIMEOUT_MS);
    vi.setSystemTime(MIDNIGHT + 900);
    expect(serializeEmptyOk(true, KEEP_ALIVE_TIMEOUT_MS)).toBe(first);
  });

  it('empty-ok-follows-the-date', () => {
    vi.setSystemTime(MIDNIGHT + 900);
    expect(serializeEmptyOk(true, KEEP_ALIVE_TIMEOUT_MS).toString('latin1')).toContain('Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n');
    vi.setSystemTime(MIDNIGHT + 1_000);
    const next = serializeEmptyOk(true, KEEP_ALIVE_TIMEOUT_MS).toString('latin1');
    expect(next).toContain('Date: Thu, 01 Jan 2026 00:00:01 GMT\r\n');
    expect(next).toBe(freshEmptyOk(true));
  });

  it('empty-ok-follows-the-keep-alive-timeout', () => {
    vi.setSystemTime(MIDNIGHT);
    expect(serializeEmptyOk(true, 2_000).toString('latin1')).toContain('Keep-Alive: timeout=2\r\n');
    expect(serializeEmptyOk(true, KEEP_ALIVE_TIMEOUT_MS).toString('latin1')).toContain('Keep-Alive: timeout=5\r\n');
  });
});
