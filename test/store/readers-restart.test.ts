/**
 * The store's live readers across a database restart, against a real
 * PostgreSQL (a throwaway cluster, test/helpers/postgres.ts): `query --store
 * --watch --json` and a team view of each server kind (--view-store, GET
 * /events) follow the store while two receivers store into it; the database is
 * stopped as an operator does (`pg_ctl stop -m fast`) in the middle of the
 * stream, the receivers take more hooks while it is down (their spools keep
 * them), it is started again, and more are stored. Each reader says once that
 * the store was lost and once that it is back, and ends up with every stored
 * event exactly once, each machine's in its order.
 *
 * No sleeps: each step waits for what it needs (rows in the table, a reader's
 * line), and the last hook stored is a marker that every reader must reach,
 * so that a duplicate read before it is seen.
 *
 * @module-tag slow
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';
import { STORE_TABLE } from '@hook-observatory/core/internal/store-schema';
import {
  freshDatabase,
  postgresForSuite,
  startCluster,
  withClient,
  type Cluster,
} from '../helpers/postgres.js';
import {
  followStream,
  sendHooks,
  TCP_TRAFFIC,
  storeArgs,
  trafficOf,
  type Follower,
} from '../helpers/team-traffic.js';

const QUERY = join(ROOT, 'packages/query/bin/hook-observatory-query.js');
/** Rows reach the store, and the readers, off the hook's path, and a reader retries once a second: up to this long. */
const ARRIVAL_WAIT_MS = 60_000;
const TOKEN = 'readers-restart-token';

const traffic = TCP_TRAFFIC;
const bin = postgresForSuite();

/** What every reader reads as an event: the stored record with its machine. */
type Event = Record<string, unknown>;

interface Reader {
  readonly name: string;
  readonly events: () => Event[];
  readonly stderr: () => string;
}

/** `query --store --watch --json`, as a user leaves it running. */
function watchQuery(url: string, env: Record<string, string>): ChildProcess & Reader {
  const child = spawn(process.execPath, [QUERY, '--store', url, '--watch', '--json'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  return Object.assign(child, {
    name: 'query --watch',
    events: () =>
      out
        .split('\n')
        // The last piece is a line still arriving (or nothing): only whole lines count.
        .slice(0, -1)
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Event),
    stderr: () => err,
  });
}

const ofMachine = (events: readonly Event[], machine: string): Event[] =>
  events.filter((event) => event['_machine'] === machine);

/** How many lines of `text` match `pattern`. */
const count = (text: string, pattern: RegExp): number =>
  text.split('\n').filter((line) => pattern.test(line)).length;

describe.skipIf(bin === undefined)(
  'the live readers across a database restart',
  { tags: ['slow'] },
  () => {
    let cluster: Cluster;
    let spoolRoot: string;
    let database: string;
    const receivers = new Map<string, RunningServer>();
    const views: RunningServer[] = [];
    const followers: Follower[] = [];
    let query: (ChildProcess & Reader) | undefined;
    const readers: Reader[] = [];

    /** `machine`'s rows as the table has them, in its order, as a reader shows them. */
    async function storedOf(machine: string): Promise<Event[]> {
      return withClient(cluster, database, async (client) => {
        const { rows } = await client.query<{ record: Event }>(
          `SELECT record FROM ${STORE_TABLE} WHERE machine = $1 ORDER BY seq`,
          [machine],
        );
        return rows.map(({ record }) => ({ _machine: machine, ...record }));
      });
    }

    async function waitForRows(machine: string, rows: number): Promise<void> {
      await expect
        .poll(() => storedOf(machine).then((stored) => stored.length), {
          timeout: ARRIVAL_WAIT_MS,
        })
        .toBe(rows);
    }

    /** Post `machine`'s requests to its receiver; each is answered 200, database or not. */
    async function send(machine: string, from: number, to: number): Promise<void> {
      await sendHooks(receivers.get(machine) as RunningServer, trafficOf(machine).slice(from, to));
    }

    beforeAll(async () => {
      cluster = await startCluster(bin as string);
      spoolRoot = mkdtempSync(join(tmpdir(), 'readers-spool-'));
      database = await freshDatabase(cluster, 'readers');
      for (const [index, machine] of ['ann', 'bob'].entries()) {
        const name = SERVER_NAMES[index % SERVER_NAMES.length] as (typeof SERVER_NAMES)[number];
        receivers.set(
          machine,
          await startServer(name, {
            args: storeArgs(database, machine, spoolRoot),
            env: cluster.env,
          }),
        );
      }
    }, ARRIVAL_WAIT_MS);
    afterAll(async () => {
      query?.kill();
      for (const follower of followers) follower.stop();
      for (const server of [...views, ...receivers.values()]) await server.stop();
      cluster?.remove();
      if (spoolRoot !== undefined) rmSync(spoolRoot, { recursive: true, force: true });
    });

    it(
      'every reader says the store was lost and is back, and has every event once, in order',
      async () => {
        const third = Math.floor(traffic.length / 3);
        const half = Math.floor(traffic.length / 2);
        const url = `postgres:///${database}`;
        await send('ann', 0, third);
        await waitForRows('ann', third);

        query = watchQuery(url, cluster.env);
        readers.push(query);
        for (const name of SERVER_NAMES) {
          const view = await startServer(name, {
            args: ['--view-store', url],
            env: { ...cluster.env, HOOK_OBSERVATORY_TOKEN: TOKEN },
            fixedClock: false,
          });
          views.push(view);
          const follower = followStream(view, TOKEN);
          followers.push(follower);
          readers.push({ name, events: follower.events, stderr: view.stderr });
        }
        for (const reader of readers) {
          await expect.poll(() => reader.events().length, { timeout: ARRIVAL_WAIT_MS }).toBe(third);
        }

        cluster.stop('fast');
        const lost = /cannot read the store/;
        for (const reader of readers) {
          await expect
            .poll(() => count(reader.stderr(), lost), { timeout: ARRIVAL_WAIT_MS })
            .toBe(1);
        }
        // The database is down: the receivers answer, and their spools keep the events.
        await send('ann', third, 2 * third);
        await send('bob', 0, half);
        cluster.start();
        await send('ann', 2 * third, traffic.length);
        await send('bob', half, traffic.length);
        await waitForRows('bob', traffic.length);
        await waitForRows('ann', traffic.length);
        // The marker: stored after every other row, so a reader that has it has read them all.
        await send('ann', 0, 1);
        await waitForRows('ann', traffic.length + 1);

        const expected = { ann: await storedOf('ann'), bob: await storedOf('bob') };
        const back = /the store answers again/;
        for (const reader of readers) {
          await expect
            .poll(() => ofMachine(reader.events(), 'ann').length, { timeout: ARRIVAL_WAIT_MS })
            .toBeGreaterThanOrEqual(expected.ann.length);
          for (const [machine, events] of Object.entries(expected)) {
            expect(ofMachine(reader.events(), machine), `${reader.name}: ${machine}`).toEqual(
              events,
            );
          }
          expect(reader.events(), reader.name).toHaveLength(
            expected.ann.length + expected.bob.length,
          );
          // stderr is a pipe of its own: its lines may be read after the stream's.
          await expect
            .poll(() => [count(reader.stderr(), lost), count(reader.stderr(), back)], {
              timeout: ARRIVAL_WAIT_MS,
            })
            .toEqual([1, 1]);
        }
      },
      8 * ARRIVAL_WAIT_MS,
    );
  },
);
