import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXED_TS, TRANSPORTS } from '@hook-observatory/launcher';
import {
  BODY_BUDGET_CASES,
  BODY_BUDGET_ENVIRONMENT,
  BODY_LIMIT_CASES,
  BODY_LIMIT_ENVIRONMENT,
  TEST_BUDGET_BELOW_LIMIT,
  TEST_MAX_BODY_BYTES,
} from '@hook-observatory/conformance/cases/body-limits';
import { ServerPair } from '@hook-observatory/conformance/harness/server-pair';
import { checkCase, conformanceSuite } from './suite.js';
import type { TrafficCase } from '@hook-observatory/conformance/harness/traffic-script';

conformanceSuite('body-limits', BODY_LIMIT_CASES, { env: BODY_LIMIT_ENVIRONMENT });
conformanceSuite('body-budget', BODY_BUDGET_CASES, { env: BODY_BUDGET_ENVIRONMENT });

const byName = (cases: readonly TrafficCase[], name: string): TrafficCase => {
  const found = cases.find((testCase) => testCase.name === name);
  if (found === undefined) throw new Error(`no case ${name}`);
  return found;
};

const TOO_LARGE = `body over the ${TEST_MAX_BODY_BYTES}-byte limit`;
const BUSY = `${TEST_BUDGET_BELOW_LIMIT} bytes of bodies already held`;

/** The record each refusal leaves: the event from the query, who sent it, why, and how many bytes. */
const RECORDS: ReadonlyArray<{
  cases: readonly TrafficCase[];
  env: Readonly<Record<string, string>>;
  name: string;
  record: object;
}> = [
  {
    cases: BODY_LIMIT_CASES,
    env: BODY_LIMIT_ENVIRONMENT,
    name: 'content-length-over-limit',
    record: { _error: TOO_LARGE, _body_bytes: TEST_MAX_BODY_BYTES + 1 },
  },
  {
    cases: BODY_LIMIT_CASES,
    env: BODY_LIMIT_ENVIRONMENT,
    name: 'content-length-far-over-limit',
    record: { _error: TOO_LARGE, _body_bytes: 600_000_000 },
  },
  {
    cases: BODY_LIMIT_CASES,
    env: BODY_LIMIT_ENVIRONMENT,
    name: 'content-length-over-limit-expect-continue',
    record: { _error: TOO_LARGE, _body_bytes: TEST_MAX_BODY_BYTES + 1 },
  },
  // Chunked: the bytes that had arrived when the body passed the limit, the whole chunk that passed it.
  {
    cases: BODY_LIMIT_CASES,
    env: BODY_LIMIT_ENVIRONMENT,
    name: 'chunked-over-limit-one-write',
    record: { _error: TOO_LARGE, _body_bytes: 1_100 },
  },
  {
    cases: BODY_LIMIT_CASES,
    env: BODY_LIMIT_ENVIRONMENT,
    name: 'chunked-over-limit-split',
    record: { _error: TOO_LARGE, _body_bytes: 1_100 },
  },
  {
    cases: BODY_BUDGET_CASES,
    env: BODY_BUDGET_ENVIRONMENT,
    name: 'content-length-over-budget',
    record: { _error: BUSY, _body_bytes: TEST_BUDGET_BELOW_LIMIT + 1 },
  },
  {
    cases: BODY_BUDGET_CASES,
    env: BODY_BUDGET_ENVIRONMENT,
    name: 'chunked-over-budget',
    record: { _error: BUSY, _body_bytes: 601 },
  },
];

/** Who sent it is the transport's business (enrich.test.ts): the rest of the record is compared whole. */
const ORIGIN_KEYS = new Set(['_client', '_peer_pid', '_peer_uid', '_peer_gid']);
function withoutOrigin(line: string): object {
  return Object.fromEntries(
    Object.entries(JSON.parse(line) as object).filter(([key]) => !ORIGIN_KEYS.has(key)),
  );
}

for (const env of [BODY_LIMIT_ENVIRONMENT, BODY_BUDGET_ENVIRONMENT]) {
  const rows = RECORDS.filter((row) => row.env === env);
  describe.each(TRANSPORTS)('a refused body leaves a record over %s', (transport) => {
    let pair: ServerPair;
    beforeAll(async () => {
      pair = await ServerPair.start(transport, { env });
    });
    afterAll(async () => {
      await pair?.stop();
    });
    it.for(rows)('$name', async ({ cases, name, record }, context) => {
      const capture = await checkCase(pair, 'body-limit-records', byName(cases, name), context);
      for (const server of Object.values(capture)) {
        const lines = server.stdout.toString('utf8').trim().split('\n');
        expect(lines.map(withoutOrigin)).toEqual([
          { _ts: FIXED_TS, _event: 'PostToolUse', ...record },
        ]);
      }
    });
  });
}
