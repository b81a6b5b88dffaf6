/**
 * A large body while other hooks arrive (issue 25: an 11 MB body of a million
 * keys held every other hook for seconds). The body is recorded whole, and
 * the hooks sent one after another while it is sent and recorded are each
 * answered and recorded once, in the order they were sent. How long anything
 * took is not asserted: `pnpm bench --adversity --only "11 MB"` measures that.
 *
 * Slow tier: each case moves tens of MB through both servers and reads them
 * back, work a parallel `pnpm test` on 2 cores does not need beside it.
 *
 * @module-tag slow
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'undici';
import { hookStatus } from '../helpers/clients.js';
import { TOO_MANY_MEMBERS_ERROR } from '@hook-observatory/core/internal/json-shape';
import {
  OUTPUT_WAIT_TIMEOUT_MS,
  SERVER_NAMES,
  startServer,
  type RunningServer,
} from '@hook-observatory/launcher';

/** The adversity bench's body: about 11 MB, `{"k0":0,"k1":1,…}`, kept unparsed in `_raw`. */
const MILLION_KEYS = `{${Array.from({ length: 1_000_000 }, (_, key) => `"k${key}":${key % 10}`).join(',')}}`;
/** A Write's content of the same size: an object of a few members, its line reusing the body's bytes. */
const LONG_CONTENT = 'line of a large file\\n'.repeat(500_000);
const LONG_STRING = `{"hook_event_name":"PostToolUse","tool_input":{"content":"${LONG_CONTENT}"}}`;
/** Ordinary hooks sent at least, one after another; more while the big body is still unanswered. */
const HOOKS_AT_LEAST = 20;
/** How often the events file is read again while lines are awaited: each read is tens of MB. */
const POLL_INTERVAL_MS = 250;

interface BigBodyCase {
  readonly name: string;
  readonly body: string;
  /** What the big body's record must hold for the body to have been recorded whole. */
  readonly whole: (record: Record<string, unknown>) => unknown;
  readonly expected: unknown;
}

const CASES: readonly BigBodyCase[] = [
  {
    name: 'a-million-keys-is-kept-whole-in-raw',
    body: MILLION_KEYS,
    whole: (record) => [record['_error'], record['_raw'] === MILLION_KEYS],
    expected: [TOO_MANY_MEMBERS_ERROR, true],
  },
  {
    name: 'a-long-string-is-kept-whole-in-its-member',
    body: LONG_STRING,
    whole: (record) =>
      (record['tool_input'] as { content?: unknown } | undefined)?.content ===
      JSON.parse(`"${LONG_CONTENT}"`),
    expected: true,
  },
];

/** The events file's lines once it holds `count`. */
async function linesOf(path: string, count: number): Promise<string[]> {
  const lines = (): string[] => readFileSync(path, 'utf8').split('\n').slice(0, -1);
  await expect
    .poll(() => lines().length, { timeout: OUTPUT_WAIT_TIMEOUT_MS, interval: POLL_INTERVAL_MS })
    .toBeGreaterThanOrEqual(count);
  return lines();
}

describe.each(SERVER_NAMES)(
  'the %s server, hooks sent meanwhile answered and recorded in order',
  (name) => {
    let server: RunningServer;
    let dir: string;
    let eventsFile: string;
    let linesSoFar = 0;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hook-observatory-big-body-'));
      eventsFile = join(dir, 'events.jsonl');
      // Standard output into a file: kept in the test's memory, tens of MB are joined again at every read.
      const fd = openSync(eventsFile, 'w');
      try {
        server = await startServer(name, { stdout: fd });
      } finally {
        closeSync(fd);
      }
    });
    afterAll(async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it.each(CASES)('$name', async ({ name: caseName, body, whole, expected }) => {
      // Connections of this case's own: one left idle while the last case's lines were read may be
      // closed by the server's keep-alive timeout just as its next request is sent.
      const big = new Client(server.origin);
      const ordinary = new Client(server.origin);
      let bigAnswered = false;
      const bigStatus = hookStatus(big, `Big-${caseName}`, body).finally(
        () => (bigAnswered = true),
      );
      const events: string[] = [];
      const statuses: number[] = [];
      try {
        while (events.length < HOOKS_AT_LEAST || !bigAnswered) {
          const event = `During-${caseName}-${events.length}`;
          events.push(event);
          statuses.push(await hookStatus(ordinary, event, `{"n":${events.length}}`));
        }
      } finally {
        await bigStatus.catch(() => undefined);
        await Promise.all([big.close(), ordinary.close()]);
      }
      expect(await bigStatus).toBe(200);
      expect(statuses.every((status) => status === 200)).toBe(true);

      linesSoFar += 1 + events.length;
      const records = (await linesOf(eventsFile, linesSoFar))
        .slice(linesSoFar - 1 - events.length)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const bigRecords = records.filter((record) => record['_event'] === `Big-${caseName}`);
      expect(bigRecords).toHaveLength(1);
      expect(whole(bigRecords[0] as Record<string, unknown>)).toEqual(expected);
      expect(
        records.map((record) => record['_event']).filter((event) => event !== `Big-${caseName}`),
      ).toEqual(events);
      expect(server.process.exitCode).toBeNull();
    });
  },
);
