/**
 * Bounded load on loopback or a Unix socket: a fixed number of requests, spread
 * over concurrent clients, some reusing one keep-alive connection (as Claude
 * Code's native hooks do), some opening a connection per request (as curl does).
 */
import { readFileSync } from 'node:fs';
import { Client } from 'undici';
import type { RunningServer } from '@hook-observatory/launcher';

export interface LoadOptions {
  readonly total: number;
  readonly keepAliveClients: number;
  readonly perRequestClients: number;
  /** The body of request number `id` (unique ids let the stream be checked for loss and duplicates). */
  readonly body: (id: number) => string;
  /** Stop sending when this returns true (checked before each request). */
  readonly stop?: () => boolean;
}

export interface LoadResult {
  readonly ok: number[];
  readonly failed: number;
  readonly otherStatus: number;
}

function newClient(server: RunningServer): Client {
  return server.transport === 'unix'
    ? new Client('http://localhost', { socketPath: server.socketPath })
    : new Client(server.origin);
}

export async function sendLoad(server: RunningServer, options: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const ok: number[] = [];
  let failed = 0;
  let otherStatus = 0;
  const worker = async (keepAlive: boolean): Promise<void> => {
    let client = newClient(server);
    try {
      while (next < options.total && !(options.stop?.() ?? false)) {
        const id = next++;
        try {
          const response = await client.request({
            method: 'POST',
            path: '/hook?event=Load',
            headers: { 'content-type': 'application/json' },
            body: options.body(id),
            // A connection per request, as curl: undici closes it after the answer.
            reset: !keepAlive,
          });
          await response.body.dump();
          if (response.statusCode === 200) ok.push(id);
          else otherStatus++;
        } catch {
          failed++;
          await client.close().catch(() => {});
          client = newClient(server);
        }
      }
    } finally {
      await client.close().catch(() => {});
    }
  };
  await Promise.all([
    ...Array.from({ length: options.keepAliveClients }, () => worker(true)),
    ...Array.from({ length: options.perRequestClients }, () => worker(false)),
  ]);
  return { ok, failed, otherStatus };
}

/** Peak resident memory of a process so far, in bytes (Linux /proc, VmHWM). */
export function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  if (match === null) throw new Error('no VmHWM in /proc status');
  return Number(match[1]) * 1024;
}
