import { describe, expect, it } from 'vitest';
import {
  DESCRIPTOR_HEADROOM,
  DescriptorWatch,
  descriptorsInUse,
  softDescriptorLimit,
} from '@hook-observatory/core/internal/descriptors';

const LIMITS = (soft: string): string =>
  'Limit                     Soft Limit           Hard Limit           Units     \n' +
  'Max cpu time              unlimited            unlimited            seconds   \n' +
  `Max open files            ${soft}                  4096                 files     \n`;

describe('softDescriptorLimit', () => {
  it.each([
    { name: 'a-number', limits: LIMITS('256'), expected: 256 },
    { name: 'unlimited', limits: LIMITS('unlimited'), expected: undefined },
    { name: 'no-such-line', limits: 'Max processes 10 10 processes\n', expected: undefined },
  ])('$name', ({ limits, expected }) => {
    expect(softDescriptorLimit(limits)).toBe(expected);
  });
});

describe.runIf(process.platform === 'linux')('descriptorsInUse', () => {
  it('counts-this-process-open-descriptors', () => {
    // Standard input, output and error at least.
    expect(descriptorsInUse()).toBeGreaterThanOrEqual(3);
  });
});

const LIMIT = 256;
/** Two headrooms below the limit: where room made brings the count, and where "available again" is said. */
const ROOMY = LIMIT - 2 * DESCRIPTOR_HEADROOM;

/** A watch over a fake count and fake unused connections; what it closed and said. */
function fakeWatch(unusedSince: readonly number[]) {
  const state = { inUse: 0, closed: [] as number[], closedIdle: 0, lines: [] as string[] };
  let open = [...unusedSince];
  const watch = new DescriptorWatch({
    limit: LIMIT,
    inUse: () => state.inUse,
    unused: () =>
      open.map((since) => ({
        since,
        close: () => {
          state.closed.push(since);
          open = open.filter((each) => each !== since);
          state.inUse--;
        },
      })),
    closeIdle: () => state.closedIdle++,
    log: (line) => state.lines.push(line),
  });
  return { watch, state, addUnused: (since: number) => open.push(since) };
}

/** Counts in turn, once a second, and what the watch closes and says at each. */
const STEPS = [
  { name: 'plenty-of-room', inUse: 100, closes: 0, says: undefined },
  {
    name: 'within-the-headroom-closes-down-to-two-headrooms-and-says-what-to-do',
    inUse: LIMIT - DESCRIPTOR_HEADROOM,
    closes: LIMIT - DESCRIPTOR_HEADROOM - ROOMY + 1,
    says: /out of file descriptors: 240 of the limit of 256 are open; .*ulimit -n/,
  },
  {
    name: 'room-made-since-the-last-count-not-yet-available',
    inUse: ROOMY - 1,
    closes: 0,
    says: undefined,
  },
  {
    name: 'none-left-to-count-with-closes-as-if-all-were-used-says-nothing',
    inUse: Infinity,
    closes: LIMIT - ROOMY + 1,
    says: undefined,
  },
  { name: 'room-made-again', inUse: ROOMY - 1, closes: 0, says: undefined },
  { name: 'two-headrooms-below-not-yet-available', inUse: ROOMY, closes: 0, says: undefined },
  {
    name: 'room-again-is-said',
    inUse: 100,
    closes: 0,
    says: /file descriptors available again: 100 of 256 open/,
  },
  { name: 'room-is-said-once', inUse: 90, closes: 0, says: undefined },
] as const;

describe('DescriptorWatch', () => {
  it('makes-room-while-short-and-says-so-once', () => {
    const { watch, state } = fakeWatch(Array.from({ length: 200 }, (_, index) => index));
    for (const step of STEPS) {
      state.inUse = step.inUse;
      const [closedBefore, linesBefore] = [state.closed.length, state.lines.length];
      watch.check();
      expect({ step: step.name, closes: state.closed.length - closedBefore }).toEqual({
        step: step.name,
        closes: step.closes,
      });
      const said = state.lines.slice(linesBefore);
      if (step.says === undefined) {
        expect({ step: step.name, said }).toEqual({ step: step.name, said: [] });
      } else expect(said).toEqual([expect.stringMatching(step.says)]);
    }
  });

  it.each([
    { name: 'far-from-the-limit-closes-nothing', inUse: 100, closed: [] },
    {
      name: 'below-the-headroom-closes-nothing',
      inUse: LIMIT - DESCRIPTOR_HEADROOM - 1,
      closed: [],
    },
    {
      name: 'within-the-headroom-closes-the-longest-waiting-down-to-two-headrooms',
      inUse: LIMIT - DESCRIPTOR_HEADROOM,
      closed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
    },
  ])('an-accept-$name', ({ inUse, closed }) => {
    // Unused since 40 down to 1: the smallest `since` has waited longest.
    const { watch, state } = fakeWatch(Array.from({ length: 40 }, (_, index) => 40 - index));
    state.inUse = inUse;
    watch.accepted(inUse);
    expect(state.closed).toEqual(closed);
  });

  it('an-idle-connection-makes-room-once-a-burst-filled-the-server', async () => {
    const { watch, state, addUnused } = fakeWatch([]);
    state.inUse = LIMIT;
    watch.accepted(LIMIT);
    // Nothing unused yet: nothing closed, said once.
    expect(state.closed).toEqual([]);
    expect(state.lines).toHaveLength(1);
    for (const since of [5, 3, 4]) addUnused(since);
    watch.connectionIdle();
    watch.connectionIdle();
    expect(state.closed).toEqual([]);
    await new Promise((turn) => setImmediate(turn));
    expect(state.closed).toEqual([3, 4, 5]);
    expect(state.lines).toHaveLength(1);
  });

  it('an-idle-connection-with-room-closes-nothing', async () => {
    const { watch, state } = fakeWatch([1, 2, 3]);
    state.inUse = 100;
    watch.connectionIdle();
    await new Promise((turn) => setImmediate(turn));
    expect(state.closed).toEqual([]);
  });

  it('receivers-that-cannot-list-their-connections-close-their-idle-ones-when-short', () => {
    const { watch, state } = fakeWatch([]);
    state.inUse = LIMIT;
    watch.check();
    expect(state.closedIdle).toBe(1);
  });
});
