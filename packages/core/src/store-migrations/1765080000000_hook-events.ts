/**
 * The team store's first schema: one row an event, partitioned by day on the
 * event's time so that retention drops a day's table instead of deleting rows
 * (PostgreSQL manual, "Table Partitioning"). The day partitions themselves are
 * made as events arrive (store-schema.ts, ensureDays).
 */
import type { MigrationBuilder } from 'node-pg-migrate';

export function up(pgm: MigrationBuilder): void {
  pgm.createTable(
    'hook_events',
    {
      // Who and where: the receiver's machine and user, and the run of it that recorded the event.
      machine: { type: 'text', notNull: true },
      os_user: { type: 'text', notNull: true },
      server_start: { type: 'text', notNull: true },
      seq: { type: 'bigint', notNull: true },
      // What the query tool filters on, copied out of the event.
      ts: { type: 'timestamptz', notNull: true },
      event: { type: 'text', notNull: true },
      session: { type: 'text' },
      tool: { type: 'text' },
      record: { type: 'jsonb', notNull: true },
    },
    {
      partition: { strategy: 'RANGE', columns: 'ts' },
      // A retried batch adds nothing: each event's key is its receiver run and number
      // (the partition key must be part of a partitioned table's unique key).
      constraints: { unique: ['machine', 'server_start', 'seq', 'ts'] },
    },
  );
  // The query tool's filters (packages/query, filter.ts): time, event, session prefix, tool, machine.
  pgm.createIndex('hook_events', ['ts']);
  pgm.createIndex('hook_events', ['event', 'ts']);
  pgm.createIndex('hook_events', [{ name: 'session', opclass: 'text_pattern_ops' }, 'ts']);
  pgm.createIndex('hook_events', ['tool', 'ts']);
  pgm.createIndex('hook_events', ['machine', 'ts']);
}

export function down(pgm: MigrationBuilder): void {
  pgm.dropTable('hook_events');
}
