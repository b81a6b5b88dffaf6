/**
 * Viewers of the live view (GET /events) under load never stall the hooks.
 * Each viewer is a cursor into the one ring (core/src/stream.ts): one that
 * stops reading holds one window and, when it reads again, is told what it
 * missed (a gap); ones that vanish mid-stream are forgotten; a viewer that
 * reads gets every event; and when many stalled viewers spend the budget all
 * viewers share, the furthest behind are cut off while every hook is answered.
 * Counts only, no clock.
 *
 * Minutes of load: the slow tier (vitest.config.ts).
 *
 * @module-tag slow
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VIEWER_WINDOW_BYTES } from '@hook-observatory/core/internal/stream';
import { VIEWERS_BUDGET_ENV } from '@hook-observatory/core/internal/test-overrides';
import { SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';
import { peakRss, sendLoad } from '../helpers/load.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const WATCH = 'GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n';
/** A viewer that reads everything (once `paused` is false) and keeps the stream's text. */
function viewer(
  port: number,
  paused = false,
): { socket: Socket; text: () => string; messages: () => number } {
  const socket = connect(port, '127.0.0.1', () => socket.write(WATCH));
  if (paused) socket.pause(); // reads nothing: the kernel's buffers fill, then the server's write stays in flight
  const chunks: string[] = [];
  let messages = 0;
  let carry = '';
  socket.on('data', (chunk: Buffer) => {
    const text = chunk.toString('latin1');
    chunks.push(text);
    messages += (carry + text).split('\nid: ').length - 1;
    carry = (carry + text).slice(-('\nid: '.length - 1));
  });
  socket.on('error', () => {});
  return { socket, text: () => chunks.join(''), messages: () => messages };
}

const cutOffLines = (stderr: string): number =>
  stderr.match(/disconnected: the viewers' \d+-byte budget was spent/g)?.length ?? 0;

const EVENTS = 20_000;
/** Clients sending at once, each with at most one request in flight. */
const CLIENTS = 16;
/** Viewers that connect and vanish while the load runs. */
const VANISHING = 20;
/** 4 KiB events: 20,000 of them are 80 MiB, ten times the ring. */
const bigBody = (id: number): string => JSON.stringify({ id, tool_response: 'r'.repeat(4096) });

/** Viewers that never read, against a budget of BUDGET_WINDOWS windows: most must be cut off. */
const STALLED = 40;
const BUDGET_WINDOWS = 8;
/** A full ring: 4096 events of about 1.6 KiB, within its 8 MiB. */
const RING_EVENTS = 4096;
const ringBody = (id: number): string => JSON.stringify({ id, tool_response: 'r'.repeat(1500) });
/** Hooks sent while the stalled viewers connect: every one must be answered. */
const PROBES = 400;

describe.each(SERVER_NAMES)('the %s server', (name) => {
  it('a viewer that stops reading holds its place and is told what it missed; vanished ones are forgotten; a reading one gets every event', async () => {
    server = await startServer(name, { env: { HOOK_OBSERVATORY_TEST_HEARTBEAT_MS: '0' } });
    const port = server.port;
    const stalled = viewer(port, true);
    const healthy = viewer(port);
    const vanishing = Array.from({ length: VANISHING }, () => viewer(port));
    // Each leaves once it has seen its first event: mid-stream, while the hooks keep coming.
    for (const one of vanishing) {
      one.socket.on('data', () => one.messages() > 0 && one.socket.destroy());
    }

    const result = await sendLoad(server, {
      total: EVENTS,
      keepAliveClients: CLIENTS / 2,
      perRequestClients: CLIENTS / 2,
      body: bigBody,
    });
    expect(result.ok).toHaveLength(EVENTS);
    expect(result.failed + result.otherStatus).toBe(0);

    await expect.poll(() => healthy.messages(), { timeout: 60_000 }).toBe(EVENTS);
    // The one that read nothing cost one window, not a copy of the 80 MiB sent.
    expect(peakRss(server.process.pid!)).toBeLessThan(400 * 1024 * 1024);
    stalled.socket.resume();
    // It reads again: the ring went round past it, and it is told so, then gets the newest events.
    await expect.poll(() => stalled.text().includes('event: gap'), { timeout: 60_000 }).toBe(true);
    await expect
      .poll(
        () =>
          stalled.text().includes(`"id":${EVENTS - 1},`) ||
          stalled.text().includes(`"id":${EVENTS - 1}}`),
        { timeout: 60_000 },
      )
      .toBe(true);
    // Nobody was cut off: the vanished ones left by themselves, and one stalled viewer is far within the budget.
    expect(cutOffLines(server.stderr())).toBe(0);
    stalled.socket.destroy();
    healthy.socket.destroy();
  }, 180_000);

  it(`${STALLED} viewers that never read, on a full ring, with a budget of ${BUDGET_WINDOWS} windows: those whose writes waited longest are cut off and every hook is answered`, async () => {
    server = await startServer(name, {
      env: {
        HOOK_OBSERVATORY_TEST_HEARTBEAT_MS: '0',
        [VIEWERS_BUDGET_ENV]: String(BUDGET_WINDOWS * VIEWER_WINDOW_BYTES),
      },
    });
    const port = server.port;
    const filled = await sendLoad(server, {
      total: RING_EVENTS,
      keepAliveClients: 4,
      perRequestClients: 0,
      body: ringBody,
    });
    expect(filled.ok).toHaveLength(RING_EVENTS);

    const stalled = Array.from({ length: STALLED }, () => viewer(port, true));
    const healthy = viewer(port);
    const probes = await sendLoad(server, {
      total: PROBES,
      keepAliveClients: 2,
      perRequestClients: 2,
      body: (id) => JSON.stringify({ probe: id }),
    });
    expect(probes.ok).toHaveLength(PROBES);
    expect(probes.failed + probes.otherStatus).toBe(0);

    // Each stalled viewer holds a write once the kernel's buffers are full: past the budget, the furthest behind go.
    await expect
      .poll(() => cutOffLines(server!.stderr()), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(STALLED - BUDGET_WINDOWS);
    // The reading one is never the furthest behind: it got the ring and every probe.
    await expect.poll(() => healthy.messages(), { timeout: 60_000 }).toBe(RING_EVENTS + PROBES);
    expect(healthy.socket.destroyed).toBe(false);
    for (const one of stalled) one.socket.destroy();
    healthy.socket.destroy();
  }, 180_000);
});
