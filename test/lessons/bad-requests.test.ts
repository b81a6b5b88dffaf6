/**
 * Lesson 8 answers bytes it cannot read, as docs/lessons.md says: node:http's
 * fixed 400 and a close where lesson 7 hung up without a word, and an empty
 * line before a request line is skipped, not refused. Lesson 7 is played too,
 * so that each case shows what the step changed.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { RunningServer } from '@hook-observatory/launcher';
import { LESSONS } from '@hook-observatory/lessons';
import { runningLesson } from '../helpers/built-lessons.js';

/** Found by its file, so that the number follows LESSONS. */
const BAD_REQUESTS_LESSON = LESSONS.indexOf('packages/lessons/src/08-bad-requests.ts') + 1;
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';
/** A 200's head, whatever its headers. */
const OK = 'HTTP/1\\.1 200 OK\\r\\n[^]*?\\r\\n\\r\\n';

const hook = (...headers: string[]): string =>
  [
    'POST /hook?event=Stop HTTP/1.1',
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    ...headers,
    '',
    '{}',
  ].join('\r\n');
const health = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';

/**
 * Write `pieces` on a new connection, each after the server has answered the
 * one before; resolves with all it answered by the close.
 */
async function exchange(server: RunningServer, pieces: readonly string[]): Promise<string> {
  const socket = connect(server.port, '127.0.0.1');
  await once(socket, 'connect');
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => undefined);
  // Plain listeners, not once(): a reset must end the exchange, not reject it.
  const closed = new Promise((resolve) => socket.once('close', resolve));
  for (const [index, piece] of pieces.entries()) {
    if (socket.destroyed) break;
    const answered =
      index < pieces.length - 1 ? new Promise((resolve) => socket.once('data', resolve)) : closed;
    socket.write(piece);
    await Promise.race([answered, closed]);
  }
  await closed;
  return Buffer.concat(received).toString('latin1');
}

const CASES: ReadonlyArray<{
  name: string;
  pieces: readonly string[];
  lesson7: RegExp;
  lesson8: RegExp;
}> = [
  {
    name: 'content-length-with-transfer-encoding-gets-the-fixed-400',
    pieces: [hook('Content-Length: 2', 'Transfer-Encoding: chunked')],
    lesson7: /^$/,
    lesson8: new RegExp(`^${BAD_REQUEST}$`),
  },
  {
    name: 'a-request-line-without-a-version-gets-the-fixed-400',
    pieces: ['GET /health\r\nHost: 127.0.0.1\r\n\r\n'],
    lesson7: /^$/,
    lesson8: new RegExp(`^${BAD_REQUEST}$`),
  },
  {
    name: 'an-empty-line-before-the-next-request-line-is-skipped',
    pieces: [hook('Content-Length: 2'), `\r\n${health}`],
    lesson7: new RegExp(`^${OK}$`),
    lesson8: new RegExp(`^${OK}${OK}\\{"status":"ok"\\}$`),
  },
];

describe.each([BAD_REQUESTS_LESSON - 1, BAD_REQUESTS_LESSON])('lesson %i', (number) => {
  const server = runningLesson(number);

  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const expected = number === BAD_REQUESTS_LESSON ? testCase.lesson8 : testCase.lesson7;
      expect(await exchange(server(), testCase.pieces)).toMatch(expected);
    });
  }
});
