/**
 * The recent events every live view reads from (stream.ts), kept as bytes in
 * one buffer allocated once. Each event's finished message (its Server-Sent
 * Events bytes, made once for all viewers) is copied in after the one before,
 * and the oldest events give way as the writing comes round. A viewer is a
 * cursor into it (an id): nothing is copied per viewer but the write in flight.
 *
 * Why not an array of Buffers: an event kept for a while outlives V8's young
 * generation, so every event would be promoted and collected again in the old
 * one; copied into one buffer, it costs a copy (test/bench/README.md, "What it
 * has shown").
 */

/**
 * Events kept. A page that lost its connection for a few seconds of a busy
 * session (a subagent burst is a few hundred events) gets them all back.
 */
export const EVENT_RING_SIZE = 4096;
/**
 * Bytes of messages kept: 4096 events of 2 KiB, the mean of a real session's.
 * Fewer events are kept when they are larger; an event larger than this
 * is not kept: viewers behind it get a gap (stream.ts).
 */
export const EVENT_RING_BYTES = 8 * 1024 * 1024;

/**
 * Distinct event and session names held, one string each. A name repeats (a
 * session's every hook carries its id), and a string of each event's own,
 * kept for thousands of events, would be promoted to the old generation as
 * the Buffers were. A flood of distinct names starts the table afresh.
 */
export const RING_NAMES_MAX = 1024;

export interface RingEvent {
  readonly id: number;
  readonly event: string;
  readonly session: string;
  /** The event's bytes, a view into the ring: valid until the next `add`, so copied before it is written. */
  readonly bytes: Buffer;
}

/** The bytes of a message's pieces together. */
export function piecesLength(pieces: readonly Buffer[]): number {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  return length;
}

export class EventRing {
  private readonly bytes: Buffer;
  /** Per slot (id modulo the size): where the event's bytes start in `bytes`, and their length. */
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  private readonly events: string[];
  private readonly sessions: string[];
  /** Per slot: the stream id's two parts (stream.ts), `<label>-<number>`, kept to find a viewer's Last-Event-ID. */
  private readonly labels: string[];
  private readonly numbers: Float64Array;
  /** Ids held: from `oldest` to `next - 1`. */
  private oldest = 1;
  private next = 1;
  /** Where the next event goes in `bytes`. */
  private writeAt = 0;
  private readonly names = new Map<string, string>();

  constructor(
    readonly size = EVENT_RING_SIZE,
    capacityBytes = EVENT_RING_BYTES,
  ) {
    this.bytes = Buffer.alloc(size > 0 ? capacityBytes : 0);
    this.starts = new Int32Array(size);
    this.lengths = new Int32Array(size);
    this.events = new Array<string>(size).fill('');
    this.sessions = new Array<string>(size).fill('');
    this.labels = new Array<string>(size).fill('');
    this.numbers = new Float64Array(size);
  }

  /** The id the next event will get. */
  get nextId(): number {
    return this.next;
  }

  /** The oldest id held (nextId when none is). */
  get oldestId(): number {
    return this.oldest;
  }

  /**
   * Keep an event's message, whole or as pieces copied in one after another;
   * returns its id. `label` and `number` are its stream id's parts, when not
   * the ring's own (the log's name and offset, log-history.ts).
   */
  add(
    event: string,
    session: string,
    message: Buffer | readonly Buffer[],
    label = '',
    number?: number,
  ): number {
    const id = this.next++;
    const pieces = Buffer.isBuffer(message) ? [message] : message;
    const length = piecesLength(pieces);
    if (this.size === 0 || length > this.bytes.length) {
      this.oldest = this.next; // cannot be kept, and ids held must follow each other
      return id;
    }
    if (this.next - this.oldest > this.size) this.oldest++;
    let start = this.writeAt;
    if (start + length > this.bytes.length) {
      // Round to the start: the events left at the end go too, as the oldest.
      this.release(start, this.bytes.length);
      start = 0;
    }
    this.release(start, start + length);
    let at = start;
    for (const piece of pieces) at += piece.copy(this.bytes, at);
    const slot = id % this.size;
    this.starts[slot] = start;
    this.lengths[slot] = length;
    this.events[slot] = this.held(event);
    this.sessions[slot] = this.held(session);
    this.labels[slot] = this.held(label);
    this.numbers[slot] = number ?? id;
    this.writeAt = start + length;
    return id;
  }

  /** The event `id`, which must be held (oldestId ≤ id < nextId). */
  get(id: number): RingEvent {
    return { id, event: this.eventOf(id), session: this.sessionOf(id), bytes: this.bytesOf(id) };
  }

  /** The event name of `id`, which must be held: what a filter looks at, without making a RingEvent. */
  eventOf(id: number): string {
    return this.events[id % this.size] as string;
  }

  /** The session of `id`, which must be held. */
  sessionOf(id: number): string {
    return this.sessions[id % this.size] as string;
  }

  /** The bytes of `id`, which must be held: a view into the ring, valid until the next `add`. */
  bytesOf(id: number): Buffer {
    const slot = id % this.size;
    const start = this.starts[slot] as number;
    return this.bytes.subarray(start, start + (this.lengths[slot] as number));
  }

  /**
   * Where a viewer whose last stream id was `<label>-<number>` goes on: after
   * the newest event held of that label numbered `number` or less. 'behind'
   * when every one held of that label comes after it (the ring went round
   * past it); undefined when none held has that label.
   */
  resumeAfter(label: string, number: number): number | 'behind' | undefined {
    let seen = false;
    for (let id = this.next - 1; id >= this.oldest; id--) {
      const slot = id % this.size;
      if (this.labels[slot] !== label) continue;
      if ((this.numbers[slot] as number) <= number) return id;
      seen = true;
    }
    return seen ? 'behind' : undefined;
  }

  /** The one string kept for `name` (RING_NAMES_MAX). */
  private held(name: string): string {
    const kept = this.names.get(name);
    if (kept !== undefined) return kept;
    if (this.names.size >= RING_NAMES_MAX) this.names.clear();
    this.names.set(name, name);
    return name;
  }

  /** Let go of the oldest events while one's bytes lie in [from, to): in id order, they lie in writing order. */
  private release(from: number, to: number): void {
    while (this.oldest < this.next - 1) {
      const slot = this.oldest % this.size;
      const start = this.starts[slot] as number;
      if (start >= to || start + (this.lengths[slot] as number) <= from) return;
      this.oldest++;
    }
  }
}
