/**
 * A signal sent to the process the user started reaches the server: `pnpm
 * start` runs `sh -c 'tsc -b && …'`, and a shell waiting for its last command
 * does not pass SIGTERM on, so each script `exec`s node in the shell's place.
 * pnpm forwards SIGTERM and SIGINT to its script; the test sends them to pnpm,
 * as a service manager or `kill PID` does.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';

/** pnpm runs `tsc -b` first; on a busy 2-core machine that takes a while. */
const READY_TIMEOUT_MS = 40_000;
const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/;

/** Process groups started here: whatever a failed test leaves running (a server orphaned by its shell) goes with its group. */
const groups: number[] = [];
afterEach(() => {
  for (const group of groups.splice(0)) if (alive(-group)) process.kill(-group, 'SIGKILL');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = connect(port, '127.0.0.1', () => {
      probe.destroy();
      done(false);
    });
    probe.once('error', () => done(true));
  });
}

/** Start `pnpm -s SCRIPT --port 0`; resolves at "ready" with the port and the server's pid (pnpm's child). */
async function startScript(
  script: string,
): Promise<{ pnpm: ChildProcess; port: number; server: number; stderr: () => string }> {
  const pnpm = spawn('pnpm', ['-s', script, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  groups.push(pnpm.pid!);
  let stderr = '';
  pnpm.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`${script} never said ready\n${stderr}`)),
      READY_TIMEOUT_MS,
    );
    pnpm.stderr!.on('data', () => /^ready\b/m.test(stderr) && (clearTimeout(timer), ready()));
    pnpm.once('exit', () => fail(new Error(`${script} exited before ready\n${stderr}`)));
  });
  const [server] = execFileSync('pgrep', ['-P', String(pnpm.pid)], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map(Number);
  return { pnpm, port: Number(LISTENING.exec(stderr)![1]), server: server!, stderr: () => stderr };
}

describe('a signal to pnpm', () => {
  // start:http is start's command; each start takes a `tsc -b`, so the table stays short.
  it.each([
    ['SIGTERM', 'start'],
    ['SIGINT', 'start'],
    ['SIGTERM', 'start:net'],
  ] as const)('%s-to-pnpm-%s-stops-the-server-and-pnpm-exits-0', async (signal, script) => {
    const { pnpm, port, server, stderr } = await startScript(script);
    // `exec`: the server is pnpm's own child, not a shell's.
    expect(readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0')[0]).toMatch(/node$/);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      pnpm.once('exit', (code, signalName) => done({ code, signal: signalName })),
    );
    pnpm.kill(signal);
    expect(await exited).toEqual({ code: 0, signal: null });
    await expect.poll(() => alive(server), { timeout: 10_000 }).toBe(false);
    expect(stderr()).toMatch(/\nstopped\n$/);
    expect(await refused(port)).toBe(true);
  });
});

describe('package.json scripts', () => {
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  it.each(['start', 'start:http', 'start:net', 'query', 'install-hooks'])(
    '%s-execs-node-in-the-shells-place',
    (name) => {
      expect(scripts[name]).toMatch(/^tsc -b && exec node /);
    },
  );
});
