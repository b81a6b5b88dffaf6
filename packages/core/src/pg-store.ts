/**
 * --store postgres://…: every recorded event also goes to a team's PostgreSQL.
 *
 * The hook's path only pushes a line to an array (write). Off that path, the
 * pump appends the lines to the spool on disk (store-spool.ts), then reads
 * them back in order and inserts them a batch at a time, one statement a
 * batch (unnest of arrays: one round trip however many rows). A database that
 * is down or slow only makes the spool longer; when it answers again the spool
 * drains in order. Each row's key is (machine, receiver run, number, time),
 * and a batch inserts with ON CONFLICT DO NOTHING, so a batch sent again after
 * a lost answer, or a spool replayed by the next run, adds nothing twice.
 *
 * Credentials never come from the command line (config.ts refuses a password
 * in the URL): pg reads PGHOST, PGUSER, PGPASSWORD... and ~/.pgpass
 * (PGPASSFILE) as libpq does; sslmode as libpq's is store-tls.ts's part.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreOptions } from './config.js';
import type { EventRecord } from './enrich.js';
import { dayOf, dropExpiredDays, ensureDays, migrate, STORE_TABLE } from './store-schema.js';
import { STORE_CONNECT_TIMEOUT_MS, STORE_RETRY_MS } from './store-rows.js';
import { Spool } from './store-spool.js';
import { storeConnectionString } from './store-tls.js';

/** A batch not inserted within 30 s is taken as failed and sent again (its rows' keys make that harmless). */
export const STORE_QUERY_TIMEOUT_MS = 30_000;
/** At shutdown, up to 3 s to empty the spool; what is left waits on disk for the next start. */
export const STORE_CLOSE_GRACE_MS = 3_000;

/** What the store writes of one event, as a spool line: the key, the filter columns, the record. */
interface Row {
  readonly machine: string;
  readonly user: string;
  readonly start: string;
  readonly seq: number;
  readonly ts: string;
  readonly event: string;
  readonly session: string | null;
  readonly tool: string | null;
  readonly record: EventRecord;
}

/** The UTC day now, as YYYY-MM-DD. */
const today = (): string => new Date().toISOString().slice(0, 10);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * jsonb refuses the NUL character (\u0000) in a string, which a hook's text may
 * hold: it is stored as U+FFFD. The escape is found only where it is one
 * (preceded by an even number of backslashes).
 */
export function jsonbText(record: EventRecord): string {
  return JSON.stringify(record).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
}

export type StoreLogger = (line: string) => void;

export class PostgresStore {
  private readonly pool: pg.Pool;
  private readonly spool: Spool;
  private readonly user = userInfo().username;
  private readonly start = randomUUID();
  private pending: string[] = [];
  private seq = 0;
  private scheduled = false;
  private pumping: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private down: string | undefined;
  private schemaReady = false;
  private readonly days = new Set<string>();
  /** The UTC day retention last ran: it runs again on the first insert of each new day. */
  private retainedOn: string | undefined;
  private reportedDrops = 0;
  private closed = false;
  /** Events inserted (or found there already) by this run. */
  stored = 0;

  constructor(
    private readonly options: StoreOptions,
    private readonly log: StoreLogger,
  ) {
    this.pool = new pg.Pool({
      connectionString: storeConnectionString(options.url),
      max: 2,
      connectionTimeoutMillis: STORE_CONNECT_TIMEOUT_MS,
      query_timeout: STORE_QUERY_TIMEOUT_MS,
      application_name: 'hook-observatory',
    });
    // An idle connection the server drops must not end the process: the next query reconnects.
    this.pool.on('error', () => {});
    mkdirSync(options.spoolDir, { recursive: true, mode: 0o700 });
    this.spool = new Spool(join(options.spoolDir, `spool-${process.pid}.jsonl`));
    this.adoptLeftovers();
    this.schedule();
  }

  /** The spools of runs that ended before emptying theirs: their rows go first (their keys keep them single). */
  private adoptLeftovers(): void {
    for (const name of readdirSync(this.options.spoolDir)) {
      const pid = /^spool-(\d+)\.jsonl$/.exec(name)?.[1];
      if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
      const path = join(this.options.spoolDir, name);
      const lines = readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line !== '');
      this.spool.append(lines);
      unlinkSync(path);
      this.log(`store: ${lines.length} events left in ${path} by an earlier run are sent first`);
    }
  }

  /** On the hook's path: number the events and queue their lines; nothing waits. */
  write(records: readonly EventRecord[]): void {
    for (const record of records) {
      const row: Row = {
        machine: this.options.machine,
        user: this.user,
        start: this.start,
        seq: ++this.seq,
        ts: text(record['_ts']) ?? new Date().toISOString(),
        event: text(record['_event']) ?? '',
        session: text(record['session_id']),
        tool: text(record['tool_name']),
        record,
      };
      this.pending.push(JSON.stringify(row));
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.spoolPending();
      if (this.pumping === undefined && this.retry === undefined) {
        this.pumping = this.pump().finally(() => (this.pumping = undefined));
      }
    });
  }

  private spoolPending(): void {
    this.spool.append(this.pending.splice(0));
    if (this.spool.dropped > this.reportedDrops) {
      this.log(
        `store: the spool ${this.spool.path} is full; ${this.spool.dropped} events dropped so far`,
      );
      this.reportedDrops = this.spool.dropped;
    }
  }

  /** Insert the spool's lines, a batch at a time, until it is empty or the database fails. */
  private async pump(): Promise<void> {
    try {
      while (this.spool.unreadBytes > 0 && !this.closed) {
        const { lines, end } = this.spool.peek();
        await this.insert(lines.map((line) => JSON.parse(line) as Row));
        this.spool.advance(end);
        this.stored += lines.length;
        this.spoolPending();
      }
      if (this.down !== undefined) {
        this.log('store: the database answers again; the spool is empty');
        this.down = undefined;
      }
    } catch (error) {
      if (this.closed) return;
      const why = (error as Error).message;
      if (this.down === undefined) {
        this.log(`store: the database failed (${why}); events wait in ${this.spool.path}`);
      }
      this.down = why;
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.schedule();
      }, STORE_RETRY_MS);
    }
  }

  private async insert(rows: readonly Row[]): Promise<void> {
    if (!this.schemaReady) await this.prepareSchema();
    const days = new Set(rows.map((row) => dayOf(row.ts)).filter((day) => !this.days.has(day)));
    if (days.size > 0) {
      await ensureDays(this.pool, days);
      for (const day of days) this.days.add(day);
    }
    const column = <T>(pick: (row: Row) => T): T[] => rows.map(pick);
    await this.pool.query(
      `INSERT INTO ${STORE_TABLE} (machine, os_user, server_start, seq, ts, event, session, tool, record)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[],
                            $6::text[], $7::text[], $8::text[], $9::jsonb[])
       ON CONFLICT DO NOTHING`,
      [
        column((row) => row.machine),
        column((row) => row.user),
        column((row) => row.start),
        column((row) => row.seq),
        column((row) => row.ts),
        column((row) => row.event),
        column((row) => row.session),
        column((row) => row.tool),
        column((row) => jsonbText(row.record)),
      ],
    );
    // The rows are in: a failed drop is said and tried again tomorrow, never the batch's failure.
    if (this.retainedOn !== today()) {
      await this.dropExpired().catch((error: Error) => {
        this.log(`store: dropping the days past retention failed (${error.message})`);
      });
    }
  }

  private async prepareSchema(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
    await this.dropExpired();
    this.schemaReady = true;
  }

  /** Drop the days past retention: at start, and again once a day for a receiver left running. */
  private async dropExpired(): Promise<void> {
    this.retainedOn = today();
    const dropped = await dropExpiredDays(this.pool, this.options.retentionDays);
    if (dropped.length === 0) return;
    // A late event for a dropped day makes its partition again (ensureDays) rather than fail.
    this.days.clear();
    this.log(`store: past retention, dropped ${dropped.join(', ')}`);
  }

  /** Empty the spool for up to STORE_CLOSE_GRACE_MS, then let go of the database. */
  async close(): Promise<void> {
    this.spoolPending();
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.retry = undefined;
    const deadline = new Promise<void>((resolve) =>
      setTimeout(resolve, STORE_CLOSE_GRACE_MS).unref(),
    );
    if (this.down === undefined) {
      await Promise.race([
        (async () => {
          await this.pumping;
          if (this.spool.unreadBytes > 0 && this.down === undefined) await this.pump();
        })(),
        deadline,
      ]);
    }
    this.closed = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    const left = this.spool.unreadBytes;
    this.spool.close();
    if (left === 0) unlinkSync(this.spool.path);
    else this.log(`store: ${left} bytes of events wait in ${this.spool.path} for the next start`);
    await this.pool.end().catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
