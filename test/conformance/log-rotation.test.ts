/**
 * --log after a burst: hooks that arrive together (pipelined in one write, so
 * the net server commits them in one loop turn) leave the same FILE and the
 * same rotated files, byte for byte, in both servers. Rotation is decided per
 * line (core/log-file.ts), not per write; the net server used to rotate only
 * between turns, so its FILE passed --log-max-bytes.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rotatedFiles } from '@hook-observatory/core/vocabulary';
import { SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';
import { tempDirs } from '../helpers/temp-dirs.js';

const temp = tempDirs('log-rotation-');
const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
  temp.removeAll();
});

/** Enough files that none is pruned: every rotated file is compared. */
const MANY_FILES = '1000';

function hook(id: number, padBytes: number): string {
  const body = JSON.stringify({ id, pad: 'p'.repeat(padBytes) });
  return `POST /hook?event=Burst HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

/** Send `requests` in one write on one connection; resolves once every one is answered 200. */
function burst(server: RunningServer, requests: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if ((received.match(/HTTP\/1\.1 200 /g) ?? []).length === requests.length) {
        socket.destroy();
        resolve();
      }
    });
    socket.on('error', reject);
    socket.write(requests.join(''));
  });
}

/** FILE's rotated files, oldest first, then FILE: the contents only (the names hold the time). */
function logContents(path: string): string[] {
  return [...rotatedFiles(path), path].map((file) => readFileSync(file, 'utf8'));
}

const cases = [
  { name: 'even-events-a-few-to-a-file', events: 60, maxBytes: '2K', pad: () => 200 },
  { name: 'uneven-events', events: 80, maxBytes: '3K', pad: (id: number) => (id * 613) % 1500 },
  {
    name: 'events-longer-than-the-limit',
    events: 20,
    maxBytes: '1K',
    pad: (id: number) => (id % 3) * 900,
  },
];

describe('--log rotation after a burst of hooks', () => {
  it.each(cases)('$name: both servers write the same files', async ({ events, maxBytes, pad }) => {
    const requests = Array.from({ length: events }, (_, id) => hook(id, pad(id)));
    const logs: Record<string, string[]> = {};
    for (const name of SERVER_NAMES) {
      const path = join(temp.make(), 'hooks.jsonl');
      const server = await startServer(name, {
        args: ['--log', path, '--log-max-bytes', maxBytes, '--log-max-files', MANY_FILES],
      });
      running.push(server);
      await burst(server, requests);
      await server.waitForLines(events);
      logs[name] = logContents(path);
    }
    const [first, ...others] = SERVER_NAMES;
    expect(logs[first!]!.join('').split('\n')).toHaveLength(events + 1);
    expect(logs[first!]!.length).toBeGreaterThan(2);
    for (const other of others) {
      expect(logs[other], `${other} against ${first}`).toEqual(logs[first!]);
    }
  });
});
