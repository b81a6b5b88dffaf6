/**
 * The recent events a live view resumes from (stream.ts), kept as bytes in
 * one buffer allocated once. Each event's JSON line is copied in after the
 * one before, and the oldest events give way as the writing comes round.
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
 * Bytes of JSON lines kept: 4096 events of 2 KiB, the mean of a real session's.
 * Fewer events are kept when they are larger; an event larger than this
 * reaches the viewers open at the time and is not kept.
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
  /** A view into the ring: valid until the next `add`. */
  readonly jsonLine: Buffer;
}

export class EventRing {
  private readonly bytes: Buffer;
  /** Per slot (id modulo the size): where the event's line starts in `bytes`, and its length. */
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  private readonly events: string[];
  private readonly sessions: string[];
  /** Ids held: from `oldest` to `next - 1`. */
  private oldest = 1;
  private next = 1;
  /** Where the next line goes in `bytes`. */
  private writeAt = 0;
  private readonly names = new Map<string, string>();

  constructor(
    private readonly size = EVENT_RING_SIZE,
    capacityBytes = EVENT_RING_BYTES,
  ) {
    this.bytes = Buffer.alloc(size > 0 ? capacityBytes : 0);
    this.starts = new Int32Array(size);
    this.lengths = new Int32Array(size);
    this.events = new Array<string>(size).fill('');
    this.sessions = new Array<string>(size).fill('');
  }

  /** The id the next event will get. */
  get nextId(): number {
    return this.next;
  }

  /** The oldest id held (nextId when none is). */
  get oldestId(): number {
    return this.oldest;
  }

  /** Keep an event; returns its id. */
  add(event: string, session: string, jsonLine: Buffer): number {
    const id = this.next++;
    if (this.size === 0 || jsonLine.length > this.bytes.length) {
      this.oldest = this.next; // cannot be kept, and ids held must follow each other
      return id;
    }
    if (this.next - this.oldest > this.size) this.oldest++;
    let start = this.writeAt;
    if (start + jsonLine.length > this.bytes.length) {
      // Round to the start: the lines left at the end go too, as the oldest.
      this.release(start, this.bytes.length);
      start = 0;
    }
    this.release(start, start + jsonLine.length);
    jsonLine.copy(this.bytes, start);
    const slot = id % this.size;
    this.starts[slot] = start;
    this.lengths[slot] = jsonLine.length;
    this.events[slot] = this.held(event);
    this.sessions[slot] = this.held(session);
    this.writeAt = start + jsonLine.length;
    return id;
  }

  /** The event `id`, which must be held (oldestId ≤ id < nextId). */
  get(id: number): RingEvent {
    const slot = id % this.size;
    const start = this.starts[slot] as number;
    return {
      id,
      event: this.events[slot] as string,
      session: this.sessions[slot] as string,
      jsonLine: this.bytes.subarray(start, start + (this.lengths[slot] as number)),
    };
  }

  /** The one string kept for `name` (RING_NAMES_MAX). */
  private held(name: string): string {
    const kept = this.names.get(name);
    if (kept !== undefined) return kept;
    if (this.names.size >= RING_NAMES_MAX) this.names.clear();
    this.names.set(name, name);
    return name;
  }

  /** Let go of the oldest events while one's line lies in [from, to): in id order, they lie in writing order. */
  private release(from: number, to: number): void {
    while (this.oldest < this.next - 1) {
      const slot = this.oldest % this.size;
      const start = this.starts[slot] as number;
      if (start >= to || start + (this.lengths[slot] as number) <= from) return;
      this.oldest++;
    }
  }
}
