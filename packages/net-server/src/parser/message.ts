/**
 * A message ends: the request handed over when it is complete, and the choice
 * between reading the next request and refusing anything more (llhttp's
 * message_done, cleanup and closed, at the end of buildHeaderValue).
 */
import { CR, LF } from '../byte-classes.js';
import { PAUSED, TICK, type Machine, type ParserOutput, type RequestHead } from './machine.js';
import { readsNoByte, State } from './states.js';

export function stepMessage(p: Machine, chunk: Buffer, from: number, out: ParserOutput[]): number {
  let i = from;
  while (i < chunk.length || readsNoByte(p.state)) {
    switch (p.state) {
      case State.MessageDone: // llhttp: message_done
        p.state = State.Cleanup;
        // After an upgrade request llhttp pauses, and node:http drops the
        // rest of the read (see `execute`): the next read resumes at Cleanup.
        if (completeRequest(p, out)) return PAUSED;
        continue;

      case State.Cleanup: // llhttp: cleanup
        // Ready for the next request, or not: llhttp decides again with what
        // the whole request said, trailers included, while node:http answered
        // by what the head said. A `Connection: close` in the trailers
        // therefore gets an answer that keeps the connection, and then a 400
        // for the next request.
        p.unsafeToEnd = false;
        p.head = undefined;
        if (p.shouldKeepAlive()) {
          p.state = State.Start;
          return i; // the next request (request-line.ts)
        }
        p.state = State.AfterClose;
        continue;

      case State.AfterClose: // llhttp: closed
        // After a request that closes the connection nothing more may come
        // (RFC 9112 section 9.6); llhttp allows only stray line ends.
        if (chunk[i] === CR || chunk[i] === LF) break;
        return p.fail(out, i + 1, 'Data after `Connection: close`');
    }
    i++;
  }
  return i;
}

/** Hand the request over; true when it was an upgrade request. */
function completeRequest(p: Machine, out: ParserOutput[]): boolean {
  const head = p.head as RequestHead;
  // Trailer fields are handed over in one last batch, with a tick, before the request ends.
  if (p.inTrailers && p.fieldsInBatch > 0) {
    p.batchedBefore = true;
    out.push(TICK);
  }
  const body = p.bodyParts.length === 1 ? (p.bodyParts[0] as Buffer) : Buffer.concat(p.bodyParts);
  out.push({ kind: 'request', head, body });
  p.messagesCompleted++;
  p.bodyParts = [];
  p.bodyLength = 0;
  p.inRequest = false;
  p.inTrailers = false;
  if (head.upgrade) out.push({ kind: 'upgrade', head });
  return head.upgrade;
}
