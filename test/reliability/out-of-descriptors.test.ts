/**
 * Out of file descriptors: a server limited to 256 (`prlimit --nofile`, from
 * util-linux) filled with connections that send nothing says so once on
 * standard error, closes them to make room, and serves new hooks. Before, libuv
 * accepted and closed each new connection at once (uv__emfile_trick) until
 * the headers timeout closed the silent ones, 60 to 90 s later.
 *
 * Slow tier: it fills a server to its limit and waits on the once-a-second
 * watch; beside a whole parallel `pnpm test` on 2 cores its wait for "available
 * again" once ran past 20 s (net server, not reproduced alone, not diagnosed).
 *
 * @module-tag slow
 */
import { execFileSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';

const NOFILE = 256;
/** Silent connections: more than the server can hold beside its own descriptors. */
const SILENT = 240;
const HOOKS = 20;
/** Keep-alive connections opened at once, each sending one hook: more than the limit holds. */
const KEEP_ALIVE = 300;
/** The watch counts once a second; alone the room is made in about 3 s, so this is only a bound on a starved machine. */
const ROOM_WAIT_MS = 45_000;

const hasPrlimit = ((): boolean => {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return process.platform === 'linux';
  } catch {
    return false;
  }
})();

let server: RunningServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.stop();
  server = undefined;
});

/** Send one hook on its own connection; its status line, or the error that refused it. */
function hookStatus(port: number, id: number): Promise<string> {
  return new Promise((answered) => {
    const body = JSON.stringify({ id });
    let answer = '';
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        `POST /hook?event=Room HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
          `Connection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      ),
    );
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => answered(error.code ?? 'error'));
    socket.on('close', () => answered(answer.split('\r\n')[0] || 'closed without an answer'));
  });
}

/** How one keep-alive connection ended its first hook: answered and left open, or closed. */
type KeptOrClosed = { answer: string; closedAfter: boolean };

/** Open a keep-alive connection that sends one hook; resolves with its answer, or when it closes. */
function keepAliveHook(port: number, id: number): Promise<KeptOrClosed> {
  return new Promise((settled) => {
    const body = JSON.stringify({ id });
    const result: KeptOrClosed = { answer: '', closedAfter: false };
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        `POST /hook?event=KeptAlive HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\n\r\n${body}`,
      ),
    );
    sockets.push(socket);
    socket.on('error', () => {});
    socket.once('data', (chunk: Buffer) => {
      result.answer = chunk.toString('latin1').split('\r\n')[0] ?? '';
      socket.once('close', () => (result.closedAfter = true));
      settled(result);
    });
    socket.once('close', () => settled(result));
  });
}

describe.each(SERVER_NAMES)('the %s server', (name) => {
  it.runIf(hasPrlimit)(
    'out-of-descriptors-is-said-and-new-hooks-are-served',
    async () => {
      server = await startServer(name, { wrapper: ['prlimit', `--nofile=${NOFILE}`] });
      const { port } = server;
      await Promise.all(
        Array.from({ length: SILENT }, () => {
          const socket = connect(port, '127.0.0.1');
          sockets.push(socket);
          socket.on('error', () => {});
          return new Promise<void>((open) =>
            socket.once('connect', () => open()).once('close', () => open()),
          );
        }),
      );
      await server.waitForStderr(
        /out of file descriptors: .*raise the limit \(ulimit -n\)/,
        ROOM_WAIT_MS,
      );
      // The silent connections are closed once they have been silent for SILENT_CONNECTION_MS.
      await server.waitForStderr(/file descriptors available again/, ROOM_WAIT_MS);
      const statuses: string[] = [];
      for (let id = 0; id < HOOKS; id++) statuses.push(await hookStatus(port, id));
      expect(statuses).toEqual(new Array(HOOKS).fill('HTTP/1.1 200 OK'));
      expect(server.stderr().match(/out of file descriptors/g)).toHaveLength(1);
    },
    3 * ROOM_WAIT_MS,
  );

  // The connections beyond the limit are refused as they come (uv__emfile_trick);
  // those it holds fall idle once answered, and the longest idle are closed to
  // make room: each new hook is then served at once, with no count to wait for.
  it.runIf(hasPrlimit)(
    'idle-keep-alive-connections-make-room-for-new-hooks',
    async () => {
      server = await startServer(name, { wrapper: ['prlimit', `--nofile=${NOFILE}`] });
      const { port } = server;
      const kept = await Promise.all(
        Array.from({ length: KEEP_ALIVE }, (_, id) => keepAliveHook(port, id)),
      );
      const answered = kept.filter(({ answer }) => answer === 'HTTP/1.1 200 OK');
      expect(answered.length).toBeGreaterThan(NOFILE / 2);
      const statuses: string[] = [];
      for (let id = 0; id < HOOKS; id++) statuses.push(await hookStatus(port, id));
      expect(statuses).toEqual(new Array(HOOKS).fill('HTTP/1.1 200 OK'));
      // Room was made by closing kept-alive connections after their answer.
      expect(answered.some(({ closedAfter }) => closedAfter)).toBe(true);
      expect(server.stderr().match(/out of file descriptors/g)).toHaveLength(1);
    },
    3 * ROOM_WAIT_MS,
  );
});
