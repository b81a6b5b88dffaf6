/**
 * The team's page (--view-store postgres://…) against a real PostgreSQL (a
 * throwaway cluster, test/helpers/postgres.ts): three receivers stand in for
 * three developers' machines and forward to one store; a server of each kind
 * started to view that store serves GET /events with every machine's events,
 * as they are stored, behind the page's guard and token, and the page in
 * Chromium lists every machine's sessions, each naming its machine.
 *
 * The views start once the first machine's rows are in, and the other two
 * machines send after that: their events can only reach the views through
 * LISTEN/NOTIFY, since a connected view reads nothing unless notified.
 *
 * @module-tag slow
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';
import { chromiumFlags, decideChromium } from '../helpers/chromium.js';
import { postgresForSuite, startCluster, type Cluster } from '../helpers/postgres.js';
import {
  followStream,
  sendHooks,
  TCP_TRAFFIC,
  storeArgs,
  trafficOf,
  type Follower,
} from '../helpers/team-traffic.js';

/** Rows reach the store, and the views, off the hook's path: a test waits for them up to this long. */
const ARRIVAL_WAIT_MS = 60_000;
const TOKEN = 'team-page-token';
const DATABASE = 'team';

const traffic = TCP_TRAFFIC;
const machines = ['ann', 'bob', 'cyd'] as const;
const bin = postgresForSuite();
const chromiumHere = decideChromium();
if (chromiumHere.kind === 'fail') throw new Error(chromiumHere.message);
if (chromiumHere.kind === 'skip') console.warn(`skipped: ${chromiumHere.message}`);

/** Outside a test (beforeAll), where expect.poll is not allowed: wait for `done`, or fail after ARRIVAL_WAIT_MS. */
async function waitUntil(done: () => boolean): Promise<void> {
  const deadline = Date.now() + ARRIVAL_WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('the views did not get the first machine in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ofMachine = (events: Array<Record<string, unknown>>, machine: string): unknown[] =>
  events.filter((event) => event['_machine'] === machine).map((event) => event['_event']);

describe.skipIf(bin === undefined)(
  'the team page: --view-store postgres://',
  { tags: ['slow'] },
  () => {
    let cluster: Cluster;
    let spoolRoot: string;
    const views = new Map<string, RunningServer>();
    const followers = new Map<string, Follower>();

    async function forward(machine: string, index: number): Promise<void> {
      const name = SERVER_NAMES[index % SERVER_NAMES.length] as (typeof SERVER_NAMES)[number];
      const receiver = await startServer(name, {
        args: storeArgs(DATABASE, machine, spoolRoot),
        env: cluster.env,
      });
      try {
        await sendHooks(receiver, trafficOf(machine));
      } finally {
        // Stopping waits for the spool to empty (STORE_CLOSE_GRACE_MS): the rows are in.
        await receiver.stop();
      }
    }

    beforeAll(async () => {
      cluster = await startCluster(bin as string);
      spoolRoot = mkdtempSync(join(tmpdir(), 'team-spool-'));
      const { execFileSync } = await import('node:child_process');
      execFileSync(join(bin as string, 'createdb'), [DATABASE], {
        env: { ...process.env, ...cluster.env },
      });
      await forward(machines[0], 0);
      for (const name of SERVER_NAMES) {
        const view = await startServer(name, {
          args: ['--view-store', `postgres:///${DATABASE}`],
          env: { ...cluster.env, HOOK_OBSERVATORY_TOKEN: TOKEN },
          fixedClock: false,
        });
        views.set(name, view);
        followers.set(name, followStream(view, TOKEN));
      }
      for (const name of SERVER_NAMES) {
        const follower = followers.get(name) as Follower;
        await waitUntil(() => follower.events().length >= traffic.length).catch((error) => {
          throw new Error(
            `${(error as Error).message}; ${name} said: ${views.get(name)?.stderr()}`,
          );
        });
        expect(follower.events()).toHaveLength(traffic.length);
      }
      await forward(machines[1], 1);
      await forward(machines[2], 2);
    }, 4 * ARRIVAL_WAIT_MS);
    afterAll(async () => {
      for (const follower of followers.values()) follower.stop();
      for (const view of views.values()) await view.stop();
      cluster?.remove();
      if (spoolRoot !== undefined) rmSync(spoolRoot, { recursive: true, force: true });
    });

    it.each(SERVER_NAMES)(
      "%s: GET /events has every machine's events, each machine's in its order",
      async (name) => {
        const follower = followers.get(name) as Follower;
        await expect
          .poll(() => follower.events().length, { timeout: ARRIVAL_WAIT_MS })
          .toBe(machines.length * traffic.length);
        for (const machine of machines) {
          expect(ofMachine(follower.events(), machine)).toEqual(traffic.map((r) => r.event));
        }
      },
    );

    it('both servers stream the same events and serve the same page', async () => {
      const [http, net] = SERVER_NAMES.map((name) => followers.get(name) as Follower);
      const sorted = (follower: Follower): string[] =>
        follower
          .events()
          .map((event) => JSON.stringify(event))
          .sort();
      await expect
        .poll(() => (net as Follower).events().length, { timeout: ARRIVAL_WAIT_MS })
        .toBe(machines.length * traffic.length);
      expect(sorted(net as Follower)).toEqual(sorted(http as Follower));
      const [httpPage, netPage] = await Promise.all(
        SERVER_NAMES.map(async (name) => {
          const answer = await fetch(`${(views.get(name) as RunningServer).origin}/`);
          return { status: answer.status, body: await answer.text() };
        }),
      );
      expect(httpPage?.status).toBe(200);
      expect(netPage).toEqual(httpPage);
    });

    it.each(
      SERVER_NAMES.flatMap((name) => [
        { name, what: 'a hook', method: 'POST', path: '/hook?event=Stop', auth: true, status: 404 },
        {
          name,
          what: 'the stream without the token',
          method: 'GET',
          path: '/events',
          auth: false,
          status: 401,
        },
      ]),
    )('$name refuses $what with $status', async ({ name, method, path, auth, status }) => {
      const view = views.get(name) as RunningServer;
      const headers: Record<string, string> = auth ? { Authorization: `Bearer ${TOKEN}` } : {};
      const answer = await fetch(`${view.origin}${path}`, {
        method,
        headers: { ...headers, 'Content-Type': 'application/json' },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      await answer.body?.cancel();
      expect(answer.status).toBe(status);
    });

    it.skipIf(chromiumHere.kind !== 'run')(
      "the page in Chromium lists every machine's sessions, each naming its machine",
      async () => {
        const browser = await chromium.launch({
          executablePath: chromiumHere.kind === 'run' ? chromiumHere.path : undefined,
          args: chromiumFlags(),
        });
        try {
          const page = await browser.newPage();
          await page.goto(`${(views.get('net') as RunningServer).origin}/#token=${TOKEN}`);
          const named = async (): Promise<string[]> =>
            [
              ...new Set(await page.locator('#sessions .session .machine').allTextContents()),
            ].sort();
          await expect.poll(named, { timeout: ARRIVAL_WAIT_MS }).toEqual([...machines]);
          for (const machine of machines) {
            const first = page.locator(`#sessions > li[data-session^="${machine}"]`).first();
            await expect.poll(() => first.locator('.machine').textContent()).toBe(machine);
          }
        } finally {
          await browser.close();
        }
      },
    );
  },
);
