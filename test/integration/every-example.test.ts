/**
 * Every example command line that a command's --help prints, and every command in the
 * README's shell blocks, runs here as a user would type it (through `sh`) and succeeds:
 * exit status 0 and no error on standard error. The table is read from the helps and the
 * README, so a new example is a new case; one that cannot run here is in NOT_RUN with why.
 *
 * What stands in for the user's machine: a fresh HOME and working directory (INIT_CWD too,
 * so that `install-hooks --project` writes there, never into the checkout); `pnpm SCRIPT`
 * runs the script's node entry directly (a stand-in on PATH: the test tier built it, and
 * `tsc -b` per example would cost seconds); `hook-observatory` is the package's program.
 * Clients (curl, send, replay) reach servers this file starts; an example that starts a
 * server runs on port 0 (or a socket in the temporary directory), is stopped with SIGTERM
 * to the server's own PID once it says ready, and must then exit 0 as the README says.
 *
 * The helps are read while the file is collected (each `--help` exits at once; a timeout
 * bounds it): the cases must exist before any test runs.
 *
 * @module-tag slow
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORT } from '@hook-observatory/core';
import { ROOT, startServer, type RunningServer } from '@hook-observatory/launcher';
import { allTrafficLog } from '../helpers/traffic-log.js';
import { tempDirs } from '../helpers/temp-dirs.js';

/** How long one example may take before it is stopped and fails: a bound on a hang, not a timing claim. */
const EXAMPLE_TIMEOUT_MS = 50_000;
/** How long a server an example starts has to say ready (the launcher's STARTUP_TIMEOUT_MS). */
const SERVER_READY_TIMEOUT_MS = 20_000;

/** A pnpm script that runs a node entry: `[tsc -b && ][exec ]node FILE`. */
const NODE_SCRIPT = /^(?:tsc -b && )?(?:exec )?node (\S+\.js)$/;
const SCRIPTS = Object.entries(
  (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts,
).flatMap(([script, command]) => {
  const entry = NODE_SCRIPT.exec(command)?.[1];
  // The project's commands (packages/*), not the repository's own tools (scripts/: docs:sync
  // writes into the checkout, and takes no --help).
  return entry === undefined || !entry.startsWith('packages/') ? [] : [{ script, entry }];
});
const PACKAGE_PROGRAM = 'packages/cli/bin/hook-observatory.js';

/** The examples of a help: the lines after `Examples:`, a trailing backslash joining the next. */
function helpExamples(help: string): string[] {
  const section = help.split(/^Examples:\n/m)[1];
  if (section === undefined) return [];
  return commandsOf(section.split(/\n\s*\n/)[0] ?? '');
}

/** The commands of the README's `sh` blocks. */
function readmeExamples(readme: string): string[] {
  return [...readme.matchAll(/^```sh\n([^]*?)^```$/gm)].flatMap((block) => commandsOf(block[1]!));
}

/** Shell lines as commands: continuations joined, comments and blank lines dropped. */
function commandsOf(text: string): string[] {
  return text
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.replace(/(^|\s+)#\s.*$/, '').trim())
    .filter((line) => line !== '');
}

interface Example {
  readonly command: string;
  /** Where it is printed: `pnpm -s query --help`, `README.md`. */
  readonly source: string;
}

/** Each command's help, as `pnpm SCRIPT --help` and `hook-observatory --help` print it. */
function helps(): Array<{ source: string; text: string }> {
  const entries = new Map<string, string>();
  for (const { script, entry } of SCRIPTS) {
    if (!entries.has(entry)) entries.set(entry, `pnpm -s ${script}`);
  }
  entries.set(PACKAGE_PROGRAM, 'hook-observatory');
  return [...entries].map(([entry, typed]) => {
    const result = spawnSync(process.execPath, [join(ROOT, entry), '--help'], {
      input: '',
      encoding: 'utf8',
      timeout: EXAMPLE_TIMEOUT_MS,
    });
    return { source: `${typed} --help`, text: result.status === 0 ? result.stdout : '' };
  });
}

const HELPS = helps();
const EXAMPLES: Example[] = [
  ...HELPS.flatMap(({ source, text }) =>
    helpExamples(text).map((command) => ({ command, source })),
  ),
  ...readmeExamples(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((command) => ({
    command,
    source: 'README.md',
  })),
].filter((example, index, all) => all.findIndex((e) => e.command === example.command) === index);

/** Examples that cannot run in a test, each with the reason. */
const NOT_RUN: Readonly<Record<string, string>> = {
  'npm i -g pnpm@10 && pnpm install && pnpm start':
    'installs pnpm globally from the registry; its `pnpm start` runs as "pnpm start" below',
  'npm i -g pnpm@10 && pnpm install && pnpm test':
    'runs the whole test suite, this file included: .ci/run is that run',
  claude: 'needs Claude Code and a person using it',
  'npm i -g ./hook-observatory-0.1.0.tgz':
    'needs the packed tarball and a global npm prefix: test/pack/npm-package.test.ts installs it for real',
  'claude plugin marketplace add ~/hook-observatory':
    'needs the Claude Code CLI: test/pack installs the plugin with it for real',
  'claude plugin install hook-observatory@hook-observatory':
    'needs the Claude Code CLI: test/pack installs the plugin with it for real',
  'claude plugin uninstall hook-observatory@hook-observatory':
    'needs the Claude Code CLI: test/pack installs the plugin with it for real',
};

/** A command that starts a server: it runs until stopped. */
const STARTS_SERVER = /^(?:pnpm (?:-s )?start(?::\w+)?|hook-observatory start)(?:\s|$)/;

const temp = tempDirs('every-example-');
let tcpServer: RunningServer | undefined;
let unixServer: RunningServer | undefined;
let stubs = '';
const running = new Set<ChildProcess>();

beforeAll(async () => {
  stubs = join(temp.make(), 'bin');
  mkdirSync(stubs);
  // `pnpm [-s] SCRIPT ARGS`: the script's entry with ARGS as pnpm passes them (a `--` included).
  const cases = SCRIPTS.map(
    ({ script, entry }) => `  ${script}) exec node '${join(ROOT, entry)}' "$@" ;;`,
  ).join('\n');
  writeFileSync(
    join(stubs, 'pnpm'),
    `#!/bin/sh\n[ "$1" = -s ] && shift\nscript=$1; shift\ncase "$script" in\n${cases}\n  *) echo "pnpm stand-in: no script $script" >&2; exit 127 ;;\nesac\n`,
  );
  writeFileSync(
    join(stubs, 'hook-observatory'),
    `#!/bin/sh\nexec node '${join(ROOT, PACKAGE_PROGRAM)}' "$@"\n`,
  );
  chmodSync(join(stubs, 'pnpm'), 0o755);
  chmodSync(join(stubs, 'hook-observatory'), 0o755);
  tcpServer = await startServer('http');
  unixServer = await startServer('http', { transport: 'unix' });
});

/** Ends what is left of an example: its process group, which this file started. */
function endGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

afterEach(() => {
  for (const child of running) endGroup(child);
  running.clear();
});

afterAll(async () => {
  await Promise.all([tcpServer?.stop(), unixServer?.stop()]);
  temp.removeAll();
});

/** A fresh home holding a day's log, and a project directory with the recorded sessions. */
function machine(): { home: string; project: string } {
  const dir = temp.make();
  const home = join(dir, 'home');
  const project = join(dir, 'project');
  mkdirSync(home);
  mkdirSync(join(project, 'test'), { recursive: true });
  // One instant for every event: `replay` without --fast keeps the recorded pace, which would
  // pause up to MAX_PAUSE_MS between sessions recorded on different days.
  const day = allTrafficLog()
    .toString('utf8')
    .replace(/"_ts":"[^"]*"/g, `"_ts":"${new Date().toISOString()}"`);
  writeFileSync(join(home, 'hooks.jsonl'), day);
  symlinkSync(join(ROOT, 'test/fixtures'), join(project, 'test/fixtures'));
  return { home, project };
}

/** The example as run here: the servers this file started in place of the default port and /tmp sockets. */
function adapted(command: string, dir: string): string {
  if (STARTS_SERVER.test(command)) {
    return command.replace(/--port \d+/g, '--port 0').replace(/\/tmp\//g, `${dir}/`);
  }
  return command
    .replaceAll(String(DEFAULT_PORT), String(tcpServer!.port))
    .replace(/\/tmp\/\S+\.sock\b/g, unixServer!.socketPath);
}

function environment(command: string, home: string, project: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${stubs}:${process.env['PATH'] ?? ''}`,
    HOME: home,
    INIT_CWD: project,
    NO_COLOR: '1',
    CLAUDE_REST_HOOK_WATCHER: STARTS_SERVER.test(command) ? '0' : String(tcpServer!.port),
    CLAUDE_UNIX_HOOK_WATCHER: unixServer!.socketPath,
  };
  delete env['CLAUDE_CONFIG_DIR'];
  delete env['HOOK_OBSERVATORY_TOKEN'];
  // The help's --token example takes the token from the variable, as its help says.
  if (/--token\b/.test(command)) env['HOOK_OBSERVATORY_TOKEN'] = 'example-token';
  return env;
}

interface Ran {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` in `sh`, in its own process group so that whatever is left can be ended. */
function sh(
  command: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
  whenRunning?: (child: ChildProcess, stderr: () => string) => void,
): Promise<Ran> {
  const child = spawn('sh', ['-c', command], { ...options, detached: true });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(options.input ?? '');
  whenRunning?.(child, () => stderr);
  const hang = setTimeout(() => endGroup(child), EXAMPLE_TIMEOUT_MS);
  return new Promise((done) =>
    child.on('close', (status, signal) => {
      clearTimeout(hang);
      done({ status, signal, stdout, stderr });
    }),
  );
}

/** The server among `pid` and its descendants: the node process running a server's entry. */
function serverPid(pid: number): number | undefined {
  const cmdline = (p: number): string => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  if (/node\0.*(?:main|hook-observatory)\.js/.test(cmdline(pid))) return pid;
  const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((line) => line !== '')
    .map(Number);
  for (const child of children) {
    const found = serverPid(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Once the server says ready, SIGTERM to its own PID (as a service manager stops it). */
function stopWhenReady(child: ChildProcess, stderr: () => string): void {
  const started = Date.now();
  const poll = setInterval(() => {
    if (child.exitCode !== null) return void clearInterval(poll);
    if (!/^ready\b/m.test(stderr()) && Date.now() - started < SERVER_READY_TIMEOUT_MS) return;
    clearInterval(poll);
    const pid = serverPid(child.pid!);
    process.kill(pid ?? -child.pid!, 'SIGTERM');
  }, 50);
}

/** What an error looks like on standard error: a stack, an error line, a refusal, a usage error. */
const ERROR_TEXT =
  /\n\s+at \S|\b(?:Error|ERR_[A-Z_]+)\b|\berror:|unknown option|needs a value|no such file|not a file|command not found|stand-in: no script|refused/i;

/** Runs an example as this file's header says; what went wrong, if anything. */
async function failures(command: string): Promise<string[]> {
  const { home, project } = machine();
  const server = STARTS_SERVER.test(command);
  const ran = await sh(
    adapted(command, project),
    // The README's hook command reads the hook's payload from standard input.
    { cwd: project, env: environment(command, home, project), input: '{"session_id":"example"}' },
    server ? stopWhenReady : undefined,
  );
  const found: string[] = [];
  if (server && !/^ready\b/m.test(ran.stderr)) found.push('the server never said ready');
  if (ran.status !== 0) found.push(`exit status ${ran.status ?? ran.signal}`);
  // Standard output is data (a recorded failure's error is one of its rows): messages go to stderr.
  const error = ERROR_TEXT.exec(ran.stderr);
  if (error !== null) found.push(`an error on standard error: ${error[0]}`);
  return found.length === 0 ? [] : [...found, `stderr: ${ran.stderr.slice(0, 2000)}`];
}

describe('every example', () => {
  it('the-table-holds-every-help-that-prints-examples-and-the-readme', () => {
    expect(HELPS.filter(({ text }) => text === '').map(({ source }) => source)).toEqual([]);
    expect(EXAMPLES.length).toBeGreaterThan(20);
  });

  it('not-run-names-only-examples-that-exist', () => {
    const commands = EXAMPLES.map(({ command }) => command);
    expect(Object.keys(NOT_RUN).filter((command) => !commands.includes(command))).toEqual([]);
  });

  const runnable = EXAMPLES.filter(({ command }) => NOT_RUN[command] === undefined);
  it.each(
    runnable.map((example) => ({ ...example, name: `${example.source}: ${example.command}` })),
  )('$name', async ({ command }) => {
    expect(await failures(command)).toEqual([]);
  });

  it.each([
    { name: 'a-missing-file', command: 'pnpm -s query ~/missing.jsonl' },
    { name: 'a-bad-flag', command: 'pnpm -s start --port nosuch' },
    { name: 'no-such-script', command: 'pnpm -s nosuch' },
  ])('the-check-fails-an-example-that-fails-$name', async ({ command }) => {
    expect(await failures(command)).not.toEqual([]);
  });
});
