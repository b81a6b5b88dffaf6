/**
 * pnpm -s replay FILE: send a recorded session (a server's --log FILE, or a
 * capture of the requests) to a running server, over TCP or a Unix socket,
 * at the pace it was recorded or as fast as the server answers.
 */
import { Agent, request } from 'node:http';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  parseCommandLine,
  UsageError,
  DEFAULT_PORT,
  EXIT_USAGE,
  HOOK_PATH,
  parsePort,
  PORT_ENV,
  TOKEN_ENV,
  typedCommand,
} from '@hook-observatory/core/vocabulary';
import { readRecording, type RecordedHook } from './recording.js';

const PROGRAM = 'replay';
/**
 * The longest pause kept at the recorded pace: a session left idle for an
 * hour is replayed with a pause of this, not an hour.
 */
export const MAX_PAUSE_MS = 5_000;
/** A hook not answered by then counts as failed: the servers answer at once. */
export const REPLAY_ANSWER_TIMEOUT_MS = 10_000;

/** The help, naming the command as the user typed it (typedCommand). */
export function usage(program = typedCommand('replay', 'replay')): string {
  return `Usage: ${program} [options] FILE

Send the hooks of a recorded session to a running server, in order: FILE is a
server's log (--log FILE) or a capture of the requests (as in
packages/conformance/traffic). A hook a capture holds several times (a curl
hook and a native hook for the same event) is sent once.

  --port N           the server's TCP port (default ${DEFAULT_PORT}, or $${PORT_ENV})
  --bind ADDR        the server's address (default 127.0.0.1)
  --socket PATH      the server's Unix socket instead of TCP
  --fast             as fast as the server answers; without it, at the recorded
                     pace (a pause longer than ${MAX_PAUSE_MS / 1000} s is cut to ${MAX_PAUSE_MS / 1000} s)
  --help             show this help

With $${TOKEN_ENV} set, each hook carries it as a bearer token.

Examples:
  ${program} --fast ~/hooks.jsonl
  ${program} --socket /tmp/claude-observatory.sock ~/hooks.jsonl
`;
}

const OPTIONS = {
  port: { type: 'string' },
  bind: { type: 'string', default: '127.0.0.1' },
  socket: { type: 'string' },
  fast: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Target {
  readonly host: string;
  readonly port: number;
  readonly socketPath: string | undefined;
  readonly token: string | undefined;
}

export const describeTarget = (target: Target): string =>
  target.socketPath === undefined ? `${target.host}:${target.port}` : `unix:${target.socketPath}`;

/** Send one hook; resolves with its status. */
function send(hook: RecordedHook, target: Target, agent: Agent): Promise<number> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Content-Length': String(hook.body.length),
    Host: target.socketPath === undefined ? `${target.host}:${target.port}` : 'localhost',
  };
  if (target.token !== undefined) headers['Authorization'] = `Bearer ${target.token}`;
  return new Promise((done, fail) => {
    const outgoing = request(
      {
        agent,
        method: 'POST',
        path: `${HOOK_PATH}?event=${encodeURIComponent(hook.event)}`,
        headers,
        timeout: REPLAY_ANSWER_TIMEOUT_MS,
        ...(target.socketPath === undefined
          ? { host: target.host, port: target.port }
          : { socketPath: target.socketPath }),
      },
      (answer) => {
        answer.resume();
        answer.on('end', () => done(answer.statusCode ?? 0));
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`no answer in ${REPLAY_ANSWER_TIMEOUT_MS} ms`)),
    );
    outgoing.on('error', fail);
    outgoing.end(hook.body);
  });
}

/** The pause before `hook` at the recorded pace: the time between it and the one before, at most MAX_PAUSE_MS. */
export function pauseBefore(hook: RecordedHook, previous: RecordedHook | undefined): number {
  if (previous?.at === undefined || hook.at === undefined) return 0;
  return Math.min(Math.max(0, hook.at - previous.at), MAX_PAUSE_MS);
}

/** Send every hook in order; resolves with how many were answered 200. */
export async function replayHooks(
  hooks: readonly RecordedHook[],
  target: Target,
  fast: boolean,
): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let answered = 0;
  try {
    for (const [index, hook] of hooks.entries()) {
      if (!fast) await sleep(pauseBefore(hook, hooks[index - 1]));
      if ((await send(hook, target, agent)) === 200) answered++;
    }
  } finally {
    agent.destroy();
  }
  return answered;
}

/** What a failed connection means, in the user's words. */
export function connectionProblem(error: NodeJS.ErrnoException, target: Target): string {
  const where = describeTarget(target);
  switch (error.code) {
    case 'ECONNREFUSED':
      return `nothing listens on ${where} (ECONNREFUSED): start a server, or give its --port or --socket`;
    case 'ENOENT':
      return `no socket at ${target.socketPath ?? where} (ENOENT): start a server with --socket, or give its path`;
    case 'EACCES':
      return `no permission to connect to ${where} (EACCES)`;
    default:
      return `${where}: ${error.code ?? error.message}`;
  }
}

function parse(argv: readonly string[]): { file: string; target: Target; fast: boolean } | 'help' {
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(`give one FILE to replay (a log or a capture), not ${positionals.length}`);
  }
  const portText = values.port ?? (process.env[PORT_ENV] || undefined);
  let port = DEFAULT_PORT;
  try {
    if (portText !== undefined) {
      port = parsePort(portText, values.port === undefined ? PORT_ENV : '--port', 1);
    }
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const token = process.env[TOKEN_ENV];
  return {
    file: positionals[0] as string,
    fast: values.fast,
    target: { host: values.bind, port, socketPath: values.socket, token: token || undefined },
  };
}

function load(file: string): RecordedHook[] {
  try {
    return readRecording(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `${file}: no such file`
        : `${file}: cannot be read (${code ?? String(error)})`,
    );
  }
}

/** `replay` as its pnpm script and `hook-observatory replay` run it: flags from process.argv. */
export async function main(): Promise<void> {
  let command;
  let hooks: RecordedHook[];
  try {
    command = parse(process.argv.slice(2));
    if (command === 'help') {
      process.stdout.write(usage());
      return;
    }
    hooks = load(command.file);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${PROGRAM}: ${error.message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (hooks.length === 0) {
    process.stderr.write(
      `${PROGRAM}: ${command.file} holds no hook (neither a log's lines nor a capture's)\n`,
    );
    process.exitCode = EXIT_USAGE;
    return;
  }
  const where = describeTarget(command.target);
  try {
    const answered = await replayHooks(hooks, command.target, command.fast);
    process.stderr.write(
      `${PROGRAM}: sent ${hooks.length} hooks to ${where}; ${answered} answered 200\n`,
    );
    process.exitCode = answered === hooks.length ? 0 : 1;
  } catch (error) {
    process.stderr.write(
      `${PROGRAM}: ${connectionProblem(error as NodeJS.ErrnoException, command.target)}\n`,
    );
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
