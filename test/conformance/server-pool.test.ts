/**
 * The grader's pool of servers (grader/server-pool.ts), with the starts
 * counted instead of made: a family of an environment of its own gets a
 * server per warm, one the lanes can take with no start of its own, while the
 * servers without an environment pass from family to family.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SERVERS } from '@hook-observatory/launcher';
import { ServerPool } from '@hook-observatory/conformance/grader/server-pool';
import { StagedServer } from '@hook-observatory/conformance/harness/server-pair';

const HTTP = { name: 'http', entry: SERVERS.http };
const LIMITS = { HOOK_OBSERVATORY_TEST_LIMIT: '1' };

/** A pool whose starts are counted, each a stand-in that can only be stopped. */
function countedPool(): { pool: ServerPool; starts: () => number; stops: () => number } {
  let stopped = 0;
  const start = vi
    .spyOn(StagedServer, 'start')
    .mockImplementation(() =>
      Promise.resolve({ stop: () => Promise.resolve(void stopped++) } as unknown as StagedServer),
    );
  return {
    pool: new ServerPool('tcp'),
    starts: () => start.mock.calls.length,
    stops: () => stopped,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const CASES = [
  { name: 'two-families-of-one-environment-warmed-two-servers', env: LIMITS, warms: 2, starts: 2 },
  {
    name: 'two-families-without-an-environment-warmed-one-server',
    env: undefined,
    warms: 2,
    starts: 1,
  },
];

describe("the grader's pool of servers", () => {
  it.each(CASES)('$name', async ({ env, warms, starts: expected }) => {
    const { pool, starts } = countedPool();
    for (let warm = 0; warm < warms; warm++) pool.warm(HTTP, env);
    expect(starts()).toBe(expected);
    // Each warmed server is taken without a start of its own.
    for (let take = 0; take < expected; take++) await pool.take(HTTP, env);
    expect(starts()).toBe(expected);
    await pool.stopAll();
  });

  it('stops-a-server-of-an-environment-given-back-and-keeps-one-without', async () => {
    const { pool, starts, stops } = countedPool();
    pool.give(HTTP, LIMITS, await pool.take(HTTP, LIMITS));
    expect(stops()).toBe(1);
    pool.give(HTTP, undefined, await pool.take(HTTP, undefined));
    await pool.take(HTTP, undefined);
    expect([starts(), stops()]).toEqual([2, 1]);
  });
});
