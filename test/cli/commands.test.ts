/**
 * `hook-observatory COMMAND`, the npm package's one program (packages/cli), run from the
 * workspace: it lists its commands, refuses what is not one with the usage and status 2, hands
 * each command its own flags, and runs a server in its own process, so SIGTERM sent to the
 * program the user started stops the server. test/pack runs the same program installed.
 */
import { execFile } from 'node:child_process';
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
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [PROGRAM, ...args]);
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
});
