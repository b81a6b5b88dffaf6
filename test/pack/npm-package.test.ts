/**
 * The npm package a user installs without a clone (README "Without a clone"): `pnpm pack:npm`
 * makes the tarball, `npm i -g` installs it into an empty prefix from the registry, and the
 * installed `hook-observatory` runs each command with nothing of the repository in reach (its
 * working directory and HOME are fresh directories). `start` answers a hook and stops on SIGTERM
 * sent to the very process the user started.
 *
 * @module-tag slow
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, ROOT, type RunningServer } from '@hook-observatory/launcher';
import { COMMAND_NAMES } from '@hook-observatory/cli';
import { exampleConfigs } from '../../scripts/docs/configs.js';
import { PLUGIN_PATHS, packTarball, stagePackage } from '../../scripts/pack/stage.js';
import { pluginFiles } from '../../scripts/docs/plugin.js';
import { get, post } from '../helpers/clients.js';
import { INSTALL_TIMEOUT_MS, npm, registryProblem, userEnv } from '../helpers/npm.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const run = promisify(execFile);
const dirs = tempDirs('hook-observatory-pack-');
const offline = registryProblem();
if (offline !== undefined) console.warn(`test/pack/npm-package: skipped: ${offline}`);

describe.skipIf(offline !== undefined)('the npm package, installed with npm i -g', () => {
  let program = '';
  let installed = '';
  let home = '';
  const version = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  ).version;

  beforeAll(async () => {
    const out = dirs.make();
    await stagePackage(ROOT, join(out, 'package'));
    const tarball = packTarball(join(out, 'package'), out);
    const prefix = dirs.make();
    npm(['install', '--global', '--prefix', prefix, tarball], out);
    program = join(prefix, 'bin', 'hook-observatory');
    installed = join(prefix, 'lib/node_modules/hook-observatory');
    home = dirs.make();
  }, INSTALL_TIMEOUT_MS);
  afterAll(() => dirs.removeAll());

  /** The installed command, run in a fresh directory with a fresh HOME, as a user would. */
  async function hookObservatory(args: readonly string[], env: Record<string, string> = {}) {
    const { stdout } = await run(program, args, {
      cwd: home,
      env: userEnv({ HOME: home, ...env }),
    });
    return stdout;
  }

  it('links one program into the prefix', () => {
    expect(existsSync(program)).toBe(true);
  });

  it('is the Claude Code plugin marketplace too', () => {
    const files = pluginFiles();
    expect(
      files.every(({ file }) => PLUGIN_PATHS.some((path) => file.startsWith(`${path}/`))),
    ).toBe(true);
    for (const { file, text } of files) {
      expect(readFileSync(join(installed, file), 'utf8')).toBe(text);
    }
  });

  it('--version names the package version', async () => {
    expect(await hookObservatory(['--version'])).toBe(`hook-observatory ${version}\n`);
  });

  it('--help lists every command', async () => {
    const help = await hookObservatory(['--help']);
    for (const name of COMMAND_NAMES) expect(help).toContain(`  ${name} `);
  });

  describe('start', () => {
    let server: RunningServer;
    let log = '';
    const dispatcher = new Agent();
    beforeAll(async () => {
      log = join(dirs.make(), 'hooks.jsonl');
      server = await startServer(
        { name: 'packaged', entry: { kind: 'command', argv: [program, 'start', '--log', log] } },
        { env: { HOME: home } },
      );
    });
    afterAll(async () => {
      await server.stop();
      await dispatcher.close();
    });

    it('answers a hook with the empty 200 and records the event', async () => {
      const answer = await post(
        server,
        '/hook?event=Stop',
        '{"session_id":"packaged"}',
        dispatcher,
      );
      expect(answer).toMatchObject({ status: 200, body: '' });
      const [line] = await server.waitForLines(1);
      expect(JSON.parse(line as string)).toMatchObject({ _event: 'Stop', session_id: 'packaged' });
    });

    it('serves the live page, read from the installed package', async () => {
      const page = await get(server, '/', dispatcher);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
    });

    it('query reads the log start keeps', async () => {
      const rows = await hookObservatory(['query', '--json', log]);
      expect(JSON.parse(rows.trim())).toMatchObject({ _event: 'Stop', session_id: 'packaged' });
    });

    it('replay sends a recorded session to it, each hook once', async () => {
      const session = join(ROOT, 'test/fixtures/sessions/permission.jsonl');
      const hooks = readFileSync(session, 'utf8').trimEnd().split('\n').length;
      await hookObservatory(['replay', '--fast', '--port', String(server.port), session]);
      expect(await server.waitForLines(1 + hooks)).toHaveLength(1 + hooks);
    });

    it('stops with status 0 on SIGTERM to the process the user started', async () => {
      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    });
  });

  it('install-hooks writes what the installer writes, and --uninstall takes it out', async () => {
    const claudeDir = dirs.make();
    const settings = join(claudeDir, 'settings.json');
    const tcp = exampleConfigs().find((example) => example.file.endsWith('/tcp.json'));
    await hookObservatory(['install-hooks', '--global', '--yes'], { CLAUDE_CONFIG_DIR: claudeDir });
    expect(readFileSync(settings, 'utf8')).toBe(tcp?.text);
    await hookObservatory(['install-hooks', '--global', '--uninstall', '--yes'], {
      CLAUDE_CONFIG_DIR: claudeDir,
    });
    expect(JSON.parse(readFileSync(settings, 'utf8'))).toEqual({});
  });
});
