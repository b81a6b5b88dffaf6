/**
 * Lesson 7 reads a byte at a time, as docs/lessons.md says: a request cut
 * into one-byte writes is answered as if sent whole, a line ends only at
 * CRLF, and a field name is a token, so the blank before a colon that lesson
 * 6 trimmed is refused with node:http's 400.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@hook-observatory/launcher';
import { builtLesson } from '../helpers/built-lessons.js';

const BYTE_PARSER_LESSON = 7;
/** A pause between one-byte writes, so that most of them arrive as reads of their own. */
const PAUSE_BETWEEN_PIECES_MS = 2;
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';

const hook = (host: string, lineEnd = '\r\n'): string =>
  [
    `POST /hook?event=Stop HTTP/1.1`,
    host,
    'Content-Type: application/json',
    'Content-Length: 2',
    'Connection: close',
    '',
    '{}',
  ].join(lineEnd);

/** Write `pieces` one after another on a new connection; resolves with all it answered by the close. */
async function exchange(server: RunningServer, pieces: readonly string[]): Promise<string> {
  const socket = connect(server.port, '127.0.0.1');
  await once(socket, 'connect');
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close');
  for (const piece of pieces) {
    if (socket.destroyed) break;
    socket.write(piece);
    if (pieces.length > 1) await sleep(PAUSE_BETWEEN_PIECES_MS);
  }
  await closed;
  return Buffer.concat(received).toString('latin1');
}

const CASES: ReadonlyArray<{
  name: string;
  pieces: readonly string[];
  lesson6: RegExp | 'waits';
  lesson7: RegExp;
}> = [
  {
    name: 'a-hook-sent-a-byte-at-a-time-is-recorded-and-answered',
    pieces: [...hook('Host: 127.0.0.1')],
    lesson6: /^HTTP\/1\.1 200 OK\r\n/,
    lesson7: /^HTTP\/1\.1 200 OK\r\n/,
  },
  {
    name: 'a-blank-before-the-colon-is-refused',
    pieces: [hook('Host : 127.0.0.1')],
    lesson6: /^HTTP\/1\.1 200 OK\r\n/,
    lesson7: new RegExp(`^${BAD_REQUEST}$`),
  },
  // Lesson 6 searches for CRLF CRLF, which never comes: it waits for the headers timeout.
  {
    name: 'a-bare-lf-ends-no-line',
    pieces: [hook('Host: 127.0.0.1', '\n')],
    lesson6: 'waits',
    lesson7: new RegExp(`^${BAD_REQUEST}$`),
  },
];

describe.each([6, BYTE_PARSER_LESSON])('lesson %i', (number) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(builtLesson(number));
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const testCase of CASES) {
    const expected = number === BYTE_PARSER_LESSON ? testCase.lesson7 : testCase.lesson6;
    if (expected === 'waits') continue;
    it(testCase.name, async () => {
      expect(await exchange(server, testCase.pieces)).toMatch(expected);
    });
  }
});
