/**
 * The example settings files in configs/: what this installer writes into an
 * empty settings file, for each transport, with and without --token, with the
 * servers' default port and socket. Generated here so that they cannot drift
 * from the installer (test/installer/examples.test.ts fails when they do).
 */
import { DEFAULT_PORT, DEFAULT_SOCKET_PATH, HOOK_EVENT_NAMES } from '@hook-observatory/core';
import { HOOK_TRANSPORTS, planHooks, type HookTarget } from './hooks.js';
import { EMPTY_SETTINGS, installHooks } from './settings-text.js';

export interface ExampleConfig {
  readonly fileName: string;
  readonly target: HookTarget;
  readonly text: string;
}

export function exampleConfigs(): ExampleConfig[] {
  return HOOK_TRANSPORTS.flatMap((transport) =>
    [false, true].map((token) => {
      const target: HookTarget = { transport, port: DEFAULT_PORT, socketPath: DEFAULT_SOCKET_PATH, token };
      return {
        fileName: `${transport}${token ? '-token' : ''}.json`,
        target,
        text: installHooks(EMPTY_SETTINGS, planHooks(target, HOOK_EVENT_NAMES)),
      };
    }),
  );
}
