/**
 * The event stream's shared half (core/src/stream.ts): the bytes of a
 * message, the filters, the ring a viewer resumes from, and the cut-off of a
 * viewer that reads too slowly. The servers' halves are in the conformance
 * family `stream`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EventBatch,
  EventStream,
  formatStreamMessage,
  READER_HARD_LIMIT_BYTES,
  STREAM_KINDS,
  STREAM_BURST_FLUSHES,
  STREAM_WINDOW_MAX_BYTES,
  STREAM_WINDOW_MS,
  streamFilterOf,
  streamOptionsFrom,
  type EventRecord,
  type ViewerOutput,
} from '@hook-observatory/core';

/** Messages wait for the end of the event loop's turn (setImmediate): this waits for it. */
const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A viewer that keeps what it is sent, with as many unsent bytes as the test says. */
class TestViewer implements ViewerOutput {
  text = '';
  unsent = 0;
  cut = false;
  ended = false;
  writes = 0;
  write(bytes: Buffer): void {
    this.writes++;
    this.text += bytes.toString('utf8');
  }
  queuedBytes(): number {
    return this.unsent;
  }
  cutOff(): void {
    this.cut = true;
  }
  end(): void {
    this.ended = true;
  }
  /** The ids of the events it got, in order. */
  get ids(): string[] {
    return [...this.text.matchAll(/^id: (\S+)$/gm)].map((match) => match[1] as string);
  }
}

const event = (name: string, session = 's1', extra: object = {}): EventRecord => ({ _ts: 'T', _event: name, session_id: session, ...extra });
const quiet = (): void => {};
const newStream = (ringSize?: number): EventStream => new EventStream(quiet, { heartbeatMs: 0, instance: 'abc', ...(ringSize === undefined ? {} : { ringSize }) });
const all = streamFilterOf('/events');

describe('a message', () => {
  it.for([
    { name: 'one line', json: '{"a":1}\n', data: 'data: {"a":1}\n' },
    { name: 'lines ending in LF', json: '{\n"a":1\n}\n', data: 'data: {\ndata: "a":1\ndata: }\n' },
    { name: 'lines ending in CRLF', json: '{\r\n"a":1}\n', data: 'data: {\ndata: "a":1}\n' },
    { name: 'lines ending in CR', json: '{\r"a":1}\n', data: 'data: {\ndata: "a":1}\n' },
  ])('$name: every line of the JSON is a data: line', ({ json, data }) => {
    expect(formatStreamMessage('abc-1', 'Stop', Buffer.from(json)).toString()).toBe(`id: abc-1\nevent: Stop\n${data}\n`);
  });

  it.for([
    { name: 'a known kind is named', kind: 'PreToolUse', head: 'id: abc-1\nevent: PreToolUse\ndata: ' },
    { name: 'an event the query could not name is named Unknown', kind: 'Unknown', head: 'id: abc-1\nevent: Unknown\ndata: ' },
    { name: 'any other name goes unnamed, as a plain message', kind: 'MyOwnEvent', head: 'id: abc-1\ndata: ' },
    { name: 'a name with a line break cannot add a field', kind: 'Stop\nevent: forged', head: 'id: abc-1\ndata: ' },
  ])('$name', async ({ kind, head }) => {
    const stream = newStream();
    const viewer = new TestViewer();
    stream.attach(viewer, all, undefined);
    stream.add(new EventBatch([event(kind)]));
    await endOfTurn();
    expect(viewer.text.slice(viewer.text.indexOf('id: '))).toMatch(new RegExp(`^${head.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}\\{`));
  });
});

describe('filters', () => {
  it.for([
    { name: 'no query: everything', target: '/events', events: [], sessions: [] },
    { name: 'a list of events', target: '/events?event=PreToolUse,PostToolUse', events: ['PreToolUse', 'PostToolUse'], sessions: [] },
    { name: 'repeated parameters add up', target: '/events?event=A&event=B&session=x', events: ['A', 'B'], sessions: ['x'] },
    { name: 'empty items are ignored', target: '/events?event=,A,&session=', events: ['A'], sessions: [] },
  ])('$name', ({ target, events, sessions }) => {
    const filter = streamFilterOf(target);
    expect([...filter.events]).toEqual(events);
    expect([...filter.sessions]).toEqual(sessions);
  });

  it('a viewer gets only the events and sessions it asked for', async () => {
    const stream = newStream();
    const viewer = new TestViewer();
    stream.attach(viewer, streamFilterOf('/events?event=Stop&session=s2'), undefined);
    stream.add(new EventBatch([event('Stop', 's1'), event('PreToolUse', 's2'), event('Stop', 's2')]));
    await endOfTurn();
    expect(viewer.ids).toEqual(['abc-3']);
  });
});

describe('resuming', () => {
  it.for([
    { name: 'a new viewer gets the whole ring, then what comes', lastEventId: undefined, ids: ['abc-1', 'abc-2', 'abc-3', 'abc-4'], gap: false },
    { name: 'Last-Event-ID: what came after it', lastEventId: 'abc-2', ids: ['abc-3', 'abc-4'], gap: false },
    { name: 'the newest id: only what comes', lastEventId: 'abc-3', ids: ['abc-4'], gap: false },
    { name: 'an id of another instance (a restart): the whole ring', lastEventId: 'zzz-3', ids: ['abc-1', 'abc-2', 'abc-3', 'abc-4'], gap: false },
    { name: 'an id that is no id: the whole ring', lastEventId: 'nonsense', ids: ['abc-1', 'abc-2', 'abc-3', 'abc-4'], gap: false },
  ])('$name', async ({ lastEventId, ids, gap }) => {
    const stream = newStream();
    stream.add(new EventBatch([event('A'), event('B'), event('C')]));
    const viewer = new TestViewer();
    stream.attach(viewer, all, lastEventId);
    stream.add(new EventBatch([event('D')]));
    await endOfTurn();
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
    expect(viewer.text).toBe(`retry: 2000\nevent: hello\ndata: {"instance":"abc","oldest":1,"next":1,"kinds":${JSON.stringify(STREAM_KINDS)}}\n\n`);
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
    await endOfTurn();
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
    async function flooded(turns: number): Promise<{ stream: EventStream; viewer: TestViewer; openingWrites: number }> {
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
      stream.add(new EventBatch([event('large', 's1', { padding: 'x'.repeat(STREAM_WINDOW_MAX_BYTES) })]));
      await endOfTurn();
      expect(viewer.ids).toHaveLength(STREAM_BURST_FLUSHES + 2);
    });

    it('a new window flushes at the end of the turn again', async () => {
      const { stream, viewer } = await flooded(STREAM_BURST_FLUSHES + 1);
      vi.advanceTimersByTime(STREAM_WINDOW_MS);
      const held = viewer.ids.length;
      stream.add(new EventBatch([event('B')]));
      await endOfTurn();
      expect(viewer.ids).toHaveLength(held + 1);
    });

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

describe('viewers that read slowly or leave', () => {
  it('one over the hard limit is cut off; the others get every event', async () => {
    const stream = newStream();
    const slow = new TestViewer();
    const fine = new TestViewer();
    stream.attach(slow, all, undefined);
    stream.attach(fine, all, undefined);
    slow.unsent = READER_HARD_LIMIT_BYTES + 1;
    stream.add(new EventBatch([event('A'), event('B')]));
    await endOfTurn();
    expect(slow.cut).toBe(true);
    expect(slow.ids).toEqual([]);
    expect(fine.ids).toEqual(['abc-1', 'abc-2']);
    expect(stream.viewerCount).toBe(1);
  });

  it('one that left is forgotten at once', async () => {
    const stream = newStream();
    const viewer = new TestViewer();
    const detach = stream.attach(viewer, all, undefined);
    detach();
    stream.add(new EventBatch([event('A')]));
    await endOfTurn();
    expect(stream.viewerCount).toBe(0);
    expect(viewer.ids).toEqual([]);
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

describe('heartbeat', () => {
  it('a comment line at the interval keeps an idle stream open', async () => {
    const stream = new EventStream(quiet, { heartbeatMs: 5, instance: 'abc' });
    const viewer = new TestViewer();
    stream.attach(viewer, all, undefined);
    await expect.poll(() => viewer.text.endsWith('\n\n:\n\n')).toBe(true);
    stream.close();
  });
});

describe('test-only overrides', () => {
  it.for([
    { name: 'none', env: {}, options: { heartbeatMs: undefined, ringSize: undefined, instance: undefined } },
    {
      name: 'all three',
      env: { HOOK_OBSERVATORY_TEST_HEARTBEAT_MS: '0', HOOK_OBSERVATORY_TEST_EVENT_RING_SIZE: '4', HOOK_OBSERVATORY_TEST_INSTANCE: 'fixed' },
      options: { heartbeatMs: 0, ringSize: 4, instance: 'fixed' },
    },
  ])('$name', ({ env, options }) => {
    expect(streamOptionsFrom(env)).toEqual(options);
  });

  it('a value that is no count is refused', () => {
    expect(() => streamOptionsFrom({ HOOK_OBSERVATORY_TEST_HEARTBEAT_MS: 'soon' })).toThrow(/whole number/);
  });
});
