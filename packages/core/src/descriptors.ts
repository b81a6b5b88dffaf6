/**
 * Out of file descriptors: said, and room made.
 *
 * Every connection holds a descriptor. At the soft limit (`ulimit -n`) accept
 * fails with EMFILE, and libuv accepts and closes each new connection at once
 * (src/unix/stream.c, uv__emfile_trick): every new hook is refused and nothing
 * is said. So once a second the watch counts the open descriptors; near the
 * limit it closes the connections that hold one for nothing (idle between
 * requests, or silent since they were accepted), as nginx and HAProxy drop
 * idle keep-alive connections first, and says once on stderr what to do.
 * A client that reopens each connection closed takes the room back within
 * milliseconds, so each connection accepted near the limit also closes the
 * unused connections that have waited longest (as nginx drains its reusable
 * connections at accept, ngx_drain_connections), and so does each connection
 * falling idle while too few could be closed: before a burst of connections
 * has sent its requests none is idle, and libuv refuses every later accept.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Server, Socket } from 'node:net';

/** How often the descriptors in use are counted: a directory read of /proc, cheap at once a second. */
export const DESCRIPTOR_CHECK_INTERVAL_MS = 1_000;
/**
 * Descriptors kept free below the soft limit before connections are closed:
 * room for a burst of parallel hooks (a turn of Claude Code fires several at
 * once) and for the server's own files (a rotated log, an output-socket reader).
 */
export const DESCRIPTOR_HEADROOM = 16;
/**
 * A connection that has sent nothing this long is closed to make room: a
 * hook's client sends its request as it connects, and curl gives up after 1 s.
 */
export const SILENT_CONNECTION_MS = 1_000;

/** The soft `Max open files` of /proc/self/limits, or undefined when unlimited or not found. */
export function softDescriptorLimit(limits: string): number | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  if (match === null || match[1] === 'unlimited') return undefined;
  return Number(match[1]);
}

/** Descriptors open in this process (Linux), less the one the read itself used; Infinity when none is left to read with. */
export function descriptorsInUse(): number {
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EMFILE' || code === 'ENFILE') return Infinity;
    throw error;
  }
}

/** A connection that holds a descriptor for nothing: idle between requests, or silent since accepted. */
export interface UnusedConnection {
  /** When it became idle, or was accepted if silent: the smallest is closed first. */
  readonly since: number;
  readonly close: () => void;
}

export interface DescriptorWatchOptions {
  readonly limit: number;
  readonly inUse: () => number;
  /** The connections that hold a descriptor for nothing, in every receiver that can list them. */
  readonly unused: () => UnusedConnection[];
  /** Close the idle connections of the receivers that cannot list them (the lessons). */
  readonly closeIdle: () => void;
  readonly log: (line: string) => void;
}

/**
 * What the watch does: near the limit (within the headroom) it closes the
 * unused connections that have waited longest, down to two headrooms below
 * it, so that the next headroom's worth of accepts need no count; it says
 * once when descriptors run short, and once when a count finds them
 * available again with no room made since the last.
 */
export class DescriptorWatch {
  private short = false;
  /** Descriptors that are not connections (listening sockets, files), as last counted. */
  private others = 0;
  /** The last count was near the limit and too few connections were unused to make room. */
  private full = false;
  private roomPending = false;
  /** Connections were closed to make room since the last once-a-second count. */
  private roomMade = false;

  constructor(private readonly options: DescriptorWatchOptions) {}

  private get nearLimit(): number {
    return this.options.limit - DESCRIPTOR_HEADROOM;
  }

  private get roomy(): number {
    return this.options.limit - 2 * DESCRIPTOR_HEADROOM;
  }

  /** The once-a-second count; `connections` are those open in every receiver. */
  check(connections = 0): void {
    const { limit, inUse, closeIdle, log } = this.options;
    const used = inUse();
    if (Number.isFinite(used)) this.others = Math.max(0, used - connections);
    const roomMade = this.roomMade;
    this.roomMade = false;
    if (used >= this.nearLimit) {
      this.makeRoom(used);
      closeIdle();
    } else if (this.short && used < this.roomy && !roomMade) {
      // Twice the headroom, and no room made since: a count that hovers at the
      // threshold, or an attack that takes back each room made, does not repeat the pair of lines.
      this.short = false;
      log(`file descriptors available again: ${used} of ${limit} open`);
    }
  }

  /**
   * A connection was accepted and `connections` are open. Counted only when
   * the estimate is near the limit: otherwise an accept costs one comparison.
   * `connections` may still hold some whose close is under way: the estimate
   * errs high.
   */
  accepted(connections: number): void {
    if (connections + this.others < this.nearLimit) return;
    const used = this.options.inUse();
    if (Number.isFinite(used)) this.others = Math.max(this.others, used - connections);
    if (used >= this.nearLimit) this.makeRoom(used);
    else this.full = false;
  }

  /**
   * A connection fell idle. While the last count found too few to close (a
   * burst of connections filled the server before any was idle), count again
   * soon after and close the longest idle, rather than refuse every new hook
   * until the next once-a-second count.
   */
  connectionIdle(): void {
    if (!this.full || this.roomPending) return;
    // After the turn: not inside the server's own change of state, and once for a turn's connections.
    this.roomPending = true;
    setImmediate(() => {
      this.roomPending = false;
      const used = this.options.inUse();
      if (used >= this.nearLimit) this.makeRoom(used);
      else this.full = false;
    });
  }

  /** Close the unused connections that have waited longest, down to two headrooms below the limit. */
  private makeRoom(used: number): void {
    // No descriptor left to count with: all are in use.
    const excess = Math.min(used, this.options.limit) - this.roomy + 1;
    const oldest = this.options
      .unused()
      .sort((a, b) => a.since - b.since)
      .slice(0, excess);
    for (const each of oldest) each.close();
    if (oldest.length > 0) this.roomMade = true;
    this.full = oldest.length < excess;
    this.sayShort(used);
  }

  private sayShort(used: number): void {
    if (this.short) return;
    this.short = true;
    const { limit, log } = this.options;
    log(
      `out of file descriptors: ${Number.isFinite(used) ? used : limit} of the limit of ${limit} are open; ` +
        'closing idle connections to serve new hooks; raise the limit (ulimit -n) before starting the server',
    );
  }
}

/** A receiver as the watch sees it: its listening server, and its unused connections or else its idle ones to close. */
export interface WatchedReceiver {
  readonly server: Server;
  readonly unused: (() => UnusedConnection[]) | undefined;
  readonly closeIdle: () => void;
}

/**
 * Count once a second on Linux, and at each accept near the limit; elsewhere,
 * or with no soft limit, there is nothing to watch.
 */
export interface DescriptorWatching {
  readonly stop: () => void;
  /** A connection fell idle (ReceiverContext.connectionIdle). */
  readonly connectionIdle: () => void;
}

export function startDescriptorWatch(
  receivers: readonly WatchedReceiver[],
  log: (line: string) => void,
): DescriptorWatching | undefined {
  let limits: string;
  try {
    limits = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
  const limit = softDescriptorLimit(limits);
  if (limit === undefined) return undefined;
  let connections = 0;
  const watch = new DescriptorWatch({
    limit,
    inUse: descriptorsInUse,
    unused: () => receivers.flatMap((each) => each.unused?.() ?? []),
    closeIdle: () => {
      for (const each of receivers) if (each.unused === undefined) each.closeIdle();
    },
    log,
  });
  const onConnection = (socket: Socket): void => {
    connections++;
    socket.once('close', () => connections--);
    watch.accepted(connections);
  };
  for (const { server } of receivers) server.on('connection', onConnection);
  // The descriptors that are not connections, counted before the first accept.
  watch.check(connections);
  const descriptorCheck = setInterval(() => watch.check(connections), DESCRIPTOR_CHECK_INTERVAL_MS);
  descriptorCheck.unref();
  return {
    stop: () => {
      clearInterval(descriptorCheck);
      for (const { server } of receivers) server.off('connection', onConnection);
    },
    connectionIdle: () => watch.connectionIdle(),
  };
}
