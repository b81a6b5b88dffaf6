/**
 * Split families: one request, many client scripts, each cutting the bytes
 * at other places, so that every byte boundary (or a fixed random sample of
 * them, for long bodies) is a place where a read ends.
 */
import {
  awaitAnswers,
  close,
  splitAt,
  type ClientScript,
  type TrafficCase,
} from './traffic-script.js';

export interface SplitExpectation {
  readonly statuses: readonly number[];
  /** 'kept': the client reads its answers and leaves; 'closed': the server closes. */
  readonly end: 'kept' | 'closed';
  readonly eventsPerScript: number;
}

/** A small deterministic generator (mulberry32), so that "random" splits are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Every offset from 1 to length - 1. */
export function everyOffset(length: number): number[] {
  return Array.from({ length: Math.max(0, length - 1) }, (_, index) => index + 1);
}

/**
 * For a long request: every offset in the head and at the body's two ends,
 * where the parser changes state, and `sampled` random ones in between.
 */
export function edgesAndSample(
  bytes: Buffer,
  edge: number,
  sampled: number,
  seed: number,
): number[] {
  const bodyStart = bytes.indexOf('\r\n\r\n') + 4;
  const offsets = new Set<number>();
  for (let offset = 1; offset < Math.min(bytes.length, bodyStart + edge); offset++) {
    offsets.add(offset);
  }
  for (let offset = Math.max(1, bytes.length - edge); offset < bytes.length; offset++) {
    offsets.add(offset);
  }
  const random = seededRandom(seed);
  for (let count = 0; count < sampled; count++) {
    offsets.add(1 + Math.floor(random() * (bytes.length - 1)));
  }
  return [...offsets].sort((a, b) => a - b);
}

function script(
  bytes: Buffer,
  cuts: readonly number[],
  expectation: SplitExpectation,
): ClientScript {
  const steps = splitAt(bytes, cuts);
  if (expectation.end === 'kept') {
    return {
      steps: [...steps, awaitAnswers(expectation.statuses.length), close],
      expect: { statuses: expectation.statuses, end: 'closed-by-client' },
    };
  }
  return { steps, expect: { statuses: expectation.statuses, end: 'closed' } };
}

/** One client per offset, each writing the bytes in two parts cut there. */
export function splitEverywhere(
  name: string,
  bytes: Buffer,
  offsets: readonly number[],
  expectation: SplitExpectation,
): TrafficCase {
  return {
    name,
    clients: offsets.map((offset) => script(bytes, [offset], expectation)),
    order: 'concurrent',
    events: offsets.length * expectation.eventsPerScript,
  };
}

/** `cuts` different offsets from 1 to `cutBefore - 1`, so that every part is written on its own. */
function distinctCuts(random: () => number, cuts: number, cutBefore: number): number[] {
  if (cuts > cutBefore - 1) {
    throw new RangeError(`${cuts} different cuts do not fit before offset ${cutBefore}`);
  }
  const offsets = new Set<number>();
  while (offsets.size < cuts) offsets.add(1 + Math.floor(random() * (cutBefore - 1)));
  return [...offsets];
}

/**
 * `count` clients, each cutting the bytes at `parts - 1` random places before
 * `cutBefore`. A request the server refuses part-way should pass that point
 * as `cutBefore`: a piece written after the refusal races the server's close
 * (the close finds it unread and resets the connection, or it comes too late
 * and the close is clean), whichever the server.
 */
export function splitRandomly(
  name: string,
  bytes: Buffer,
  parts: number,
  count: number,
  seed: number,
  expectation: SplitExpectation,
  cutBefore = bytes.length,
): TrafficCase {
  const random = seededRandom(seed);
  const clients = Array.from({ length: count }, () =>
    script(bytes, distinctCuts(random, parts - 1, cutBefore), expectation),
  );
  return { name, clients, order: 'concurrent', events: count * expectation.eventsPerScript };
}
