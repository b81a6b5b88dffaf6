/**
 * Cutting off costs the hooks nothing (issue 25, item 4): many output-socket
 * readers that never read are cut at their hard limit at once, in the same
 * write, while hooks keep coming; every one of those hooks is answered and
 * recorded, and every cut is said on standard error. How long the hooks wait
 * while it happens is the adversity benchmark's to show (test/bench/README.md),
 * not a test's.
 *
 * Tens of megabytes through each server: the slow tier (vitest.config.ts).
 *
 * @module-tag slow
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { READER_HARD_LIMIT_BYTES } from '@hook-observatory/core/internal/sinks';
import { SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';

/** The readers, all cut by the same event: each gets every event and reads none. */
const READERS = 55;
/** The pump: bodies of 256 KiB, so that a reader passes its hard limit in about 130 hooks. */
const PUMP_BODY = JSON.stringify({ pump: 'x'.repeat(256 * 1024) });
const PUMP_CONNECTIONS = 4;
/** More pump hooks than the cut can need (the hard limit, the kernel's buffers, what is in flight): a bound, never reached. */
const PUMP_MAX_HOOKS = 4 * Math.ceil(READER_HARD_LIMIT_BYTES / PUMP_BODY.length);
/** Hooks sent after the last cut is said: the server still answers and records them. */
const PROBES_AFTER_CUT = 20;

const dirs: string[] = [];
let server: RunningServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.stop();
  server = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** One hook on a new connection, as a curl hook sends it; its status, or 0 when the connection failed. */
function hook(port: number, event: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    let head = '';
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        `POST /hook?event=${event} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      ),
    );
    const finish = (status: number): void => {
      socket.destroy();
      resolve(status);
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      head += chunk;
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      if (status !== null) finish(Number(status[1]));
    });
    socket.on('error', () => finish(0));
    socket.on('close', () => finish(0));
  });
}

const cutLines = (stderr: string): string[] =>
  stderr.split('\n').filter((line) => line.includes('read too slowly'));

describe.each(SERVER_NAMES)('the %s server', (name) => {
  it('readers-cut-at-once-leave-every-hook-answered-and-recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readers-cut-'));
    dirs.push(dir);
    const outputPath = join(dir, 'out.sock');
    const eventsPath = join(dir, 'events.jsonl');
    const eventsFd = openSync(eventsPath, 'a');
    try {
      server = await startServer(name, {
        args: ['--output-socket', outputPath, '--tee'],
        stdout: eventsFd,
      });
    } finally {
      closeSync(eventsFd);
    }
    const running = server;
    const closed: Promise<void>[] = [];
    for (let index = 0; index < READERS; index++) {
      const reader = connect(outputPath).pause();
      reader.on('error', () => {});
      closed.push(new Promise((resolve) => reader.once('close', () => resolve())));
      sockets.push(reader);
    }
    await running.waitForStderr(new RegExp(`\\(${READERS} now\\)`));

    const allCut = (): boolean => cutLines(running.stderr()).length >= READERS;
    let pumped = 0;
    const pumpStatuses: number[] = [];
    const pump = async (): Promise<void> => {
      while (!allCut() && pumped < PUMP_MAX_HOOKS) {
        pumped++;
        pumpStatuses.push(await hook(running.port, 'Pump', PUMP_BODY));
      }
    };
    // Probes one after another, from before the first cut to PROBES_AFTER_CUT past the last.
    const probeStatuses: number[] = [];
    const probe = async (): Promise<void> => {
      let after = 0;
      while (after < PROBES_AFTER_CUT) {
        if (allCut() || pumped >= PUMP_MAX_HOOKS) after++;
        const id = probeStatuses.length;
        probeStatuses.push(await hook(running.port, 'Probe', JSON.stringify({ probe: id })));
      }
    };
    await Promise.all([probe(), ...Array.from({ length: PUMP_CONNECTIONS }, pump)]);

    const stderr = running.stderr();
    const cuts = cutLines(stderr);
    expect(cuts, stderr).toHaveLength(READERS);
    expect(new Set(cuts.map((line) => /reader #(\d+)/.exec(line)?.[1])).size).toBe(READERS);
    // A paused socket does not see its end: read what the kernel holds, then the close comes.
    for (const reader of sockets) reader.resume();
    await Promise.all(closed);
    expect(pumpStatuses.filter((status) => status !== 200)).toEqual([]);
    expect(probeStatuses.filter((status) => status !== 200)).toEqual([]);

    await running.stop();
    server = undefined;
    const recorded = new Set<number>();
    let pumps = 0;
    for (const line of readFileSync(eventsPath, 'utf8').split('\n').slice(0, -1)) {
      const event = JSON.parse(line) as { _event: string; probe?: number };
      if (event._event === 'Probe') recorded.add(event.probe as number);
      else pumps++;
    }
    expect(recorded.size).toBe(probeStatuses.length);
    expect(pumps).toBe(pumpStatuses.length);
  }, 180_000);
});
