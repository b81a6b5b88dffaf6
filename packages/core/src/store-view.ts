/**
 * --view-store URL: the team's page. A server that takes no hooks follows the
 * store instead (store-follow.ts): the latest events first (as many as the
 * stream's ring holds), then each batch a receiver stores, as it is stored,
 * and after a lost connection what was stored meanwhile. They enter the live
 * view's stream as a receiver's own hooks do, each with its `_machine`, so the
 * page and GET /events are the same code as on one machine.
 */
import type { EventRecord } from './enrich.js';
import { StoreFollower } from './store-follow.js';

export type ViewLogger = (line: string) => void;

export class StoreView {
  private readonly follower: StoreFollower;

  constructor(
    url: string,
    history: number,
    onRecords: (records: readonly EventRecord[]) => void,
    log: ViewLogger,
  ) {
    this.follower = new StoreFollower({
      url,
      application: 'hook-observatory-view',
      latest: history,
      onRows: (rows) => {
        if (rows.length === 0) return;
        onRecords(rows.map((row) => ({ _machine: row.machine, ...row.record })));
      },
      log: (line) => log(`view-store: ${line}`),
    });
  }

  start(): void {
    // Never rejects without failFirst: a store that cannot be read is said and tried again.
    void this.follower.start();
  }

  async close(): Promise<void> {
    await this.follower.close();
  }
}
