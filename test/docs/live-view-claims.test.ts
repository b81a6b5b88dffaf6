/**
 * The numbers docs/live-view.md states about the stream are core's constants
 * (core/src/stream.ts, core/src/event-ring.ts): change one and this fails
 * until the note says the new value.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_RING_BYTES, EVENT_RING_SIZE } from '@hook-observatory/core/internal/event-ring';
import { HEARTBEAT_MS, LIVE_VIEW, RETRY_MS } from '@hook-observatory/core';
import {
  STREAM_BURST_FLUSHES,
  STREAM_BURST_WRITES,
  STREAM_ROUND_MAX_BYTES,
  STREAM_ROUND_MAX_WRITES,
  STREAM_WINDOW_MAX_BYTES,
  STREAM_WINDOW_MS,
  VIEWER_STALLED_MS,
  VIEWER_WINDOW_BYTES,
  VIEWERS_BUDGET_BYTES,
} from '@hook-observatory/core/internal/stream';
import { DOCS_DIR } from '../../scripts/docs/paths.js';

/** The note's prose, its lines joined: a sentence may wrap anywhere. */
const note = readFileSync(join(DOCS_DIR, 'live-view.md'), 'utf8').replace(/\s*\n\s*/g, ' ');

const KIB = 1024;
const MIB = 1024 * 1024;
const SECOND_MS = 1000;

describe('the numbers live-view.md gives', () => {
  it.for([
    { name: 'the retry hint', says: `\`retry: ${RETRY_MS}\`` },
    { name: 'the heartbeat', says: `every ${HEARTBEAT_MS / SECOND_MS} seconds` },
    { name: 'the ring, in events and bytes', says: `the last ${EVENT_RING_SIZE} events, up to ${EVENT_RING_BYTES / MIB} MiB` },
    { name: 'the flood window', says: `the first ${STREAM_BURST_FLUSHES} of those writes in each ${STREAM_WINDOW_MS} ms` },
    { name: "the burst's writes", says: `at most ${STREAM_BURST_WRITES} writes, one a viewer (\`STREAM_BURST_WRITES\`)`, holds: STREAM_BURST_WRITES / STREAM_BURST_FLUSHES === 100 },
    { name: 'what may wait for it', says: `or until ${STREAM_WINDOW_MAX_BYTES / MIB} MiB of it waits` },
    { name: "a viewer's window", says: `of at most ${VIEWER_WINDOW_BYTES / KIB} KiB (\`VIEWER_WINDOW_BYTES\`)` },
    { name: "the viewers' budget", says: `one budget of ${VIEWERS_BUDGET_BYTES / MIB} MiB (\`VIEWERS_BUDGET_BYTES\`, ${VIEWERS_BUDGET_BYTES / VIEWER_WINDOW_BYTES} stalled viewers' windows)` },
    { name: 'when a write counts as stalled', says: `at least a second (\`VIEWER_STALLED_MS\`)`, holds: VIEWER_STALLED_MS === SECOND_MS },
    { name: 'a round', says: `at most ${STREAM_ROUND_MAX_BYTES / KIB} KiB for all viewers together (\`STREAM_ROUND_MAX_BYTES\`) in at most ${STREAM_ROUND_MAX_WRITES} writes` },
  ])('$name', ({ says, holds }) => {
    expect(note).toContain(says);
    expect(holds ?? true).toBe(true);
  });
});

/** A constant of the page's script (live.html), as the page declares it, in milliseconds. */
function pageConstantMs(name: string): number {
  const page = LIVE_VIEW.page.toString('utf8');
  const declared = new RegExp(`const ${name} = ([\\d\\s*]+);`).exec(page);
  if (declared === null) throw new Error(`live.html no longer declares ${name}`);
  return declared[1]!.split('*').reduce((product, factor) => product * Number(factor), 1);
}

describe('the numbers live-view.md gives about the page', () => {
  it.for([
    {
      name: 'when a session counts as quiet',
      says: `A session quiet for ${pageConstantMs('QUIET_AFTER_MS') / (60 * SECOND_MS)} minutes`,
    },
    { name: 'the events kept', says: `keeps the last 10,000 events`, holds: pageConstantMs('MAX_EVENTS') === 10_000 },
    { name: 'the rows shown', says: `shows at most ${pageConstantMs('MAX_ROWS')} rows in each table` },
  ])('$name', ({ says, holds }) => {
    expect(note).toContain(says);
    expect(holds ?? true).toBe(true);
  });
});
