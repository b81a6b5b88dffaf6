/**
 * How much body a server holds: one request's limit, and a budget shared by
 * every connection (protocol.ts, MAX_BODY_BYTES and MAX_BUFFERED_BODY_BYTES).
 * Both servers ask the same questions at the same steps and give the same
 * answers, so that they refuse the same requests with the same bytes.
 */
import type { Socket } from 'node:net';
import type { BodyLimits } from './config.js';
import { BODY_BUDGET_RETRY_AFTER_SECONDS, REFUSED_BODY_LINGER_MS } from './protocol.js';

/** Why a body was refused: it is too long, or too many bodies are being held at once. */
export type BodyRefusal = 'too-large' | 'busy';

/** A request answered before its body was read: the connection cannot carry another one. */
export interface BodyRefusalAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The event record's `_error`, and the log line's reason. */
  readonly reason: string;
}

/**
 * A Content-Length over the limit: the body is refused before a byte of it is
 * read. Both parsers have already refused anything but digits (RFC 9112
 * section 6.3), so Number() reads it exactly up to 2^53 and beyond as larger.
 */
export function declaredTooLong(contentLength: string | undefined, limits: BodyLimits): boolean {
  return contentLength !== undefined && Number(contentLength) > limits.maxBodyBytes;
}

/**
 * The answers, with `Connection: close` among our headers as node:http writes
 * its own 400 for a missing Host: the rest of the body is never read, so the
 * connection cannot carry another request (RFC 9112 section 9.6).
 */
export function bodyRefusalAnswer(refusal: BodyRefusal, limits: BodyLimits): BodyRefusalAnswer {
  if (refusal === 'too-large') {
    return {
      status: 413,
      body: `{"error":"body too large: the limit is ${limits.maxBodyBytes} bytes"}`,
      headers: [['Connection', 'close']],
      reason: `body over the ${limits.maxBodyBytes}-byte limit`,
    };
  }
  return {
    status: 503,
    body: '{"error":"busy: too many large bodies are arriving at once; retry later"}',
    headers: [
      ['Retry-After', String(BODY_BUDGET_RETRY_AFTER_SECONDS)],
      ['Connection', 'close'],
    ],
    reason: `${limits.maxBufferedBodyBytes} bytes of bodies already held`,
  };
}

/**
 * The body bytes every connection holds at once, while they arrive. A server
 * takes from it as each piece of a body arrives and gives back when the body
 * is handed on (or its connection is gone); a piece that does not fit is
 * refused, holding nothing. A piece is counted once it has arrived: the
 * refused one has cost its read (64 KiB at most), no more.
 */
export class BodyBudget {
  private held = 0;

  constructor(private readonly capacity: number) {}

  /** Hold `bytes` more; false, holding nothing more, when that would pass the budget. */
  take(bytes: number): boolean {
    if (this.held + bytes > this.capacity) return false;
    this.held += bytes;
    return true;
  }

  giveBack(bytes: number): void {
    this.held -= bytes;
  }

  get heldBytes(): number {
    return this.held;
  }
}

/**
 * Close a connection whose body was refused unread, once its answer is
 * written: end our side, drop whatever the client still sends, and let go
 * when the client ends its side or after REFUSED_BODY_LINGER_MS (protocol.ts
 * says why a plain destroy would lose the answer).
 */
export function lingeringClose(socket: Socket): void {
  socket.end();
  const timer = setTimeout(() => socket.destroy(), REFUSED_BODY_LINGER_MS);
  timer.unref();
  socket.once('end', () => socket.destroy());
  socket.once('close', () => clearTimeout(timer));
  socket.resume();
}
