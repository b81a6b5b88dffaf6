/**
 * The event stream behind `GET /events`: Server-Sent Events (the WHATWG HTML
 * standard, section 9.2 "Server-sent events", its event-stream format).
 *
 * What both servers share lives here: the ring of recent events with their
 * sequence ids, the bytes of each message, the filters, the heartbeat and the
 * retry hint, and the cut-off of a viewer that reads too slowly (the same
 * limits as an output-socket reader: sinks.ts). How the bytes reach the
 * socket is each server's own: node:http's `res.write`, or the net server's
 * chunks written by hand.
 */
import { randomBytes } from 'node:crypto';
import { EventRing, type RingEvent } from './event-ring.js';
import { HOOK_EVENT_NAMES, UNKNOWN_EVENT } from './events.js';
import { backlogVerdict, type Backlog, type EventBatch, type Logger } from './sinks.js';

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
 */
export const STREAM_WINDOW_MS = 100;
export const STREAM_BURST_FLUSHES = 10;
/**
 * What may wait for the window's end: past it, the flush goes at the end of
 * the turn. One write stays the size of a socket's buffers, and a viewer's
 * queue passes the hard limit by at most this and one turn's messages.
 */
export const STREAM_WINDOW_MAX_BYTES = 1024 * 1024;
/** How long a browser waits before reconnecting (the `retry:` field); a restart takes about that long. */
export const RETRY_MS = 2_000;
/** Tests make the heartbeat frequent or turn it off (0), as config.ts lets them shorten timeouts. */
export const HEARTBEAT_ENV = 'HOOK_OBSERVATORY_TEST_HEARTBEAT_MS';
/** Tests shrink the ring to show a viewer that asks for more than it holds. */
export const EVENT_RING_ENV = 'HOOK_OBSERVATORY_TEST_EVENT_RING_SIZE';
/** Tests fix the instance id so that both servers' streams compare byte for byte. */
export const INSTANCE_ENV = 'HOOK_OBSERVATORY_TEST_INSTANCE';

const HEARTBEAT = Buffer.from(':\n\n', 'latin1');

/** Which events a viewer wants: `?event=PreToolUse,PostToolUse&session=ID`; empty means all. */
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
    new Set(query.getAll(name).flatMap((value) => value.split(',')).map((item) => item.trim()).filter((item) => item !== ''));
  return { events: listOf('event'), sessions: listOf('session') };
}

/** A message's bytes, made from a kept event's line (event-ring.ts). */
function messageOf(instance: string, entry: RingEvent): Buffer {
  return formatStreamMessage(`${instance}-${entry.id}`, entry.event, entry.jsonLine);
}

function wants(filter: StreamFilter, entry: { readonly event: string; readonly session: string }): boolean {
  return (filter.events.size === 0 || filter.events.has(entry.event)) && (filter.sessions.size === 0 || filter.sessions.has(entry.session));
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
 * `data:`, which the browser joins again with LF, whitespace to JSON.
 */
export function formatStreamMessage(id: string, event: string, jsonLine: Buffer): Buffer {
  const eventLine = STREAM_KINDS.includes(event) ? `event: ${event}\n` : '';
  const parts: Buffer[] = [Buffer.from(`id: ${id}\n${eventLine}`, 'utf8')];
  const body = jsonLine[jsonLine.length - 1] === 0x0a ? jsonLine.subarray(0, -1) : jsonLine;
  let start = 0;
  for (let index = 0; index <= body.length; index++) {
    const byte = body[index];
    if (index < body.length && byte !== 0x0a && byte !== 0x0d) continue;
    parts.push(Buffer.from('data: ', 'latin1'), body.subarray(start, index), Buffer.from('\n', 'latin1'));
    if (byte === 0x0d && body[index + 1] === 0x0a) index++;
    start = index + 1;
  }
  parts.push(Buffer.from('\n', 'latin1'));
  return Buffer.concat(parts);
}

/** Where a server writes a viewer's bytes; `queuedBytes` is what the socket has not sent yet. */
export interface ViewerOutput {
  write(bytes: Buffer): void;
  queuedBytes(): number;
  /** Close the connection now: the viewer read too slowly. */
  cutOff(): void;
  /** End the response cleanly: the server is shutting down. */
  end(): void;
}

interface Viewer extends Backlog {
  readonly output: ViewerOutput;
  readonly filter: StreamFilter;
  readonly name: string;
}

/** A message waiting for the end of the turn, with what a filter looks at; none: for every viewer (a heartbeat). */
interface Queued {
  readonly bytes: Buffer;
  readonly about: { readonly event: string; readonly session: string } | undefined;
}

const wantsEverything = (filter: StreamFilter): boolean => filter.events.size === 0 && filter.sessions.size === 0;

/**
 * Every viewer of `GET /events`, and the ring they resume from. Ids are
 * `<instance>-<sequence>`: after a restart the ring is new, and a Last-Event-ID
 * from another instance means "send everything you have".
 *
 * Messages wait for the end of the event loop's turn (setImmediate), then go
 * to each viewer in one write: a turn that records many events costs a viewer
 * one write, not one an event. Under a flood, flushes past the window's burst
 * wait for the window's end (STREAM_WINDOW_MS).
 */
export class EventStream {
  private readonly ring: EventRing;
  private nextViewer = 1;
  private readonly viewers = new Set<Viewer>();
  private queued: Queued[] = [];
  private queuedBytes = 0;
  private endOfTurn: NodeJS.Immediate | undefined;
  private endOfWindow: NodeJS.Timeout | undefined;
  private windowStart = -Infinity;
  private flushesInWindow = 0;
  private readonly heartbeat: NodeJS.Timeout | undefined;
  readonly instance: string;

  constructor(
    private readonly log: Logger,
    options: { heartbeatMs?: number; instance?: string; ringSize?: number } = {},
  ) {
    this.ring = new EventRing(options.ringSize);
    this.instance = options.instance ?? randomBytes(4).toString('hex');
    const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    if (heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.queue(HEARTBEAT, undefined), heartbeatMs);
      this.heartbeat.unref();
    }
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Keep events in the ring and send each to the viewers that want it. */
  add(batch: EventBatch): void {
    const lines = batch.jsonLines();
    batch.records.forEach((record, index) => {
      const line = lines[index] as Buffer;
      const entry = { event: fieldValue(record['_event']), session: fieldValue(record['session_id']) };
      const id = this.ring.add(entry.event, entry.session, line);
      if (this.viewers.size > 0) this.queue(messageOf(this.instance, { id, ...entry, jsonLine: line }), entry);
    });
  }

  /**
   * A new viewer: the opening (retry hint and a `hello` naming this instance),
   * what it missed since `lastEventId`, a `gap` message when the ring no longer
   * reaches back that far, then every event as it comes. Returns its detach.
   */
  attach(output: ViewerOutput, filter: StreamFilter, lastEventId: string | undefined): () => void {
    // What waits went into the ring already: the others get it first, this one from the ring.
    this.sendQueued();
    const viewer: Viewer = { output, filter, name: `viewer #${this.nextViewer++}`, softSince: undefined };
    const hello = JSON.stringify({ instance: this.instance, oldest: this.ring.oldestId, next: this.ring.nextId, kinds: STREAM_KINDS });
    output.write(Buffer.from(`retry: ${RETRY_MS}\nevent: hello\ndata: ${hello}\n\n`, 'utf8'));
    const after = this.resumePoint(lastEventId);
    const oldest = this.ring.oldestId;
    if (after !== undefined && after + 1 < oldest) {
      output.write(Buffer.from(`event: gap\ndata: ${JSON.stringify({ after, oldest })}\n\n`, 'utf8'));
    }
    for (let id = Math.max(oldest, (after ?? 0) + 1); id < this.ring.nextId; id++) {
      const entry = this.ring.get(id);
      if (wants(filter, entry)) output.write(messageOf(this.instance, entry));
    }
    this.viewers.add(viewer);
    return () => this.viewers.delete(viewer);
  }

  /** Shutting down: stop the heartbeat and end every stream, so that its connection can close. */
  close(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.sendQueued();
    for (const viewer of this.viewers) viewer.output.end();
    this.viewers.clear();
  }

  /**
   * The last sequence the viewer has, or undefined for a new viewer. An id of
   * another instance (the server restarted) resumes from the start of the ring.
   */
  private resumePoint(lastEventId: string | undefined): number | undefined {
    if (lastEventId === undefined) return undefined;
    const match = /^([0-9a-z]+)-(\d{1,15})$/.exec(lastEventId.trim());
    if (match === null || match[1] !== this.instance) return 0;
    return Number(match[2]);
  }

  private queue(bytes: Buffer, about: Queued['about']): void {
    if (this.viewers.size === 0) return;
    this.queued.push({ bytes, about });
    this.queuedBytes += bytes.length;
    if (this.endOfTurn !== undefined) return;
    if (this.endOfWindow !== undefined) {
      if (this.queuedBytes < STREAM_WINDOW_MAX_BYTES) return;
      clearTimeout(this.endOfWindow);
      this.endOfWindow = undefined;
      this.endOfTurn = setImmediate(() => this.sendQueued());
      return;
    }
    const now = Date.now();
    if (now - this.windowStart >= STREAM_WINDOW_MS) {
      this.windowStart = now;
      this.flushesInWindow = 0;
    }
    if (this.flushesInWindow++ < STREAM_BURST_FLUSHES) this.endOfTurn = setImmediate(() => this.sendQueued());
    else this.endOfWindow = setTimeout(() => this.sendQueued(), this.windowStart + STREAM_WINDOW_MS - now);
  }

  /** Each viewer's share of what waits, in one write; a viewer too far behind is cut off instead. */
  private sendQueued(): void {
    if (this.endOfTurn !== undefined) clearImmediate(this.endOfTurn);
    if (this.endOfWindow !== undefined) clearTimeout(this.endOfWindow);
    this.endOfTurn = undefined;
    this.endOfWindow = undefined;
    const queued = this.queued;
    if (queued.length === 0) return;
    this.queued = [];
    this.queuedBytes = 0;
    let everything: Buffer | undefined;
    const now = Date.now();
    for (const viewer of this.viewers) {
      const bytes = wantsEverything(viewer.filter)
        ? (everything ??= joined(queued))
        : joined(queued.filter(({ about }) => about === undefined || wants(viewer.filter, about)));
      if (bytes.length === 0) continue;
      const why = backlogVerdict(viewer, viewer.output.queuedBytes(), now);
      if (why !== undefined) {
        this.viewers.delete(viewer);
        viewer.output.cutOff();
        this.log(`event stream: ${viewer.name} disconnected: it read too slowly (${why})`);
        continue;
      }
      viewer.output.write(bytes);
    }
  }
}

function joined(queued: readonly Queued[]): Buffer {
  return queued.length === 1 ? (queued[0] as Queued).bytes : Buffer.concat(queued.map(({ bytes }) => bytes));
}

/** The stream's settings from the test-only environment overrides, as config.ts reads the timeouts'. */
export function streamOptionsFrom(env: NodeJS.ProcessEnv): { heartbeatMs?: number; instance?: string; ringSize?: number } {
  const count = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number, not ${JSON.stringify(text)}`);
    return value;
  };
  const instance = env[INSTANCE_ENV];
  return {
    heartbeatMs: count(HEARTBEAT_ENV),
    ringSize: count(EVENT_RING_ENV),
    instance: instance === undefined || !/^[0-9a-z]+$/.test(instance) ? undefined : instance,
  };
}
