/** The columns a query can show: for events, and for sessions (--sessions). */
import type { LogEvent } from './filter.js';
import type { Column } from './output.js';
import type { Session } from '@hook-observatory/core/vocabulary';

const text = (value: unknown): string =>
  value === undefined || value === null
    ? ''
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
const field = (row: LogEvent, key: string): LogEvent => (row[key] ?? {}) as LogEvent;

/** The one thing worth reading about an event: the command, the file, the prompt, the error. */
function detailOf(row: LogEvent): string {
  const input = field(row, 'tool_input');
  return text(
    row['error'] ??
      input['command'] ??
      input['file_path'] ??
      input['pattern'] ??
      input['description'] ??
      row['prompt'] ??
      row['message'] ??
      row['reason'] ??
      row['source'] ??
      '',
  );
}

export const EVENT_COLUMNS: readonly Column[] = [
  { name: 'time', width: 24, value: (row) => text(row['_ts']) },
  { name: 'event', width: 18, value: (row) => text(row['_event'] ?? row['hook_event_name']) },
  { name: 'tool', width: 14, value: (row) => text(row['tool_name']) },
  { name: 'session', width: 8, value: (row) => text(row['session_id']).slice(0, 8) },
  { name: 'detail', width: 0, value: detailOf },
];

/** With --store: which machine the event, or the session, came from. */
export const MACHINE_COLUMN: Column = {
  name: 'machine',
  width: 12,
  value: (row) => text(row['_machine']),
};

export const SESSION_COLUMNS: readonly Column[] = [
  { name: 'session', width: 8, value: (row) => text(row['id']).slice(0, 8) },
  { name: 'state', width: 22, value: (row) => text(row['state']) },
  { name: 'detail', width: 24, value: (row) => text(row['detail']) },
  { name: 'since', width: 24, value: (row) => text(row['since']) },
  { name: 'tools', width: 5, value: (row) => text(row['toolsRun']) },
  { name: 'failed', width: 6, value: (row) => text(row['toolsFailed']) },
  { name: 'cwd', width: 0, value: (row) => text(row['cwd']) },
];

/**
 * --columns a,b,c: the named columns, or any field of the event by name
 * (a dot reaches inside: tool_input.command).
 */
export function chooseColumns(names: string | undefined, known: readonly Column[]): Column[] {
  if (names === undefined) return [...known];
  return names.split(',').map((name) => {
    const found = known.find((column) => column.name === name);
    if (found !== undefined) return found;
    const path = name.split('.');
    return {
      name,
      width: 20,
      value: (row: LogEvent) =>
        text(path.reduce<unknown>((value, key) => (value as LogEvent | undefined)?.[key], row)),
    };
  });
}

export function sessionRow(session: Session, machine?: string): LogEvent {
  return machine === undefined ? { ...session } : { _machine: machine, ...session };
}
