/**
 * A conformance case is a traffic script: what each client writes, split how,
 * with which pauses, closing when; and what the case expects to see. The same
 * script is played against the node:http server and the node:net server, and
 * their captures must be the same bytes.
 */

/** One thing a client does, in order. */
export type Step =
  /** Write these bytes in one write() call. */
  | { readonly send: Buffer }
  /** Do nothing for this many milliseconds (the server reads what came so far on its own). */
  | { readonly pause: number }
  /** Wait until this many status lines (interim 100 included) have arrived in total. */
  | { readonly awaitAnswers: number }
  /** Wait until the server has closed the connection. */
  | { readonly awaitClose: true }
  /** Shut down our sending side (FIN) and keep reading: a half-close. */
  | { readonly halfClose: true }
  /** Close the connection altogether, without reading the rest. */
  | { readonly close: true }
  /** Note whether the connection is still open and how many bytes have arrived, under a label. */
  | { readonly checkpoint: string }
  /** Wait until the bytes received so far hold this text (a stream's marker: it never ends). */
  | { readonly awaitText: string }
  /**
   * On a connection of its own, write these bytes (a request that closes its
   * connection) and wait until the server has closed it: a hook sent while
   * this client watches the event stream.
   */
  | { readonly sideRequest: Buffer }
  /**
   * Stop the server as a user does (SIGTERM) and wait until it has begun to
   * shut down; the client then reads until its connection ends, and the
   * case's event streams run to the server's exit. A case with this step gets
   * a server pair of its own.
   */
  | { readonly shutdown: true };

/** How a connection ended, as the client saw it. */
export type ConnectionEnd =
  /** Still open when the script was done: the server kept it alive. */
  | 'open'
  /** The server ended it in order: FIN on TCP, end of file on a Unix socket. */
  | 'closed'
  /** The server reset it (ECONNRESET): it closed while our bytes were still unread. */
  | 'reset'
  /** The script closed it first. */
  | 'closed-by-client';

export interface ClientExpectation {
  /** Every status line the client receives, in order, interim 100s included. */
  readonly statuses: readonly number[];
  /** How the connection ends. The harness waits for the statuses and, for 'closed', the close. */
  readonly end: ConnectionEnd;
}

export interface ClientScript {
  readonly steps: readonly Step[];
  readonly expect: ClientExpectation;
}

export interface TrafficCase {
  /** A name that reads like a specification: `expect-100-continue-split`. */
  readonly name: string;
  readonly clients: readonly ClientScript[];
  /**
   * 'sequential': each client starts when the previous one is done, so the
   * event stream's order is part of the capture. 'concurrent': all at once,
   * so events may interleave and the streams are compared as sorted lines.
   */
  readonly order?: 'sequential' | 'concurrent';
  /** How many events the case adds to the stream. */
  readonly events: number;
  /** Only over this transport, when the answer depends on it (the guard checks Host only over TCP). */
  readonly only?: 'tcp' | 'unix';
}

/** What a one-client case expects: its client's answers and end, and the events it adds. */
export interface OneClientExpectation extends ClientExpectation {
  readonly events: number;
}

/** The usual case: one client, one script. */
export function oneClient(
  name: string,
  steps: readonly Step[],
  { events, ...expect }: OneClientExpectation,
): TrafficCase {
  return { name, clients: [{ steps, expect }], events };
}

export const send = (bytes: Buffer | string): Step => ({
  send: typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes,
});
export const pause = (ms: number): Step => ({ pause: ms });
export const awaitAnswers = (count: number): Step => ({ awaitAnswers: count });
export const awaitClose: Step = { awaitClose: true };
export const halfClose: Step = { halfClose: true };
export const close: Step = { close: true };
export const checkpoint = (label: string): Step => ({ checkpoint: label });
export const awaitText = (text: string): Step => ({ awaitText: text });
export const sideRequest = (bytes: Buffer): Step => ({ sideRequest: bytes });
export const shutdown: Step = { shutdown: true };

/** The case stops its server: it needs a pair of its own, and its streams end with the server. */
export function stopsServer(testCase: TrafficCase): boolean {
  return testCase.clients.some((client) => client.steps.some((step) => 'shutdown' in step));
}

/**
 * Time between two writes that are meant to arrive as two reads. Loopback
 * delivers a write at once; this pause lets the server read it before the next.
 */
export const SPLIT_PAUSE_MS = 15;

/**
 * The bytes cut at these offsets, each piece written on its own after a pause.
 * Every offset must cut: one at the ends or a repeat would quietly make fewer
 * writes than the case's name promises, so it throws instead.
 */
export function splitAt(bytes: Buffer, offsets: readonly number[]): Step[] {
  const steps: Step[] = [];
  let start = 0;
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    if (offset <= start || offset >= bytes.length) {
      throw new RangeError(
        `splitAt: offset ${offset} cuts nothing in ${bytes.length} bytes (offsets ${offsets.join(', ')}; each must be unique, above 0 and below the length)`,
      );
    }
    steps.push(send(bytes.subarray(start, offset)), pause(SPLIT_PAUSE_MS));
    start = offset;
  }
  steps.push(send(bytes.subarray(start)));
  return steps;
}
