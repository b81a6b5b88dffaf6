/**
 * Lesson 12 writes the event stream by hand, as docs/lessons.md says: to
 * HTTP/1.1 a head with no length and `Transfer-Encoding: chunked`, then each
 * message as a chunk (its length in hexadecimal, CRLF, the bytes, CRLF), a
 * hook recorded meanwhile among them; to HTTP/1.0 the bytes bare. HEAD /events
 * gets the head alone, and a request pipelined behind it is answered.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HEALTH_BODY } from '@hook-observatory/core';
import type { RunningServer } from '@hook-observatory/launcher';
import { runningLesson } from '../helpers/built-lessons.js';

const EVENT_STREAM_LESSON = 12;
/** One chunk: its hexadecimal length, CRLF, that many bytes, CRLF (RFC 9112 section 7.1). */
const CHUNK = /^([0-9a-f]+)\r\n/;

/** Open GET /events with `version`; `received()` is everything the stream has sent so far. */
async function openStream(
  server: RunningServer,
  version: string,
): Promise<{ socket: Socket; received: () => string }> {
  const socket = connect(server.port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(`GET /events ${version}\r\nHost: 127.0.0.1\r\n\r\n`);
  return { socket, received: () => Buffer.concat(chunks).toString('latin1') };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The chunks of a chunked body, each checked against its announced length. */
function chunksOf(body: string): string[] {
  const chunks: string[] = [];
  for (let rest = body, match = CHUNK.exec(rest); match !== null; match = CHUNK.exec(rest)) {
    const start = match[0].length;
    const length = Number.parseInt(match[1]!, 16);
    expect(rest.slice(start + length, start + length + 2)).toBe('\r\n');
    chunks.push(rest.slice(start, start + length));
    rest = rest.slice(start + length + 2);
  }
  return chunks;
}

describe(`lesson ${EVENT_STREAM_LESSON}`, () => {
  const server = runningLesson(EVENT_STREAM_LESSON);

  it('frames-each-message-of-the-stream-as-a-chunk-to-http-1.1-a-hook-among-them', async () => {
    const stream = await openStream(server(), 'HTTP/1.1');
    await until(() => stream.received().includes('event: hello'));
    const hook = await fetch(`${server().origin}/hook?event=Stop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":1}',
    });
    expect(hook.status).toBe(200);
    await until(() => stream.received().includes('event: Stop'));
    stream.socket.destroy();
    const received = stream.received();
    const headEnd = received.indexOf('\r\n\r\n');
    const [head, body] = [received.slice(0, headEnd), received.slice(headEnd + 4)];
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Type: text\/event-stream\r\n/);
    expect(head).toContain('\r\nTransfer-Encoding: chunked');
    expect(head).not.toContain('Content-Length');
    const chunks = chunksOf(body);
    expect(chunks[0]).toMatch(/^retry: \d+\nevent: hello\n/);
    expect(chunks.some((chunk) => chunk.includes('event: Stop\n') && chunk.includes('"x":1'))).toBe(
      true,
    );
  });

  it('answers-head-events-with-the-head-alone-and-then-the-request-behind-it', async () => {
    const socket = connect(server().port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.write(
      'HEAD /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    );
    await until(() => received.includes(HEALTH_BODY));
    socket.destroy();
    const [streamHead, healthAnswer] = received.split(/(?=HTTP\/1\.1 )/);
    expect(streamHead).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Type: text\/event-stream\r\n/);
    expect(streamHead).toMatch(/\r\n\r\n$/);
    expect(healthAnswer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(healthAnswer!.endsWith(HEALTH_BODY)).toBe(true);
  });

  it('sends-the-stream-bare-to-http-1.0', async () => {
    const stream = await openStream(server(), 'HTTP/1.0');
    await until(() => stream.received().includes('event: hello'));
    stream.socket.destroy();
    const received = stream.received();
    expect(received).toContain('\r\nConnection: close\r\n');
    expect(received).not.toContain('Transfer-Encoding');
    expect(received.slice(received.indexOf('\r\n\r\n') + 4)).toMatch(/^retry: \d+\nevent: hello\n/);
  });
});
