/**
 * The example settings files in configs/: what the installer writes into an
 * empty settings file, for each transport, with and without --token, with the
 * servers' default port and socket. pnpm docs:sync writes them from the
 * installer's own code, so that they cannot drift from it
 * (test/installer/examples.test.ts fails when they do).
 */
import { join } from 'node:path';
import { DEFAULT_PORT, DEFAULT_SOCKET_PATH, HOOK_EVENT_NAMES } from '@hook-observatory/core';
import { EMPTY_SETTINGS, HOOK_TRANSPORTS, installHooks, planHooks, type HookTarget } from '@hook-observatory/installer';

export const CONFIGS_DIR = 'configs';

export interface ExampleConfig {
  /** Relative to the repository root. */
  readonly file: string;
  readonly text: string;
}

export function exampleConfigs(): ExampleConfig[] {
  return HOOK_TRANSPORTS.flatMap((transport) =>
    [false, true].map((token) => {
      const target: HookTarget = { transport, port: DEFAULT_PORT, socketPath: DEFAULT_SOCKET_PATH, token };
      return {
        file: join(CONFIGS_DIR, `${transport}${token ? '-token' : ''}.json`),
        text: installHooks(EMPTY_SETTINGS, planHooks(target, HOOK_EVENT_NAMES)),
      };
    }),
  );
}
