/**
 * Viewers of the live view (GET /events) under load never stall the hooks: one
 * that stops reading is cut off under the output-socket reader's limits, ones
 * that vanish mid-stream are forgotten, and a viewer that reads gets every
 * event. Counts only, no clock.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { READER_HARD_LIMIT_BYTES, STREAM_WINDOW_MAX_BYTES } from '@hook-observatory/core';
import { SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';
import { peakRss, sendLoad } from '../helpers/load.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const WATCH = 'GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n';
/** A viewer that reads everything and counts the event messages (each starts with its `id:` line). */
function countingViewer(port: number): { socket: Socket; messages: () => number } {
  const socket = connect(port, '127.0.0.1', () => socket.write(WATCH));
  let messages = 0;
  let carry = '';
  socket.on('data', (chunk: Buffer) => {
    const text = carry + chunk.toString('latin1');
    messages += text.split('\nid: ').length - 1;
    carry = text.slice(-('\nid: '.length - 1));
  });
  return { socket, messages: () => messages };
}

const EVENTS = 20_000;
/** Clients sending at once, each with at most one request in flight. */
const CLIENTS = 16;
/** Viewers that connect and vanish while the load runs. */
const VANISHING = 20;
/** 4 KiB events: 20,000 of them are 80 MiB, well past a viewer's hard limit. */
const bigBody = (id: number): string => JSON.stringify({ id, tool_response: 'r'.repeat(4096) });
/** A bigBody's message: the event line, its id and event fields, and the chunk framing. */
const MESSAGE_MAX_BYTES = 8192;

describe.each(SERVER_NAMES)('the %s server', (name) => {
  it('a viewer that never reads is cut off, vanished ones are forgotten, and a reading one gets every event', async () => {
    server = await startServer(name, { env: { HOOK_OBSERVATORY_TEST_HEARTBEAT_MS: '0' } });
    const port = server.port;
    const stalled = connect(port, '127.0.0.1', () => stalled.write(WATCH));
    stalled.pause(); // reads nothing: the kernel buffers fill, then the server's queue grows
    const healthy = countingViewer(port);
    const vanishing = Array.from({ length: VANISHING }, () => countingViewer(port));
    // Each leaves once it has seen its first event: mid-stream, while the hooks keep coming.
    for (const viewer of vanishing) viewer.socket.on('data', () => viewer.messages() > 0 && viewer.socket.destroy());

    const result = await sendLoad(server, { total: EVENTS, keepAliveClients: CLIENTS / 2, perRequestClients: CLIENTS / 2, body: bigBody });
    expect(result.ok).toHaveLength(EVENTS);
    expect(result.failed + result.otherStatus).toBe(0);

    await expect.poll(() => healthy.messages(), { timeout: 60_000 }).toBe(EVENTS);
    const cutOff = /event stream: viewer #1 disconnected: it read too slowly \((\d+) bytes unsent/.exec(server.stderr());
    expect(cutOff, server.stderr()).not.toBeNull();
    // The queue was bounded by the hard limit plus one flush (what may wait for the window, then one turn's messages), not by the 80 MiB sent.
    expect(Number(cutOff![1])).toBeLessThanOrEqual(READER_HARD_LIMIT_BYTES + STREAM_WINDOW_MAX_BYTES + CLIENTS * MESSAGE_MAX_BYTES);
    expect(peakRss(server.process.pid!)).toBeLessThan(400 * 1024 * 1024);
    // Only the one that read too slowly was cut off: the vanished ones left by themselves.
    expect(server.stderr().match(/disconnected: it read too slowly/g)).toHaveLength(1);
    stalled.destroy();
    healthy.socket.destroy();
  }, 180_000);
});
