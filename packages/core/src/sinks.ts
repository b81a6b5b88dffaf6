/**
 * Sinks: where formatted events go. Standard output, an output socket that any
 * number of readers attach to, or both (tee).
 *
 * `EventLog.write` hands an event to every sink synchronously, so a server that
 * calls it before answering has handed the event over before its 200 leaves.
 * `EventLog.writeAll` hands over several at once, which each sink writes
 * together (the net server's group commit). No sink ever makes a hook wait: a write only queues bytes,
 * and a reader that lets its queue grow past the limits below is cut off instead.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { wantsColour, type Config, type LogFileOptions } from './config.js';
import type { EventRecord } from './enrich.js';
import {
  formatJsonLine,
  formatSafely,
  formatterFor,
  type Formatted,
  type Formatter,
} from './format.js';
import { LogFile } from './log-file.js';
import { PacedWriter } from './paced-writer.js';
import type { PostgresStore } from './pg-store.js';
import { isFileOrDevice, StdoutFile } from './stdout-file.js';
import { claimSocketPath, listenUnix, removeSocketFile } from './unix-socket.js';

/**
 * Output-socket readers get the limits Redis gives pub/sub clients
 * (client-output-buffer-limit pubsub 32mb 8mb 60): a reader whose unsent
 * bytes pass the hard limit is disconnected at once; one that stays above the
 * soft limit for the soft period is disconnected then. Either way the hooks
 * and the other readers go on.
 */
// #region reader-limits
export const READER_HARD_LIMIT_BYTES = 32 * 1024 * 1024;
export const READER_SOFT_LIMIT_BYTES = 8 * 1024 * 1024;
export const READER_SOFT_LIMIT_MS = 60_000;
/**
 * The most standard output may queue for a pipe whose reader is not reading.
 * Twice a reader's hard limit: standard output is the sink the user chose
 * first, and cannot be cut off and reconnected like a reader.
 */
export const STDOUT_HARD_LIMIT_BYTES = 2 * READER_HARD_LIMIT_BYTES;
// #endregion reader-limits

export interface Logger {
  (line: string): void;
}

interface Sink {
  /** Write the events of `batch`, in order, in as few writes as EVENTS_WRITE_MAX_BYTES allows. */
  write(batch: EventBatch): void;
  close(): Promise<void>;
}

/**
 * The most bytes written at once for events handed over together. A write to
 * a file stops between two pages when its process is being killed (Linux,
 * generic_perform_write in mm/filemap.c), and a kill -9 then leaves a line cut
 * in two. Events handed over together go out in writes no longer than this, unless
 * one event alone is longer, so that batching them never makes such a write
 * longer than a large event's own. 64 KiB holds about forty ordinary events.
 */
export const EVENTS_WRITE_MAX_BYTES = 64 * 1024;

/**
 * Events handed to the sinks together: one, or a server's batch (writeAll).
 * Each formatter's text for them is made once, for every sink that uses it
 * (standard output and the output socket share one with --tee), and the
 * live view's stream takes the JSON lines from here too (jsonLines).
 */
export class EventBatch {
  private readonly events = new Map<Formatter, readonly Formatted[]>();
  private readonly writes = new Map<Formatter, readonly Formatted[]>();
  /** Each event's stream id from its place in the log file (log-history.ts), once the log has written it. */
  logIds: ReadonlyArray<string | undefined> | undefined;
  constructor(readonly records: readonly EventRecord[]) {}

  /** Each event as `formatter` makes it, in order; one it cannot make is written with `_error` (format.ts, formatSafely). */
  eventsAs(formatter: Formatter): readonly Formatted[] {
    let events = this.events.get(formatter);
    if (events === undefined) {
      events = this.records.map((record) => formatSafely(formatter, record));
      this.events.set(formatter, events);
    }
    return events;
  }

  /** Each event's JSON line (format.ts, formatJsonLine), in order. */
  jsonLines(): readonly Buffer[] {
    return this.eventsAs(formatJsonLine) as readonly Buffer[];
  }

  /** The events as `formatter` makes them, back to back, cut into writes (EVENTS_WRITE_MAX_BYTES). */
  writesFor(formatter: Formatter): readonly Formatted[] {
    let writes = this.writes.get(formatter);
    if (writes === undefined) {
      writes = groupIntoWrites(this.eventsAs(formatter));
      this.writes.set(formatter, writes);
    }
    return writes;
  }
}

/** Whole events, in order, joined into writes of at most EVENTS_WRITE_MAX_BYTES or one event. */
function groupIntoWrites(events: readonly Formatted[]): readonly Formatted[] {
  if (events.length === 1) return events;
  const writes: Formatted[] = [];
  let group: Formatted[] = [];
  let groupBytes = 0;
  for (const event of events) {
    const bytes = typeof event === 'string' ? Buffer.byteLength(event, 'utf8') : event.length;
    if (group.length > 0 && groupBytes + bytes > EVENTS_WRITE_MAX_BYTES) {
      writes.push(joinFormatted(group));
      group = [];
      groupBytes = 0;
    }
    group.push(event);
    groupBytes += bytes;
  }
  writes.push(joinFormatted(group));
  return writes;
}

/** Formatted events back to back: text stays text, and bytes (JSONL) stay bytes. */
function joinFormatted(events: readonly Formatted[]): Formatted {
  if (events.length === 1) return events[0] as Formatted;
  if (events.every((event) => typeof event === 'string')) return events.join('');
  return Buffer.concat(
    events.map((event) => (typeof event === 'string' ? Buffer.from(event, 'utf8') : event)),
  );
}

/**
 * Standard output. When the reader of the pipe goes away (`| head -1`), the
 * next write fails with EPIPE: the sink says so once and stops writing, and
 * `onClosed` lets the server decide whether anything is left to write to.
 */
class StdoutSink implements Sink {
  private open = true;
  /** Events not written because the reader of the pipe fell too far behind. */
  private dropped = 0;
  constructor(
    private readonly stream: Writable,
    private readonly formatter: Formatter,
    private readonly log: Logger,
    onClosed: () => void,
  ) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (!this.open) return;
      this.open = false;
      log(
        error.code === 'EPIPE'
          ? 'standard output was closed by its reader (EPIPE); no more events go there'
          : `standard output failed (${error.code ?? error.message}); no more events go there`,
      );
      onClosed();
    });
  }
  /**
   * A file or a terminal is written synchronously; a pipe is not (Node's "A
   * note on process I/O"), so a reader that stops reading lets the queue grow.
   * Past STDOUT_HARD_LIMIT_BYTES events are dropped and counted instead: the
   * hooks keep their answers and memory stays bounded.
   */
  write(batch: EventBatch): void {
    if (!this.open) return;
    const queued = this.stream.writableLength;
    if (queued > STDOUT_HARD_LIMIT_BYTES) {
      if (this.dropped === 0) {
        this.log(
          `standard output is ${queued} bytes behind its reader; dropping events until it catches up`,
        );
      }
      this.dropped += batch.records.length;
      return;
    }
    if (this.dropped > 0 && queued < STDOUT_HARD_LIMIT_BYTES / 2) {
      this.log(`standard output caught up; ${this.dropped} events were dropped meanwhile`);
      this.dropped = 0;
    }
    for (const bytes of batch.writesFor(this.formatter)) this.stream.write(bytes);
  }
  close(): Promise<void> {
    if (this.dropped > 0) {
      this.log(`${this.dropped} events were dropped: standard output's reader fell behind`);
    }
    if (!this.open) return Promise.resolve();
    // An empty write's callback runs once everything queued before it is flushed.
    return new Promise((resolve) => this.stream.write('', () => resolve()));
  }
}

/**
 * Standard output that is a file or a device: whole lines written with
 * writeSync, and a full disk costs counted events, never the server
 * (stdout-file.ts).
 */
class StdoutFileSink implements Sink {
  private readonly file: StdoutFile;
  constructor(
    fd: number,
    private readonly formatter: Formatter,
    log: Logger,
  ) {
    this.file = new StdoutFile(fd, log);
  }
  write(batch: EventBatch): void {
    for (const bytes of batch.writesFor(this.formatter)) this.file.write(bytes);
  }
  close(): Promise<void> {
    this.file.close();
    return Promise.resolve();
  }
}

/** A reader's backlog: since when its unsent bytes are above the soft limit. */
interface Backlog {
  softSince: number | undefined;
}

/**
 * Why a reader with `queued` unsent bytes is to be cut off now
 * (the limits above), or undefined while it may stay.
 */
function backlogVerdict(backlog: Backlog, queued: number, now: number): string | undefined {
  if (queued > READER_HARD_LIMIT_BYTES) {
    return `${queued} bytes unsent, over the ${READER_HARD_LIMIT_BYTES}-byte hard limit`;
  }
  if (queued <= READER_SOFT_LIMIT_BYTES) {
    backlog.softSince = undefined;
    return undefined;
  }
  backlog.softSince ??= now;
  if (now - backlog.softSince < READER_SOFT_LIMIT_MS) return undefined;
  return `over the ${READER_SOFT_LIMIT_BYTES}-byte soft limit for ${READER_SOFT_LIMIT_MS} ms`;
}

interface Reader extends Backlog {
  readonly socket: Socket;
  /** One write in flight at a time, so that cutting the reader off costs the same however far behind (paced-writer.ts). */
  readonly writer: PacedWriter;
  readonly name: string;
  missedEvents: number;
}

/** A Unix socket that streams every event to every reader connected at the time. */
export class OutputSocketSink implements Sink {
  private readonly readers = new Set<Reader>();
  private nextReader = 1;
  private inode: number | undefined;
  private readonly server: Server;

  constructor(
    readonly path: string,
    private readonly mode: number,
    private readonly formatter: Formatter,
    private readonly log: Logger,
  ) {
    this.server = createServer((socket) => this.attach(socket));
  }

  async listen(): Promise<void> {
    await claimSocketPath(this.path);
    this.inode = await listenUnix(this.server, this.path, this.mode);
  }

  get readerCount(): number {
    return this.readers.size;
  }

  private attach(socket: Socket): void {
    const reader: Reader = {
      socket,
      writer: new PacedWriter(socket),
      name: `reader #${this.nextReader++}`,
      missedEvents: 0,
      softSince: undefined,
    };
    this.readers.add(reader);
    // Readers only listen; whatever they send is read and dropped so it cannot pile up.
    socket.resume();
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.readers.delete(reader));
    this.log(`output socket: ${reader.name} connected (${this.readers.size} now)`);
  }

  write(batch: EventBatch): void {
    if (this.readers.size === 0) return;
    const writes = batch.writesFor(this.formatter);
    const now = Date.now();
    for (const reader of this.readers) {
      const why = backlogVerdict(reader, reader.writer.unsentBytes, now);
      if (why !== undefined) {
        this.cutOff(reader, why);
        continue;
      }
      for (const bytes of writes) reader.writer.write(bytes);
    }
  }

  private cutOff(reader: Reader, why: string): void {
    this.readers.delete(reader);
    const unsent = reader.writer.unsentBytes;
    reader.writer.cutOff();
    this.log(
      `output socket: ${reader.name} disconnected: it read too slowly (${why}); ${unsent} queued bytes dropped`,
    );
  }

  async close(): Promise<void> {
    const flushed = [...this.readers].map(({ writer }) => writer.end());
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all(flushed);
    await closed;
    if (this.inode !== undefined) removeSocketFile(this.path, this.inode);
  }
}

export interface EventLog {
  /** Hand an event to every sink now. */
  write(record: EventRecord): void;
  /**
   * Hand several events to every sink now, in order: each sink writes them
   * together, in as few writes as EVENTS_WRITE_MAX_BYTES allows. Returns
   * them with their formatted text, for the live view to reuse.
   */
  writeAll(records: readonly EventRecord[]): EventBatch;
  /** Let every sink finish its writes. */
  close(): Promise<void>;
  readonly outputSocket: OutputSocketSink | undefined;
}

export interface EventLogEnvironment {
  readonly stdout: Writable & { isTTY?: boolean };
  /** Standard output's descriptor: a file or a device there is written by StdoutFile, not `stdout`. */
  readonly stdoutFd?: number;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  /** Called when no sink is left to write to (standard output closed, no output socket). */
  readonly onNoSinkLeft: () => void;
}

/** --log FILE: JSON lines whatever the format on standard output (log-file.ts). */
function logFileSink(options: LogFileOptions, log: Logger): Sink {
  const file = new LogFile(options.path, options.maxBytes, options.maxFiles, log);
  // Throws LogFileOpenError: a server that said "ready" would drop every event.
  file.openAtStart();
  return {
    write: (batch) => {
      const ids: Array<string | undefined> = [];
      for (const bytes of batch.writesFor(formatJsonLine)) file.write(bytes, ids);
      batch.logIds = ids;
    },
    close: async () => file.close(),
  };
}

/** --store URL: the team's PostgreSQL, fed off the hook's path (pg-store.ts). */
function storeSink(store: PostgresStore): Sink {
  return { write: (batch) => store.write(batch.records), close: () => store.close() };
}

export async function openEventLog(
  config: Config,
  environment: EventLogEnvironment,
): Promise<EventLog> {
  const sinks: Sink[] = [];
  // The log first: a FILE that cannot be opened stops the start before anything else is made.
  if (config.logFile !== undefined) sinks.push(logFileSink(config.logFile, environment.log));
  if (config.store !== undefined) {
    // Loaded only with --store: pg and node-pg-migrate cost every other start for nothing.
    const { PostgresStore } = await import('./pg-store.js');
    sinks.push(storeSink(new PostgresStore(config.store, environment.log)));
    environment.log(`store: events go to ${config.store.url} as machine ${config.store.machine}`);
  }
  let outputSocket: OutputSocketSink | undefined;
  if (config.outputSocketPath !== undefined) {
    outputSocket = new OutputSocketSink(
      config.outputSocketPath,
      config.outputSocketMode,
      await formatterFor(config.format, { colour: false }),
      environment.log,
    );
    await outputSocket.listen();
    sinks.push(outputSocket);
  }
  if (outputSocket === undefined || config.tee) {
    const colour = wantsColour(environment.stdout, environment.env);
    const onClosed = (): void => {
      const others = outputSocket ?? config.logFile ?? config.store;
      if (others === undefined) environment.onNoSinkLeft();
    };
    const formatter = await formatterFor(config.format, { colour });
    const fd = environment.stdoutFd;
    sinks.push(
      fd !== undefined && isFileOrDevice(fd)
        ? new StdoutFileSink(fd, formatter, environment.log)
        : new StdoutSink(environment.stdout, formatter, environment.log, onClosed),
    );
  }
  const writeAll = (records: readonly EventRecord[]): EventBatch => {
    const batch = new EventBatch(records);
    if (records.length > 0) for (const sink of sinks) sink.write(batch);
    return batch;
  };
  return {
    outputSocket,
    write: (record) => void writeAll([record]),
    writeAll,
    async close() {
      await Promise.all(sinks.map((sink) => sink.close()));
    },
  };
}
