/**
 * Replay a recorded session into a server the way Claude Code sent it: each
 * curl command hook on a connection of its own, the native hooks over the
 * keep-alive connection they shared, one request at a time, in recorded order.
 */
import { connect, type Socket } from 'node:net';
import { requestBytes, type RecordedRequest } from '@hook-observatory/conformance/traffic';

/** A replay that has not had an answer by then is reported as stuck. */
export const ANSWER_TIMEOUT_MS = 10_000;
const HEAD_END = Buffer.from('\r\n\r\n');

/** Reads whole answers off one connection: the head, then Content-Length bytes of body. */
class AnswerReader {
  private buffered = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private closed = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.waiter?.();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
  }

  /** The next final answer (an interim 1xx is kept in front of it), or what came before the close. */
  async next(): Promise<Buffer> {
    const started = this.buffered.length;
    for (;;) {
      const answer = this.complete();
      if (answer !== undefined) return answer;
      if (this.closed) {
        throw new Error(
          `connection closed after ${this.buffered.length - started} bytes of an answer`,
        );
      }
      await new Promise<void>((resume, fail) => {
        const timer = setTimeout(
          () => fail(new Error(`no answer in ${ANSWER_TIMEOUT_MS} ms`)),
          ANSWER_TIMEOUT_MS,
        );
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resume();
        };
      });
    }
  }

  private complete(): Buffer | undefined {
    let from = 0;
    for (;;) {
      const headEnd = this.buffered.indexOf(HEAD_END, from);
      if (headEnd === -1) return undefined;
      const head = this.buffered.subarray(from, headEnd).toString('latin1');
      if (/^HTTP\/1\.1 1\d\d /.test(head)) {
        from = headEnd + HEAD_END.length;
        continue;
      }
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? '0');
      const end = headEnd + HEAD_END.length + length;
      if (this.buffered.length < end) return undefined;
      const answer = this.buffered.subarray(0, end);
      this.buffered = this.buffered.subarray(end);
      return answer;
    }
  }
}

function open(port: number): Promise<AnswerReader> {
  return new Promise((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => done(new AnswerReader(socket)));
    socket.once('error', fail);
  });
}

/** Send `requests` to the server on `port`; resolves with each answer's bytes, in order. */
export async function replay(
  port: number,
  requests: readonly RecordedRequest[],
): Promise<Buffer[]> {
  const host = `127.0.0.1:${port}`;
  const shared = new Map<number, AnswerReader>();
  const answers: Buffer[] = [];
  try {
    for (const request of requests) {
      let reader = request.sender === 'native' ? shared.get(request.conn) : undefined;
      if (reader === undefined) {
        reader = await open(port);
        if (request.sender === 'native') shared.set(request.conn, reader);
      }
      reader.socket.write(requestBytes(request, host));
      answers.push(await reader.next());
      if (request.sender === 'curl') reader.socket.end();
    }
  } finally {
    for (const reader of shared.values()) reader.socket.end();
  }
  return answers;
}
