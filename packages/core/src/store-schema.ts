/**
 * The team store's schema: migrated at start by node-pg-migrate (its files in
 * store-migrations/, its bookkeeping in STORE_MIGRATIONS_TABLE, its advisory
 * lock so that fifty receivers starting at once migrate once), the day
 * partitions made as events arrive, and the days past retention dropped.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Pool, PoolClient } from 'pg';

import { STORE_TABLE } from './store-rows.js';

export { STORE_CHANNEL, STORE_TABLE } from './store-rows.js';
export const STORE_MIGRATIONS_TABLE = 'hook_observatory_migrations';
/** One number every receiver takes before making partitions, so two never race to make the same day. */
const PARTITION_LOCK_KEY = 0x686f6f6b; // "hook"
const DAY_MS = 86_400_000;

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'store-migrations', '*.js');

/** Bring the schema up to date; node-pg-migrate waits for another receiver doing the same. */
export async function migrate(client: PoolClient): Promise<void> {
  await runner({
    dbClient: client,
    dir: MIGRATIONS,
    useGlob: true,
    migrationsTable: STORE_MIGRATIONS_TABLE,
    direction: 'up',
    advisoryLockMode: 'wait',
    log: () => {},
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

/** The UTC day of a time, as YYYY-MM-DD. */
export function dayOf(ts: string): string {
  const time = Date.parse(ts);
  return new Date(Number.isNaN(time) ? Date.now() : time).toISOString().slice(0, 10);
}

export function partitionName(day: string): string {
  return `${STORE_TABLE}_${day.replaceAll('-', '')}`;
}

/** Make the partitions for `days` (YYYY-MM-DD, UTC) that do not exist yet. */
export async function ensureDays(pool: Pool, days: Iterable<string>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
    for (const day of days) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
      const next = new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF ${STORE_TABLE}
         FOR VALUES FROM ('${day}T00:00:00Z') TO ('${next}T00:00:00Z')`,
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Drop the day partitions older than `retentionDays` before `now`; returns their names. */
export async function dropExpiredDays(
  pool: Pool,
  retentionDays: number,
  now = Date.now(),
): Promise<string[]> {
  const oldest = new Date(now - retentionDays * DAY_MS).toISOString().slice(0, 10);
  const { rows } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = $1`,
    [STORE_TABLE],
  );
  const expired = rows
    .map(({ name }) => name)
    .filter((name) => /_\d{8}$/.test(name) && name.slice(-8) < oldest.replaceAll('-', ''));
  for (const name of expired) await pool.query(`DROP TABLE IF EXISTS ${name}`);
  return expired;
}
