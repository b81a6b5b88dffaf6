/**
 * The PostgreSQL-test rule (test/helpers/postgres.ts): a missing PostgreSQL is
 * a skip that shows the install line, or a failure when CI_REQUIRE_POSTGRES=1.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decidePostgres,
  POSTGRES_INSTALL_LINE,
  REQUIRE_POSTGRES_ENV,
} from '../helpers/postgres.js';

const root = mkdtempSync(join(tmpdir(), 'postgres-rule-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const installed = join(root, 'installed');
for (const major of ['13', '15']) {
  mkdirSync(join(installed, major, 'bin'), { recursive: true });
  writeFileSync(join(installed, major, 'bin', 'initdb'), '');
}
const missing = join(root, 'missing');

const cases = [
  { name: 'the newest installed major runs', root: installed, env: {}, expected: 'run' },
  { name: 'no PostgreSQL skips', root: missing, env: {}, expected: 'skip' },
  {
    name: 'no PostgreSQL fails when CI requires it',
    root: missing,
    env: { [REQUIRE_POSTGRES_ENV]: '1' },
    expected: 'fail',
  },
  {
    name: 'an installed PostgreSQL runs when CI requires it',
    root: installed,
    env: { [REQUIRE_POSTGRES_ENV]: '1' },
    expected: 'run',
  },
] as const;

describe('where PostgreSQL is missing', () => {
  it.each(cases)('$name', ({ root: where, env, expected }) => {
    const decision = decidePostgres(env, where);
    expect(decision.kind).toBe(expected);
    if (decision.kind === 'run') expect(decision.bin).toBe(join(installed, '15', 'bin'));
    else expect(decision.message).toContain(POSTGRES_INSTALL_LINE);
  });
});
