#!/usr/bin/env node
/**
 * The limit: the least a hook receiver can do on node:net. It frames each
 * request by its Content-Length (RFC 9112 section 6.2), skips the body unread
 * and writes one fixed 200, the same bytes the real servers send. No header
 * parsing beyond the length, no JSON, no event written: what is left is the
 * cost of Node's sockets on this machine, which no server of ours can beat.
 */
import { createServer, type Socket } from 'node:net';
import { listenFromArgs } from './listen.js';

/** The real servers' empty 200 (packages/net-server/src/response-writer.ts), with a fixed Date. */
const FIXED_OK = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 0\r\n' +
    'Date: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n',
  'latin1',
);
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

function answerEachRequest(socket: Socket): void {
  /** A head that has not fully arrived yet. */
  let partialHead: Buffer | undefined;
  /** Bytes of the current body still to skip. */
  let bodyLeft = 0;
  socket.on('data', (data: Buffer) => {
    const chunk = partialHead === undefined ? data : Buffer.concat([partialHead, data]);
    partialHead = undefined;
    let offset = 0;
    while (offset < chunk.length) {
      if (bodyLeft > 0) {
        const skipped = Math.min(bodyLeft, chunk.length - offset);
        bodyLeft -= skipped;
        offset += skipped;
        if (bodyLeft === 0) socket.write(FIXED_OK);
        continue;
      }
      const headEnd = chunk.indexOf(HEAD_END, offset);
      if (headEnd === -1) {
        partialHead = chunk.subarray(offset);
        return;
      }
      const length = CONTENT_LENGTH.exec(chunk.toString('latin1', offset, headEnd));
      bodyLeft = length === null ? 0 : Number(length[1]);
      offset = headEnd + HEAD_END.length;
      if (bodyLeft === 0) socket.write(FIXED_OK);
    }
  });
  socket.on('error', () => socket.destroy());
}

listenFromArgs(createServer({ noDelay: true }, answerEachRequest), 'limit (node:net, fixed 200)');
