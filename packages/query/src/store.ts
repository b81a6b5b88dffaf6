/**
 * query --store postgres://…: the same questions asked of a team's store
 * (core's pg-store.ts writes it) instead of a log file. The filters go into
 * the SQL, where the table's indexes serve them, and each row comes back as a
 * log line with its `_machine`, so that every filter, the sessions' states and
 * every output are the file's own code (query.ts). jsonb keeps no key order:
 * a row's JSON has the event's members, not the log line's order.
 *
 * --watch: LISTEN on the channel the store's insert trigger notifies
 * (STORE_CHANNEL), then read what was stored since, with an overlap that
 * catches a batch whose transaction committed late; rows already shown are
 * known by their key and skipped.
 */
import pg from 'pg';
import {
  STORE_CHANNEL,
  STORE_READ_OVERLAP_MS,
  STORE_TABLE,
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

/** --watch: what is stored, then what is stored from now on as it comes; `afterBatch` after each read. */
export async function watchStore(
  url: string,
  filters: Filters,
  sessions: boolean,
  onLine: (line: Buffer) => void,
  afterBatch: () => void,
): Promise<void> {
  const client = new pg.Client({
    connectionString: storeConnectionString(url),
    application_name: 'hook-observatory-query',
  });
  await client.connect();
  const { sql, params } = whereOf(filters, sessions);
  const seen = new Map<string, number>();
  // The first read takes everything stored so far; later ones, what came since.
  let from = new Date(0);
  let reading: Promise<void> | undefined;
  let again = false;
  const read = async (): Promise<void> => {
    const { rows } = await client.query<StoredRow>(
      `${STORED_ROWS} WHERE stored_at >= $${params.length + 1} AND ${sql} ORDER BY stored_at, ts, seq`,
      [...params, from],
    );
    for (const row of rows) {
      if (seen.has(row.key)) continue;
      seen.set(row.key, row.stored_at.getTime());
      onLine(lineOf(row));
    }
    const newest = rows.at(-1)?.stored_at.getTime();
    if (newest !== undefined) from = new Date(newest - STORE_READ_OVERLAP_MS);
    for (const [key, at] of seen) if (at < from.getTime()) seen.delete(key);
    afterBatch();
  };
  const wake = (): void => {
    if (reading !== undefined) {
      again = true;
      return;
    }
    reading = read().finally(() => {
      reading = undefined;
      if (again) {
        again = false;
        wake();
      }
    });
  };
  client.on('notification', wake);
  await client.query(`LISTEN ${STORE_CHANNEL}`);
  wake();
  await new Promise<never>((_, reject) => client.on('error', reject));
}
