/**
 * pnpm demo: both servers, one recorded Claude Code session, two event streams
 * side by side, and a verdict: identical, or where they first differ.
 *
 * `pnpm demo -- --help` (USAGE below) says how to run it.
 *
 * Both servers run with the test clock (every `_ts` the same), so that their
 * streams can be compared byte for byte. Exit status 0: identical; 1: not.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SERVER_NAMES, startServer, type ServerName } from '@hook-observatory/launcher';
import { argsErrorLine } from '@hook-observatory/core/vocabulary';
import { replay } from './replay.js';
import { display } from './shown.js';
import { loadTraffic, SESSIONS, type Session } from '@hook-observatory/conformance/traffic';

/** The width to lay out for when standard output is not a terminal. */
const DEFAULT_WIDTH = 120;
const MIN_WIDTH = 60;
/** Characters of context shown on each side of the first difference. */
const DIFFERENCE_CONTEXT = 30;

export interface Difference {
  readonly what: 'event' | 'answer';
  /** 0-based index of the first differing event or answer. */
  readonly index: number;
  readonly http: string | undefined;
  readonly net: string | undefined;
}

/** The first index where two lists of texts differ, one running out counting as a difference. */
export function firstDifference(
  http: readonly string[],
  net: readonly string[],
  what: Difference['what'],
): Difference | undefined {
  for (let index = 0; index < Math.max(http.length, net.length); index++) {
    if (http[index] !== net[index]) return { what, index, http: http[index], net: net[index] };
  }
  return undefined;
}

/** One stream's line as a cell: the event's name, then its fields after the server's own, cut to `width`. */
export function cell(line: string | undefined, width: number): string {
  if (line === undefined) return '(nothing)'.padEnd(width);
  let text = line;
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    // The server's fields and the fields every event of a session repeats say nothing about this one.
    const payload = line
      .replace(/^\{"_ts":"[^"]*","_event":"[^"]*",("_client":"[^"]*",)?/, '{')
      .replace(
        /"(session_id|transcript_path|cwd|prompt_id|permission_mode|hook_event_name)":"[^"]*",?/g,
        '',
      );
    text = `${String(record['_event']).padEnd(20)} ${payload}`;
  } catch {
    // Not JSON: shown as it is, which is itself worth seeing.
  }
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/**
 * The two streams as rows: number, how the event was sent, the http server's
 * line, `=` or `≠`, the net server's line.
 */
export function sideBySide(
  http: readonly string[],
  net: readonly string[],
  senders: readonly string[],
  width: number,
): string[] {
  const column = Math.floor((Math.max(width, MIN_WIDTH) - 16) / 2);
  const rows = [
    `${'#'.padStart(4)} ${'sent by'.padEnd(7)}  ${'node:http'.padEnd(column)}   node:net`,
  ];
  for (let index = 0; index < Math.max(http.length, net.length); index++) {
    const mark = http[index] === net[index] ? '=' : '≠';
    const sender = (senders[index] ?? '').padEnd(7);
    rows.push(
      `${String(index + 1).padStart(4)} ${sender}  ${cell(http[index], column)} ${mark} ${cell(net[index], column)}`.trimEnd(),
    );
  }
  return rows;
}

function around(text: string | undefined, offset: number): string {
  if (text === undefined) return '(nothing: this stream ended here)';
  const start = Math.max(0, offset - DIFFERENCE_CONTEXT);
  return `${start > 0 ? '…' : ''}${JSON.stringify(text.slice(start, offset + DIFFERENCE_CONTEXT)).slice(1, -1)}`;
}

export function verdict(
  difference: Difference | undefined,
  events: number,
  answers: number,
): string[] {
  if (difference === undefined) {
    return [`verdict: identical. ${events} events and ${answers} answers, byte for byte.`];
  }
  const { http = '', net = '' } = difference;
  let offset = 0;
  while (offset < Math.min(http.length, net.length) && http[offset] === net[offset]) offset++;
  return [
    `verdict: different. First difference: ${difference.what} ${difference.index + 1}, at character ${offset + 1}:`,
    `  node:http  ${around(difference.http, offset)}`,
    `  node:net   ${around(difference.net, offset)}`,
  ];
}

export interface DemoOptions {
  readonly session: Session;
  readonly width: number;
  readonly write: (line: string) => void;
}

/** Run the demo; true when the two servers wrote the same events and answers. */
export async function runDemo({ session, width, write }: DemoOptions): Promise<boolean> {
  const requests = loadTraffic(session).filter((request) => request.transport === 'tcp');
  const curl = requests.filter((request) => request.sender === 'curl').length;
  write(`Replaying the recorded "${session}" session into both servers:`);
  write(
    `  ${curl} curl command hooks (a connection each) and ${requests.length - curl} native HTTP hooks (one keep-alive connection).`,
  );
  const runs = await Promise.all(
    SERVER_NAMES.map(async (name: ServerName) => {
      const server = await startServer(name);
      try {
        const answers = await replay(server.port, requests);
        const events = await server.waitForLines(requests.length);
        return { events, answers: answers.map((answer) => display(answer, server.port)) };
      } finally {
        await server.stop();
      }
    }),
  );
  const [http, net] = runs as [(typeof runs)[number], (typeof runs)[number]];
  write('');
  for (const row of sideBySide(
    http.events,
    net.events,
    requests.map((request) => request.sender),
    width,
  )) {
    write(row);
  }
  write('');
  const difference =
    firstDifference(http.events, net.events, 'event') ??
    firstDifference(http.answers, net.answers, 'answer');
  for (const line of verdict(difference, http.events.length, http.answers.length)) write(line);
  return difference === undefined;
}

const OPTIONS = {
  session: { type: 'string', default: 'permission' },
  width: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const USAGE = `Usage: pnpm demo [-- options]

Start both servers, replay a recorded Claude Code session into each, and show
the two event streams side by side with a verdict: identical, or where they
first differ. Exit status 0: identical; 1: not; 2: a bad option.

  --session NAME     the recorded session: ${SESSIONS.join(', ')} (default permission)
  --width N          the width to lay the table out for (default: the terminal's)
  --help             show this help

Examples:
  pnpm demo
  pnpm demo -- --session teammate --width 160
`;

async function main(): Promise<void> {
  // `pnpm demo | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2).filter((arg) => arg !== '--'),
      options: OPTIONS,
    });
  } catch (error) {
    throw new Error(argsErrorLine(error, OPTIONS));
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const session = values.session as Session;
  if (!SESSIONS.includes(session)) {
    throw new Error(
      `--session: "${values.session}" is no recorded session; one of ${SESSIONS.join(', ')}`,
    );
  }
  if (values.width !== undefined && !/^\d{1,4}$/.test(values.width)) {
    throw new Error(`--width: "${values.width}" is not a number of columns`);
  }
  const width =
    values.width === undefined ? (process.stdout.columns ?? DEFAULT_WIDTH) : Number(values.width);
  const identical = await runDemo({
    session,
    width,
    write: (line) => process.stdout.write(`${line}\n`),
  });
  process.exitCode = identical ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`demo: ${(error as Error).message}\n`);
    process.exitCode = 2;
  });
}
