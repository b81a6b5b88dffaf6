/**
 * Live readers (query --store --watch): each row says when it was stored, and
 * every insert statement notifies the channel `hook_events`, once a statement
 * (NOTIFY is delivered at commit, folded when the same payload repeats in a
 * transaction: PostgreSQL manual, NOTIFY).
 */
import type { MigrationBuilder } from 'node-pg-migrate';

export function up(pgm: MigrationBuilder): void {
  pgm.addColumn('hook_events', {
    stored_at: { type: 'timestamptz', notNull: true, default: pgm.func('clock_timestamp()') },
  });
  pgm.createIndex('hook_events', ['stored_at']);
  pgm.createFunction(
    'hook_events_notify',
    [],
    { returns: 'trigger', language: 'plpgsql' },
    "BEGIN PERFORM pg_notify('hook_events', ''); RETURN NULL; END;",
  );
  pgm.createTrigger('hook_events', 'hook_events_notify', {
    when: 'AFTER',
    operation: 'INSERT',
    level: 'STATEMENT',
    function: 'hook_events_notify',
  });
}

export function down(pgm: MigrationBuilder): void {
  pgm.dropTrigger('hook_events', 'hook_events_notify');
  pgm.dropFunction('hook_events_notify', []);
  pgm.dropIndex('hook_events', ['stored_at']);
  pgm.dropColumn('hook_events', 'stored_at');
}
