/**
 * The output path never stalls the hooks: a reader that stops reading is cut
 * off and nobody else notices; a standard output whose reader left is a clean,
 * explained stop; a kill -9 at any moment leaves only whole lines in a file.
 *
 * Minutes of load: the slow tier (vitest.config.ts).
 *
 * @module-tag slow
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from 'undici';
import {
  READER_HARD_LIMIT_BYTES,
  STDOUT_HARD_LIMIT_BYTES,
} from '@hook-observatory/core/internal/sinks';
import { peakRss, sendLoad } from '../helpers/load.js';
import { SERVERS, SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';

const dirs: string[] = [];
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'output-'));
  dirs.push(dir);
  return dir;
}

/** A reader that counts the lines it receives. */
function countingReader(path: string): { socket: Socket; lines: () => number } {
  const socket = connect(path);
  let lines = 0;
  socket.on('data', (chunk: Buffer) => {
    for (const byte of chunk) if (byte === 0x0a) lines++;
  });
  return { socket, lines: () => lines };
}

const EVENTS = 20_000;
/** Clients sending at once, each with at most one request in flight. */
const CLIENTS = 16;
/** 4 KiB events: 20,000 of them are 80 MiB, well past the reader's hard limit. */
const bigBody = (id: number): string => JSON.stringify({ id, tool_response: 'r'.repeat(4096) });
/** A bigBody's line: the body and the metadata in front of it. */
const EVENT_LINE_MAX_BYTES = 8192;

describe.each(SERVER_NAMES)('the %s server', (name) => {
  it('a-reader-that-never-reads-is-cut-off-and-nobody-else-notices', async () => {
    const outputPath = join(tempDir(), 'out.sock');
    server = await startServer(name, { args: ['--output-socket', outputPath] });
    const stalled = connect(outputPath);
    stalled.pause(); // reads nothing: the kernel buffers fill, then the server's queue grows
    await server.waitForStderr(/\(1 now\)/);
    const healthy = countingReader(outputPath);
    await server.waitForStderr(/\(2 now\)/);

    const result = await sendLoad(server, {
      total: EVENTS,
      keepAliveClients: CLIENTS / 2,
      perRequestClients: CLIENTS / 2,
      body: bigBody,
    });
    expect(result.ok).toHaveLength(EVENTS);
    expect(result.failed + result.otherStatus).toBe(0);

    await expect.poll(() => healthy.lines(), { timeout: 30_000 }).toBe(EVENTS);
    const cutOff =
      /output socket: reader #1 disconnected: it read too slowly \((\d+) bytes unsent.*?\); (\d+) queued bytes dropped/.exec(
        server.stderr(),
      );
    expect(cutOff, server.stderr()).not.toBeNull();
    // The queue was bounded by the hard limit plus the last write, not by the 80 MiB sent. A write
    // holds one event, or a loop turn's events for the net server: at most one per client.
    expect(Number(cutOff![1])).toBeLessThanOrEqual(
      READER_HARD_LIMIT_BYTES + CLIENTS * EVENT_LINE_MAX_BYTES,
    );
    expect(peakRss(server.process.pid!)).toBeLessThan(400 * 1024 * 1024);
    stalled.destroy();
    healthy.socket.destroy();
  }, 120_000);

  it('stdout-closed-by-its-reader-is-a-clean-explained-exit', async () => {
    const dir = tempDir();
    // `| head -1`: the reader takes one line and leaves.
    const child = spawn(
      'sh',
      [
        '-c',
        `"${process.execPath}" "${SERVERS[name].file}" --port 0 | head -1 > "${join(dir, 'first')}"`,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const exited = new Promise((exit) => child.once('exit', exit));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await expect
      .poll(() => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr), { timeout: 15_000 })
      .not.toBeNull();
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(stderr)![1]);
    const client = new Client(`http://127.0.0.1:${port}`);
    const statuses: number[] = [];
    for (let i = 0; i < 50 && !stderr.includes('stopped'); i++) {
      try {
        const response = await client.request({
          method: 'POST',
          path: '/hook?event=E',
          headers: { 'content-type': 'application/json' },
          body: `{"n":${i}}`,
        });
        await response.body.dump();
        statuses.push(response.statusCode);
      } catch {
        break;
      }
      await new Promise((settle) => setTimeout(settle, 20));
    }
    await client.close().catch(() => {});
    const code = await exited;
    expect(code).toBe(0);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(stderr).toContain('standard output was closed by its reader (EPIPE)');
    expect(stderr).toContain('stopped');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(JSON.parse(readFileSync(join(dir, 'first'), 'utf8'))).toMatchObject({
      _event: 'E',
      n: 0,
    });
  }, 60_000);

  it('kill-9-at-any-moment-leaves-only-whole-lines', async () => {
    const file = join(tempDir(), 'events.jsonl');
    const fd = openSync(file, 'w');
    const killable = await startServer(name, { stdout: fd });
    closeSync(fd);
    let killed = false;
    let sent = 0;
    const load = sendLoad(killable, {
      total: 1_000_000,
      keepAliveClients: 8,
      perRequestClients: 0,
      // Sizes from tiny to 256 KiB, so some writes are large when the kill lands.
      body: (id) => JSON.stringify({ id, pad: 'p'.repeat((id * 7919) % 262_144) }),
      stop: () => killed || ++sent > 5_000,
    });
    await expect
      .poll(() => readFileSync(file).length, { timeout: 30_000 })
      .toBeGreaterThan(20 * 1024 * 1024);
    killed = true;
    await killable.stop('SIGKILL');
    await load;
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  }, 90_000);
});

describe.each(SERVER_NAMES)('the %s server writing to a pipe nobody reads', (name) => {
  it('drops-and-counts-past-the-limit-instead-of-growing', async () => {
    server = await startServer(name);
    server.process.stdout!.pause(); // the pipe fills; the server's queue would grow without a limit
    const total = 30_000;
    // 4 KiB events: 120 MiB in all, past STDOUT_HARD_LIMIT_BYTES.
    const result = await sendLoad(server, {
      total,
      keepAliveClients: 8,
      perRequestClients: 0,
      body: bigBody,
    });
    expect(result.ok).toHaveLength(total);
    expect(server.stderr()).toMatch(
      /standard output is \d+ bytes behind its reader; dropping events/,
    );
    expect(peakRss(server.process.pid!)).toBeLessThan(STDOUT_HARD_LIMIT_BYTES + 250 * 1024 * 1024);
    server.process.stdout!.resume();
    // Once the reader catches up, events flow again and the loss is reported.
    await expect
      .poll(() => server!.stdout().length, { timeout: 30_000 })
      .toBeGreaterThan(STDOUT_HARD_LIMIT_BYTES);
    const after = await sendLoad(server, {
      total: 1,
      keepAliveClients: 1,
      perRequestClients: 0,
      body: () => '{"after":true}',
    });
    expect(after.ok).toHaveLength(1);
    await expect
      .poll(() => server!.stderr(), { timeout: 10_000 })
      .toMatch(/standard output caught up; \d+ events were dropped/);
    await expect
      .poll(() => server!.stdout().toString('utf8').endsWith('"after":true}\n'), {
        timeout: 10_000,
      })
      .toBe(true);
  }, 120_000);
});

/** Mount a tmpfs of `size` at `dir`, or return false where that is not allowed (not root). */
function mountSmallDisk(dir: string, size: string): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status === 0;
}

describe.each(SERVER_NAMES)('the %s server with standard output on a full disk', (name) => {
  const hooks = async (running: RunningServer, total: number, from = 0): Promise<number> =>
    (
      await sendLoad(running, {
        total,
        keepAliveClients: 2,
        perRequestClients: 1,
        body: (id) => JSON.stringify({ id: id + from, pad: 'p'.repeat(900) }),
      })
    ).ok.length;

  const cases = [
    { name: 'dev-full-as-the-only-output-the-server-stays-up-and-counts', args: [] as string[] },
    { name: 'dev-full-with-a-log-standard-output-is-not-abandoned', args: ['--log'] },
  ];
  it.each(cases)('$name', async ({ args }) => {
    const fd = openSync('/dev/full', 'w');
    const logPath = join(tempDir(), 'hooks.jsonl');
    server = await startServer(name, {
      stdout: fd,
      args: args.length > 0 ? [...args, logPath] : [],
    });
    closeSync(fd);
    expect(await hooks(server, 20)).toBe(20);
    expect(await hooks(server, 1, 20)).toBe(1);
    expect(server.stderr().match(/standard output cannot be written \(ENOSPC\)/g)).toHaveLength(1);
    expect(server.stderr()).not.toMatch(/no more events go there|shutting down/);
    if (args.length > 0) expect(readFileSync(logPath, 'utf8').split('\n')).toHaveLength(22);
    const stopped = await server.stop();
    server = undefined;
    expect(stopped.code).toBe(0);
  });

  it('a-full-tmpfs-keeps-whole-lines-and-writing-resumes-when-space-returns', async (context) => {
    const dir = tempDir();
    if (!mountSmallDisk(dir, '64k')) return context.skip();
    try {
      writeFileSync(join(dir, 'filler'), Buffer.alloc(40 * 1024));
      const file = join(dir, 'events.jsonl');
      const fd = openSync(file, 'w');
      server = await startServer(name, { stdout: fd });
      closeSync(fd);
      expect(await hooks(server, 60)).toBe(60);
      await server.waitForStderr(/standard output cannot be written \(ENOSPC\)/);
      rmSync(join(dir, 'filler'));
      let next = 60;
      await expect
        .poll(
          async () => {
            await hooks(server!, 1, next++);
            return server!.stderr();
          },
          { timeout: 20_000, interval: 200 },
        )
        .toMatch(/standard output is written again; \d+ events were lost meanwhile/);
      const text = readFileSync(file, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      const ids = text
        .split('\n')
        .slice(0, -1)
        .map((line) => (JSON.parse(line) as { id: number }).id);
      expect(ids.at(-1)).toBe(next - 1);
      await server.stop();
      server = undefined;
    } finally {
      spawnSync('umount', [dir]);
    }
  });
});
