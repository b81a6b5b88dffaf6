/**
 * Slow and hostile clients: a thousand connections that send half a request
 * and stall delay no other hook and are closed when the headers timeout
 * expires; a client that stops reading its answers cannot make the server
 * buffer without bound. `pnpm test` stalls a thousand connections on each
 * server over one transport (the http server over TCP, the net server over a
 * Unix socket), the slow tier over the other; the conformance suite's
 * request-timeouts family holds both servers to the same 408 over both.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { peakRss, sendLoad } from '../helpers/load.js';
import {
  SERVER_NAMES,
  TRANSPORTS,
  startServer,
  type RunningServer,
} from '@hook-observatory/launcher';

/** Short test timeouts (config.ts TIMEOUT_ENV): the headers timeout fires within a second or two. */
const SHORT_TIMEOUTS = {
  HOOK_OBSERVATORY_TEST_HEADERS_TIMEOUT_MS: '1500',
  HOOK_OBSERVATORY_TEST_CONNECTIONS_CHECKING_INTERVAL_MS: '250',
};
const STALLED = 1_000;
const TIMEOUT_ANSWER = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

let server: RunningServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.stop();
  server = undefined;
});

function dial(server: RunningServer): Socket {
  return server.transport === 'unix'
    ? connect(server.socketPath)
    : connect(server.port, '127.0.0.1');
}

/** The transport each server meets its thousand stalled connections over in `pnpm test`. */
const EVERY_RUN = { http: 'tcp', net: 'unix' } as const;

describe.each(TRANSPORTS)('over %s', (transport) => {
  describe.each(SERVER_NAMES)('the %s server:', (name) => {
    const tags = EVERY_RUN[name] === transport ? [] : ['slow'];
    it(
      '1,000 stalled half-requests delay nobody and get 408',
      { tags, timeout: 120_000 },
      async () => {
        server = await startServer(name, { transport, env: SHORT_TIMEOUTS });
        const answers: string[] = new Array(STALLED).fill('');
        let closed = 0;
        await Promise.all(
          Array.from({ length: STALLED }, (_, index) => {
            const socket = dial(server!);
            sockets.push(socket);
            socket.on('data', (chunk: Buffer) => (answers[index] += chunk.toString('latin1')));
            socket.on('close', () => closed++);
            socket.on('error', () => {});
            return new Promise<void>((sent) =>
              socket.write(
                'POST /hook?event=Stalled HTTP/1.1\r\nHost: localhost\r\nContent-Ty',
                () => sent(),
              ),
            );
          }),
        );
        // Meanwhile, real hooks go through untouched.
        const result = await sendLoad(server, {
          total: 500,
          keepAliveClients: 4,
          perRequestClients: 4,
          body: (id) => `{"id":${id}}`,
        });
        expect(result.ok).toHaveLength(500);
        expect(result.failed + result.otherStatus).toBe(0);

        await expect.poll(() => closed, { timeout: 30_000, interval: 100 }).toBe(STALLED);
        expect(answers.every((answer) => answer === TIMEOUT_ANSWER)).toBe(true);
        const lines = await server.waitForLines(500);
        expect(lines.every((line) => !line.includes('Stalled'))).toBe(true);
      },
    );
  });
});

describe.each(SERVER_NAMES)('the %s server', (name) => {
  it('a-client-that-stops-reading-answers-is-no-longer-read', async () => {
    server = await startServer(name);
    const socket = dial(server);
    sockets.push(socket);
    socket.on('error', () => {});
    await new Promise((ready) => socket.once('connect', ready));
    socket.pause(); // never reads an answer
    const request = Buffer.from(
      'POST /hook?event=Flood HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    );
    const batch = Buffer.concat(Array.from({ length: 1_000 }, () => request));
    // Write until the server stops taking bytes: then they pile up on our side, not the server's.
    let written = 0;
    while (socket.writableLength < 16 * 1024 * 1024 && written < 400 * 1024 * 1024) {
      socket.write(batch);
      written += batch.length;
      if (socket.writableLength > 4 * 1024 * 1024) {
        await new Promise((settle) => setTimeout(settle, 50));
      }
    }
    expect(socket.writableLength).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    // The server recorded what it read, and holds far less than what was sent.
    expect(peakRss(server.process.pid!)).toBeLessThan(300 * 1024 * 1024);
    const recorded = server.stdout().toString().split('\n').length - 1;
    expect(recorded * request.length).toBeLessThan(written);
  }, 120_000);
});
