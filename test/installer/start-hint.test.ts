/**
 * The command the installer prints to start a server is pasted as printed, in
 * the directory the user typed the installer in, and starts a server listening
 * where the hooks send.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';

const INSTALLER = join(ROOT, 'packages/installer/dist/main.js');
/** pnpm runs `tsc -b` before the server; on a busy 2-core machine that takes a while. */
const LISTEN_TIMEOUT_MS = 40_000;

const dirs: string[] = [];
const groups: number[] = [];
afterEach(() => {
  for (const group of groups.splice(0)) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // Already gone: the test stopped it.
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

it('pasted-in-the-users-directory-it-starts-a-server-on-the-hooks-port', async () => {
  const [home, project] = [
    mkdtempSync(join(tmpdir(), 'hint-home-')),
    mkdtempSync(join(tmpdir(), 'hint-project-')),
  ];
  dirs.push(home, project);
  const port = await freePort();
  // As `pnpm -s install-hooks` runs it: in the repository, with the user's directory in INIT_CWD.
  const installed = spawnSync(process.execPath, [INSTALLER, '--global', '--port', String(port)], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: home, INIT_CWD: project },
    encoding: 'utf8',
  });
  expect(installed.status).toBe(0);
  const hint = /^Start a server where the hooks send: (.+)$/m.exec(installed.stdout)![1]!;
  expect(hint).toBe(`pnpm -C '${ROOT}' -s start --port ${port}`);

  const pasted = spawn('sh', ['-c', hint], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  groups.push(pasted.pid!);
  let stderr = '';
  pasted.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  await expect
    .poll(() => stderr, { timeout: LISTEN_TIMEOUT_MS })
    .toContain(`listening on http://127.0.0.1:${port}\n`);
});
