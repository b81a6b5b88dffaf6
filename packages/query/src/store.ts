/**
 * query --store postgres://…: the same questions asked of a team's store
 * (core's pg-store.ts writes it) instead of a log file. The filters go into
 * the SQL, where the table's indexes serve them, and each row comes back as a
 * log line with its `_machine`, so that every filter, the sessions' states and
 * every output are the file's own code (query.ts). jsonb keeps no key order:
 * a row's JSON has the event's members, not the log line's order.
 *
 * --watch follows the store as the team's page does (core's StoreFollower):
 * woken by the store's NOTIFY, and across a lost connection.
 */
import pg from 'pg';
import {
  STORE_TABLE,
  StoreFollower,
  STORED_ROWS,
  type StoredRow,
  storeConnectionString,
} from '@hook-observatory/core/vocabulary';
import type { Filters } from './filter.js';

/** The WHERE clause and its parameters for the filters; with `sessions`, whole sessions that have a kept event. */
function whereOf(filters: Filters, sessions: boolean): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    conditions.push(sql.replace('?', `$${params.length}`));
  };
  if (filters.events.length > 0) add('event = ANY(?)', filters.events);
  if (filters.tools.length > 0) add('tool = ANY(?)', filters.tools);
  if (filters.sessionPrefix !== undefined) {
    add("session LIKE ? || '%'", likeEscaped(filters.sessionPrefix));
  }
  if (filters.since !== undefined) add('ts >= ?', filters.since);
  if (conditions.length === 0) return { sql: 'TRUE', params };
  const kept = conditions.join(' AND ');
  if (!sessions) return { sql: kept, params };
  return { sql: `session IN (SELECT session FROM ${STORE_TABLE} WHERE ${kept})`, params };
}

function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function lineOf(row: StoredRow): Buffer {
  return Buffer.from(JSON.stringify({ _machine: row.machine, ...row.record }), 'utf8');
}

/** Every stored event the filters keep, oldest first, each as a log line. */
export async function eachStoredLine(
  url: string,
  filters: Filters,
  sessions: boolean,
  onLine: (line: Buffer) => void,
): Promise<void> {
  const client = new pg.Client({
    connectionString: storeConnectionString(url),
    application_name: 'hook-observatory-query',
  });
  await client.connect();
  try {
    const { sql, params } = whereOf(filters, sessions);
    const { rows } = await client.query<StoredRow>(
      `${STORED_ROWS} WHERE ${sql} ORDER BY ts, machine, server_start, seq`,
      params,
    );
    for (const row of rows) onLine(lineOf(row));
  } finally {
    await client.end();
  }
}

/**
 * --watch: what is stored, then what is stored from now on as it comes
 * (core's StoreFollower); `afterBatch` after the first read and each batch of
 * new rows. A store that cannot be reached at the start is an error; one lost
 * later is said on stderr (`say`) and followed again when it is back, with
 * what was stored meanwhile, each row once. Never returns.
 */
export async function watchStore(
  url: string,
  filters: Filters,
  sessions: boolean,
  onLine: (line: Buffer) => void,
  afterBatch: () => void,
  say: (line: string) => void,
): Promise<never> {
  const follower = new StoreFollower({
    url,
    application: 'hook-observatory-query',
    where: whereOf(filters, sessions),
    failFirst: true,
    onRows: (rows) => {
      for (const row of rows) onLine(lineOf(row));
      afterBatch();
    },
    log: say,
  });
  await follower.start();
  return new Promise<never>(() => {});
}
