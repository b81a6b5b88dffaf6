/**
 * The Claude Code plugin (README "Without a clone"), installed and uninstalled by the real
 * `claude plugin` commands of the Claude Code CLI from npm, in a scratch HOME: no model session,
 * only the plugin commands, which need no API key. The hooks Claude Code installed are then run
 * as it runs a command hook (`sh -c`, the event's JSON on standard input) and must reach a
 * running server on the port they name.
 *
 * @module-tag slow
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORT, HOOK_EVENT_NAMES } from '@hook-observatory/core';
import { ROOT, startServer, type RunningServer } from '@hook-observatory/launcher';
import { PLUGIN_NAME, pluginHooksText } from '../../scripts/docs/plugin.js';
import { runShell } from '../helpers/clients.js';
import { INSTALL_TIMEOUT_MS, npm, registryProblem, userEnv } from '../helpers/npm.js';
import { tempDirs } from '../helpers/temp-dirs.js';

/** The Claude Code the recorded sessions come from (packages/conformance/traffic). */
const CLAUDE_CODE_VERSION = '2.1.197';
/** Installed once and kept between runs: test/artifacts/ is not committed. */
const CLAUDE_CODE_DIR = join(ROOT, 'test/artifacts', `claude-code-${CLAUDE_CODE_VERSION}`);
const CLAUDE = join(CLAUDE_CODE_DIR, 'node_modules/.bin/claude');
const PLUGIN_ID = `${PLUGIN_NAME}@${PLUGIN_NAME}`;

const run = promisify(execFile);
const dirs = tempDirs('hook-observatory-plugin-');

/** Why the test cannot run here, or undefined: the CLI comes from npm, the hooks name a fixed port. */
async function problem(): Promise<string | undefined> {
  if (!existsSync(CLAUDE)) {
    const offline = registryProblem();
    if (offline !== undefined) return offline;
  }
  if (process.env['CI'] === undefined && !(await portFree(DEFAULT_PORT))) {
    return `port ${DEFAULT_PORT}, which the plugin's hooks send to, is in use here; CI runs this test`;
  }
  return undefined;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

const skipped = await problem();
if (skipped !== undefined) console.warn(`test/pack/claude-plugin: skipped: ${skipped}`);

describe.skipIf(skipped !== undefined)('the Claude Code plugin, with the real claude CLI', () => {
  let home = '';
  /** `claude ARGS` with the scratch HOME, and no traffic that the plugin commands do not need. */
  async function claude(...args: string[]): Promise<string> {
    const env = userEnv({
      HOME: home,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
    });
    delete env['CLAUDE_CONFIG_DIR'];
    const { stdout } = await run(CLAUDE, args, { cwd: home, env });
    return stdout;
  }
  async function installed(): Promise<
    Array<{ id: string; enabled: boolean; installPath: string }>
  > {
    return JSON.parse(await claude('plugin', 'list', '--json')) as Array<{
      id: string;
      enabled: boolean;
      installPath: string;
    }>;
  }

  beforeAll(() => {
    if (!existsSync(CLAUDE)) {
      npm(
        [
          'install',
          '--prefix',
          CLAUDE_CODE_DIR,
          `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`,
        ],
        ROOT,
      );
    }
    home = dirs.make();
  }, INSTALL_TIMEOUT_MS);
  afterAll(() => dirs.removeAll());

  it('claude plugin validate accepts the marketplace', async () => {
    expect(await claude('plugin', 'validate', ROOT)).toContain('Validation passed');
  });

  describe('installed', () => {
    let server: RunningServer;
    let installPath = '';
    beforeAll(async () => {
      await claude('plugin', 'marketplace', 'add', ROOT);
      await claude('plugin', 'install', PLUGIN_ID);
      installPath =
        (await installed()).find((plugin) => plugin.id === PLUGIN_ID)?.installPath ?? '';
      server = await startServer('http', { args: ['--port', String(DEFAULT_PORT)] });
    });
    afterAll(async () => server.stop());

    it('is listed, enabled', async () => {
      expect(await installed()).toMatchObject([{ id: PLUGIN_ID, enabled: true }]);
    });

    it('carries the hooks the installer writes', () => {
      expect(readFileSync(join(installPath, 'hooks/hooks.json'), 'utf8')).toBe(pluginHooksText());
    });

    it('its hooks, run as Claude Code runs them, reach the server', async () => {
      const { hooks } = JSON.parse(readFileSync(join(installPath, 'hooks/hooks.json'), 'utf8')) as {
        hooks: Record<string, Array<{ hooks: Array<{ command: string }> }>>;
      };
      const events = Object.keys(hooks);
      expect(events.length).toBeGreaterThan(HOOK_EVENT_NAMES.length / 2);
      for (const event of events) {
        const payload = JSON.stringify({ session_id: 'plugin', hook_event_name: event });
        for (const { command } of hooks[event]?.[0]?.hooks ?? []) {
          expect(await runShell(command, payload)).toEqual({ code: 0, stdout: '' });
        }
      }
      const received = (await server.waitForLines(events.length)).map(
        (line) => (JSON.parse(line) as { _event: string })._event,
      );
      expect(received).toEqual(events);
    });
  });

  it('claude plugin uninstall takes it out', async () => {
    await claude('plugin', 'uninstall', PLUGIN_ID);
    expect(await installed()).toEqual([]);
    const settings = JSON.parse(readFileSync(join(home, '.claude/settings.json'), 'utf8')) as {
      enabledPlugins: Record<string, boolean>;
    };
    expect(settings.enabledPlugins).not.toHaveProperty(PLUGIN_ID);
  });
});
