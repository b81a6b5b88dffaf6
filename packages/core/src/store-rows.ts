/**
 * The team store as its readers see it (query --store and --view-store): the
 * names the migrations made (store-migrations/) and the row each read takes.
 * Pure words, so that the query tool reads the store without core's runtime.
 */
export const STORE_TABLE = 'hook_events';
/** The channel every insert statement notifies (the second migration's trigger): live readers LISTEN on it. */
export const STORE_CHANNEL = 'hook_events';
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
