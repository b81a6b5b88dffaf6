/**
 * The command line: flags, then the environment variables the servers read,
 * then the servers' defaults; the directory the user typed the command in;
 * and a clear refusal of anything that cannot be meant.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, DEFAULT_SOCKET_PATH, HOOK_EVENT_NAMES } from '@hook-observatory/core';
import { UsageError } from '@hook-observatory/core/vocabulary';
import {
  DEFAULT_WATCHED_FILES,
  parseCli,
  settingsPathFor,
  type InstallOptions,
} from '@hook-observatory/installer';

const CWD = '/work/main';

function options(argv: string[], env: NodeJS.ProcessEnv = {}): InstallOptions {
  const command = parseCli(argv, env, CWD);
  if (command.kind !== 'run') throw new Error(`expected run, got ${command.kind}`);
  return command.options;
}

describe('where the hooks send', () => {
  it.each([
    {
      name: 'defaults',
      argv: [],
      env: {},
      target: {
        transport: 'tcp',
        port: DEFAULT_PORT,
        socketPath: DEFAULT_SOCKET_PATH,
        tokenFile: undefined,
      },
    },
    {
      name: 'env-port',
      argv: [],
      env: { CLAUDE_REST_HOOK_WATCHER: '9000' },
      target: { port: 9000 },
    },
    {
      name: 'flag-beats-env-port',
      argv: ['--port', '9001'],
      env: { CLAUDE_REST_HOOK_WATCHER: '9000' },
      target: { port: 9001 },
    },
    {
      name: 'env-socket',
      argv: ['--transport', 'unix'],
      env: { CLAUDE_UNIX_HOOK_WATCHER: '/run/me/o.sock' },
      target: { socketPath: '/run/me/o.sock' },
    },
    {
      name: 'flag-beats-env-socket',
      argv: ['--transport', 'unix', '--socket', '/a.sock'],
      env: { CLAUDE_UNIX_HOOK_WATCHER: '/b.sock' },
      target: { socketPath: '/a.sock' },
    },
    {
      name: 'relative-socket-from-invocation-dir',
      argv: ['--transport', 'unix', '--socket', 'o.sock'],
      env: { INIT_CWD: '/home/dev/project' },
      target: { socketPath: '/home/dev/project/o.sock' },
    },
    {
      name: 'http-takes-a-port',
      argv: ['--transport', 'http', '--port', '8080'],
      env: {},
      target: { transport: 'http', port: 8080 },
    },
    {
      name: 'pnpm-forwarded-double-dash',
      argv: ['--', '--port', '9002'],
      env: {},
      target: { port: 9002 },
    },
  ])('$name', ({ argv, env, target }) => {
    expect(options(argv, env).target).toMatchObject(target);
  });

  it('invalid-env-port-warns-and-uses-the-default-as-the-servers-do', () => {
    const parsed = options([], { CLAUDE_REST_HOOK_WATCHER: 'eighty' });
    expect(parsed.target.port).toBe(DEFAULT_PORT);
    expect(parsed.warnings).toEqual([
      expect.stringContaining('CLAUDE_REST_HOOK_WATCHER: "eighty" is not a port number'),
    ]);
  });
});

describe('which settings file', () => {
  const env = { HOME: '/home/dev', INIT_CWD: '/home/dev/project' };
  it.each([
    { name: 'global', scope: 'global' as const, env, path: '/home/dev/.claude/settings.json' },
    {
      name: 'global-config-dir',
      scope: 'global' as const,
      env: { ...env, CLAUDE_CONFIG_DIR: '/cfg' },
      path: '/cfg/settings.json',
    },
    {
      name: 'project-from-init-cwd',
      scope: 'project' as const,
      env,
      path: '/home/dev/project/.claude/settings.json',
    },
    {
      name: 'local-from-init-cwd',
      scope: 'local' as const,
      env,
      path: '/home/dev/project/.claude/settings.local.json',
    },
    {
      name: 'project-without-pnpm',
      scope: 'project' as const,
      env: { HOME: '/home/dev' },
      path: `${CWD}/.claude/settings.json`,
    },
  ])('$name', ({ scope, env, path }) => {
    const parsed = options([`--${scope}`], env);
    expect(parsed.scope).toBe(scope);
    expect(settingsPathFor(scope, env, parsed.invocationDir)).toBe(path);
  });

  it('none-given-is-left-to-ask', () => {
    expect(options([]).scope).toBeUndefined();
  });
});

describe('events', () => {
  it.each([
    { name: 'default-is-every-event', argv: [], events: HOOK_EVENT_NAMES, chosen: false },
    {
      name: 'a-subset',
      argv: ['--events', 'Stop,PreToolUse'],
      events: ['Stop', 'PreToolUse'],
      chosen: true,
    },
    {
      name: 'spaces-and-repeats',
      argv: ['--events', ' Stop , Stop,,PreToolUse '],
      events: ['Stop', 'PreToolUse'],
      chosen: true,
    },
  ])('$name', ({ argv, events, chosen }) => {
    const parsed = options(argv);
    expect(parsed.events).toEqual(events);
    expect(parsed.eventsChosen).toBe(chosen);
  });
});

describe('files the FileChanged hook watches', () => {
  it.each([
    { name: 'default', argv: [], watch: DEFAULT_WATCHED_FILES },
    { name: 'chosen', argv: ['--watch', '.env|package.json'], watch: ['.env', 'package.json'] },
    {
      name: 'spaces-and-repeats',
      argv: ['--watch', ' .env | .env||go.mod '],
      watch: ['.env', 'go.mod'],
    },
    {
      name: 'with-its-event',
      argv: ['--events', 'FileChanged', '--watch', 'CLAUDE.md'],
      watch: ['CLAUDE.md'],
    },
  ])('$name', ({ argv, watch }) => {
    expect(options(argv).watch).toEqual(watch);
  });
});

describe('--token', () => {
  it.each([
    {
      name: 'reads-the-variable-now',
      argv: ['--token'],
      env: { HOOK_OBSERVATORY_TOKEN: 'abc-123' },
      token: 'abc-123',
    },
    {
      name: 'absent-without-the-flag',
      argv: [],
      env: { HOOK_OBSERVATORY_TOKEN: 'abc-123' },
      token: undefined,
    },
    {
      name: 'not-needed-to-uninstall',
      argv: ['--token', '--uninstall'],
      env: {},
      token: undefined,
    },
  ])('$name', ({ argv, env, token }) => {
    expect(options(argv, env).token).toBe(token);
  });

  it.each([
    {
      name: 'unset',
      env: {},
      message: /--token writes \$HOOK_OBSERVATORY_TOKEN to a file only you can read; set it/,
    },
    {
      name: 'empty',
      env: { HOOK_OBSERVATORY_TOKEN: '' },
      message: /set it to the server's token first/,
    },
    // A line break in the header file would add a header of the token's choosing.
    {
      name: 'line-break',
      env: { HOOK_OBSERVATORY_TOKEN: 'a\nX-Evil: 1' },
      message: /printable ASCII without spaces/,
    },
    {
      name: 'space',
      env: { HOOK_OBSERVATORY_TOKEN: 'a b' },
      message: /printable ASCII without spaces/,
    },
  ])('refused-when-the-variable-is-$name', ({ env, message }) => {
    expect(() => parseCli(['--token'], env, CWD)).toThrow(UsageError);
    expect(() => parseCli(['--token'], env, CWD)).toThrow(message);
  });
});

describe('refused with a clear answer', () => {
  it.each([
    {
      name: 'two-scopes',
      argv: ['--global', '--local'],
      message: /--global and --local cannot be combined/,
    },
    {
      name: 'unknown-transport',
      argv: ['--transport', 'udp'],
      message: /"udp" is not one of tcp, unix, http/,
    },
    {
      name: 'port-with-unix',
      argv: ['--transport', 'unix', '--port', '1'],
      message: /--port applies to --transport tcp and http/,
    },
    {
      name: 'socket-with-tcp',
      argv: ['--socket', '/a.sock'],
      message: /--socket applies to --transport unix/,
    },
    {
      name: 'port-zero',
      argv: ['--port', '0'],
      message: /"0" is not a port number \(1 to 65535\)/,
    },
    { name: 'port-too-big', argv: ['--port', '65536'], message: /not a port number/ },
    {
      name: 'unknown-event',
      argv: ['--events', 'Stop,Stopp'],
      message: /unknown "Stopp"; the events are: Setup, SessionStart/,
    },
    { name: 'empty-events', argv: ['--events', ','], message: /at least one event/ },
    {
      name: 'worktree-create',
      argv: ['--events', 'WorktreeCreate'],
      message: /--events: WorktreeCreate is never hooked\. A WorktreeCreate hook replaces/,
    },
    {
      name: 'watch-nothing',
      argv: ['--watch', '|'],
      message: /--watch: a FileChanged hook needs at least one file/,
    },
    {
      name: 'watch-star',
      argv: ['--watch', '*'],
      message: /--watch: "\*" is not a file name in the session's directory/,
    },
    {
      name: 'watch-path',
      argv: ['--watch', 'src/a.ts'],
      message: /--watch: "src\/a.ts" is not a file name/,
    },
    {
      name: 'watch-without-its-event',
      argv: ['--events', 'Stop', '--watch', '.env'],
      message: /--watch applies to the FileChanged hook/,
    },
    {
      name: 'unknown-flag',
      argv: ['--force'],
      message: /^unknown option --force; the options are --global, /,
    },
    {
      name: 'positional',
      argv: ['global'],
      message: /^unexpected argument global: this command takes options only/,
    },
  ])('$name', ({ argv, message }) => {
    expect(() => parseCli(argv, {}, CWD)).toThrow(UsageError);
    expect(() => parseCli(argv, {}, CWD)).toThrow(message);
  });
});
