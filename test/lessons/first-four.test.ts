/**
 * Lessons 2, 3 and 4 each add one idea to the lesson before, as
 * docs/lessons.md says: lesson 2 keeps the connection for the next request
 * and hangs up on bytes it cannot read, lesson 3 gives an answer with a body
 * the headers that keep it from web pages, lesson 4 answers the servers'
 * routes (/health, 405 with Allow). Each case is played on lessons 1 to 4 and
 * names what each answers, so a step that loses or gains the wrong idea fails.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { RunningServer } from '@hook-observatory/launcher';
import { runningLesson } from '../helpers/built-lessons.js';

const LESSONS_SPLIT = [1, 2, 3, 4] as const;
const HEAD_END = '\r\n\r\n';

const request = (line: string, ...headers: string[]): string =>
  [line, 'Host: 127.0.0.1', ...headers, '', ''].join('\r\n');
const hook = (...headers: string[]): string =>
  `${request('POST /hook?event=Stop HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 2', ...headers)}{}`;

const CLOSES = /\r\nConnection: close\r\n/;
const KEEPS = /\r\nConnection: keep-alive\r\nKeep-Alive: timeout=\d+\r\n/;
const NOT_FOUND = /^HTTP\/1\.1 404 Not Found\r\n[\s\S]*\{"error":"not found"\}$/;
/** A 404 with the browser headers after its Content-Length, as the servers write it. */
const NOT_FOUND_GUARDED = new RegExp(
  [
    '^HTTP/1\\.1 404 Not Found',
    'Content-Type: application/json',
    'Content-Length: 21',
    'X-Content-Type-Options: nosniff',
    'X-Frame-Options: DENY',
    "Content-Security-Policy: frame-ancestors 'none'",
  ].join('\r\n'),
);
const UNGUARDED = /^(?![\s\S]*X-Content-Type-Options)HTTP\/1\.1 404 Not Found\r\n/;
const HEALTHY = /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n\{"status":"ok"\}$/;
const ONLY_POST = /^HTTP\/1\.1 405 Method Not Allowed\r\n[\s\S]*\r\nAllow: POST\r\n/;

/** The next whole answer in `text` (its head, and its body by Content-Length), or undefined. */
function wholeAnswer(text: string): string | undefined {
  const headEnd = text.indexOf(HEAD_END);
  if (headEnd < 0) return undefined;
  const length = Number(
    /\r\nContent-Length: (\d+)\r\n/i.exec(text.slice(0, headEnd + 2))?.[1] ?? 0,
  );
  const end = headEnd + HEAD_END.length + length;
  return text.length < end ? undefined : text.slice(0, end);
}

/**
 * Send `requests` on one connection, each once the answer to the one before is
 * in and did not say `Connection: close`; resolves with the answers, and with
 * what came after the last whole one when the lesson closed the connection
 * instead (empty: it hung up).
 */
async function conversation(server: RunningServer, requests: readonly string[]): Promise<string[]> {
  const socket: Socket = connect(server.port, '127.0.0.1');
  await once(socket, 'connect');
  socket.on('error', () => undefined);
  let received = '';
  let closed = false;
  let wake: () => void = () => undefined;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  const answers: string[] = [];
  for (const bytes of requests) {
    // A client sends nothing more once told the connection closes (or it closed).
    if (closed || CLOSES.test(answers.at(-1) ?? '')) break;
    socket.write(bytes);
    for (;;) {
      const answer = wholeAnswer(received);
      if (answer !== undefined) {
        answers.push(answer);
        received = received.slice(answer.length);
        break;
      }
      if (closed) {
        answers.push(received);
        break;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  socket.destroy();
  return answers;
}

/** Per case, what lessons 1 to 4 answer, each answer matched in order. */
const CASES: ReadonlyArray<{
  readonly name: string;
  readonly requests: readonly string[];
  readonly answers: Readonly<Record<(typeof LESSONS_SPLIT)[number], readonly RegExp[]>>;
}> = [
  {
    name: 'a-second-hook-comes-on-the-same-connection-from-lesson-2',
    requests: [hook(), hook('Connection: close')],
    answers: {
      1: [CLOSES],
      2: [KEEPS, CLOSES],
      3: [KEEPS, CLOSES],
      4: [KEEPS, CLOSES],
    },
  },
  {
    name: 'a-request-line-without-a-version-ends-the-connection-from-lesson-2',
    requests: [request('GET /health', 'Connection: close')],
    answers: { 1: [NOT_FOUND], 2: [/^$/], 3: [/^$/], 4: [/^$/] },
  },
  {
    name: 'a-field-line-without-a-colon-ends-a-kept-connection-from-lesson-2',
    requests: [hook(), hook('Not a field line')],
    answers: {
      1: [CLOSES],
      2: [KEEPS, /^$/],
      3: [KEEPS, /^$/],
      4: [KEEPS, /^$/],
    },
  },
  {
    name: 'an-answer-with-a-body-carries-the-browser-headers-from-lesson-3',
    requests: [request('GET /nowhere HTTP/1.1', 'Connection: close')],
    answers: {
      1: [UNGUARDED],
      2: [UNGUARDED],
      3: [NOT_FOUND_GUARDED],
      4: [NOT_FOUND_GUARDED],
    },
  },
  {
    name: 'health-is-a-route-from-lesson-4',
    requests: [request('GET /health HTTP/1.1', 'Connection: close')],
    answers: { 1: [NOT_FOUND], 2: [NOT_FOUND], 3: [NOT_FOUND], 4: [HEALTHY] },
  },
  {
    name: 'a-wrong-method-on-hook-gets-405-with-allow-from-lesson-4',
    requests: [request('GET /hook HTTP/1.1'), hook('Connection: close')],
    answers: {
      1: [NOT_FOUND],
      2: [NOT_FOUND, CLOSES],
      3: [NOT_FOUND, CLOSES],
      4: [ONLY_POST, CLOSES],
    },
  },
];

describe.each(LESSONS_SPLIT)('lesson %i', (lesson) => {
  const server = runningLesson(lesson);

  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const answers = await conversation(server(), testCase.requests);
      const expected = testCase.answers[lesson];
      expect(answers).toHaveLength(expected.length);
      answers.forEach((answer, index) => expect(answer).toMatch(expected[index]!));
    });
  }
});
