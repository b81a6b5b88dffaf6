/**
 * The numbers docs/live-view.md states about the stream are core's constants
 * (core/src/stream.ts, core/src/event-ring.ts): change one and this fails
 * until the note says the new value.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_RING_BYTES, EVENT_RING_SIZE, HEARTBEAT_MS, RETRY_MS, STREAM_BURST_FLUSHES, STREAM_WINDOW_MAX_BYTES, STREAM_WINDOW_MS } from '@hook-observatory/core';
import { DOCS_DIR } from '../../scripts/docs/paths.js';

/** The note's prose, its lines joined: a sentence may wrap anywhere. */
const note = readFileSync(join(DOCS_DIR, 'live-view.md'), 'utf8').replace(/\s*\n\s*/g, ' ');

const MIB = 1024 * 1024;
const SECOND_MS = 1000;

describe('the numbers live-view.md gives', () => {
  it.for([
    { name: 'the retry hint', says: `\`retry: ${RETRY_MS}\`` },
    { name: 'the heartbeat', says: `every ${HEARTBEAT_MS / SECOND_MS} seconds` },
    { name: 'the ring, in events and bytes', says: `the last ${EVENT_RING_SIZE} events, up to ${EVENT_RING_BYTES / MIB} MiB` },
    { name: 'the flood window', says: `the first ${STREAM_BURST_FLUSHES} of those writes in each ${STREAM_WINDOW_MS} ms` },
    { name: 'what may wait for it', says: `or until ${STREAM_WINDOW_MAX_BYTES / MIB} MiB of it waits` },
  ])('$name', ({ says }) => {
    expect(note).toContain(says);
  });
});
