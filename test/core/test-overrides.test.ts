/**
 * The test-only environment variables (core/src/test-overrides.ts): every one
 * is named there, every one a server reads comes through parseCommand, and a
 * value a variable cannot take is a usage error rather than a default in
 * disguise.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';
import {
  BODY_LIMIT_ENV,
  EVENT_RING_ENV,
  HEARTBEAT_ENV,
  INSTANCE_ENV,
  testOverridesFrom,
  TIMEOUT_ENV,
  VIEWERS_BUDGET_ENV,
} from '@hook-observatory/core/internal/test-overrides';
import { FIXED_TIMESTAMP_ENV, TEST_NODE_ENV, UsageError } from '@hook-observatory/core/vocabulary';
import { KEEP_ALIVE_TIMEOUT_MS } from '@hook-observatory/core';
import { parseCommand, type Config } from '@hook-observatory/core/internal/config';

const EVERY_NAME = [
  FIXED_TIMESTAMP_ENV,
  ...Object.values(TIMEOUT_ENV),
  ...Object.values(BODY_LIMIT_ENV),
  HEARTBEAT_ENV,
  EVENT_RING_ENV,
  VIEWERS_BUDGET_ENV,
  INSTANCE_ENV,
  TEST_NODE_ENV,
];

function configWith(env: NodeJS.ProcessEnv): Config {
  const command = parseCommand([], env);
  if (command.kind !== 'run') throw new Error(`expected run, got ${command.kind}`);
  return command.config;
}

describe('the test-only overrides', () => {
  it.for([
    {
      name: 'none',
      env: {},
      stream: {
        heartbeatMs: undefined,
        ringSize: undefined,
        instance: undefined,
        budgetBytes: undefined,
      },
    },
    {
      name: 'empty is unset',
      env: { [HEARTBEAT_ENV]: '', [INSTANCE_ENV]: '' },
      stream: {
        heartbeatMs: undefined,
        ringSize: undefined,
        instance: undefined,
        budgetBytes: undefined,
      },
    },
    {
      name: 'all four of the stream',
      env: {
        [HEARTBEAT_ENV]: '0',
        [EVENT_RING_ENV]: '4',
        [INSTANCE_ENV]: 'fixed',
        [VIEWERS_BUDGET_ENV]: '65536',
      },
      stream: { heartbeatMs: 0, ringSize: 4, instance: 'fixed', budgetBytes: 65536 },
    },
  ])('reach the stream through the configuration: $name', ({ env, stream }) => {
    expect(configWith(env).stream).toEqual(stream);
  });

  it('fix the clock and shorten a timeout, the others keeping protocol.ts values', () => {
    const config = configWith({
      [FIXED_TIMESTAMP_ENV]: 'T',
      [TIMEOUT_ENV.headersTimeoutMs]: '250',
      [BODY_LIMIT_ENV.maxBodyBytes]: '4096',
    });
    expect(config.fixedTimestamp).toBe('T');
    expect(config.timeouts).toMatchObject({
      headersTimeoutMs: 250,
      keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
    });
    expect(config.bodyLimits.maxBodyBytes).toBe(4096);
  });

  it.for([
    {
      name: 'a heartbeat that is no count',
      env: { [HEARTBEAT_ENV]: 'soon' },
      message: /HEARTBEAT_MS: "soon" is not a whole number of milliseconds/,
    },
    { name: 'a negative ring', env: { [EVENT_RING_ENV]: '-1' }, message: /EVENT_RING_SIZE/ },
    {
      name: 'a body limit in words',
      env: { [BODY_LIMIT_ENV.maxBodyBytes]: 'lots' },
      message: /bytes/,
    },
    {
      name: 'an instance with capitals',
      env: { [INSTANCE_ENV]: 'Fixed' },
      message: /lowercase letters and digits/,
    },
  ])('refuse $name as a usage error', ({ env, message }) => {
    expect(() => parseCommand([], env)).toThrow(UsageError);
    expect(() => parseCommand([], env)).toThrow(message);
  });

  it('are read by the module that names them', () => {
    expect(
      testOverridesFrom({ [TIMEOUT_ENV.requestTimeoutMs]: '7' }).timeouts.requestTimeoutMs,
    ).toBe(7);
  });

  it('are all named in one module, and no other source of core spells one', () => {
    const coreSources = join(ROOT, 'packages/core/src');
    const spelling = /HOOK_OBSERVATORY_(TEST_\w+|FIXED_TS)/g;
    const filesOf = new Map<string, Set<string>>();
    for (const file of readdirSync(coreSources).filter((name) => name.endsWith('.ts'))) {
      for (const [name] of readFileSync(join(coreSources, file), 'utf8').matchAll(spelling)) {
        filesOf.set(name, (filesOf.get(name) ?? new Set()).add(file));
      }
    }
    const found = Object.fromEntries([...filesOf].map(([name, files]) => [name, [...files]]));
    expect(found).toEqual(
      Object.fromEntries(EVERY_NAME.map((name) => [name, ['test-overrides.ts']])),
    );
  });
});
