/**
 * Every command a user runs answers --help with its usage and examples, and
 * a flag it does not know with one line naming the flags it does, and exit
 * status 2 (README "The two servers": a bad flag).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../helpers/temp-dirs.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dirs = tempDirs('manners-');
afterEach(() => dirs.removeAll());

/** Each command as `pnpm <script>` runs it. */
const COMMANDS = [
  { command: 'start', entry: 'packages/http-server/dist/main.js' },
  { command: 'start:net', entry: 'packages/net-server/dist/main.js' },
  { command: 'query', entry: 'packages/query/dist/main.js' },
  { command: 'install-hooks', entry: 'packages/installer/dist/main.js' },
  { command: 'demo', entry: 'packages/tools/dist/demo.js' },
  { command: 'send', entry: 'packages/tools/dist/send.js' },
  { command: 'replay', entry: 'packages/tools/dist/replay-command.js' },
];

function run(
  entry: string,
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, entry), ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    input: '',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.each(COMMANDS)('pnpm $command', ({ entry }) => {
  it('--help prints the usage and examples on standard output, and exits 0', () => {
    const result = run(entry, ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: /);
    expect(result.stdout).toContain('Examples:');
    expect(result.stderr).toBe('');
  });

  it('an unknown flag is one line naming the flags there are, and exit 2', () => {
    const result = run(entry, ['--bogus']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^[\w-]+: unknown option --bogus; the options are [^\n]*--help[^\n]*\n$/,
    );
  });

  it('a flag without its value is one line naming it, and exit 2', () => {
    const flag = {
      start: '--port',
      'start:net': '--port',
      query: '--since',
      'install-hooks': '--port',
      demo: '--session',
      send: '--split',
      replay: '--port',
    };
    const name = COMMANDS.find((each) => each.entry === entry)?.command as keyof typeof flag;
    const result = run(entry, [flag[name]]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^[\\w-]+: ${flag[name]} needs a value\\n$`));
  });
});

describe('query names what is valid', () => {
  it.for([
    {
      name: 'an unknown event',
      args: ['--event', 'Stop,Bogus'],
      line: /^hook-observatory-query: --event: unknown "Bogus"; the events are: Setup, /,
    },
  ])('$name: one line, exit 2', ({ args, line }) => {
    const log = join(dirs.make(), 'hooks.jsonl');
    writeFileSync(
      log,
      `${JSON.stringify({ _ts: '2026-01-01T00:00:00.000Z', _event: 'Stop', session_id: 's1', cwd: '/w' })}\n`,
    );
    const result = run('packages/query/dist/main.js', [...args, log]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(line);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });

  it('a field some event holds is a column', () => {
    const log = join(dirs.make(), 'hooks.jsonl');
    writeFileSync(log, `${JSON.stringify({ _event: 'Stop', session_id: 's1', cwd: '/w' })}\n`);
    const result = run('packages/query/dist/main.js', ['--csv', '--columns', 'event,cwd', log]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('event,cwd\r\nStop,/w\r\n'); // RFC 4180's line ends
  });
});
