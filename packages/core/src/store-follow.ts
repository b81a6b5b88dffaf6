/**
 * Following the team store live, for both of its live readers: the team's
 * page (--view-store, store-view.ts) and `query --store --watch`.
 *
 * No polling: the connection LISTENs on the channel the store's insert trigger
 * notifies (store-migrations, one NOTIFY a statement, delivered at commit), and
 * each notification reads what was stored since, with an overlap that catches
 * a batch whose transaction committed after a later one; rows already given
 * are known by their key and skipped. A lost connection (the database
 * restarted) is opened again every STORE_RETRY_MS, and the first read
 * after it resumes where the last one stopped: what was stored meanwhile comes
 * once, in order, and nothing is given twice.
 *
 * pg is imported when the first connection opens, so that the vocabulary
 * entry, which exports this, loads no database client for the installer.
 */
import type pg from 'pg';
import {
  STORE_CHANNEL,
  STORE_CONNECT_TIMEOUT_MS,
  STORE_READ_OVERLAP_MS,
  STORE_RETRY_MS,
  STORED_ROWS,
  type StoredRow,
} from './store-rows.js';
import { storeConnectionString } from './store-tls.js';

export interface StoreFollowOptions {
  readonly url: string;
  /** The connection's application_name, which pg_stat_activity shows. */
  readonly application: string;
  /** Only the rows this condition keeps, with its parameters ($1…): query's filters. */
  readonly where?: { readonly sql: string; readonly params: readonly unknown[] };
  /** The first read takes only the newest `latest` rows (the page's ring); without it, every row. */
  readonly latest?: number;
  /** A failure before the first read ends the follow (start() rejects) instead of trying again. */
  readonly failFirst?: boolean;
  /** The rows new since the last call, oldest stored first, each given once. */
  readonly onRows: (rows: readonly StoredRow[]) => void;
  /** Said once when the store is lost, and once when it answers again. */
  readonly log: (line: string) => void;
}

export class StoreFollower {
  /** The connection being opened or open; another one's events are stale. */
  private client: pg.Client | undefined;
  /** Read from here on; undefined until the first read. */
  private from: Date | undefined;
  /** Keys of the rows given that a read may see again (within the overlap), with their stored_at. */
  private readonly seen = new Map<string, number>();
  private reading = false;
  private again = false;
  private retry: NodeJS.Timeout | undefined;
  private down = false;
  private closed = false;
  private settle: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(private readonly options: StoreFollowOptions) {}

  /** Settles at the end of the first read, or (with failFirst) at the first failure. */
  start(): Promise<void> {
    const first = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    void this.connect();
    return first;
  }

  private async connect(): Promise<void> {
    let client: pg.Client;
    try {
      const { default: pgModule } = await import('pg');
      client = new pgModule.Client({
        connectionString: storeConnectionString(this.options.url),
        application_name: this.options.application,
        connectionTimeoutMillis: STORE_CONNECT_TIMEOUT_MS,
      });
    } catch (error) {
      this.settle?.reject(error as Error);
      return;
    }
    if (this.closed) return;
    this.client = client;
    client.on('error', (error) => this.failed(client, error));
    client.on('end', () => this.failed(client, new Error('the connection ended')));
    client.on('notification', () => this.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${STORE_CHANNEL}`);
    } catch (error) {
      this.failed(client, error as Error);
      return;
    }
    this.wake();
  }

  /** The connection is lost or a read failed: say so once, and open another in STORE_RETRY_MS. */
  private failed(client: pg.Client, error: Error): void {
    if (this.closed || client !== this.client) return;
    this.client = undefined;
    client.end().catch(() => {});
    if (this.from === undefined && this.options.failFirst === true) {
      this.closed = true;
      this.settle?.reject(error);
      return;
    }
    if (!this.down) {
      this.options.log(`cannot read the store (${error.message}); trying again every second`);
    }
    this.down = true;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, STORE_RETRY_MS);
  }

  /** Read now, or once more after the read under way: notifications during a read are folded into one. */
  private wake(): void {
    const client = this.client;
    if (client === undefined) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    this.read(client)
      .catch((error: unknown) => this.failed(client, error as Error))
      .finally(() => {
        this.reading = false;
        if (this.again && !this.closed) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async read(client: pg.Client): Promise<void> {
    const first = this.from === undefined;
    const { sql, params } = this.options.where ?? { sql: 'TRUE', params: [] };
    const latest = this.options.latest;
    const next = `$${params.length + 1}`;
    const { rows } =
      first && latest !== undefined
        ? await client.query<StoredRow>(
            `SELECT * FROM (${STORED_ROWS} WHERE ${sql} ORDER BY stored_at DESC, ts DESC, seq DESC LIMIT ${next}) latest
             ORDER BY stored_at, ts, seq`,
            [...params, latest],
          )
        : await client.query<StoredRow>(
            `${STORED_ROWS} WHERE stored_at >= ${next} AND ${sql} ORDER BY stored_at, ts, seq`,
            [...params, this.from ?? new Date(0)],
          );
    if (this.closed || client !== this.client) return;
    const fresh = rows.filter((row) => !this.seen.has(row.key));
    for (const row of fresh) this.seen.set(row.key, row.stored_at.getTime());
    this.advance(rows, first && latest !== undefined && rows.length >= latest);
    if (this.down) {
      this.options.log('the store answers again');
      this.down = false;
    }
    if (fresh.length > 0 || first) this.options.onRows(fresh);
    if (first) this.settle?.resolve();
  }

  /** Where the next read starts: the overlap before the newest row, never before a full first read's oldest. */
  private advance(rows: readonly StoredRow[], full: boolean): void {
    const newest = rows.at(-1)?.stored_at.getTime();
    if (newest !== undefined) {
      const floor = full ? (rows[0] as StoredRow).stored_at.getTime() : 0;
      this.from = new Date(Math.max(newest - STORE_READ_OVERLAP_MS, floor));
    } else if (this.from === undefined) {
      this.from = new Date(0);
    }
    const from = this.from.getTime();
    for (const [key, at] of this.seen) if (at < from) this.seen.delete(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}
