/**
 * Lessons 10 and 11 read a byte at a time, as docs/lessons.md says. Lesson 10
 * reads the head so: a request cut into one-byte writes is answered as if
 * sent whole, a line ends only at CRLF, and a field name is a token, so the
 * blank before a colon that lesson 9 trimmed is refused with node:http's 400;
 * its body is still found by a search, as lesson 9 found it. Lesson 11 reads
 * the body the same way: a trailer line ends only at CRLF too, and a second
 * Content-Length is refused.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RunningServer } from '@hook-observatory/launcher';
import { runningLesson } from '../helpers/built-lessons.js';

/** Lessons 9, 10 and 11: each one's place in LESSONS (packages/lessons/src/lessons.ts). */
const LESSON_POSITIONS = { lesson9: 9, lesson10: 10, lesson11: 11 } as const;
type Lesson = keyof typeof LESSON_POSITIONS;
/** A pause between one-byte writes, so that most of them arrive as reads of their own. */
const PAUSE_BETWEEN_PIECES_MS = 2;
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';
const OK = /^HTTP\/1\.1 200 OK\r\n/;
const REFUSED = new RegExp(`^${BAD_REQUEST}$`);
/** Two answers of 200 in a row, and nothing after. */
const TWO_OKS =
  /^HTTP\/1\.1 200 OK\r\n(?:[^\r\n]+\r\n)*\r\nHTTP\/1\.1 200 OK\r\n(?:[^\r\n]+\r\n)*\r\n$/;

const hook = (host: string, lineEnd = '\r\n', framing = ['Content-Length: 2']): string =>
  [
    `POST /hook?event=Stop HTTP/1.1`,
    host,
    'Content-Type: application/json',
    ...framing,
    'Connection: close',
    '',
    '{}',
  ].join(lineEnd);

/** A hook whose body comes as one chunk, then the last chunk and the trailer lines given. */
const chunkedHook = (connection: string, trailer = ''): string =>
  [
    'POST /hook?event=Stop HTTP/1.1',
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    'Transfer-Encoding: chunked',
    `Connection: ${connection}`,
    '',
    '2',
    '{}',
    `0\r\n${trailer}\r\n`,
  ].join('\r\n');

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

/** What each lesson answers; 'waits' where it waits for a timer, which no case here waits out. */
const CASES: ReadonlyArray<{
  name: string;
  pieces: readonly string[];
  answers: Readonly<Record<Lesson, RegExp | 'waits'>>;
}> = [
  {
    name: 'a-hook-sent-a-byte-at-a-time-is-recorded-and-answered',
    pieces: [...hook('Host: 127.0.0.1')],
    answers: { lesson9: OK, lesson10: OK, lesson11: OK },
  },
  {
    name: 'a-chunked-hook-sent-a-byte-at-a-time-is-recorded-and-answered',
    pieces: [...chunkedHook('close')],
    answers: { lesson9: OK, lesson10: OK, lesson11: OK },
  },
  // Lesson 10 finds where the chunked body ends by a search, and reads on from there.
  {
    name: 'a-hook-right-behind-a-chunked-one-in-the-same-write-is-answered-too',
    pieces: [chunkedHook('keep-alive') + hook('Host: 127.0.0.1')],
    answers: { lesson9: TWO_OKS, lesson10: TWO_OKS, lesson11: TWO_OKS },
  },
  {
    name: 'a-blank-before-the-colon-is-refused',
    pieces: [hook('Host : 127.0.0.1')],
    answers: { lesson9: OK, lesson10: REFUSED, lesson11: REFUSED },
  },
  // Lesson 9 searches for CRLF CRLF, which never comes: it waits for the headers timeout.
  {
    name: 'a-bare-lf-ends-no-line',
    pieces: [hook('Host: 127.0.0.1', '\n')],
    answers: { lesson9: 'waits', lesson10: REFUSED, lesson11: REFUSED },
  },
  {
    name: 'a-second-content-length-is-refused-from-lesson-11',
    pieces: [hook('Host: 127.0.0.1', '\r\n', ['Content-Length: 2', 'Content-Length: 2'])],
    answers: { lesson9: OK, lesson10: OK, lesson11: REFUSED },
  },
  // Lessons 9 and 10 search the trailers for CRLF CRLF, which never comes: they wait.
  {
    name: 'a-bare-lf-in-the-trailers-is-refused-from-lesson-11',
    pieces: [chunkedHook('close', 'X-Trailer: 1\n')],
    answers: { lesson9: 'waits', lesson10: 'waits', lesson11: REFUSED },
  },
];

describe.each(Object.entries(LESSON_POSITIONS) as Array<[Lesson, number]>)(
  '%s',
  (lesson, position) => {
    const server = runningLesson(position);

    for (const testCase of CASES) {
      const expected = testCase.answers[lesson];
      if (expected === 'waits') continue;
      it(testCase.name, async () => {
        expect(await exchange(server(), testCase.pieces)).toMatch(expected);
      });
    }
  },
);
