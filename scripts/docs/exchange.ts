/**
 * One conversation with a server over a loopback TCP connection, kept as
 * bytes: what we sent, and everything the server wrote until it closed, and
 * the order the two sides' writes and ends came in (the sequence diagrams are
 * drawn from it).
 */
import { connect } from 'node:net';

/** A step of the client's side: bytes to send, or a wait for the server to have written `text` since our last send. */
export type ClientStep = { readonly send: Buffer } | { readonly awaitText: string };

/** What one side did, in the order we saw it: wrote bytes, or ended its side (a FIN). */
export type TranscriptEntry =
  | { readonly from: 'client' | 'server'; readonly kind: 'bytes'; readonly bytes: Buffer }
  | { readonly from: 'client' | 'server'; readonly kind: 'end' };

export interface Conversation {
  /** Everything the server wrote. */
  readonly received: Buffer;
  readonly transcript: readonly TranscriptEntry[];
}

/** How long a conversation may last before it is reported as stuck; it never lasts this long when it works. */
export const EXCHANGE_TIMEOUT_MS = 15_000;

/**
 * Run `steps`, then shut down our side (when `halfClose`) and read until the
 * server closes. A server answers a half-closed connection's complete
 * requests and then ends it (node:http does; the wire notes say so), which
 * marks the end of the answer without any timer.
 */
export function exchange(port: number, steps: readonly ClientStep[], halfClose: boolean): Promise<Conversation> {
  return new Promise((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    const transcript: TranscriptEntry[] = [];
    /** How many bytes had come when we last sent: an awaited text must come after it. */
    let receivedAtLastSend = 0;
    const sinceLastSend = (): Buffer => Buffer.concat(received).subarray(receivedAtLastSend);
    let waiting: { text: string; resume: () => void } | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      fail(new Error(`no end of the conversation after ${EXCHANGE_TIMEOUT_MS} ms; got ${JSON.stringify(Buffer.concat(received).toString('latin1'))}`));
    }, EXCHANGE_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      transcript.push({ from: 'server', kind: 'bytes', bytes: chunk });
      if (waiting !== undefined && sinceLastSend().includes(waiting.text)) waiting.resume();
    });
    socket.on('end', () => transcript.push({ from: 'server', kind: 'end' }));
    // A reset after the server has written its answer loses nothing we need.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      done({ received: Buffer.concat(received), transcript });
    });
    const run = async (): Promise<void> => {
      for (const step of steps) {
        if ('send' in step) {
          receivedAtLastSend = Buffer.concat(received).length;
          socket.write(step.send);
          transcript.push({ from: 'client', kind: 'bytes', bytes: step.send });
          continue;
        }
        if (sinceLastSend().includes(step.awaitText)) continue;
        await new Promise<void>((resume) => (waiting = { text: step.awaitText, resume }));
        waiting = undefined;
      }
      if (halfClose) {
        socket.end();
        transcript.push({ from: 'client', kind: 'end' });
      }
    };
    socket.once('connect', () => void run());
  });
}
