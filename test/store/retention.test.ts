/**
 * The team store's retention against a real PostgreSQL: the day partitions
 * older than --store-retention-days are dropped whole (at a receiver's start,
 * and again on the first insert of each new day), never the days inside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXED_TS,
  SERVER_NAMES,
  startServer,
  type RunningServer,
} from '@hook-observatory/launcher';
import {
  dropExpiredDays,
  ensureDays,
  migrate,
  partitionName,
  STORE_TABLE,
} from '@hook-observatory/core/internal/store-schema';
import {
  freshDatabase,
  postgresForSuite,
  startCluster,
  withClient,
  type Cluster,
} from '../helpers/postgres.js';
import { sendHooks, storeArgs, TCP_TRAFFIC } from '../helpers/team-traffic.js';

/** Rows reach the database off the hook's path: a test waits for them up to this long. */
const ROWS_WAIT_MS = 30_000;
const POLL_MS = 100;

/** The clock the day table below is read against: noon, so no case sits on a day's edge. */
const NOW = Date.parse('2026-03-01T12:00:00Z');
/** Partitions made before each case, named by their distance in days before NOW. */
const DAYS_BEFORE_NOW = [40, 31, 30, 1, 0] as const;

const dayBefore = (days: number): string =>
  new Date(NOW - days * 86_400_000).toISOString().slice(0, 10);

const RETENTION_CASES = [
  { name: 'thirty days keep the thirtieth day back', retention: 30, dropped: [40, 31] },
  { name: 'one day keeps yesterday and today', retention: 1, dropped: [40, 31, 30] },
  { name: 'a long retention drops nothing', retention: 100_000, dropped: [] },
] as const;

let cluster: Cluster | undefined;
let spoolRoot: string;

const bin = postgresForSuite();

async function partitions(database: string): Promise<string[]> {
  return withClient(cluster as Cluster, database, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE p.relname = $1 ORDER BY name`,
      [STORE_TABLE],
    );
    return rows.map((row) => row.name);
  });
}

async function countOf(database: string, machine: string): Promise<number> {
  return withClient(cluster as Cluster, database, async (client) => {
    const { rows } = await client.query<{ count: string }>(
      `SELECT count(*) FROM ${STORE_TABLE} WHERE machine = $1`,
      [machine],
    );
    return Number(rows[0]?.count);
  });
}

async function waitForCount(database: string, machine: string, count: number): Promise<number> {
  const deadline = Date.now() + ROWS_WAIT_MS;
  for (;;) {
    const found = await countOf(database, machine).catch(() => 0);
    if (found >= count || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A receiver storing into `database` as `machine`, on the test clock or the real one. */
function storing(
  name: (typeof SERVER_NAMES)[number],
  database: string,
  machine: string,
  options: { retentionDays?: number; fixedClock: boolean },
): Promise<RunningServer> {
  const live = cluster as Cluster;
  const retention =
    options.retentionDays === undefined
      ? []
      : ['--store-retention-days', String(options.retentionDays)];
  return startServer(name, {
    args: [...storeArgs(database, machine, join(spoolRoot, name)), ...retention],
    env: { ...live.env, PGDATABASE: database },
    fixedClock: options.fixedClock,
  });
}

describe.skipIf(bin === undefined)('--store-retention-days', { tags: ['slow'] }, () => {
  beforeAll(async () => {
    cluster = await startCluster(bin as string);
    spoolRoot = mkdtempSync(join(tmpdir(), 'store-retention-'));
  });
  afterAll(() => {
    cluster?.remove();
    if (spoolRoot !== undefined) rmSync(spoolRoot, { recursive: true, force: true });
  });

  it.each(RETENTION_CASES)('$name', async ({ retention, dropped }) => {
    const database = await freshDatabase(cluster as Cluster, 'retention');
    const live = cluster as Cluster;
    const pool = new pg.Pool({
      host: live.env['PGHOST'],
      port: Number(live.env['PGPORT']),
      user: live.env['PGUSER'],
      database,
    });
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
      await ensureDays(pool, DAYS_BEFORE_NOW.map(dayBefore));
      const names = await dropExpiredDays(pool, retention, NOW);
      const expected = dropped.map((days) => partitionName(dayBefore(days)));
      expect(names.sort()).toEqual([...expected].sort());
      const kept = DAYS_BEFORE_NOW.filter((days) => !(dropped as readonly number[]).includes(days));
      expect(await partitions(database)).toEqual(
        kept.map((days) => partitionName(dayBefore(days))).sort(),
      );
    } finally {
      await pool.end();
    }
  });

  /** Events on the test clock's day, which any real clock since has left far behind. */
  const HOOKS_ON_THE_OLD_DAY = 5;
  /** Keep yesterday and today: the test clock's day is past it. */
  const SHORT_RETENTION_DAYS = 1;

  it.each(SERVER_NAMES)(
    '%s: a receiver drops the days past its retention, and said which',
    async (name) => {
      const database = await freshDatabase(cluster as Cluster, 'retention');
      const oldDay = partitionName(FIXED_TS.slice(0, 10));
      const old = await storing(name, database, 'old-box', { fixedClock: true });
      try {
        await sendHooks(old, TCP_TRAFFIC.slice(0, HOOKS_ON_THE_OLD_DAY));
        expect(await waitForCount(database, 'old-box', HOOKS_ON_THE_OLD_DAY)).toBe(
          HOOKS_ON_THE_OLD_DAY,
        );
      } finally {
        await old.stop();
      }
      expect(await partitions(database)).toContain(oldDay);

      const fresh = await storing(name, database, 'new-box', {
        fixedClock: false,
        retentionDays: SHORT_RETENTION_DAYS,
      });
      try {
        await sendHooks(fresh, TCP_TRAFFIC.slice(0, 1));
        await fresh.waitForStderr(new RegExp(`store: past retention, dropped ${oldDay}`));
        expect(await waitForCount(database, 'new-box', 1)).toBe(1);
        expect(await countOf(database, 'old-box')).toBe(0);
        expect(await partitions(database)).not.toContain(oldDay);
      } finally {
        await fresh.stop();
      }
    },
  );
});
