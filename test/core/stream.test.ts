/**
 * The event stream's shared half (core/src/stream.ts): the bytes of a
 * message, the filters, the ring every viewer reads from as a cursor, its
 * window, the round, the budget all viewers share and who is cut off when it
 * is spent. The servers' halves are in the conformance
 * family `stream`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBatch } from '@hook-observatory/core/internal/sinks';
import {
  EventStream,
  streamMessagePieces,
  STREAM_KINDS,
  STREAM_ROUND_MAX_BYTES,
  STREAM_ROUND_MAX_WRITES,
  STREAM_BURST_FLUSHES,
  STREAM_BURST_WRITES,
  STREAM_WINDOW_MAX_BYTES,
  STREAM_WINDOW_MS,
  VIEWER_SMALL_WRITE_BYTES,
  VIEWER_STALLED_MS,
  VIEWER_WINDOW_BYTES,
  VIEWERS_BUDGET_BYTES,
  type ViewerOutput,
} from '@hook-observatory/core/internal/stream';
import { streamFilterOf, type EventRecord } from '@hook-observatory/core';

/** Messages wait for the end of the event loop's turn (setImmediate): this waits for it. */
const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Enough turns for every write callback and the round it books to have run: counted, not timed. */
async function settle(turns = 50): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await endOfTurn();
}

/**
 * A viewer that keeps what it is sent. One that reads has each write taken at
 * the next turn (its callback); one that does not holds its callbacks until
 * `drain`, as a socket whose peer reads nothing.
 */
class TestViewer implements ViewerOutput {
  text = '';
  cut = 0;
  ended = false;
  writes = 0;
  /** Each write's size, in order. */
  readonly sizes: number[] = [];
  /** Each write's bytes as they were handed over, and a copy of them made then. */
  readonly handed: Buffer[] = [];
  readonly copies: Buffer[] = [];
  private readonly waiting: Array<() => void> = [];
  constructor(private reads = true) {}
  write(bytes: Buffer, whenWritten: () => void): void {
    this.writes++;
    this.sizes.push(bytes.length);
    this.text += bytes.toString('utf8');
    this.handed.push(bytes);
    this.copies.push(Buffer.from(bytes));
    if (this.reads) setImmediate(whenWritten);
    else this.waiting.push(whenWritten);
  }
  /** It stops reading: its writes stay in flight until `drain`. */
  stall(): void {
    this.reads = false;
  }
  /** It begins to read: what it held leaves, and from now on each write does. */
  drain(): void {
    this.reads = true;
    for (const whenWritten of this.waiting.splice(0)) whenWritten();
  }
  cutOff(): void {
    this.cut++;
  }
  end(): void {
    this.ended = true;
  }
  /** The ids of the events it got, in order. */
  get ids(): string[] {
    return [...this.text.matchAll(/^id: (\S+)$/gm)].map((match) => match[1] as string);
  }
}

const event = (name: string, session = 's1', extra: object = {}): EventRecord => ({
  _ts: 'T',
  _event: name,
  session_id: session,
  ...extra,
});
const quiet = (): void => {};
const newStream = (
  ringSize?: number,
  budgetBytes?: number,
  log: (line: string) => void = quiet,
): EventStream =>
  new EventStream(log, {
    heartbeatMs: 0,
    instance: 'abc',
    ...(ringSize === undefined ? {} : { ringSize }),
    ...(budgetBytes === undefined ? {} : { budgetBytes }),
  });
/** `count` events of about `bytes` bytes each, in one batch. */
const events = (count: number, bytes: number, name = 'A', session = 's1'): EventBatch =>
  new EventBatch(
    Array.from({ length: count }, () => event(name, session, { padding: 'p'.repeat(bytes) })),
  );
/** 1, 2, ... n as ids of instance abc. */
const idsTo = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, index) => `abc-${from + index}`);
const all = streamFilterOf('/events');

describe('a message', () => {
  it.for([
    { name: 'one line', json: '{"a":1}\n', data: 'data: {"a":1}\n' },
    { name: 'lines ending in LF', json: '{\n"a":1\n}\n', data: 'data: {\ndata: "a":1\ndata: }\n' },
    { name: 'lines ending in CRLF', json: '{\r\n"a":1}\n', data: 'data: {\ndata: "a":1}\n' },
    { name: 'lines ending in CR', json: '{\r"a":1}\n', data: 'data: {\ndata: "a":1}\n' },
  ])('$name: every line of the JSON is a data: line', ({ json, data }) => {
    expect(Buffer.concat(streamMessagePieces('abc-1', 'Stop', Buffer.from(json))).toString()).toBe(
      `id: abc-1\nevent: Stop\n${data}\n`,
    );
  });

  it.for([
    {
      name: 'a known kind is named',
      kind: 'PreToolUse',
      head: 'id: abc-1\nevent: PreToolUse\ndata: ',
    },
    {
      name: 'an event the query could not name is named Unknown',
      kind: 'Unknown',
      head: 'id: abc-1\nevent: Unknown\ndata: ',
    },
    {
      name: 'any other name goes unnamed, as a plain message',
      kind: 'MyOwnEvent',
      head: 'id: abc-1\ndata: ',
    },
    {
      name: 'a name with a line break cannot add a field',
      kind: 'Stop\nevent: forged',
      head: 'id: abc-1\ndata: ',
    },
  ])('$name', async ({ kind, head }) => {
    const stream = newStream();
    const viewer = new TestViewer();
    stream.attach(viewer, all, undefined);
    stream.add(new EventBatch([event(kind)]));
    await settle();
    expect(viewer.text.slice(viewer.text.indexOf('id: '))).toMatch(
      new RegExp(`^${head.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}\\{`),
    );
  });
});

describe('filters', () => {
  it.for([
    { name: 'no query: everything', target: '/events', events: [], sessions: [] },
    {
      name: 'a list of events',
      target: '/events?event=PreToolUse,PostToolUse',
      events: ['PreToolUse', 'PostToolUse'],
      sessions: [],
    },
    {
      name: 'repeated parameters add up',
      target: '/events?event=A&event=B&session=x',
      events: ['A', 'B'],
      sessions: ['x'],
    },
    {
      name: 'empty items are ignored',
      target: '/events?event=,A,&session=',
      events: ['A'],
      sessions: [],
    },
  ])('$name', ({ target, events, sessions }) => {
    const filter = streamFilterOf(target);
    expect([...filter.events]).toEqual(events);
    expect([...filter.sessions]).toEqual(sessions);
  });

  it('a viewer gets only the events and sessions it asked for', async () => {
    const stream = newStream();
    const viewer = new TestViewer();
    stream.attach(viewer, streamFilterOf('/events?event=Stop&session=s2'), undefined);
    stream.add(
      new EventBatch([event('Stop', 's1'), event('PreToolUse', 's2'), event('Stop', 's2')]),
    );
    await settle();
    expect(viewer.ids).toEqual(['abc-3']);
  });
});

describe('resuming', () => {
  it.for([
    {
      name: 'a new viewer gets the whole ring, then what comes',
      lastEventId: undefined,
      ids: ['abc-1', 'abc-2', 'abc-3', 'abc-4'],
      gap: false,
    },
    {
      name: 'Last-Event-ID: what came after it',
      lastEventId: 'abc-2',
      ids: ['abc-3', 'abc-4'],
      gap: false,
    },
    { name: 'the newest id: only what comes', lastEventId: 'abc-3', ids: ['abc-4'], gap: false },
    {
      name: 'an id of another instance (a restart): the whole ring',
      lastEventId: 'zzz-3',
      ids: ['abc-1', 'abc-2', 'abc-3', 'abc-4'],
      gap: false,
    },
    {
      name: 'an id that is no id: the whole ring',
      lastEventId: 'nonsense',
      ids: ['abc-1', 'abc-2', 'abc-3', 'abc-4'],
      gap: false,
    },
  ])('$name', async ({ lastEventId, ids, gap }) => {
    const stream = newStream();
    stream.add(new EventBatch([event('A'), event('B'), event('C')]));
    const viewer = new TestViewer();
    stream.attach(viewer, all, lastEventId);
    stream.add(new EventBatch([event('D')]));
    await settle();
    expect(viewer.ids).toEqual(ids);
    expect(viewer.text.includes('event: gap')).toBe(gap);
  });

  it('a ring that no longer reaches back says so, then sends what it holds', () => {
    const stream = newStream(2);
    stream.add(new EventBatch([event('A'), event('B'), event('C'), event('D')]));
    const viewer = new TestViewer();
    stream.attach(viewer, all, 'abc-1');
    expect(viewer.text).toContain('event: gap\ndata: {"after":1,"oldest":3}\n\n');
    expect(viewer.ids).toEqual(['abc-3', 'abc-4']);
  });

  it('the opening names the instance and the retry hint', () => {
    const viewer = new TestViewer();
    newStream().attach(viewer, all, undefined);
    expect(viewer.text).toBe(
      `retry: 2000\nevent: hello\ndata: {"instance":"abc","oldest":1,"next":1,"kinds":${JSON.stringify(STREAM_KINDS)}}\n\n`,
    );
  });
});

describe('writes', () => {
  it("a turn's events reach each viewer in one write, after the turn", async () => {
    const stream = newStream();
    const viewer = new TestViewer();
    stream.attach(viewer, all, undefined);
    const OPENING_WRITES = viewer.writes;
    stream.add(new EventBatch([event('A')]));
    stream.add(new EventBatch([event('B'), event('C')]));
    expect(viewer.ids).toEqual([]);
    await endOfTurn();
    expect(viewer.ids).toEqual(['abc-1', 'abc-2', 'abc-3']);
    expect(viewer.writes - OPENING_WRITES).toBe(1);
  });

  it('a viewer that comes in the middle of a turn gets the turn once, from the ring', async () => {
    const stream = newStream();
    const early = new TestViewer();
    stream.attach(early, all, undefined);
    stream.add(new EventBatch([event('A')]));
    const late = new TestViewer();
    stream.attach(late, all, undefined);
    stream.add(new EventBatch([event('B')]));
    await settle();
    expect(early.ids).toEqual(['abc-1', 'abc-2']);
    expect(late.ids).toEqual(['abc-1', 'abc-2']);
  });

  describe('a flood', () => {
    // The clock stands still: every turn falls in one window, however slow the machine.
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    /** A stream with one viewer, after `turns` turns of one event each. */
    async function flooded(
      turns: number,
    ): Promise<{ stream: EventStream; viewer: TestViewer; openingWrites: number }> {
      const stream = newStream();
      const viewer = new TestViewer();
      stream.attach(viewer, all, undefined);
      const openingWrites = viewer.writes;
      for (let turn = 0; turn < turns; turn++) {
        stream.add(new EventBatch([event('A')]));
        await endOfTurn();
      }
      return { stream, viewer, openingWrites };
    }

    it(`past ${STREAM_BURST_FLUSHES} flushes in a window, the rest wait for its end and go in one write`, async () => {
      const TURNS = STREAM_BURST_FLUSHES + 5;
      const { viewer, openingWrites } = await flooded(TURNS);
      expect(viewer.writes - openingWrites).toBe(STREAM_BURST_FLUSHES);
      expect(viewer.ids).toHaveLength(STREAM_BURST_FLUSHES);
      vi.advanceTimersByTime(STREAM_WINDOW_MS);
      expect(viewer.writes - openingWrites).toBe(STREAM_BURST_FLUSHES + 1);
      expect(viewer.ids).toHaveLength(TURNS);
    });

    it(`what waits for the window goes at the end of the turn once it reaches ${STREAM_WINDOW_MAX_BYTES} bytes`, async () => {
      const { stream, viewer } = await flooded(STREAM_BURST_FLUSHES + 1);
      expect(viewer.ids).toHaveLength(STREAM_BURST_FLUSHES);
      stream.add(
        new EventBatch([event('large', 's1', { padding: 'x'.repeat(STREAM_WINDOW_MAX_BYTES) })]),
      );
      await settle();
      expect(viewer.ids).toHaveLength(STREAM_BURST_FLUSHES + 2);
    });

    it('a new window flushes at the end of the turn again', async () => {
      const { stream, viewer } = await flooded(STREAM_BURST_FLUSHES + 1);
      vi.advanceTimersByTime(STREAM_WINDOW_MS);
      const held = viewer.ids.length;
      stream.add(new EventBatch([event('B')]));
      await settle();
      expect(viewer.ids).toHaveLength(held + 1);
    });

    it.for([
      { name: 'one viewer: every burst flush', viewers: 1, flushes: STREAM_BURST_FLUSHES },
      {
        name: `${STREAM_BURST_WRITES / 2} viewers: two`,
        viewers: STREAM_BURST_WRITES / 2,
        flushes: 2,
      },
      {
        name: `more than ${STREAM_BURST_WRITES} viewers: none before the window's end`,
        viewers: STREAM_BURST_WRITES + 1,
        flushes: 0,
      },
    ])(
      `the burst's flushes cost at most ${STREAM_BURST_WRITES} writes: $name`,
      async ({ viewers: count, flushes }) => {
        const TURNS = STREAM_BURST_FLUSHES + 2;
        const stream = newStream();
        const viewers = Array.from({ length: count }, () => new TestViewer());
        for (const viewer of viewers) stream.attach(viewer, all, undefined);
        await settle();
        for (let turn = 0; turn < TURNS; turn++) {
          stream.add(new EventBatch([event('A')]));
          await endOfTurn();
        }
        await settle();
        for (const viewer of viewers) expect(viewer.ids).toHaveLength(flushes);
        vi.advanceTimersByTime(STREAM_WINDOW_MS);
        await settle();
        for (const viewer of viewers) expect(viewer.ids).toHaveLength(TURNS);
      },
    );

    it('shutting down sends what waits for the window', async () => {
      const { stream, viewer } = await flooded(STREAM_BURST_FLUSHES + 1);
      stream.close();
      expect(viewer.ids).toHaveLength(STREAM_BURST_FLUSHES + 1);
    });
  });

  it('shutting down sends what waits before the end', () => {
    const stream = newStream();
    const viewer = new TestViewer();
    stream.attach(viewer, all, undefined);
    stream.add(new EventBatch([event('A')]));
    stream.close();
    expect(viewer.ids).toEqual(['abc-1']);
    expect(viewer.ended).toBe(true);
  });
});

describe('viewers are cursors into one ring', () => {
  /** A full ring: 4096 events of about 1 KiB, 4 MiB in all. */
  const fullRing = (stream: EventStream): void => stream.add(events(4096, 1000));

  it(`one that never reads holds one window (${VIEWER_WINDOW_BYTES} bytes), whatever the ring holds`, async () => {
    const stream = newStream();
    fullRing(stream);
    const stalled = new TestViewer(false);
    stream.attach(stalled, all, undefined);
    await settle();
    expect(stalled.writes).toBe(1);
    expect(stalled.sizes[0]).toBeLessThanOrEqual(VIEWER_WINDOW_BYTES);
    expect(stream.bytesInFlight).toBe(stalled.sizes[0]);
  });

  it('one that reads gets the whole ring, then what comes, in order, each event once, one window a write', async () => {
    const stream = newStream();
    fullRing(stream);
    const viewer = new TestViewer();
    stream.attach(viewer, all, undefined);
    stream.add(events(3, 10));
    await settle(200);
    expect(viewer.ids).toEqual(idsTo(1, 4099));
    expect(Math.max(...viewer.sizes)).toBeLessThanOrEqual(VIEWER_WINDOW_BYTES);
  });

  it('one that falls out of the ring gets a gap, then goes on from the oldest event held', async () => {
    const stream = newStream(4);
    const viewer = new TestViewer(false);
    stream.attach(viewer, all, undefined);
    stream.add(events(10, 10));
    await settle();
    expect(viewer.ids).toEqual([]);
    viewer.drain();
    await settle();
    expect(viewer.text).toContain('event: gap\ndata: {"after":0,"oldest":7}\n\n');
    expect(viewer.ids).toEqual(idsTo(7, 10));
  });

  it.for([
    { name: 'unfiltered', target: '/events' },
    { name: 'filtered', target: '/events?event=Stop' },
  ])(
    "$name: every write is copied into the viewer's one window, refilled only once the last has left",
    async ({ target }) => {
      const stream = newStream();
      const viewer = new TestViewer(false);
      stream.attach(viewer, streamFilterOf(target), undefined);
      for (let batch = 0; batch < 3; batch++) {
        // While its write is in flight, new events come and rounds go: its bytes must not change.
        stream.add(events(20, 5000, 'Stop'));
        await settle();
        expect(viewer.writes).toBe(batch + 1);
        expect(viewer.handed[batch]?.equals(viewer.copies[batch] as Buffer)).toBe(true);
        viewer.drain();
        viewer.stall();
        await settle();
      }
      viewer.drain();
      await settle();
      expect(viewer.ids).toEqual(idsTo(1, 60));
      // The opening is small: it comes from node's pool (VIEWER_SMALL_WRITE_BYTES).
      const large = viewer.handed.filter((bytes) => bytes.length >= VIEWER_SMALL_WRITE_BYTES);
      expect(large.length).toBeGreaterThanOrEqual(3);
      const window = large[0]?.buffer;
      for (const [index, bytes] of large.entries()) {
        expect(bytes.buffer, `write ${index}`).toBe(window);
        expect(bytes.byteOffset, `write ${index}`).toBe(0);
      }
    },
  );

  it(`writes under ${VIEWER_SMALL_WRITE_BYTES} bytes before the first larger one make no window`, async () => {
    const stream = newStream();
    const viewer = new TestViewer();
    stream.attach(viewer, all, undefined);
    stream.add(events(1, 100));
    await settle();
    stream.add(events(2, VIEWER_SMALL_WRITE_BYTES));
    await settle();
    const lengths = viewer.handed.map((bytes) => bytes.buffer.byteLength);
    expect(lengths).toHaveLength(3);
    expect(lengths.slice(0, 2)).not.toContain(VIEWER_WINDOW_BYTES);
    expect(lengths[2]).toBe(VIEWER_WINDOW_BYTES);
    expect(viewer.ids).toEqual(idsTo(1, 3));
  });

  it.for([
    { name: 'no write in flight: at once', stalled: false },
    { name: 'a write in flight: once it calls back', stalled: true },
  ])("one that left gives its window's memory back, $name", async ({ stalled }) => {
    const stream = newStream();
    stream.add(events(5, 1000));
    const viewer = new TestViewer(!stalled);
    const detach = stream.attach(viewer, all, undefined);
    await settle();
    const window = viewer.handed[0]?.buffer as ArrayBuffer;
    expect(window.byteLength).toBe(VIEWER_WINDOW_BYTES);
    detach();
    // Still being written, it must stay whole: the socket reads from it.
    expect(window.byteLength).toBe(stalled ? VIEWER_WINDOW_BYTES : 0);
    viewer.drain();
    await settle();
    expect(window.byteLength).toBe(0);
  });

  it('the last write at shutdown, behind one still in flight, has bytes of its own', async () => {
    const stream = newStream();
    stream.add(events(2, VIEWER_SMALL_WRITE_BYTES));
    const viewer = new TestViewer(false);
    stream.attach(viewer, all, undefined);
    await settle();
    stream.add(events(2, 100));
    stream.close();
    expect(viewer.writes).toBe(2);
    expect(viewer.handed[1]?.buffer).not.toBe(viewer.handed[0]?.buffer);
    expect(viewer.handed[0]?.equals(viewer.copies[0] as Buffer)).toBe(true);
    expect(viewer.ids).toEqual(idsTo(1, 4));
  });

  it(`a round copies at most ${STREAM_ROUND_MAX_BYTES} bytes for all viewers; the rest have their turn after`, async () => {
    const VIEWERS = 40;
    const stream = newStream();
    const viewers = Array.from({ length: VIEWERS }, () => new TestViewer());
    for (const viewer of viewers) stream.attach(viewer, all, undefined);
    await settle();
    const before = viewers.map((viewer) => viewer.text.length);
    stream.add(events(64, 1000));
    await endOfTurn();
    const firstRound = viewers.reduce(
      (sum, viewer, index) => sum + viewer.text.length - (before[index] as number),
      0,
    );
    expect(firstRound).toBeLessThanOrEqual(STREAM_ROUND_MAX_BYTES + VIEWER_WINDOW_BYTES);
    expect(viewers.filter((viewer) => viewer.ids.length === 0).length).toBeGreaterThan(0);
    await settle();
    for (const viewer of viewers) expect(viewer.ids).toEqual(idsTo(1, 64));
  });

  it(`a round makes at most ${STREAM_ROUND_MAX_WRITES} writes; the rest have their turn after`, async () => {
    const VIEWERS = 2 * STREAM_ROUND_MAX_WRITES + 1;
    const stream = newStream();
    const viewers = Array.from({ length: VIEWERS }, () => new TestViewer());
    for (const viewer of viewers) stream.attach(viewer, all, undefined);
    await settle();
    const before = viewers.reduce((sum, viewer) => sum + viewer.writes, 0);
    stream.add(new EventBatch([event('A')]));
    await endOfTurn();
    const firstRound = viewers.reduce((sum, viewer) => sum + viewer.writes, 0) - before;
    expect(firstRound).toBe(STREAM_ROUND_MAX_WRITES);
    await settle();
    for (const viewer of viewers) expect(viewer.ids).toEqual(['abc-1']);
  });

  it('one that left gives its window back and is forgotten at once', async () => {
    const stream = newStream();
    stream.add(events(100, 1000));
    const viewer = new TestViewer(false);
    const detach = stream.attach(viewer, all, undefined);
    expect(stream.bytesInFlight).toBeGreaterThan(0);
    detach();
    expect(stream.bytesInFlight).toBe(0);
    stream.add(new EventBatch([event('A')]));
    viewer.drain();
    await settle();
    expect(stream.viewerCount).toBe(0);
    expect(viewer.writes).toBe(1);
  });

  it('shutting down ends every stream', () => {
    const stream = newStream();
    const viewer = new TestViewer();
    stream.attach(viewer, all, undefined);
    stream.close();
    expect(viewer.ended).toBe(true);
    expect(stream.viewerCount).toBe(0);
  });
});

describe('one budget for all viewers', () => {
  it(`is ${VIEWERS_BUDGET_BYTES} bytes: 512 stalled viewers' windows`, () => {
    expect(VIEWERS_BUDGET_BYTES / VIEWER_WINDOW_BYTES).toBe(512);
  });

  describe('when it is spent', () => {
    // The clock moves only when the test moves it: "waited long enough" is counted, not timed.
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    /**
     * 200 events of about 1 KiB; three stalled viewers each hold a write of a
     * window. The budget holds three windows: a fourth viewer's write needs room.
     */
    const BUDGET = 3 * VIEWER_WINDOW_BYTES;
    it.for([
      {
        name: 'the one whose write waited longest is cut first, only as many as make room',
        drained: undefined,
        cut: 0,
      },
      { name: 'one that read since has a newer write: the next oldest goes', drained: 0, cut: 1 },
    ])('$name', async ({ drained, cut }) => {
      const lines: string[] = [];
      const stream = newStream(undefined, BUDGET, (line) => lines.push(line));
      stream.add(events(200, 1000));
      const stalled = [0, 1, 2].map(() => {
        const viewer = new TestViewer(false);
        stream.attach(viewer, all, undefined);
        return viewer;
      });
      // Viewers arriving in one turn copy a round's worth at once; the round after serves the rest.
      await settle();
      if (drained !== undefined) {
        const reader = stalled[drained] as TestViewer;
        reader.drain();
        reader.stall();
        await settle();
      }
      vi.advanceTimersByTime(VIEWER_STALLED_MS);
      expect(stalled.map((viewer) => viewer.cut)).toEqual([0, 0, 0]);
      const late = new TestViewer(false);
      stream.attach(late, all, undefined);
      expect(stalled.map((viewer) => viewer.cut)).toEqual(
        [0, 1, 2].map((index) => (index === cut ? 1 : 0)),
      );
      expect(late.cut).toBe(0);
      expect(late.writes).toBe(1);
      expect(stream.viewerCount).toBe(3);
      expect(stream.bytesInFlight).toBeLessThanOrEqual(BUDGET);
      expect(lines).toEqual([
        `event stream: viewer #${cut + 1} disconnected: the viewers' ${BUDGET}-byte budget was spent and its write had waited longest (${VIEWER_STALLED_MS} ms)`,
      ]);
      const writes = stalled[cut]?.writes;
      stalled[cut]?.drain();
      await settle();
      // Cut off is one destroy: nothing more is written to it.
      expect(stalled[cut]?.writes).toBe(writes);
    });

    it(`a write that has not waited ${VIEWER_STALLED_MS} ms is not cut: the newcomer waits for room, then the stalled one goes`, async () => {
      const stream = newStream(undefined, BUDGET);
      stream.add(events(200, 1000));
      const stalled = [0, 1, 2].map(() => {
        const viewer = new TestViewer(false);
        stream.attach(viewer, all, undefined);
        return viewer;
      });
      const late = new TestViewer();
      stream.attach(late, all, undefined);
      expect(late.writes).toBe(0);
      expect(stalled.map((viewer) => viewer.cut)).toEqual([0, 0, 0]);
      vi.advanceTimersByTime(VIEWER_STALLED_MS);
      await settle();
      expect(stalled.map((viewer) => viewer.cut)).toEqual([1, 0, 0]);
      expect(late.text).toContain('event: hello');
    });

    it('many stalled viewers together hold no more than the budget, however many come', async () => {
      const BUDGET_BYTES = 16 * VIEWER_WINDOW_BYTES;
      const stream = newStream(undefined, BUDGET_BYTES);
      stream.add(events(4096, 1000));
      const viewers = Array.from({ length: 100 }, () => new TestViewer(false));
      for (const viewer of viewers) {
        stream.attach(viewer, all, undefined);
        await settle(2);
        expect(stream.bytesInFlight).toBeLessThanOrEqual(BUDGET_BYTES);
        vi.advanceTimersByTime(VIEWER_STALLED_MS / 10);
      }
      vi.advanceTimersByTime(VIEWER_STALLED_MS);
      await settle();
      expect(stream.bytesInFlight).toBeLessThanOrEqual(BUDGET_BYTES);
      expect(viewers.filter((viewer) => viewer.cut === 0).length).toBeLessThanOrEqual(16);
      expect(viewers.every((viewer) => viewer.cut <= 1)).toBe(true);
    });
  });
});

describe('heartbeat', () => {
  it('a comment line at the interval keeps an idle stream open', async () => {
    const stream = new EventStream(quiet, { heartbeatMs: 5, instance: 'abc' });
    const viewer = new TestViewer();
    stream.attach(viewer, all, undefined);
    await expect.poll(() => viewer.text.endsWith('\n\n:\n\n')).toBe(true);
    stream.close();
  });
});
