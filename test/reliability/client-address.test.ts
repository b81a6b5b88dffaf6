/**
 * `_client` is on every event received over TCP, also when the peer resets
 * the connection right after sending its hook. A reset that arrives before
 * the server accepts leaves node's socket.remoteAddress undefined (getpeername
 * answers ENOTCONN once the socket is closed), though the request's bytes
 * are still read and recorded. The address is then read with SO_PEERNAME
 * (core/src/peer-address.ts).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';
import { tempDirs } from '../helpers/temp-dirs.js';

const temp = tempDirs('client-address-');

/** Hooks sent, each on a connection reset at once: enough that many resets beat the accept. */
const RESET_HOOKS = 300;
/** Connections opened at once before the next batch, so the backlog fills while the server is busy. */
const BATCH = 50;

/** The loopback address of each IP family; an address this machine cannot listen on is skipped. */
const FAMILIES = [
  { family: 'IPv4', host: '127.0.0.1' },
  { family: 'IPv6', host: '::1' },
] as const;

function canListenOn(host: string): Promise<boolean> {
  return new Promise((answer) => {
    const probe = createServer();
    probe.once('error', () => answer(false));
    probe.listen(0, host, () => probe.close(() => answer(true)));
  });
}
const listenable = Object.fromEntries(
  await Promise.all(FAMILIES.map(async ({ host }) => [host, await canListenOn(host)])),
);

function hook(id: number, close: boolean): string {
  const body = JSON.stringify({ id });
  return (
    `POST /hook?event=Reset HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
    `${close ? 'Connection: close\r\n' : ''}Content-Length: ${body.length}\r\n\r\n${body}`
  );
}

/** Connect, send one hook, and reset the connection (RST, SO_LINGER 0) without waiting for an answer. */
function sendAndReset(port: number, host: string, id: number): Promise<void> {
  return new Promise((sent) => {
    const socket = connect(port, host);
    socket.on('error', () => sent());
    socket.on('close', () => sent());
    socket.on('connect', () => {
      socket.write(hook(id, false));
      socket.resetAndDestroy();
    });
  });
}

/** Send one hook and wait for its answer. */
function sendAndRead(port: number, host: string, id: number): Promise<string> {
  return new Promise((answered, fail) => {
    let answer = '';
    const socket = connect(port, host, () => socket.write(hook(id, true)));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', fail);
    socket.on('close', () => answered(answer));
  });
}

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  temp.removeAll();
});

/** What a server says on standard error when it must do without SO_PEERNAME. */
const NO_PEERNAME = /cannot load getsockopt/;

describe.each(SERVER_NAMES)('the %s server', (name) => {
  // A shell's pipe, as `pnpm start | jq` makes: a FIFO (the launcher's own pipe is a socket pair).
  it.runIf(process.platform === 'linux')(
    'loads-SO_PEERNAME-with-its-output-a-shell-pipe',
    async () => {
      const fifo = join(temp.make(), 'stdout');
      execFileSync('mkfifo', [fifo]);
      // Read and write: opening a FIFO so needs no reader at the other end (fifo(7)).
      const fd = openSync(fifo, constants.O_RDWR);
      try {
        // Without the NODE_PATH that `pnpm exec` adds, as under `pnpm start` or a service manager.
        server = await startServer(name, { stdout: fd, env: { NODE_PATH: '' } });
        expect(server.stderr()).not.toMatch(NO_PEERNAME);
      } finally {
        await server?.stop();
        server = undefined;
        closeSync(fd);
      }
    },
  );

  describe.each(FAMILIES)('over $family', ({ host }) => {
    it.runIf(listenable[host])(
      'every-event-has-_client-though-its-peer-reset-at-once',
      async () => {
        server = await startServer(name, { args: ['--bind', host] });
        const { port } = server;
        for (let first = 0; first < RESET_HOOKS; first += BATCH) {
          await Promise.all(
            Array.from({ length: BATCH }, (_, index) => sendAndReset(port, host, first + index)),
          );
        }
        expect(await sendAndRead(port, host, RESET_HOOKS)).toMatch(/^HTTP\/1\.1 200 /);
        // The hooks of reset connections are recorded as they are read, in any order around the last one.
        const lines = await server.waitForLines(RESET_HOOKS + 1);
        const events = lines.map((line) => JSON.parse(line) as { _client?: string; id: number });
        const withoutClient = events
          .filter((event) => event._client === undefined)
          .map((event) => event.id);
        expect(withoutClient).toEqual([]);
        expect(new Set(events.map((event) => event._client))).toEqual(new Set([host]));
      },
      60_000,
    );
  });
});
