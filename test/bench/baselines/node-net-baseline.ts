/**
 * What both node:net baselines share: how they find their requests, and the
 * answer they give. A head ends at the first empty line and its body is
 * `Content-Length` bytes long (RFC 9112 sections 2.1 and 6.2). Nothing else
 * of HTTP is read: no request line, no other header, no chunked body. The
 * benchmark sends nothing else.
 */
import type { Socket } from 'node:net';

/** The real servers' empty 200 (packages/net-server/src/response-writer.ts), with a fixed Date. */
export const FIXED_OK = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 0\r\n' +
    'Date: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n',
  'latin1',
);

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
/** The body handed over when bodies are skipped, or empty: one buffer for all. */
const NO_BODY = Buffer.alloc(0);
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

/**
 * Call `onRequest` once per complete request on `socket`, in order. With
 * `keepBodies` it gets the body's bytes; without, the body is skipped unread
 * and it gets an empty one.
 */
export function frameRequests(
  socket: Socket,
  keepBodies: boolean,
  onRequest: (body: Buffer) => void,
): void {
  /** A head that has not fully arrived yet. */
  let partialHead: Buffer | undefined;
  /** Bytes of the current body still to come. */
  let bodyLeft = 0;
  /** The current body's bytes so far, when kept: a body may span reads. */
  let bodyParts: Buffer[] = [];
  const complete = (): void => {
    const body =
      bodyParts.length === 0
        ? NO_BODY
        : bodyParts.length === 1
          ? (bodyParts[0] as Buffer)
          : Buffer.concat(bodyParts);
    bodyParts = [];
    onRequest(body);
  };
  socket.on('data', (data: Buffer) => {
    const chunk = partialHead === undefined ? data : Buffer.concat([partialHead, data]);
    partialHead = undefined;
    let offset = 0;
    while (offset < chunk.length) {
      if (bodyLeft > 0) {
        const taken = Math.min(bodyLeft, chunk.length - offset);
        if (keepBodies) bodyParts.push(chunk.subarray(offset, offset + taken));
        bodyLeft -= taken;
        offset += taken;
        if (bodyLeft === 0) complete();
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
      if (bodyLeft === 0) complete();
    }
  });
  socket.on('error', () => socket.destroy());
}
