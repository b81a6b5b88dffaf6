/**
 * The Claude Code plugin in this repository: a marketplace (.claude-plugin/marketplace.json at
 * the root, so `claude plugin marketplace add DIR` takes a clone or the installed npm package)
 * listing one plugin, plugin/, whose hooks/hooks.json holds the hooks the installer writes for
 * `--transport tcp` on the default port. pnpm docs:sync writes all three from the installer's
 * code and package.json, and docs:check fails when they drift (test/pack/claude-plugin.test.ts
 * installs them with the real `claude plugin` commands).
 *
 * Formats: Claude Code's plugins reference (code.claude.com/docs/en/plugins-reference): a
 * plugin's hooks/hooks.json is `{ "hooks": { <Event>: [matcher groups] } }`, as in settings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIGS_DIR, exampleConfigs } from './configs.js';
import { ROOT } from './paths.js';

/** The marketplace and its one plugin share the package's name: `claude plugin install hook-observatory@hook-observatory`. */
export const PLUGIN_NAME = 'hook-observatory';
export const MARKETPLACE_FILE = '.claude-plugin/marketplace.json';
export const PLUGIN_DIR = 'plugin';
export const PLUGIN_HOOKS_FILE = join(PLUGIN_DIR, 'hooks/hooks.json');
const PLUGIN_MANIFEST_FILE = join(PLUGIN_DIR, '.claude-plugin/plugin.json');

const DESCRIPTION =
  'Sends every Claude Code hook event to a hook-observatory server on 127.0.0.1:23518 (hook-observatory start); ' +
  'a stopped server costs nothing.';

/** The plugin's hooks: what `install-hooks --transport tcp` writes into an empty settings file (configs/tcp.json). */
export function pluginHooksText(): string {
  const tcp = exampleConfigs().find((example) => example.file === join(CONFIGS_DIR, 'tcp.json'));
  if (tcp === undefined) throw new Error('configs/tcp.json is no longer generated');
  return tcp.text;
}

export function pluginFiles(): Array<{ file: string; text: string }> {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const author = { name: 'hook-observatory' };
  const marketplace = {
    name: PLUGIN_NAME,
    description: 'The hook-observatory plugin: every hook event, sent to a hook-observatory server.',
    owner: author,
    plugins: [{ name: PLUGIN_NAME, source: `./${PLUGIN_DIR}`, description: DESCRIPTION, version, author }],
  };
  const manifest = { name: PLUGIN_NAME, version, description: DESCRIPTION, author, license: 'MIT' };
  return [
    { file: MARKETPLACE_FILE, text: json(marketplace) },
    { file: PLUGIN_MANIFEST_FILE, text: json(manifest) },
    { file: PLUGIN_HOOKS_FILE, text: pluginHooksText() },
  ];
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
