/**
 * The event stream behind `GET /events`: Server-Sent Events (the WHATWG HTML
 * standard, section 9.2 "Server-sent events", its event-stream format).
 *
 * What both servers share lives here: the ring of recent events with their
 * sequence ids and the bytes of each message, made once (event-ring.ts); the
 * viewers, each a cursor into that ring; the filters, the heartbeat and the
 * retry hint; and the one budget all viewers' writes share. How the bytes
 * reach the socket is each server's own: node:http's `res.write`, or the net
 * server's chunks written by hand.
 */
import { randomBytes } from 'node:crypto';
import { EventRing, piecesLength } from './event-ring.js';
import { HOOK_EVENT_NAMES, UNKNOWN_EVENT } from './events.js';
import type { LoggedEvent } from './log-history.js';
import { READER_HARD_LIMIT_BYTES, type EventBatch, type Logger } from './sinks.js';
import type { StreamOverrides } from './test-overrides.js';

/**
 * A comment line this often keeps an idle stream open through proxies and
 * idle timers that close a silent connection (commonly 30 to 60 s), and lets
 * a server notice a viewer that vanished without a FIN.
 */
export const HEARTBEAT_MS = 15_000;
/**
 * Under a flood of hooks, one flush a turn is one write a viewer a turn: with
 * 100 viewers, more writes than the hooks themselves. The first
 * STREAM_BURST_FLUSHES flushes of a STREAM_WINDOW_MS window go at the end of
 * their turn; past that, what comes waits for the window's end and goes in
 * one write. A person watching cannot see a tenth of a second, and a session's
 * hooks, a few at a time, never meet the wait (test/bench/viewers.ts measures it).
 * A flush makes the ring's new events visible to the viewers' cursors.
 */
export const STREAM_WINDOW_MS = 100;
export const STREAM_BURST_FLUSHES = 10;
/**
 * A flush is one write a viewer, and each write a system call: the first
 * flushes of a window together may cost at most this many writes
 * (STREAM_BURST_FLUSHES to 100 viewers, what test/bench/viewers.ts measures),
 * so that with more viewers fewer go at once and the rest wait for the
 * window's end, rather than the viewers' writes outgrowing the hooks' own
 * work (test/bench/README.md, adversity).
 */
export const STREAM_BURST_WRITES = STREAM_BURST_FLUSHES * 100;
/** What may wait for the window's end: past it, the flush goes at the end of the turn. */
export const STREAM_WINDOW_MAX_BYTES = 1024 * 1024;
/**
 * The most a viewer has in flight: one write at a time, of at most this (or
 * one message, if larger), copied from the ring as its socket takes the one
 * before. A viewer that never reads holds this, whatever the ring's size:
 * 500 of them hold 32 MiB, where a copy of the ring each would be 4 GiB.
 * Large enough that a reading viewer catches up on a full ring in 128 writes.
 */
export const VIEWER_WINDOW_BYTES = 64 * 1024;
/**
 * A write under this, from a viewer with no window yet (its opening, the live
 * events of a viewer with nothing to replay), is copied into node's shared
 * pool (Buffer.allocUnsafe takes what is under 4 KiB from it) instead of
 * making the window: each window is a mapping of its own with its page
 * faults, too dear for a few hundred bytes when many viewers arrive at once
 * (test/bench/README.md, adversity).
 */
export const VIEWER_SMALL_WRITE_BYTES = 4 * 1024;
/**
 * The most one round copies for all viewers together before it lets the event
 * loop go on: many viewers catching up at once take turns with the hooks
 * instead of holding the loop. Two windows: a hook needs a few turns (accept,
 * read, answer), and each turn's copy costs the kernel's copy into a socket
 * too. Measured in test/bench/README.md (adversity).
 */
export const STREAM_ROUND_MAX_BYTES = 2 * VIEWER_WINDOW_BYTES;
/**
 * The most writes one round makes: small writes copy little, but each is a
 * system call into a socket, and a hook waits behind every write of the turn
 * (test/bench/README.md, adversity).
 */
export const STREAM_ROUND_MAX_WRITES = 64;
/**
 * The bytes all viewers' writes in flight may hold together: one output-socket
 * reader's hard limit (sinks.ts), 512 stalled viewers' windows. When a write
 * would pass it, the viewers whose writes have waited longest (at least
 * VIEWER_STALLED_MS) are cut off first, until it fits; until then, it waits.
 */
export const VIEWERS_BUDGET_BYTES = READER_HARD_LIMIT_BYTES;
/**
 * How long a viewer's write may wait for its socket before the viewer counts
 * as stalled, and may be cut off when the budget is spent. A reading peer's
 * socket takes a window within a round trip; a second is a peer that stopped
 * reading, or a link slower than 64 KiB/s, far slower than a viewer needs.
 */
export const VIEWER_STALLED_MS = 1_000;
/** How long a browser waits before reconnecting (the `retry:` field); a restart takes about that long. */
export const RETRY_MS = 2_000;
const HEARTBEAT = Buffer.from(':\n\n', 'latin1');

/** Which events a viewer wants: `?event=PreToolUse,PostToolUse&session=PREFIX`; empty means all. */
export interface StreamFilter {
  readonly events: ReadonlySet<string>;
  readonly sessions: ReadonlySet<string>;
}

/** The filter in a request target's query (`/events?event=Stop`). */
export function streamFilterOf(target: string): StreamFilter {
  let query: URLSearchParams;
  try {
    query = new URL(target, 'http://localhost').searchParams;
  } catch {
    query = new URLSearchParams();
  }
  const listOf = (name: string): Set<string> =>
    new Set(
      query
        .getAll(name)
        .flatMap((value) => value.split(','))
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    );
  return { events: listOf('event'), sessions: listOf('session') };
}

/** The message that says events were missed: the last id the viewer had, and the oldest the ring holds. */
function gapMessage(after: number, oldest: number): Buffer {
  return Buffer.from(`event: gap\ndata: ${JSON.stringify({ after, oldest })}\n\n`, 'utf8');
}

/** A field value may hold no line break (the event-stream grammar): anything else becomes a space. */
function fieldValue(value: unknown): string {
  return typeof value === 'string' ? value.replace(/[\r\n]/g, ' ') : '';
}

/**
 * The kinds a message names in its `event:` field, listed in the opening
 * `hello`. A browser hands a named message only to a listener for that name
 * (HTML, "dispatch the event"): a hook of any other name goes without the
 * field, as a plain `message`, so that a page still gets it.
 */
export const STREAM_KINDS: readonly string[] = [...HOOK_EVENT_NAMES, UNKNOWN_EVENT];

/**
 * One message: `id:`, `event:` (see STREAM_KINDS), then the JSON line an output-socket reader
 * gets, as `data:`. A client may have sent its JSON over several lines, and
 * the line keeps its bytes (format.ts): each of its lines gets its own
 * `data:`, which the browser joins again with LF, whitespace to JSON. The
 * message comes as pieces, the line's uncopied: the ring copies them into
 * place (EventRing.add), so a large event is copied once, and not at all when
 * it is too large to keep.
 */
export function streamMessagePieces(id: string, event: string, jsonLine: Buffer): Buffer[] {
  const eventLine = STREAM_KINDS.includes(event) ? `event: ${event}\n` : '';
  const head = Buffer.from(`id: ${id}\n${eventLine}`, 'utf8');
  const body = jsonLine[jsonLine.length - 1] === 0x0a ? jsonLine.subarray(0, -1) : jsonLine;
  // Nearly every line is one line: found by the native search, not a loop over its bytes.
  if (body.indexOf(0x0a) === -1 && body.indexOf(0x0d) === -1) {
    return [head, DATA, body, LAST_LINES];
  }
  const parts: Buffer[] = [head];
  let start = 0;
  for (let index = 0; index <= body.length; index++) {
    const byte = body[index];
    if (index < body.length && byte !== 0x0a && byte !== 0x0d) continue;
    parts.push(DATA, body.subarray(start, index), LF);
    if (byte === 0x0d && body[index + 1] === 0x0a) index++;
    start = index + 1;
  }
  parts.push(LF);
  return parts;
}

const DATA = Buffer.from('data: ', 'latin1');
const LF = Buffer.from('\n', 'latin1');
const LAST_LINES = Buffer.from('\n\n', 'latin1');

/**
 * Where a server writes a viewer's bytes. Each write is one piece on the wire
 * (one chunk), and the next comes only after `whenWritten`.
 */
export interface ViewerOutput {
  /**
   * Write the bytes as one (one chunk). They are the viewer's own window
   * (stream.ts, windowFor), which core fills again only after `whenWritten`:
   * the server writes them as they are, with its framing around them, and
   * calls `whenWritten` once the socket has taken them (a write callback).
   */
  write(bytes: Buffer, whenWritten: () => void): void;
  /** Close the connection now (destroy): the viewers' budget is spent and this one's write has waited longest. */
  cutOff(): void;
  /** End the response cleanly: the server is shutting down. */
  end(): void;
}

interface Viewer {
  readonly output: ViewerOutput;
  readonly filter: StreamFilter;
  readonly everything: boolean;
  readonly name: string;
  /** Its cursor: the id of the next ring event it may get. */
  next: number;
  /** Its own messages, sent before the ring's with its next write: the opening, a gap. */
  own: Buffer[];
  heartbeatDue: boolean;
  /** Bytes of its write in flight, taken from the shared budget; 0: none, it may write. */
  inFlight: number;
  /** When its write in flight began, counted in writes: the lowest has waited longest for its socket. */
  writeNumber: number;
  /** ...and on the clock, for VIEWER_STALLED_MS. */
  writeStartedAt: number;
  /** Its window's bytes, allocated at its first write and filled again for each (windowFor). */
  window: ArrayBuffer | undefined;
  /** The server may still read the window: a write from it has not called back. */
  windowBusy: boolean;
}

/** ES2024's resizable ArrayBuffer (V8 has it since Node 20), which lib ES2023 does not type. */
type ResizableArrayBuffer = ArrayBuffer & { resize(length: number): void };
const ResizableArrayBuffer = ArrayBuffer as unknown as new (
  length: number,
  options: { maxByteLength: number },
) => ResizableArrayBuffer;

const wantsEverything = (filter: StreamFilter): boolean =>
  filter.events.size === 0 && filter.sessions.size === 0;

/**
 * Every viewer of `GET /events`, and the ring they read from. Ids are
 * `<instance>-<sequence>`: after a restart the ring is new, and a Last-Event-ID
 * from another instance means "send everything you have".
 *
 * Each event's message is made once and kept in the ring; a viewer is a
 * cursor into it. Each viewer has at most one write in flight, of at most
 * VIEWER_WINDOW_BYTES, taken from the ring where its cursor stands when the
 * write before has left; one that falls out of the ring gets a `gap` message
 * and goes on from the oldest it holds. A viewer that reads nothing holds one
 * window; all windows together hold at most VIEWERS_BUDGET_BYTES.
 *
 * New events become visible at the end of the event loop's turn (setImmediate),
 * and go to each viewer in one write: a turn that records many events costs a
 * viewer one write, not one an event. Under a flood, flushes past the window's
 * burst wait for the window's end (STREAM_WINDOW_MS). A round of writes copies
 * at most STREAM_ROUND_MAX_BYTES in at most STREAM_ROUND_MAX_WRITES writes,
 * then lets the loop go on.
 */
export class EventStream {
  private readonly ring: EventRing;
  private nextViewer = 1;
  /** In the order rounds serve them: one served goes last. */
  private readonly viewers = new Set<Viewer>();
  /** Ids below this are visible to the viewers' cursors: the flush moves it. */
  private visible = 1;
  private unflushedBytes = 0;
  private inFlightBytes = 0;
  private writesStarted = 0;
  private readonly budgetBytes: number;
  private endOfTurn: NodeJS.Immediate | undefined;
  private endOfWindow: NodeJS.Timeout | undefined;
  private roomTimer: NodeJS.Timeout | undefined;
  private roundBooked: NodeJS.Immediate | undefined;
  /** A write found no room in the budget this round: the others wait too, for a write to leave or the room timer. */
  private noRoom = false;
  /** Bytes the viewers attached in this turn copied at once: past a round's worth, the next wait for the round. */
  private attachedBytes = 0;
  private attachedWrites = 0;
  private attachTurnEnd: NodeJS.Immediate | undefined;
  private windowStart = -Infinity;
  private flushesInWindow = 0;
  private readonly heartbeat: NodeJS.Timeout | undefined;
  readonly instance: string;

  constructor(
    private readonly log: Logger,
    options: StreamOverrides = {},
  ) {
    this.ring = new EventRing(options.ringSize);
    this.instance = options.instance ?? randomBytes(4).toString('hex');
    this.budgetBytes = options.budgetBytes ?? VIEWERS_BUDGET_BYTES;
    const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    if (heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.beat(), heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** How many events the ring keeps at most. */
  get ringSize(): number {
    return this.ring.size;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Bytes the viewers' writes in flight hold of the budget. */
  get bytesInFlight(): number {
    return this.inFlightBytes;
  }

  /**
   * Keep each event's message in the ring, made once for every viewer, and let the viewers know at the flush.
   * An event written to the log file is named by its place there (log-history.ts), else by the ring.
   */
  add(batch: EventBatch): void {
    const lines = batch.jsonLines();
    batch.records.forEach((record, index) => {
      const event = fieldValue(record['_event']);
      const logId = batch.logIds?.[index];
      const id = logId ?? `${this.instance}-${this.ring.nextId}`;
      this.keep(id, event, fieldValue(record['session_id']), lines[index] as Buffer, logId);
    });
  }

  /**
   * Start with the events of the log file's tail (log-history.ts), oldest
   * first, before any viewer or hook: they keep the ids they had.
   */
  preload(events: readonly LoggedEvent[]): void {
    for (const { id, event, session, line } of events) {
      this.keep(id, fieldValue(event), fieldValue(session), line, id);
    }
    this.visible = this.ring.nextId;
  }

  private keep(id: string, event: string, session: string, line: Buffer, logId?: string): void {
    const message = streamMessagePieces(id, event, line);
    if (logId === undefined) {
      this.ring.add(event, session, message, this.instance);
    } else {
      const dash = logId.lastIndexOf('-');
      this.ring.add(event, session, message, logId.slice(0, dash), Number(logId.slice(dash + 1)));
    }
    if (this.viewers.size === 0) this.visible = this.ring.nextId;
    else this.bookFlush(piecesLength(message));
  }

  /**
   * A new viewer: the opening (retry hint and a `hello` naming this instance),
   * a `gap` message when the ring no longer reaches back to `lastEventId`,
   * then, as its socket takes them, what it missed and every event as it
   * comes. The first window goes now, or with the next round once the viewers
   * attached in this turn have copied a round's worth. Returns its detach.
   */
  attach(output: ViewerOutput, filter: StreamFilter, lastEventId: string | undefined): () => void {
    // What waits for the flush is in the ring already: visible now, to this one in its replay.
    this.flushNow();
    const oldest = this.ring.oldestId;
    const hello = JSON.stringify({
      instance: this.instance,
      oldest,
      next: this.ring.nextId,
      kinds: STREAM_KINDS,
    });
    const own: Buffer[] = [
      Buffer.from(`retry: ${RETRY_MS}\nevent: hello\ndata: ${hello}\n\n`, 'utf8'),
    ];
    const next = this.resumePoint(lastEventId, own);
    const viewer: Viewer = {
      output,
      filter,
      everything: wantsEverything(filter),
      name: `viewer #${this.nextViewer++}`,
      next,
      own,
      heartbeatDue: false,
      inFlight: 0,
      writeNumber: 0,
      writeStartedAt: 0,
      window: undefined,
      windowBusy: false,
    };
    this.viewers.add(viewer);
    // Many viewers arriving in one turn copy no more than a round before the hooks go on.
    if (
      this.attachedBytes < STREAM_ROUND_MAX_BYTES &&
      this.attachedWrites < STREAM_ROUND_MAX_WRITES
    ) {
      const bytes = this.serve(viewer);
      this.attachedBytes += bytes;
      if (bytes > 0) this.attachedWrites++;
      this.attachTurnEnd ??= setImmediate(() => {
        this.attachTurnEnd = undefined;
        this.attachedBytes = 0;
        this.attachedWrites = 0;
      });
    } else {
      this.bookRound();
    }
    return () => this.forget(viewer);
  }

  /** Shutting down: stop the heartbeat, send each viewer what it can take now, and end every stream. */
  close(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    clearTimeout(this.roomTimer);
    this.flushNow();
    if (this.roundBooked !== undefined) clearImmediate(this.roundBooked);
    if (this.attachTurnEnd !== undefined) clearImmediate(this.attachTurnEnd);
    this.roundBooked = undefined;
    // The last write goes even behind one in flight: the stream ends after it.
    for (const viewer of [...this.viewers]) this.serve(viewer, true);
    for (const viewer of this.viewers) viewer.output.end();
    this.viewers.clear();
  }

  /**
   * Where a viewer starts in the ring: the oldest event held for a new one;
   * after its Last-Event-ID's event, when held (the same instance, or the
   * same log file); at the oldest, after a `gap` message pushed to `own`, when
   * the ring went round past it. An id the ring knows nothing of (another
   * instance: the server restarted without a log) starts at the oldest.
   */
  private resumePoint(lastEventId: string | undefined, own: Buffer[]): number {
    const oldest = this.ring.oldestId;
    if (lastEventId === undefined) return oldest;
    const match = /^([0-9a-z]+)-(\d{1,15})$/.exec(lastEventId.trim());
    if (match === null) return oldest;
    const number = Number(match[2]);
    const after = this.ring.resumeAfter(match[1] as string, number);
    if (after === undefined) return oldest;
    if (after !== 'behind') return after + 1;
    // This instance's numbers are the ring's own: the one just before the oldest missed nothing.
    if (match[1] !== this.instance || number + 1 < oldest) own.push(gapMessage(number, oldest));
    return oldest;
  }

  private beat(): void {
    for (const viewer of this.viewers) viewer.heartbeatDue = true;
    this.bookRound();
  }

  /** New bytes in the ring: made visible at the end of the turn, or of the window under a flood. */
  private bookFlush(bytes: number): void {
    this.unflushedBytes += bytes;
    if (this.endOfTurn !== undefined) return;
    if (this.endOfWindow !== undefined) {
      if (this.unflushedBytes < STREAM_WINDOW_MAX_BYTES) return;
      clearTimeout(this.endOfWindow);
      this.endOfWindow = undefined;
      this.endOfTurn = setImmediate(this.flush);
      return;
    }
    const now = Date.now();
    if (now - this.windowStart >= STREAM_WINDOW_MS) {
      this.windowStart = now;
      this.flushesInWindow = 0;
    }
    // At least one write a viewer a window: past STREAM_BURST_WRITES viewers, every flush waits for its end.
    const burst = Math.min(
      STREAM_BURST_FLUSHES,
      Math.floor(STREAM_BURST_WRITES / this.viewers.size),
    );
    if (this.flushesInWindow++ < burst) this.endOfTurn = setImmediate(this.flush);
    else this.endOfWindow = setTimeout(this.flush, this.windowStart + STREAM_WINDOW_MS - now);
  }

  private readonly flush = (): void => {
    this.flushNow();
    this.round();
  };

  /** Make every event in the ring visible; the round that sends them is the caller's to start. */
  private flushNow(): void {
    if (this.endOfTurn !== undefined) clearImmediate(this.endOfTurn);
    if (this.endOfWindow !== undefined) clearTimeout(this.endOfWindow);
    this.endOfTurn = undefined;
    this.endOfWindow = undefined;
    if (this.visible !== this.ring.nextId) this.bookRound();
    this.visible = this.ring.nextId;
    this.unflushedBytes = 0;
  }

  private bookRound(): void {
    this.roundBooked ??= setImmediate(this.round);
  }

  /**
   * Each viewer that may write gets its next write, until the round has copied
   * STREAM_ROUND_MAX_BYTES or made STREAM_ROUND_MAX_WRITES writes; the rest wait for
   * the next turn, first in line.
   */
  private readonly round = (): void => {
    if (this.roundBooked !== undefined) clearImmediate(this.roundBooked);
    this.roundBooked = undefined;
    let copied = 0;
    let writes = 0;
    this.noRoom = false;
    for (const viewer of [...this.viewers]) {
      if (copied >= STREAM_ROUND_MAX_BYTES || writes >= STREAM_ROUND_MAX_WRITES) {
        return this.bookRound();
      }
      const bytes = this.serve(viewer);
      // Asking each of 500 viewers would look through all 500 again: the round ends here.
      if (this.noRoom) return;
      if (bytes === 0) continue;
      copied += bytes;
      writes++;
      this.viewers.delete(viewer);
      this.viewers.add(viewer);
    }
  };

  /**
   * The viewer's next write, if it has none in flight: its own messages, a
   * gap if the ring left it behind, then the events it wants from its cursor
   * on, up to VIEWER_WINDOW_BYTES. Returns the bytes written.
   */
  private serve(viewer: Viewer, last = false): number {
    if ((viewer.inFlight > 0 && !last) || !this.viewers.has(viewer)) return 0;
    const { ring } = this;
    const cursor = viewer.next;
    const own = viewer.own;
    const pieces: Buffer[] = own.length === 0 ? [] : own.slice();
    if (viewer.next < ring.oldestId) {
      // The ring went round past its cursor: say what was missed rather than hold a copy for it.
      pieces.push(gapMessage(viewer.next - 1, ring.oldestId));
      viewer.next = ring.oldestId;
    }
    let bytes = 0;
    for (const piece of pieces) bytes += piece.length;
    // A filtered viewer skips what it does not want by two strings: it costs no more than one that wants it all.
    for (; viewer.next < this.visible; viewer.next++) {
      const id = viewer.next;
      if (!viewer.everything && !wants(viewer.filter, ring.eventOf(id), ring.sessionOf(id))) {
        continue;
      }
      const message = ring.bytesOf(id);
      if (bytes > 0 && bytes + message.length > VIEWER_WINDOW_BYTES) break;
      pieces.push(message);
      bytes += message.length;
    }
    if (viewer.heartbeatDue) {
      pieces.push(HEARTBEAT);
      bytes += HEARTBEAT.length;
    }
    if (bytes === 0) return 0;
    // Those cut off are destroyed after the write: destroying may record events, which move the ring under `pieces`.
    const cut = last ? [] : this.makeRoom(viewer, bytes);
    if (cut === undefined) {
      this.noRoom = true;
      // No room yet: it keeps its place and tries again when a write leaves or one has waited long enough.
      viewer.next = cursor;
      return 0;
    }
    viewer.own = [];
    viewer.heartbeatDue = false;
    if (viewer.inFlight === 0) {
      viewer.writeNumber = this.writesStarted++;
      viewer.writeStartedAt = Date.now();
    }
    // Copied now, whole: `pieces` are views into the ring, which the next event moves.
    const window = this.windowFor(viewer, bytes);
    let at = 0;
    for (const piece of pieces) at += piece.copy(window, at);
    viewer.inFlight += bytes;
    this.inFlightBytes += bytes;
    const fromWindow = window.buffer === viewer.window;
    if (fromWindow) viewer.windowBusy = true;
    viewer.output.write(window, () => this.written(viewer, fromWindow));
    for (const other of cut) other.output.cutOff();
    return bytes;
  }

  /**
   * Where a write of `bytes` is copied: the viewer's own window, allocated
   * once and filled again for every write, since it has one write in flight at
   * a time. A fresh buffer for each write cost memory the kernel had to fault
   * in, and a C heap that grew and stayed grown after the viewers left
   * (test/bench/README.md, adversity). A write larger than the window (one
   * large message), or the last one behind a write in flight, gets a buffer
   * of its own; so does a small write (VIEWER_SMALL_WRITE_BYTES) before the
   * viewer's first large one.
   */
  private windowFor(viewer: Viewer, bytes: number): Buffer {
    if (bytes > VIEWER_WINDOW_BYTES || viewer.windowBusy) return Buffer.allocUnsafe(bytes);
    if (viewer.window === undefined && bytes < VIEWER_SMALL_WRITE_BYTES) {
      return Buffer.allocUnsafe(bytes);
    }
    viewer.window ??= new ResizableArrayBuffer(VIEWER_WINDOW_BYTES, {
      maxByteLength: VIEWER_WINDOW_BYTES,
    });
    return Buffer.from(viewer.window, 0, bytes);
  }

  /**
   * A viewer that left gives its window's memory back to the system at once,
   * once no write from it is in flight: shrunk to nothing, a resizable
   * ArrayBuffer's pages are released (V8 discards them), where a dropped one
   * waits for a full garbage collection, which an idle server may not run for
   * long (test/bench/README.md, adversity).
   */
  private release(viewer: Viewer): void {
    if (viewer.window === undefined || viewer.windowBusy) return;
    (viewer.window as ResizableArrayBuffer).resize(0);
    viewer.window = undefined;
  }

  private written(viewer: Viewer, fromWindow: boolean): void {
    if (fromWindow) viewer.windowBusy = false;
    if (!this.viewers.has(viewer)) this.release(viewer);
    if (viewer.inFlight === 0) return;
    this.inFlightBytes -= viewer.inFlight;
    viewer.inFlight = 0;
    if (this.viewers.has(viewer)) this.bookRound();
  }

  /**
   * Room in the budget for `bytes` more. When it is spent, the viewers whose
   * write has waited VIEWER_STALLED_MS or more are forgotten, the longest
   * waiting first, until it fits; they are returned, to be cut off. A write
   * that has not waited that long is never cut: the kernel's buffers may have
   * taken megabytes from a viewer that never reads before its socket stopped,
   * and a reading viewer's write waits for the end of the turn. Undefined
   * when there is still no room: the writer waits, and a round comes again
   * when the next write in flight has waited long enough.
   */
  private makeRoom(writer: Viewer, bytes: number): Viewer[] | undefined {
    if (this.inFlightBytes + bytes <= this.budgetBytes || this.inFlightBytes === 0) return [];
    const now = Date.now();
    const holders = [...this.viewers].filter((viewer) => viewer.inFlight > 0 && viewer !== writer);
    const stalled = holders
      .filter((viewer) => now - viewer.writeStartedAt >= VIEWER_STALLED_MS)
      .sort((a, b) => a.writeNumber - b.writeNumber);
    const cut: Viewer[] = [];
    for (const viewer of stalled) {
      if (this.inFlightBytes + bytes <= this.budgetBytes) break;
      this.log(
        `event stream: ${viewer.name} disconnected: the viewers' ${this.budgetBytes}-byte budget was spent ` +
          `and its write had waited longest (${now - viewer.writeStartedAt} ms)`,
      );
      this.forget(viewer);
      cut.push(viewer);
    }
    if (this.inFlightBytes + bytes <= this.budgetBytes) return cut;
    for (const viewer of cut) viewer.output.cutOff();
    if (this.roomTimer === undefined) {
      const waited = Math.max(
        ...holders
          .filter((viewer) => viewer.inFlight > 0)
          .map((viewer) => now - viewer.writeStartedAt),
        0,
      );
      this.roomTimer = setTimeout(
        () => {
          this.roomTimer = undefined;
          this.bookRound();
        },
        VIEWER_STALLED_MS - Math.min(waited, VIEWER_STALLED_MS),
      );
      this.roomTimer.unref();
    }
    return undefined;
  }

  private forget(viewer: Viewer): void {
    this.viewers.delete(viewer);
    this.inFlightBytes -= viewer.inFlight;
    viewer.inFlight = 0;
    viewer.own = [];
    // With a write in flight, the window goes when it calls back (written).
    this.release(viewer);
  }
}

function wants(filter: StreamFilter, event: string, session: string): boolean {
  return (
    (filter.events.size === 0 || filter.events.has(event)) &&
    (filter.sessions.size === 0 || startsWithOneOf(session, filter.sessions))
  );
}

/** `?session=` takes an id's start, as the page's filter and `query --session` do: the 8 characters people see. */
function startsWithOneOf(session: string, prefixes: ReadonlySet<string>): boolean {
  for (const prefix of prefixes) if (session.startsWith(prefix)) return true;
  return false;
}
