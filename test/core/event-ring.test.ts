/**
 * The ring a live view resumes from (core/src/event-ring.ts): which events it
 * still holds after a sequence of lines, by count and by bytes, and that what
 * it hands back is each line as it was given.
 */
import { describe, expect, it } from 'vitest';
import { EventRing, RING_NAMES_MAX } from '@hook-observatory/core/internal/event-ring';

/** A JSON line of exactly `bytes` bytes, naming its event `n`. */
function lineOf(n: number, bytes: number): Buffer {
  const frame = `{"n":${n},"pad":""}\n`;
  return Buffer.from(`{"n":${n},"pad":"${'p'.repeat(bytes - frame.length)}"}\n`, 'utf8');
}

interface RingCase {
  readonly name: string;
  readonly size: number;
  readonly capacityBytes: number;
  /** Each line's length, in the order they are added (ids 1, 2, ...). */
  readonly lines: readonly number[];
  /** The ids held afterwards. */
  readonly held: readonly number[];
}

const CASES: readonly RingCase[] = [
  {
    name: 'holds-all-while-both-limits-allow',
    size: 4,
    capacityBytes: 1_000,
    lines: [100, 100, 100],
    held: [1, 2, 3],
  },
  {
    name: 'drops-the-oldest-past-its-count',
    size: 3,
    capacityBytes: 1_000,
    lines: [100, 100, 100, 100, 100],
    held: [3, 4, 5],
  },
  {
    name: 'drops-the-oldest-its-bytes-are-needed-for',
    size: 10,
    capacityBytes: 300,
    lines: [100, 100, 100, 100],
    held: [2, 3, 4],
  },
  // 250 bytes used and 100 more do not fit before the end: the third line goes at the start, in the first one's place.
  {
    name: 'comes-round-to-the-start',
    size: 10,
    capacityBytes: 300,
    lines: [150, 100, 100],
    held: [2, 3],
  },
  // The fourth does not fit after the third (at 100): it goes at the start, and the second, left at the end, goes too.
  {
    name: 'coming-round-drops-what-lies-at-the-end',
    size: 10,
    capacityBytes: 300,
    lines: [150, 100, 100, 250],
    held: [4],
  },
  {
    name: 'a-large-line-takes-the-place-of-several',
    size: 10,
    capacityBytes: 400,
    lines: [100, 100, 100, 100, 250],
    held: [4, 5],
  },
  {
    name: 'a-line-larger-than-the-ring-is-not-kept-nor-anything-before-it',
    size: 10,
    capacityBytes: 300,
    lines: [100, 100, 400],
    held: [],
  },
  {
    name: 'keeps-going-after-a-line-too-large',
    size: 10,
    capacityBytes: 300,
    lines: [100, 400, 100, 100],
    held: [3, 4],
  },
  {
    name: 'many-turns-round-by-count',
    size: 5,
    capacityBytes: 5_000,
    lines: Array.from({ length: 50 }, (_, index) => 60 + (index % 7) * 20),
    held: [46, 47, 48, 49, 50],
  },
  {
    name: 'holds-nothing-with-size-zero',
    size: 0,
    capacityBytes: 300,
    lines: [100, 100],
    held: [],
  },
];

describe('the event ring', () => {
  it.each(CASES)('$name', ({ size, capacityBytes, lines, held }) => {
    const ring = new EventRing(size, capacityBytes);
    const given = lines.map((bytes, index) => lineOf(index + 1, bytes));
    for (const line of given) ring.add('Stop', 'session', line);
    const heldIds = Array.from(
      { length: ring.nextId - ring.oldestId },
      (_, index) => ring.oldestId + index,
    );
    expect(heldIds).toEqual(held);
    expect(ring.nextId).toBe(lines.length + 1);
    for (const id of heldIds) expect(ring.get(id).bytes.equals(given[id - 1] as Buffer)).toBe(true);
  });

  it('keeps every line it holds intact, and the newest, through many turns round', () => {
    const CAPACITY = 1_000;
    const ring = new EventRing(64, CAPACITY);
    const given: Buffer[] = [];
    for (let n = 1; n <= 500; n++) {
      given.push(lineOf(n, 40 + ((n * 37) % 300)));
      ring.add('Stop', 'session', given[n - 1] as Buffer);
      const heldIds = Array.from(
        { length: ring.nextId - ring.oldestId },
        (_, index) => ring.oldestId + index,
      );
      expect(heldIds.at(-1)).toBe(n);
      expect(heldIds.reduce((sum, id) => sum + ring.get(id).bytes.length, 0)).toBeLessThanOrEqual(
        CAPACITY,
      );
      for (const id of heldIds) {
        expect(ring.get(id).bytes.equals(given[id - 1] as Buffer)).toBe(true);
      }
    }
  });

  it('keeps a message given in pieces as the one message they make, through turns round', () => {
    const CAPACITY = 1_000;
    const ring = new EventRing(16, CAPACITY);
    const given: Buffer[] = [];
    for (let n = 1; n <= 100; n++) {
      const line = lineOf(n, 40 + ((n * 37) % 300));
      given.push(line);
      const cut = (n * 13) % line.length;
      ring.add('Stop', 'session', [line.subarray(0, cut), Buffer.alloc(0), line.subarray(cut)]);
      expect(ring.get(n).bytes.equals(line)).toBe(true);
    }
    for (let id = ring.oldestId; id < ring.nextId; id++) {
      expect(ring.get(id).bytes.equals(given[id - 1] as Buffer)).toBe(true);
    }
  });

  it('holds no message whose pieces together pass its capacity', () => {
    const ring = new EventRing(4, 300);
    ring.add('Stop', 'session', lineOf(1, 100));
    ring.add('Stop', 'session', [lineOf(2, 200), lineOf(2, 150)]);
    expect([ring.oldestId, ring.nextId]).toEqual([3, 3]);
  });

  it('hands back the event and session each line was kept with', () => {
    const ring = new EventRing(2, 1_000);
    ring.add('PreToolUse', 'one', lineOf(1, 50));
    ring.add('Stop', 'two', lineOf(2, 50));
    expect(
      [1, 2].map((id) => ({ event: ring.get(id).event, session: ring.get(id).session })),
    ).toEqual([
      { event: 'PreToolUse', session: 'one' },
      { event: 'Stop', session: 'two' },
    ]);
  });

  it('hands back the right names past a flood of distinct ones (RING_NAMES_MAX)', () => {
    const EVENTS = RING_NAMES_MAX * 2 + 3;
    const ring = new EventRing(EVENTS, EVENTS * 100);
    ring.add('Stop', 'repeated', lineOf(1, 50));
    ring.add('PreToolUse', 'repeated', lineOf(2, 50));
    for (let id = 3; id <= EVENTS; id++) ring.add('Stop', `session-${id}`, lineOf(id, 50));
    const names = (id: number): { event: string; session: string } => ({
      event: ring.get(id).event,
      session: ring.get(id).session,
    });
    expect([1, 2, RING_NAMES_MAX + 7, EVENTS].map(names)).toEqual([
      { event: 'Stop', session: 'repeated' },
      { event: 'PreToolUse', session: 'repeated' },
      { event: 'Stop', session: `session-${RING_NAMES_MAX + 7}` },
      { event: 'Stop', session: `session-${EVENTS}` },
    ]);
  });
});
