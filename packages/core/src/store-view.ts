/**
 * --view-store URL: the team's page. A server that takes no hooks follows the
 * store instead: the latest events first (as many as the stream's ring holds),
 * then each batch a receiver stores, as it is stored. They enter the live
 * view's stream as a receiver's own hooks do, each with its `_machine`, so the
 * page and GET /events are the same code as on one machine.
 *
 * No polling: the connection LISTENs on the channel the store's insert trigger
 * notifies (store-migrations, one NOTIFY a statement, delivered at commit), and
 * each notification reads what was stored since, with an overlap that catches
 * a batch whose transaction committed after a later one; rows already sent are
 * known by their key and skipped. A lost connection (the database restarted)
 * is opened again every STORE_RETRY_MS, and the read after it resumes where
 * the last one stopped: nothing stored in between is missed.
 */
import pg from 'pg';
import type { EventRecord } from './enrich.js';
import { STORE_CONNECT_TIMEOUT_MS, STORE_RETRY_MS } from './pg-store.js';
import { storeConnectionString } from './store-tls.js';
import { STORE_CHANNEL, STORE_READ_OVERLAP_MS, STORED_ROWS, type StoredRow } from './store-rows.js';

export type ViewLogger = (line: string) => void;

export class StoreView {
  /** The connection being opened or open; another one's events are stale. */
  private client: pg.Client | undefined;
  /** Read from here on; undefined until the first read, which takes the latest `history` rows. */
  private from: Date | undefined;
  /** Keys of the rows sent that a read may see again (within the overlap), with their stored_at. */
  private readonly seen = new Map<string, number>();
  private reading = false;
  private again = false;
  private retry: NodeJS.Timeout | undefined;
  private down: string | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly history: number,
    private readonly onRecords: (records: readonly EventRecord[]) => void,
    private readonly log: ViewLogger,
  ) {}

  start(): void {
    void this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: storeConnectionString(this.url),
      application_name: 'hook-observatory-view',
      connectionTimeoutMillis: STORE_CONNECT_TIMEOUT_MS,
    });
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
    if (this.down === undefined) {
      this.log(`view-store: cannot read the store (${error.message}); trying again every second`);
    }
    this.down = error.message;
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
    const { rows } = first
      ? await client.query<StoredRow>(
          `SELECT * FROM (${STORED_ROWS} ORDER BY stored_at DESC, ts DESC, seq DESC LIMIT $1) latest
           ORDER BY stored_at, ts, seq`,
          [this.history],
        )
      : await client.query<StoredRow>(
          `${STORED_ROWS} WHERE stored_at >= $1 ORDER BY stored_at, ts, seq`,
          [this.from],
        );
    if (this.closed || client !== this.client) return;
    const fresh = rows.filter((row) => !this.seen.has(row.key));
    for (const row of fresh) this.seen.set(row.key, row.stored_at.getTime());
    if (fresh.length > 0) {
      this.onRecords(fresh.map((row) => ({ _machine: row.machine, ...row.record })));
    }
    this.advance(rows, first);
    if (this.down !== undefined) {
      this.log('view-store: the store answers again');
      this.down = undefined;
    }
  }

  /** Where the next read starts: the overlap before the newest row, never before the first read's oldest. */
  private advance(rows: readonly StoredRow[], first: boolean): void {
    const newest = rows.at(-1)?.stored_at.getTime();
    const oldest = rows[0]?.stored_at.getTime() ?? 0;
    if (newest !== undefined) {
      const floor = first && rows.length >= this.history ? oldest : 0;
      this.from = new Date(Math.max(newest - STORE_READ_OVERLAP_MS, floor));
    } else if (first) {
      this.from = new Date(0);
    }
    const from = (this.from as Date).getTime();
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
