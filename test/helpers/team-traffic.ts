/**
 * The recorded traffic as several machines of a team send it, for the store's
 * tests: session ids differ between machines, so each machine's begin with its name;
 * a receiver's arguments to store as one machine; the hooks posted to a receiver; and a team
 * view's stream as a viewer follows it.
 */
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RunningServer } from '@hook-observatory/launcher';
import { loadAllTraffic, type RecordedRequest } from '@hook-observatory/conformance/traffic';
import { dispatcherFor, post } from './clients.js';

/** The recorded hooks as curl sent them over TCP, in order. */
export const TCP_TRAFFIC: readonly RecordedRequest[] = loadAllTraffic().filter(
  (request) => request.transport === 'tcp',
);

/** `traffic` as `machine` sends it: each session id's first letters replaced by the machine's name. */
export function trafficOf(
  machine: string,
  traffic: readonly RecordedRequest[] = TCP_TRAFFIC,
): RecordedRequest[] {
  return traffic.map((request) => {
    let payload: unknown;
    try {
      payload = JSON.parse(request.body.toString('utf8'));
    } catch {
      return request;
    }
    if (typeof payload !== 'object' || payload === null) return request;
    const record = payload as Record<string, unknown>;
    if (typeof record['session_id'] !== 'string') return request;
    const session = `${machine}${record['session_id'].slice(machine.length)}`;
    return { ...request, body: Buffer.from(JSON.stringify({ ...record, session_id: session })) };
  });
}

/** Post `requests` to `receiver` in order on one connection; each answer must be the hook's 200, database or not. */
export async function sendHooks(
  receiver: RunningServer,
  requests: readonly RecordedRequest[],
): Promise<void> {
  const dispatcher = dispatcherFor(receiver);
  try {
    for (const request of requests) {
      const answer = await post(receiver, request.url, request.body, dispatcher);
      expect(answer.status, `${request.event} answered`).toBe(200);
    }
  } finally {
    await dispatcher.close();
  }
}

/** Keep every day: the test clock's day (FIXED_TS) is long past the default retention. */
export const TEST_RETENTION_DAYS = 100_000;

/** A receiver's arguments to store into `database` as `machine`, spooling under `spoolRoot`. */
export function storeArgs(database: string, machine: string, spoolRoot: string): string[] {
  return [
    '--store',
    `postgres:///${database}`,
    '--store-machine',
    machine,
    '--store-spool',
    join(spoolRoot, machine),
    '--store-retention-days',
    String(TEST_RETENTION_DAYS),
  ];
}

/** The data of every event message a stream has sent so far, and its end. */
export interface Follower {
  readonly events: () => Array<Record<string, unknown>>;
  readonly stop: () => void;
}

/** GET /events with the token, as a viewer keeps it open. */
export function followStream(server: RunningServer, token: string): Follower {
  let text = '';
  const request = httpRequest(
    `${server.origin}/events`,
    { headers: { Authorization: `Bearer ${token}` } },
    (response) => {
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('error', () => {});
    },
  );
  request.on('error', () => {});
  request.end();
  return {
    events: () =>
      text
        .split('\n\n')
        // The last piece is a message still arriving (or nothing): only whole messages count.
        .slice(0, -1)
        .filter((message) => message.startsWith('id: '))
        .map((message) => /^data: (.*)$/m.exec(message)?.[1] ?? 'null')
        .map((data) => JSON.parse(data) as Record<string, unknown>),
    stop: () => request.destroy(),
  };
}
