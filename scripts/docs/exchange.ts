/**
 * One conversation with a server over a loopback TCP connection, kept as
 * bytes: what we sent, and everything the server wrote until it closed.
 */
import { connect } from 'node:net';

/** A step of the client's side: bytes to send, or a wait for the server to have written `text`. */
export type ClientStep = { readonly send: Buffer } | { readonly awaitText: string };

/** How long a conversation may last before it is reported as stuck; it never lasts this long when it works. */
export const EXCHANGE_TIMEOUT_MS = 15_000;

/**
 * Run `steps`, then shut down our side (when `halfClose`) and read until the
 * server closes. A server answers a half-closed connection's complete
 * requests and then ends it (node:http does; the wire notes say so), which
 * marks the end of the answer without any timer.
 */
export function exchange(port: number, steps: readonly ClientStep[], halfClose: boolean): Promise<Buffer> {
  return new Promise((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    let waiting: { text: string; resume: () => void } | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      fail(new Error(`no end of the conversation after ${EXCHANGE_TIMEOUT_MS} ms; got ${JSON.stringify(Buffer.concat(received).toString('latin1'))}`));
    }, EXCHANGE_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (waiting !== undefined && Buffer.concat(received).includes(waiting.text)) waiting.resume();
    });
    // A reset after the server has written its answer loses nothing we need.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      done(Buffer.concat(received));
    });
    const run = async (): Promise<void> => {
      for (const step of steps) {
        if ('send' in step) {
          socket.write(step.send);
          continue;
        }
        if (Buffer.concat(received).includes(step.awaitText)) continue;
        await new Promise<void>((resume) => (waiting = { text: step.awaitText, resume }));
        waiting = undefined;
      }
      if (halfClose) socket.end();
    };
    socket.once('connect', () => void run());
  });
}
