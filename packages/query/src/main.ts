#!/usr/bin/env node
/**
 * hook-observatory-query: questions to the event log a server keeps with --log.
 */
import { parseArgs } from 'node:util';
import { rotatedFiles, wantsColour } from '@hook-observatory/core';
import { parseSince } from './filter.js';
import { follow } from './follow.js';
import { eachLine, eachLineOfFiles, filesInOrder } from './lines.js';
import { eventQuery, sessionQuery, type QueryOptions } from './query.js';

const PROGRAM = 'hook-observatory-query';
/** Usage errors exit 2, as the servers' do (BSD sysexits). */
const EXIT_USAGE = 2;

export const USAGE = `Usage: ${PROGRAM} [options] [FILE...]

Read the events a server keeps with --log FILE (FILE's rotated files first,
oldest first), or standard input when no FILE is given, and show those asked for.

Filters (all must match; a flag given twice matches either value):
  --event NAME         the hook event, e.g. PostToolUseFailure
  --tool NAME          the tool, e.g. Bash
  --session PREFIX     sessions whose id starts with PREFIX
  --since WHEN         10m, 2h, 1d back from now; 09:00 today; 2026-12-05T08:00
  -n, --last N         only the last N

Output (an aligned table unless):
  --json               JSON lines (the log's own lines, unless --columns)
  --csv                CSV with a header row
  --columns A,B        these columns, or any field (tool_input.command)
  --sessions           one row per session: what it is doing now, since when
  --watch              keep the view live as events arrive (needs one FILE)
  --help               show this help

Examples:
  ${PROGRAM} --sessions ~/hooks.jsonl                    # what is each session doing now
  ${PROGRAM} --event PostToolUseFailure --tool Bash --since 08:00 ~/hooks.jsonl
`;

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
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

function parse(argv: readonly string[]): { options: QueryOptions; files: string[]; watch: boolean } | 'help' {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (values.json && values.csv) throw new UsageError('--json and --csv cannot be combined');
  if (values.watch && positionals.length !== 1) throw new UsageError('--watch follows one FILE');
  const since = values.since === undefined ? undefined : parseSince(values.since, new Date());
  if (values.since !== undefined && since === undefined) throw new UsageError(`--since: "${values.since}" is not a time (09:00, 2026-12-05T08:00) or a duration (10m, 2h, 1d)`);
  if (values.last !== undefined && !/^\d{1,9}$/.test(values.last)) throw new UsageError(`-n: "${values.last}" is not a number`);
  return {
    files: positionals,
    watch: values.watch ?? false,
    options: {
      filters: { events: values.event ?? [], tools: values.tool ?? [], sessionPrefix: values.session, since },
      last: values.last === undefined ? undefined : Number(values.last),
      output: values.json ? 'json' : values.csv ? 'csv' : 'table',
      columns: values.columns,
      sessions: values.sessions ?? false,
      colour: wantsColour(process.stdout, process.env),
    },
  };
}

async function main(): Promise<void> {
  let command;
  try {
    command = parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${PROGRAM}: ${error.message}\n\n${USAGE}`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const { options, files, watch } = command;
  const out = (text: string): void => void process.stdout.write(text);
  process.stdout.on('error', () => process.exit(0)); // `| head` closed the pipe: nothing more to say
  const sessions = options.sessions ? sessionQuery(options, out) : undefined;
  const query = sessions ?? eventQuery(options, out);
  if (!watch) {
    if (files.length === 0) await eachLine(process.stdin, query.line);
    else await eachLineOfFiles(filesInOrder(files), query.line);
    query.finish();
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

await main();
