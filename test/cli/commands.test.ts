/**
 * `hook-observatory COMMAND`, the npm package's one program (packages/cli), run from the
 * workspace: it lists its commands, refuses what is not one with the usage and status 2, hands
 * each command its own flags, and runs a server in its own process, so SIGTERM sent to the
 * program the user started stops the server. test/pack runs the same program installed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, COMMANDS } from '@hook-observatory/cli';
import { EXIT_USAGE } from '@hook-observatory/core/vocabulary';
import { ROOT, startServer } from '@hook-observatory/launcher';
import { post } from '../helpers/clients.js';

const PROGRAM = join(ROOT, 'packages/cli/bin/hook-observatory.js');

async function hookObservatory(
  args: readonly string[],
  options: { entry?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [options.entry ?? PROGRAM, ...args],
      { cwd: options.cwd, env: options.env },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('hook-observatory', () => {
  it('--help lists each command with its summary', async () => {
    const { code, stdout } = await hookObservatory(['--help']);
    expect(code).toBe(0);
    for (const name of COMMAND_NAMES) expect(stdout).toContain(COMMANDS[name].summary);
  });

  it.each([
    { name: 'no command', args: [], says: 'a command is needed' },
    {
      name: 'an unknown one',
      args: ['stat'],
      says: `unknown command "stat" (one of ${COMMAND_NAMES.join(', ')})`,
    },
  ])('refuses $name with one line, the usage and status 2', async ({ args, says }) => {
    const { code, stderr } = await hookObservatory(args);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr.split('\n')[0]).toBe(`hook-observatory: ${says}`);
    expect(stderr).toContain('Usage: hook-observatory COMMAND');
  });

  it.each(COMMAND_NAMES)('%s --help is the command’s own help', async (name) => {
    const { code, stdout } = await hookObservatory([name, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: /);
    expect(stdout).not.toContain('Usage: hook-observatory COMMAND');
  });

  it('start answers a hook and stops with status 0 on SIGTERM to the program', async () => {
    const server = await startServer({
      name: 'hook-observatory start',
      entry: { kind: 'command', argv: [process.execPath, PROGRAM, 'start'] },
    });
    const dispatcher = new Agent();
    try {
      const answer = await post(server, '/hook?event=Stop', '{}', dispatcher);
      expect(answer.status).toBe(200);
      expect(await server.waitForLines(1)).toHaveLength(1);
    } finally {
      await dispatcher.close();
    }
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  // Each command's help names it as the user typed it: the bin marks the process as the
  // package's command (core's markPackagedCommand); a pnpm script runs the entry point itself.
  it.each([
    { command: 'start', entry: 'packages/http-server/dist/main.js', script: 'start' },
    { command: 'query', entry: 'packages/query/dist/main.js', script: 'query' },
    { command: 'install-hooks', entry: 'packages/installer/dist/main.js', script: 'install-hooks' },
    { command: 'replay', entry: 'packages/tools/dist/replay-command.js', script: 'replay' },
  ])('$command --help says how it was typed', async ({ command, entry, script }) => {
    const packaged = await hookObservatory([command, '--help']);
    const viaPnpm = await hookObservatory(['--help'], { entry: join(ROOT, entry) });
    for (const [{ stdout }, typed] of [
      [packaged, `hook-observatory ${command}`],
      [viaPnpm, `pnpm -s ${script}`],
    ] as const) {
      expect(stdout.startsWith(`Usage: ${typed} [`)).toBe(true);
      // Each example (one line at two spaces; its continuation at four), but the server's curl.
      const examples = stdout
        .slice(stdout.indexOf('Examples:'))
        .split('\n')
        .filter((line) => /^  \S/.test(line) && !line.includes('curl'));
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) {
        expect(example.trim().split(' ').slice(0, typed.split(' ').length).join(' ')).toBe(typed);
      }
    }
  });

  it('install-hooks run as the package hints hook-observatory start, to paste', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cli-hint-'));
    try {
      const { code, stdout } = await hookObservatory(
        ['install-hooks', '--project', '--port', '9999', '--yes'],
        {
          cwd: home,
          // INIT_CWD too: under pnpm it names the checkout, which --project would write into.
          env: {
            ...process.env,
            HOME: home,
            CLAUDE_CONFIG_DIR: join(home, '.claude'),
            INIT_CWD: home,
          },
        },
      );
      expect(code).toBe(0);
      expect(stdout).toContain(
        'Start a server where the hooks send: hook-observatory start --port 9999\n',
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
