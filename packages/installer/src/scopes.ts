/**
 * The three settings files a user's hooks can live in (Claude Code settings
 * docs, "Settings files"): their own for every project, a project's shared
 * one, and a project's personal one that is not meant to be committed.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export type Scope = 'global' | 'project' | 'local';
export const SCOPES: readonly Scope[] = ['global', 'project', 'local'];

/** Claude Code keeps its user settings here instead of ~/.claude when it is set. */
export const CONFIG_DIR_ENV = 'CLAUDE_CONFIG_DIR';

export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = {
  global: 'yours, for every project',
  project: 'this project, shared with everyone who clones it',
  local: 'this project, for you only (not meant to be committed)',
};

export function settingsPathFor(scope: Scope, env: NodeJS.ProcessEnv, invocationDir: string): string {
  switch (scope) {
    case 'global': {
      const configDir = env[CONFIG_DIR_ENV];
      if (configDir !== undefined && configDir !== '') return join(configDir, 'settings.json');
      const home = env['HOME'];
      return join(home !== undefined && home !== '' ? home : homedir(), '.claude', 'settings.json');
    }
    case 'project':
      return join(invocationDir, '.claude', 'settings.json');
    case 'local':
      return join(invocationDir, '.claude', 'settings.local.json');
  }
}
