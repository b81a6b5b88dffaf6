#!/usr/bin/env node
/**
 * hook-observatory-query: questions to the event log a server keeps with --log.
 */
import { statSync } from 'node:fs';
import {
  checkStoreUrl,
  EXIT_USAGE,
  parseCommandLine,
  UsageError,
  HOOK_EVENT_NAMES,
  rotatedFiles,
  typedCommand,
  wantsColour,
} from '@hook-observatory/core/vocabulary';
import { parseSince } from './filter.js';
import { follow } from './follow.js';
import { eachLine, eachLineOfFiles, filesInOrder, LogShape } from './lines.js';
import { columnsFor, eventQuery, sessionQuery, type Query, type QueryOptions } from './query.js';
import { eachStoredLine, watchStore } from './store.js';

const PROGRAM = 'hook-observatory-query';

/** The help, naming the command as the user typed it (typedCommand). */
export function usage(program = typedCommand('query', 'query')): string {
  return `Usage: ${program} [options] [FILE...]
       ${program} --store postgres://HOST/DATABASE [options]

Read the events a server keeps with --log FILE (FILE's rotated files first,
oldest first), or standard input when no FILE is given, or a team's store
(--store, every machine's events, with a machine column), and show those asked for.

Filters (all must match; A,B or a flag given twice matches either value):
  --event A,B          the hook event, e.g. PostToolUse,PostToolUseFailure
  --tool A,B           the tool, e.g. Bash
  --session PREFIX     sessions whose id starts with PREFIX
  --since WHEN         10m, 2h, 1d back from now; 09:00 today; 2026-12-05T08:00
  -n, --last N         only the last N

Output (an aligned table unless):
  --json               JSON lines (the log's own lines, unless --columns)
  --csv                CSV with a header row
  --columns A,B        these columns, or any field (tool_input.command)
  --sessions           one row per session: what it is doing now, since when
                       (the sessions with an event the filters keep; every
                       event of theirs counts toward the state)
  --watch              keep the view live as events arrive (needs one FILE or --store)
  --store URL          read the PostgreSQL a server writes with --store; the password
                       from $PGPASSWORD or ~/.pgpass, never the URL
  --help               show this help

Examples:
  ${program} --sessions ~/hooks.jsonl                    # what is each session doing now
  ${program} --event PostToolUseFailure --tool Bash --since 08:00 ~/hooks.jsonl
  ${program} --csv --columns time,tool,tool_input.command --tool Bash ~/hooks.jsonl
`;
}

const OPTIONS = {
  event: { type: 'string', multiple: true },
  tool: { type: 'string', multiple: true },
  session: { type: 'string' },
  since: { type: 'string' },
  last: { type: 'string', short: 'n' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
  columns: { type: 'string' },
  sessions: { type: 'boolean' },
  watch: { type: 'boolean' },
  store: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(
  argv: readonly string[],
): { options: QueryOptions; files: string[]; watch: boolean; store: string | undefined } | 'help' {
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  if (values.help) return 'help';
  if (values.json && values.csv) throw new UsageError('--json and --csv cannot be combined');
  const store = values.store;
  if (store !== undefined) {
    if (positionals.length > 0) throw new UsageError('--store reads the store, not FILE');
    try {
      checkStoreUrl(store);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  } else if (values.watch && positionals.length !== 1) {
    throw new UsageError('--watch follows one FILE');
  }
  const events = listOf(values.event);
  const unknown = events.filter((name) => !HOOK_EVENT_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `--event: unknown ${unknown.map((name) => `"${name}"`).join(', ')}; the events are: ${HOOK_EVENT_NAMES.join(', ')}`,
    );
  }
  for (const file of positionals) checkReadable(file);
  const since = values.since === undefined ? undefined : parseSince(values.since, new Date());
  if (values.since !== undefined && since === undefined) {
    throw new UsageError(
      `--since: "${values.since}" is not a time (09:00, 2026-12-05T08:00) or a duration (10m, 2h, 1d)`,
    );
  }
  if (values.last !== undefined && !/^\d{1,9}$/.test(values.last)) {
    throw new UsageError(`-n: "${values.last}" is not a number`);
  }
  const options: QueryOptions = {
    filters: { events, tools: listOf(values.tool), sessionPrefix: values.session, since },
    last: values.last === undefined ? undefined : Number(values.last),
    output: values.json ? 'json' : values.csv ? 'csv' : 'table',
    columns: values.columns,
    sessions: values.sessions ?? false,
    colour: wantsColour(process.stdout, process.env),
    machines: store !== undefined,
  };
  columnsFor(options); // a misspelt --columns name is refused before anything is read
  return { files: positionals, store, watch: values.watch ?? false, options };
}

/** A flag's values, each of which may be a comma-separated list, as /events?event= and the installer's --events take them. */
function listOf(values: readonly string[] | undefined): string[] {
  return [
    ...new Set(
      (values ?? [])
        .flatMap((value) => value.split(','))
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    ),
  ];
}

/** A FILE that cannot be read is a usage error naming it and why, not a stack trace halfway through. */
function checkReadable(file: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile() || statSync(file).isFIFO();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `${file}: no such file (the FILE a server keeps with --log)`
        : `${file}: cannot be read (${code})`,
    );
  }
  if (!isFile) throw new UsageError(`${file}: not a file (the FILE a server keeps with --log)`);
}

async function main(): Promise<void> {
  let command;
  try {
    command = parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${PROGRAM}: ${error.message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (command === 'help') {
    process.stdout.write(usage());
    return;
  }
  const { options, files, watch, store } = command;
  const out = (text: string): void => void process.stdout.write(text);
  process.stdout.on('error', () => process.exit(0)); // `| head` closed the pipe: nothing more to say
  const sessions = options.sessions ? sessionQuery(options, out) : undefined;
  const query = sessions ?? eventQuery(options, out);
  if (store !== undefined) {
    try {
      await fromStore(store, options, query, sessions, watch, out);
    } catch (error) {
      process.stderr.write(`${PROGRAM}: the store ${store}: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
    return;
  }
  if (!watch) {
    const refusals = await readInputs(files, query);
    query.finish();
    for (const refusal of refusals) process.stderr.write(`${PROGRAM}: ${refusal}\n`);
    if (refusals.length > 0) process.exitCode = EXIT_USAGE;
    return;
  }
  // --watch: the rotated files, then FILE followed from its start (follow reads what
  // it holds at once), so that a rotation meanwhile loses nothing.
  const path = files[0] as string;
  await eachLineOfFiles(rotatedFiles(path), query.line);
  const clear = process.stdout.isTTY ? '\x1b[H\x1b[2J' : '';
  let started = false;
  const redraw = (): void => {
    if (!started || sessions === undefined) return;
    out(clear);
    sessions.render();
  };
  let live = query.line;
  follow(path, (line) => live(line), redraw);
  started = true;
  if (sessions !== undefined) {
    redraw();
  } else {
    query.finish();
    live = eventQuery({ ...options, last: undefined }, out).line;
  }
}

/** Feeds every input's lines to the query; says which inputs held no line of the server's log (LogShape). */
async function readInputs(files: readonly string[], query: Query): Promise<string[]> {
  const inputs = files.length === 0 ? [undefined] : filesInOrder(files);
  const refusals: string[] = [];
  for (const path of inputs) {
    const shape = new LogShape();
    const line = (bytes: Buffer): void => {
      shape.see(bytes);
      query.line(bytes);
    };
    if (path === undefined) await eachLine(process.stdin, line);
    else await eachLineOfFiles([path], line);
    const refusal = shape.refusal(path ?? 'standard input');
    if (refusal !== undefined) refusals.push(refusal);
  }
  return refusals;
}

/** --store: the same query over the store's rows; --watch redraws (sessions) or appends (events) as rows come. */
async function fromStore(
  url: string,
  options: QueryOptions,
  query: Query,
  sessions: { render(): void } | undefined,
  watch: boolean,
  out: (text: string) => void,
): Promise<void> {
  if (!watch) {
    await eachStoredLine(url, options.filters, options.sessions, query.line);
    query.finish();
    return;
  }
  const clear = process.stdout.isTTY ? '\x1b[H\x1b[2J' : '';
  let live = query.line;
  let first = true;
  await watchStore(
    url,
    options.filters,
    options.sessions,
    (line) => live(line),
    () => {
      if (sessions !== undefined) {
        out(clear);
        sessions.render();
      } else if (first) {
        query.finish();
        live = eventQuery({ ...options, last: undefined }, out).line;
      }
      first = false;
    },
    (line) => process.stderr.write(`${PROGRAM}: ${line}\n`),
  );
}

await main();
