/**
 * A query from start to end: read the lines, keep those the filters let
 * through, and print them, or the sessions they tell of.
 */
import { createFilter, type Filters, type LogEvent } from './filter.js';
import {
  chooseColumns,
  EVENT_COLUMNS,
  EVENT_FIELDS,
  MACHINE_COLUMN,
  SESSION_COLUMNS,
  SESSION_FIELDS,
  sessionRow,
} from './columns.js';
import { RowWriter, type Column, type OutputKind } from './output.js';
import { SessionTracker } from '@hook-observatory/core/vocabulary';

export interface QueryOptions {
  readonly filters: Filters;
  /** Only the last N events (or sessions), when set. */
  readonly last: number | undefined;
  readonly output: OutputKind;
  readonly columns: string | undefined;
  readonly sessions: boolean;
  readonly colour: boolean;
  /** Rows from a store (--store): a machine column first. */
  readonly machines?: boolean;
}

/** The columns of the rows asked for; a --columns name neither a column nor a field is a UsageError. */
export function columnsFor(options: QueryOptions): Column[] {
  const [known, fields] = options.sessions
    ? [SESSION_COLUMNS, SESSION_FIELDS]
    : [EVENT_COLUMNS, EVENT_FIELDS];
  const columns = chooseColumns(options.columns, known, fields);
  return options.machines === true && options.columns === undefined
    ? [MACHINE_COLUMN, ...columns]
    : columns;
}

export interface Query {
  /** Feed one line of the log. */
  line(line: Buffer): void;
  /** All lines are in: print what was held back (the last N, the sessions). */
  finish(): void;
}

export function eventQuery(options: QueryOptions, out: (text: string) => void): Query {
  const keep = createFilter(options.filters);
  const writer = new RowWriter(out, options.output, columnsFor(options), options.colour);
  const raw = options.columns === undefined;
  if (options.last === undefined) {
    return {
      line: (line) => {
        const event = keep(line);
        if (event !== undefined) writer.row(event, raw ? line : undefined);
      },
      finish: () => {},
    };
  }
  // A ring of the last N: memory bounded by N, not by the log.
  const ring: Array<[LogEvent, Buffer]> = [];
  const size = options.last;
  let next = 0;
  return {
    line: (line) => {
      const event = keep(line);
      if (event === undefined || size === 0) return;
      const entry: [LogEvent, Buffer] = [event, Buffer.from(line)];
      if (ring.length < size) ring.push(entry);
      else ring[next] = entry;
      next = (next + 1) % size;
    },
    finish: () => {
      const ordered = ring.length < size ? ring : [...ring.slice(next), ...ring.slice(0, next)];
      for (const [event, line] of ordered) writer.row(event, raw ? line : undefined);
    },
  };
}

export function sessionQuery(
  options: QueryOptions,
  out: (text: string) => void,
): Query & { tracker: SessionTracker; render(): void } {
  // Every event counts toward a session's state; --event and --tool choose which sessions are shown.
  const keep = createFilter({ ...options.filters, events: [], tools: [] });
  const selects = options.filters.events.length > 0 || options.filters.tools.length > 0;
  const chosen = createFilter(options.filters);
  const shownIds = new Set<string>();
  const tracker = new SessionTracker();
  /** Each session's machine, for rows from a store. */
  const machines = new Map<string, string>();
  const render = (): void => {
    const writer = new RowWriter(out, options.output, columnsFor(options), options.colour);
    const all = [...tracker.sessions.values()].filter(
      (session) => !selects || shownIds.has(session.id),
    );
    const shown =
      options.last === undefined ? all : all.slice(Math.max(0, all.length - options.last));
    for (const session of shown) writer.row(sessionRow(session, machines.get(session.id)));
  };
  return {
    tracker,
    render,
    line: (line) => {
      const event = keep(line);
      if (event === undefined) return;
      tracker.add(event);
      if (typeof event['_machine'] === 'string') {
        machines.set(String(event['session_id'] ?? ''), event['_machine']);
      }
      if (selects && chosen(line) !== undefined) shownIds.add(String(event['session_id'] ?? ''));
    },
    finish: render,
  };
}
