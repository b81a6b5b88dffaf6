/**
 * --log under load, in both servers: rotation loses and splits nothing and
 * `tail -F` follows across it; a kill -9 at any moment leaves whole lines in
 * every file but the one being written, which may end in the part of a line
 * the kernel wrote before it stopped at a page; a log that cannot be written
 * is said once and costs the hooks nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_USAGE, rotatedFiles } from '@hook-observatory/core/vocabulary';
import { sendLoad } from '../helpers/load.js';
import { tempDirs } from '../helpers/temp-dirs.js';
import { SERVERS, SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';

const temp = tempDirs('log-file-');
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  temp.removeAll();
});
const logPath = (): string => join(temp.make(), 'hooks.jsonl');

/**
 * Linux stops a write to a file between two of its pages when the process is
 * killed (generic_perform_write in mm/filemap.c): a write the kill cut short
 * ends where a page of the file ends.
 */
const PAGE_BYTES = 4096;
/** Small files, so that a few thousand events rotate dozens of times. */
const SMALL_FILE_BYTES = '64K';
const MANY_FILES = '10000';
const body = (id: number): string => JSON.stringify({ id, pad: 'p'.repeat((id * 7919) % 3000) });

function idsIn(text: string): number[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { id: number }).id);
}
function allText(path: string): string {
  return [...rotatedFiles(path), path].map((file) => readFileSync(file, 'utf8')).join('');
}
/** The ids in the lines of `text`, in order of number. */
function sortedIdsIn(text: string): number[] {
  return idsIn(text).sort((a, b) => a - b);
}
/** Send `total` hooks to the running server; every one answered 200 and written: their ids, in order of number. */
async function sendEvery(
  to: RunningServer,
  total: number,
  keepAliveClients: number,
  perRequestClients: number,
): Promise<number[]> {
  const result = await sendLoad(to, { total, keepAliveClients, perRequestClients, body });
  expect(result.ok).toHaveLength(total);
  await to.waitForLines(total);
  return [...result.ok].sort((a, b) => a - b);
}

describe.each(SERVER_NAMES)('the %s server with --log', (name) => {
  it('rotation-under-load-keeps-every-event-once-in-whole-lines', async () => {
    const path = logPath();
    server = await startServer(name, {
      args: ['--log', path, '--log-max-bytes', SMALL_FILE_BYTES, '--log-max-files', MANY_FILES],
    });
    const sent = await sendEvery(server, 3_000, 8, 2);
    expect(rotatedFiles(path).length).toBeGreaterThan(10);
    for (const file of rotatedFiles(path)) {
      expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    }
    expect(sortedIdsIn(allText(path))).toEqual(sent);
  }, 120_000);

  it('tail-F-follows-across-rotations', async () => {
    // tail -F follows the name: it misses a file created and rotated between two of its looks
    // (-s), which 4 KiB files under load can be and 16 MiB ones are not; so one event at a time.
    const path = logPath();
    server = await startServer(name, { args: ['--log', path, '--log-max-bytes', '4K'] });
    const tail = spawn('tail', ['-F', '-n', '+1', '-s', '0.05', path], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let followed = '';
    tail.stdout.on('data', (chunk: Buffer) => (followed += chunk.toString('utf8')));
    const total = 40; // about ten rotations
    try {
      for (let id = 0; id < total; id++) {
        await sendLoad(server, {
          total: 1,
          keepAliveClients: 1,
          perRequestClients: 0,
          body: () => JSON.stringify({ id, pad: 'p'.repeat(400) }),
        });
        await expect.poll(() => followed.split('\n').length - 1, { timeout: 20_000 }).toBe(id + 1);
      }
    } finally {
      tail.kill();
    }
    expect(rotatedFiles(path).length).toBeGreaterThanOrEqual(4);
    expect(idsIn(followed)).toEqual(Array.from({ length: total }, (_, id) => id));
  }, 120_000);

  it('kill-9-during-rotation-leaves-whole-lines-but-for-a-write-cut-at-a-page-of-FILE', async () => {
    const path = logPath();
    server = await startServer(name, {
      args: ['--log', path, '--log-max-bytes', SMALL_FILE_BYTES, '--log-max-files', MANY_FILES],
    });
    let killed = false;
    const load = sendLoad(server, {
      total: 1_000_000,
      keepAliveClients: 8,
      perRequestClients: 0,
      body,
      stop: () => killed,
    });
    await expect.poll(() => rotatedFiles(path).length, { timeout: 60_000 }).toBeGreaterThan(20);
    server.process.kill('SIGKILL');
    killed = true;
    await load;
    server = undefined;
    // Killed between renaming FILE and opening it again, FILE is not there yet; no line is lost by that.
    for (const file of [...rotatedFiles(path), path].filter((file) => existsSync(file))) {
      const text = readFileSync(file, 'utf8');
      const whole = text.slice(0, text.lastIndexOf('\n') + 1);
      expect(() => idsIn(whole), file).not.toThrow();
      if (whole === text) continue;
      // Only the file open at the kill can hold a write cut short, and only at a page's end.
      expect(file).toBe(path);
      expect(statSync(file).size % PAGE_BYTES, 'a cut write ends at a page').toBe(0);
    }
  }, 120_000);

  it('a-log-that-cannot-be-opened-at-start-is-one-line-and-exit-2', () => {
    const path = join(logPath(), 'not-a-directory', 'hooks.jsonl');
    const result = spawnSync(process.execPath, [SERVERS[name].file, '--port', '0', '--log', path], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(EXIT_USAGE);
    expect(result.stderr).toBe(
      `hook-observatory-${name}: cannot open the log file ${path} (ENOENT)\n`,
    );
    expect(result.stdout).toBe('');
  });

  // Removed, then hooks at once: the next write sees FILE gone (before, a check a second later did, and lost what came between).
  const removals = [
    {
      name: 'a-directory-removed-under-the-server-is-made-again-and-no-hook-after-it-is-lost',
      whole: true,
    },
    {
      name: 'a-file-removed-under-the-server-is-opened-again-and-no-hook-after-it-is-lost',
      whole: false,
    },
  ];
  it.each(removals)(
    '$name',
    async ({ whole }) => {
      const dir = join(temp.make(), 'logs');
      mkdirSync(dir);
      const path = join(dir, 'hooks.jsonl');
      server = await startServer(name, { args: ['--log', path] });
      rmSync(whole ? dir : path, { recursive: true });
      const sent = await sendEvery(server, 50, 2, 1);
      expect(sortedIdsIn(readFileSync(path, 'utf8'))).toEqual(sent);
      expect(server.stderr().match(/was removed or replaced; opened it again/g)).toHaveLength(1);
      expect(server.stderr()).not.toMatch(/cannot be (written|rotated)/);
    },
    60_000,
  );

  it('a-rename-that-fails-keeps-every-event-in-FILE-said-once', async () => {
    // FILE's name is near NAME_MAX (255), so FILE.<stamp> is too long: every rename fails, for root too.
    const path = join(temp.make(), `${'h'.repeat(240)}.jsonl`);
    server = await startServer(name, { args: ['--log', path, '--log-max-bytes', '4K'] });
    const sent = await sendEvery(server, 100, 4, 1);
    expect(sortedIdsIn(readFileSync(path, 'utf8'))).toEqual(sent);
    expect(server.stderr().match(/cannot be rotated \(ENAMETOOLONG\)/g)).toHaveLength(1);
  }, 60_000);
});
