import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, DEFAULT_SOCKET_PATH, KEEP_ALIVE_TIMEOUT_MS } from '@hook-observatory/core';
import { UsageError } from '@hook-observatory/core/vocabulary';
import {
  parseCommand,
  STORE_RETENTION_DAYS,
  type Config,
} from '@hook-observatory/core/internal/config';

function config(argv: string[], env: NodeJS.ProcessEnv = {}): Config {
  const command = parseCommand(argv, env);
  if (command.kind !== 'run') throw new Error(`expected run, got ${command.kind}`);
  return command.config;
}

describe('configuration: flags, then environment, then defaults', () => {
  it('defaults', () => {
    expect(config([])).toMatchObject({
      listen: { transport: 'tcp', host: '127.0.0.1', port: DEFAULT_PORT },
      format: 'jsonl',
      tee: false,
      outputSocketPath: undefined,
      timeouts: { keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS },
    });
  });

  it.each([
    { name: 'env-port', argv: [], env: { CLAUDE_REST_HOOK_WATCHER: '9999' }, port: 9999 },
    {
      name: 'flag-beats-env-port',
      argv: ['--port', '1234'],
      env: { CLAUDE_REST_HOOK_WATCHER: '9999' },
      port: 1234,
    },
    {
      name: 'empty-env-port-is-unset',
      argv: [],
      env: { CLAUDE_REST_HOOK_WATCHER: '' },
      port: DEFAULT_PORT,
    },
    { name: 'pnpm-forwarded-double-dash', argv: ['--', '--port', '1234'], env: {}, port: 1234 },
  ])('$name', ({ argv, env, port }) => {
    expect(config(argv, env).listen).toMatchObject({ transport: 'tcp', port });
  });

  it('invalid-env-port-warns-and-falls-back', () => {
    const command = parseCommand([], { CLAUDE_REST_HOOK_WATCHER: 'abc' });
    expect(command.kind).toBe('run');
    if (command.kind !== 'run') return;
    expect(command.config.listen).toMatchObject({ port: DEFAULT_PORT });
    expect(command.warnings).toHaveLength(1);
    expect(command.warnings[0]).toContain('CLAUDE_REST_HOOK_WATCHER');
  });

  it.each([
    { name: 'socket-flag', argv: ['--socket', '/tmp/a.sock'], env: {}, path: '/tmp/a.sock' },
    {
      name: 'unix-flag-uses-env',
      argv: ['--unix'],
      env: { CLAUDE_UNIX_HOOK_WATCHER: '/tmp/env.sock' },
      path: '/tmp/env.sock',
    },
    { name: 'unix-flag-default-path', argv: ['--unix'], env: {}, path: DEFAULT_SOCKET_PATH },
    {
      name: 'socket-flag-beats-env',
      argv: ['--socket', '/tmp/b.sock'],
      env: { CLAUDE_UNIX_HOOK_WATCHER: '/tmp/env.sock' },
      path: '/tmp/b.sock',
    },
  ])('$name', ({ argv, env, path }) => {
    expect(config(argv, env).listen).toEqual({ transport: 'unix', path, mode: 0o660 });
  });

  it.each([
    { name: 'mode-octal-with-zero', mode: '0600', expected: 0o600 },
    { name: 'mode-octal-without-zero', mode: '640', expected: 0o640 },
  ])('$name', ({ mode, expected }) => {
    expect(config(['--socket', '/tmp/s', '--mode', mode]).listen).toMatchObject({ mode: expected });
  });

  it('formats-and-sinks', () => {
    expect(config(['--pretty-yaml']).format).toBe('pretty-yaml');
    expect(config(['--pretty-json']).format).toBe('pretty-json');
    expect(config(['--output-socket', '/tmp/o', '--tee'])).toMatchObject({
      outputSocketPath: '/tmp/o',
      tee: true,
    });
  });

  it('help-and-version', () => {
    expect(parseCommand(['--help'], {}).kind).toBe('help');
    expect(parseCommand(['-h'], {}).kind).toBe('help');
    expect(parseCommand(['--version'], {}).kind).toBe('version');
  });

  it('test-clock-and-timeouts-from-environment', () => {
    const result = config([], {
      HOOK_OBSERVATORY_FIXED_TS: 'T',
      HOOK_OBSERVATORY_TEST_KEEP_ALIVE_TIMEOUT_MS: '250',
    });
    expect(result.fixedTimestamp).toBe('T');
    expect(result.timeouts.keepAliveTimeoutMs).toBe(250);
  });

  it.each([
    { name: 'unknown-flag', argv: ['--nope'], message: /--nope/ },
    { name: 'port-not-a-number', argv: ['--port', 'abc'], message: /not a port/ },
    { name: 'port-too-big', argv: ['--port', '70000'], message: /not a port/ },
    { name: 'tee-without-output-socket', argv: ['--tee'], message: /--tee needs --output-socket/ },
    {
      name: 'two-pretty-formats',
      argv: ['--pretty-json', '--pretty-yaml'],
      message: /cannot be combined/,
    },
    { name: 'tcp-and-unix', argv: ['--port', '1', '--socket', '/tmp/s'], message: /not both/ },
    { name: 'mode-not-octal', argv: ['--socket', '/tmp/s', '--mode', '999'], message: /octal/ },
    { name: 'mode-without-socket', argv: ['--mode', '0600'], message: /Unix socket/ },
    { name: 'positional-argument', argv: ['extra'], message: /extra/ },
    {
      name: 'output-socket-same-as-listen-socket',
      argv: ['--socket', '/tmp/s', '--output-socket', '/tmp/s'],
      message: /differ/,
    },
    {
      name: 'bad-test-timeout',
      argv: [],
      env: { HOOK_OBSERVATORY_TEST_HEADERS_TIMEOUT_MS: 'soon' },
      message: /milliseconds/,
    },
  ])('$name', ({ argv, env, message }) => {
    expect(() => parseCommand(argv, env ?? {})).toThrow(UsageError);
    expect(() => parseCommand(argv, env ?? {})).toThrow(message);
  });
});

describe('--store: the team PostgreSQL, credentials never on the command line', () => {
  it.each([
    {
      name: 'store-with-defaults',
      argv: ['--store', 'postgres://db.example/hooks'],
      env: { XDG_STATE_HOME: '/state' },
      expected: {
        url: 'postgres://db.example/hooks',
        spoolDir: '/state/hook-observatory/spool',
        retentionDays: STORE_RETENTION_DAYS,
      },
    },
    {
      name: 'store-machine-and-spool',
      argv: [
        '--store',
        'postgresql:///hooks?sslmode=require',
        '--store-machine',
        'ann',
        '--store-spool',
        '/s',
      ],
      env: {},
      expected: { url: 'postgresql:///hooks?sslmode=require', machine: 'ann', spoolDir: '/s' },
    },
    {
      name: 'store-retention',
      argv: ['--store', 'postgres:///hooks', '--store-retention-days', '7'],
      env: {},
      expected: { retentionDays: 7 },
    },
  ])('$name', ({ argv, env, expected }) => {
    expect(config(argv, env).store).toMatchObject(expected);
  });

  it('no-store-by-default', () => {
    expect(config([]).store).toBeUndefined();
  });

  it.each([
    {
      name: 'password-in-url',
      argv: ['--store', 'postgres://ann:secret@db/hooks'],
      message: /PGPASSWORD or ~\/\.pgpass/,
    },
    {
      name: 'password-in-query',
      argv: ['--store', 'postgres://db/hooks?password=secret'],
      message: /PGPASSWORD/,
    },
    {
      name: 'not-postgres',
      argv: ['--store', 'mysql://db/hooks'],
      message: /not a postgres:\/\/ URL/,
    },
    { name: 'not-a-url', argv: ['--store', 'hooks'], message: /not a URL/ },
    {
      name: 'machine-without-store',
      argv: ['--store-machine', 'ann'],
      message: /need --store URL/,
    },
    { name: 'spool-without-store', argv: ['--store-spool', '/s'], message: /need --store URL/ },
    {
      name: 'sslmode-prefer',
      argv: ['--store', 'postgres://db/hooks?sslmode=prefer'],
      message: /sslmode=prefer: .*cannot fall back from TLS to none/,
    },
    {
      name: 'pgsslmode-allow',
      argv: ['--store', 'postgres://db/hooks'],
      env: { PGSSLMODE: 'allow' },
      message: /sslmode=allow: .*cannot fall back/,
    },
    {
      name: 'view-sslmode-prefer',
      argv: ['--view-store', 'postgres://db/hooks?sslmode=prefer'],
      message: /sslmode=prefer/,
    },
  ])('$name', ({ argv, env = {}, message }) => {
    expect(() => parseCommand(argv, env)).toThrow(UsageError);
    expect(() => parseCommand(argv, env)).toThrow(message);
  });
});

describe('--view-store: the team page takes no hooks, so writes no events', () => {
  it('view-store-url', () => {
    expect(config(['--view-store', 'postgres:///hooks']).viewStore).toBe('postgres:///hooks');
  });

  it('no-view-by-default', () => {
    expect(config([]).viewStore).toBeUndefined();
  });

  it.each([
    {
      name: 'view-password-in-url',
      argv: ['--view-store', 'postgres://ann:secret@db/hooks'],
      message: /PGPASSWORD/,
    },
    {
      name: 'view-and-store',
      argv: ['--view-store', 'postgres:///a', '--store', 'postgres:///a'],
      message: /--view-store and --store cannot be combined/,
    },
    {
      name: 'view-and-log',
      argv: ['--view-store', 'postgres:///a', '--log', 'hooks.jsonl'],
      message: /--view-store and --log cannot be combined/,
    },
    {
      name: 'view-and-output-socket',
      argv: ['--view-store', 'postgres:///a', '--output-socket', '/tmp/o.sock'],
      message: /--view-store and --output-socket cannot be combined/,
    },
  ])('$name', ({ argv, message }) => {
    expect(() => parseCommand(argv, {})).toThrow(message);
  });
});
