/**
 * The team store's shared words: the names the migrations made
 * (store-migrations/), the row each read takes (query --store and
 * --view-store), and the timing every connection to it keeps, the receiver's
 * and the readers'. Pure words, so that the query tool reads the store
 * without core's runtime.
 */
export const STORE_TABLE = 'hook_events';
/** The channel every insert statement notifies (the second migration's trigger): live readers LISTEN on it. */
export const STORE_CHANNEL = 'hook_events';
/** A database that does not answer a connection in 5 s is taken as down: a receiver spools, a reader tries again. */
export const STORE_CONNECT_TIMEOUT_MS = 5_000;
/** After a failure, the next try in 1 s: a restarted database is found soon, a dead one costs one try a second. */
export const STORE_RETRY_MS = 1_000;
/** A batch stored up to 5 s before the newest row read may commit after it: each live read looks that far back again. */
export const STORE_READ_OVERLAP_MS = 5_000;

/** One stored event: its key (machine, server start, sequence) names it across every read. */
export interface StoredRow {
  readonly key: string;
  readonly machine: string;
  readonly stored_at: Date;
  readonly record: Record<string, unknown>;
}

/** Every read's columns; a caller adds its WHERE and ORDER BY. */
export const STORED_ROWS = `SELECT machine || '/' || server_start || '/' || seq AS key, machine, stored_at, ts, seq, record
                FROM ${STORE_TABLE}`;
