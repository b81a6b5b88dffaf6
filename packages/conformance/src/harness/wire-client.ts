/**
 * Plays one client's script over a raw socket and records what came back:
 * every byte, how the connection ended, and the checkpoints on the way.
 */
import { connect, type Socket } from 'node:net';
import { SHUTDOWN_GRACE_MS } from '@hook-observatory/core/vocabulary';
import type { Transport } from '@hook-observatory/launcher';
import type { ClientScript, ConnectionEnd } from './traffic-script.js';

export interface Endpoint {
  readonly transport: Transport;
  readonly port: number;
  readonly socketPath: string;
  /** Send the server SIGTERM; true once it has begun to shut down (server-pair.ts). */
  readonly shutdown?: () => Promise<boolean>;
}

export interface Checkpoint {
  readonly label: string;
  readonly open: boolean;
  readonly bytesReceived: number;
}

export interface ClientCapture {
  /** Every byte the server sent, `Date` values replaced by DATE_PLACEHOLDER. */
  readonly received: Buffer;
  readonly statuses: readonly number[];
  readonly end: ConnectionEnd;
  readonly checkpoints: readonly Checkpoint[];
  /** A wait in the script that ran out of time: `step 3: awaitAnswers 2`. */
  readonly stalled: readonly string[];
  /**
   * How long each wait took, in milliseconds, in the script's order (the end
   * of the script's wait last). Never compared: it paces a subject played
   * after node:http (see SUBJECT_QUIET_MS).
   */
  readonly waitedMs: readonly number[];
}

/**
 * How long a wait for an answer or a close may take before the script goes on
 * without it. Generous, because a busy 2-core machine can be slow; a case that
 * behaves as expected never waits this long.
 */
export const ANSWER_WAIT_MS = 5_000;
/**
 * After the expected answers of a connection that should stay open: how long
 * to watch for anything more (an extra answer, a close) before calling it open.
 */
export const OPEN_SETTLE_MS = 60;
/** After a shutdown step, how long a connection may stay open: the server closes what is still in flight after its grace. */
export const SHUTDOWN_WAIT_MS = SHUTDOWN_GRACE_MS + ANSWER_WAIT_MS;
/**
 * The grader plays node:http first, then the server it grades (the subject)
 * with node:http's capture in hand. A subject's wait lasts at least
 * SUBJECT_SLOWDOWN times node:http's for the same wait; past that, once no
 * byte and no close has come for SUBJECT_QUIET_MS, it ends there instead of
 * at ANSWER_WAIT_MS: a naive server that will never answer costs half a
 * second, not five. The suite (`pnpm test`) plays both servers at once and
 * never uses these.
 */
/**
 * A subject may be this many times slower than node:http: a lesson runs
 * under tsx and copies what it has received on every read, so a 2 MiB body
 * that node:http takes in about 100 ms takes it up to about 250 (measured).
 */
export const SUBJECT_SLOWDOWN = 10;
/**
 * Silence after which a subject is taken not to answer. Both servers answer a
 * small request on loopback in about a millisecond; this leaves a busy 2-core
 * machine (a second grading lane, a garbage collection, tsx compiling a path
 * the first time) hundreds of times that.
 */
export const SUBJECT_QUIET_MS = 500;

/** A status line at the start of a response (RFC 9112 section 4). Our bodies are JSON and never hold one. */
const STATUS_LINE = /HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n/g;
/** A Date header with an IMF-fixdate (RFC 9110 section 5.6.7); anything else is left to show in a diff. */
const DATE_HEADER =
  /\r\nDate: (?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT\r\n/g;
export const DATE_PLACEHOLDER = '<date>';

export function statusesIn(bytes: Buffer): number[] {
  return [...bytes.toString('latin1').matchAll(STATUS_LINE)].map((match) => Number(match[1]));
}

/** The bytes with every Date value replaced: the one value two servers may legitimately differ in. */
export function withoutDates(bytes: Buffer): Buffer {
  return Buffer.from(
    bytes.toString('latin1').replace(DATE_HEADER, `\r\nDate: ${DATE_PLACEHOLDER}\r\n`),
    'latin1',
  );
}

function openSocket(endpoint: Endpoint): Promise<Socket> {
  return new Promise((ready, fail) => {
    const socket =
      endpoint.transport === 'tcp'
        ? connect({ port: endpoint.port, host: '127.0.0.1', noDelay: true })
        : connect(endpoint.socketPath);
    socket.once('connect', () => {
      socket.off('error', fail);
      ready(socket);
    });
    socket.once('error', fail);
  });
}

/**
 * Wait `ms`, then let the loop read what arrived meanwhile. A timer runs
 * before the loop polls its sockets (Node docs, "The Node.js Event Loop"):
 * after a stall, the next piece would go out before an answer and a close that
 * came during the pause are seen, and a write into the closed connection fails
 * and drops the unread answer. setImmediate runs after the poll.
 */
const pause = async (ms: number): Promise<void> => {
  await new Promise((done) => setTimeout(done, ms));
  await new Promise((done) => setImmediate(done));
};

/**
 * A client's waits. Each waits until `done()` holds (looked at on each
 * `wake`: a byte or a close), up to ANSWER_WAIT_MS; given node:http's time
 * for each wait of the same script (`referenceMs`), a wait also ends once
 * SUBJECT_SLOWDOWN times that has passed and nothing has arrived for
 * SUBJECT_QUIET_MS.
 */
class Waits {
  private readonly wakers = new Set<() => void>();
  private lastActivity = Date.now();
  /** How long each paced wait took, in order: the capture's waitedMs. */
  readonly waitedMs: number[] = [];

  constructor(private readonly referenceMs: readonly number[] | undefined) {}

  /** Something arrived: look at the waits again. */
  wake(): void {
    this.lastActivity = Date.now();
    for (const waker of this.wakers) waker();
  }

  /** A wait of the script, timed and paced; true when `done()` came to hold. */
  async until(done: () => boolean): Promise<boolean> {
    const started = Date.now();
    const referenceMs = this.referenceMs?.[this.waitedMs.length];
    const index = this.waitedMs.push(0) - 1;
    const giveUpAt = (): number =>
      referenceMs === undefined
        ? started + ANSWER_WAIT_MS
        : Math.min(
            started + ANSWER_WAIT_MS,
            Math.max(started + referenceMs * SUBJECT_SLOWDOWN, this.lastActivity) +
              SUBJECT_QUIET_MS,
          );
    const met = await this.upTo(done, giveUpAt);
    this.waitedMs[index] = Date.now() - started;
    return met;
  }

  /** Wait until `done()` holds or the time `giveUpAt()` says has come. */
  upTo(done: () => boolean, giveUpAt: () => number): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (met: boolean): void => {
        clearTimeout(timer);
        this.wakers.delete(check);
        resolve(met);
      };
      const check = (): void => {
        if (done()) finish(true);
      };
      // A timer may fire a millisecond early: look again rather than give up before the time.
      const arm = (): void => {
        timer = setTimeout(
          () => (Date.now() >= giveUpAt() ? finish(false) : arm()),
          Math.max(0, giveUpAt() - Date.now()),
        );
      };
      if (done()) return finish(true);
      this.wakers.add(check);
      arm();
    });
  }
}

/** Write a request that closes its connection, on a connection of its own; true once the server closed it. */
async function playSideRequest(endpoint: Endpoint, bytes: Buffer, waits: Waits): Promise<boolean> {
  const socket = await openSocket(endpoint);
  let closed = false;
  socket.resume();
  socket.once('close', () => {
    closed = true;
    waits.wake();
  });
  socket.on('error', () => socket.destroy());
  socket.write(bytes);
  const met = await waits.until(() => closed);
  socket.destroy();
  return met;
}

/** A viewer of the event stream, outside any case's capture. */
export interface WatchedStream {
  /** True once the server has closed the viewer's connection, false if it did not within ANSWER_WAIT_MS. */
  readonly closed: () => Promise<boolean>;
}

/** Open a viewer with `requestBytes` (a GET /events) and resolve once its stream has said hello. */
export async function watchStream(
  endpoint: Endpoint,
  requestBytes: Buffer,
): Promise<WatchedStream> {
  const socket = await openSocket(endpoint);
  const waits = new Waits(undefined);
  let received = '';
  let gone = false;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    waits.wake();
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    gone = true;
    waits.wake();
  });
  socket.write(requestBytes);
  if (!(await waits.until(() => received.includes('event: hello') || gone)) || gone) {
    socket.destroy();
    throw new Error('the stream never began');
  }
  return { closed: () => waits.until(() => gone) };
}

/**
 * Play `script` and capture what the server did. `reference`, node:http's
 * capture of the same script, makes the waits a subject's (SUBJECT_QUIET_MS).
 */
export async function playClient(
  endpoint: Endpoint,
  script: ClientScript,
  reference?: ClientCapture,
): Promise<ClientCapture> {
  const socket = await openSocket(endpoint);
  const chunks: Buffer[] = [];
  let received = 0;
  let end: ConnectionEnd | undefined;
  let finished = false;
  const waits = new Waits(reference?.waitedMs);
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
    waits.wake();
  });
  socket.on('end', () => {
    end ??= 'closed';
    waits.wake();
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    // A write into a connection the server already closed fails with EPIPE or
    // ECONNRESET after the close was seen; only a reset seen first is the end.
    end ??= error.code === 'ECONNRESET' ? 'reset' : 'closed';
    waits.wake();
  });
  socket.on('close', () => {
    finished = true;
    waits.wake();
  });

  const statusCount = (): number => statusesIn(Buffer.concat(chunks)).length;
  const serverGone = (): boolean => end !== undefined || finished;

  const checkpoints: Checkpoint[] = [];
  const stalled: string[] = [];
  for (const [index, step] of script.steps.entries()) {
    if ('send' in step) {
      if (!socket.destroyed && socket.writable) socket.write(step.send);
    } else if ('pause' in step) {
      await pause(step.pause);
    } else if ('awaitAnswers' in step) {
      const count = step.awaitAnswers;
      if (!(await waits.until(() => statusCount() >= count || finished))) {
        stalled.push(`step ${index}: awaitAnswers ${count}`);
      }
    } else if ('awaitClose' in step) {
      if (!(await waits.until(serverGone))) stalled.push(`step ${index}: awaitClose`);
    } else if ('awaitText' in step) {
      const text = step.awaitText;
      if (
        !(await waits.until(
          () => Buffer.concat(chunks).includes(text, 0, 'latin1') || serverGone(),
        ))
      ) {
        stalled.push(`step ${index}: awaitText ${JSON.stringify(text)}`);
      }
    } else if ('sideRequest' in step) {
      if (!(await playSideRequest(endpoint, step.sideRequest, waits))) {
        stalled.push(`step ${index}: sideRequest`);
      }
    } else if ('shutdown' in step) {
      if (endpoint.shutdown === undefined) {
        throw new Error(
          `step ${index}: this server cannot be shut down here (the case needs a pair of its own)`,
        );
      }
      if (!(await endpoint.shutdown())) stalled.push(`step ${index}: shutdown`);
    } else if ('halfClose' in step) {
      if (!socket.destroyed) socket.end();
    } else if ('close' in step) {
      end ??= 'closed-by-client';
      socket.destroy();
    } else {
      checkpoints.push({ label: step.checkpoint, open: !serverGone(), bytesReceived: received });
    }
  }

  // The script is done: wait for what the case expects, then look a little longer.
  const { expect } = script;
  const expectsClose = expect.end === 'closed' || expect.end === 'reset';
  const settled = await waits.until(
    () => (statusCount() >= expect.statuses.length || finished) && (!expectsClose || serverGone()),
  );
  if (!settled) stalled.push('end of script: expected answers or close');
  // After a shutdown, read on until the connection ends: at the latest when the server exits.
  const stopped = script.steps.some((step) => 'shutdown' in step);
  const settleUntil = Date.now() + (stopped ? SHUTDOWN_WAIT_MS : OPEN_SETTLE_MS);
  if (!serverGone()) await waits.upTo(serverGone, () => settleUntil);
  const endState: ConnectionEnd = end ?? (finished ? 'closed' : 'open');
  socket.destroy();

  const bytes = withoutDates(Buffer.concat(chunks));
  return {
    received: bytes,
    statuses: statusesIn(bytes),
    end: endState,
    checkpoints,
    stalled,
    waitedMs: waits.waitedMs,
  };
}
