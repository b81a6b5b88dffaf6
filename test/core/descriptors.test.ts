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
/** Counts in turn, and what the watch does at each: closes idle connections, says a line. */
const STEPS = [
  { name: 'plenty-of-room', inUse: 100, closes: false, says: undefined },
  {
    name: 'within-the-headroom-closes-and-says-what-to-do',
    inUse: LIMIT - DESCRIPTOR_HEADROOM,
    closes: true,
    says: /out of file descriptors: 240 of the limit of 256 are open; .*ulimit -n/,
  },
  {
    name: 'still-short-closes-again-says-nothing',
    inUse: LIMIT - 1,
    closes: true,
    says: undefined,
  },
  { name: 'none-left-to-count-with', inUse: Infinity, closes: true, says: undefined },
  {
    name: 'just-below-the-headroom-not-yet-available',
    inUse: LIMIT - DESCRIPTOR_HEADROOM - 1,
    closes: false,
    says: undefined,
  },
  {
    name: 'room-again-is-said',
    inUse: 100,
    closes: false,
    says: /file descriptors available again: 100 of 256 open/,
  },
  { name: 'room-is-said-once', inUse: 90, closes: false, says: undefined },
] as const;

describe('DescriptorWatch', () => {
  it('closes-idle-connections-while-short-and-says-so-once', () => {
    let inUse = 0;
    let closed = 0;
    const lines: string[] = [];
    const watch = new DescriptorWatch({
      limit: LIMIT,
      inUse: () => inUse,
      closeIdle: () => closed++,
      log: (line) => lines.push(line),
    });
    for (const step of STEPS) {
      inUse = step.inUse;
      const [closedBefore, linesBefore] = [closed, lines.length];
      watch.check();
      expect({ step: step.name, closes: closed > closedBefore }).toEqual({
        step: step.name,
        closes: step.closes,
      });
      const said = lines.slice(linesBefore);
      if (step.says === undefined) {
        expect({ step: step.name, said }).toEqual({ step: step.name, said: [] });
      } else expect(said).toEqual([expect.stringMatching(step.says)]);
    }
  });
});
