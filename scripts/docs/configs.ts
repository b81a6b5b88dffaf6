/**
 * The example settings files in configs/: what the installer writes into an
 * empty settings file, for each transport, with and without --token, with the
 * servers' default port and socket. pnpm docs:sync writes them from the
 * installer's own code, so that they cannot drift from it
 * (test/installer/examples.test.ts fails when they do).
 */
import { join } from 'node:path';
import { DEFAULT_PORT, DEFAULT_SOCKET_PATH, HOOK_EVENT_NAMES } from '@hook-observatory/core';
import { EMPTY_SETTINGS, HOOK_TRANSPORTS, installHooks, planHooks, tokenFileFor, type HookTarget } from '@hook-observatory/installer';

/** The user the examples are written for: the token file's path names their home. */
const EXAMPLE_CLAUDE_DIR = '/home/you/.claude';

export const CONFIGS_DIR = 'configs';

export interface ExampleConfig {
  /** Relative to the repository root. */
  readonly file: string;
  readonly text: string;
}

export function exampleConfigs(): ExampleConfig[] {
  return HOOK_TRANSPORTS.flatMap((transport) =>
    [false, true].map((token) => {
      const tokenFile = token ? tokenFileFor(join(EXAMPLE_CLAUDE_DIR, 'settings.json'), EXAMPLE_CLAUDE_DIR) : undefined;
      const target: HookTarget = { transport, port: DEFAULT_PORT, socketPath: DEFAULT_SOCKET_PATH, tokenFile };
      return {
        file: join(CONFIGS_DIR, `${transport}${token ? '-token' : ''}.json`),
        text: installHooks(EMPTY_SETTINGS, planHooks(target, HOOK_EVENT_NAMES)),
      };
    }),
  );
}
