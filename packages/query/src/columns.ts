/** The columns a query can show: for events, and for sessions (--sessions). */
import type { LogEvent } from './filter.js';
import type { Column } from './output.js';
import { METADATA_KEYS, UsageError, type Session } from '@hook-observatory/core/vocabulary';

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
 * The fields Claude Code's hooks send (every one in the recorded sessions of
 * packages/conformance/traffic, which test/query/cli.test.ts checks), so that
 * --columns refuses a misspelt name instead of printing an empty column.
 */
export const HOOK_FIELDS: readonly string[] = [
  'session_id',
  'transcript_path',
  'cwd',
  'permission_mode',
  'hook_event_name',
  'prompt_id',
  'effort',
  'model',
  'source',
  'reason',
  'trigger',
  'custom_instructions',
  'compact_summary',
  'prompt',
  'expansion_type',
  'command_name',
  'command_args',
  'command_source',
  'tool_name',
  'tool_input',
  'tool_response',
  'tool_use_id',
  'tool_calls',
  'duration_ms',
  'error',
  'is_interrupt',
  'permission_suggestions',
  'message',
  'notification_type',
  'title',
  'message_id',
  'index',
  'delta',
  'final',
  'content',
  'turn_id',
  'agent_id',
  'agent_type',
  'agent_transcript_path',
  'last_assistant_message',
  'stop_hook_active',
  'background_tasks',
  'session_crons',
  'task_id',
  'task_subject',
  'task_description',
  'team_name',
  'teammate_name',
  'mcp_server_name',
  'mode',
  'requested_schema',
  'action',
  'event',
  'name',
  'file_path',
  'load_reason',
  'memory_type',
  'old_cwd',
  'new_cwd',
  'worktree_path',
];

/** The fields of a --sessions row (core's Session). */
export const SESSION_FIELDS: readonly string[] = [
  'id',
  'state',
  'detail',
  'since',
  'lastTs',
  'lastEvent',
  'cwd',
  'toolsRun',
  'toolsFailed',
  'subagents',
  'agents',
  '_machine',
];

/**
 * --columns a,b,c: the named columns, or any field of the row by name (a dot
 * reaches inside: tool_input.command). A name that is neither is a UsageError
 * naming what is valid.
 */
export function chooseColumns(
  names: string | undefined,
  known: readonly Column[],
  fields: readonly string[],
): Column[] {
  if (names === undefined) return [...known];
  const list = names
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const valid = (name: string): boolean =>
    known.some((column) => column.name === name) || fields.includes(name.split('.')[0] ?? '');
  const unknown = list.filter((name) => !valid(name));
  if (unknown.length > 0 || list.length === 0) {
    throw new UsageError(
      `--columns: ${list.length === 0 ? 'no column named' : `unknown ${unknown.map((name) => `"${name}"`).join(', ')}`}; the columns are: ${known.map((column) => column.name).join(', ')}, or a field (a dot reaches inside): ${fields.join(', ')}`,
    );
  }
  return list.map((name) => {
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

/** The fields an event row may be asked for: the server's (METADATA_KEYS, and a store's machine) and the hook's. */
export const EVENT_FIELDS: readonly string[] = [...METADATA_KEYS, '_machine', ...HOOK_FIELDS];

export function sessionRow(session: Session, machine?: string): LogEvent {
  return machine === undefined ? { ...session } : { _machine: machine, ...session };
}
