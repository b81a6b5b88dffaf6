/**
 * `pnpm bench --store [--quick]` (and the end of `pnpm bench`): the team
 * store (issue 29) on a throwaway cluster of Debian's PostgreSQL, started as
 * the tests start theirs (packages/launcher/src/postgres.ts).
 *
 * 1. Intake: events per second one PostgreSQL takes from RECEIVERS receivers
 *    at once. Each receiver first takes its hooks with the database stopped
 *    (they wait in its spool), then the database starts and every receiver
 *    drains its spool into it at once: the time from the database's start to
 *    the last row is PostgreSQL's, not the hooks'. The live figure (database
 *    up all along, the hooks sent as fast as the receivers answer) is given too.
 * 2. The hook's path: the latency of one hook after another over one
 *    keep-alive connection, with the store off, on, slow (a proxy that holds
 *    every packet to and from the database SLOW_DELAY_MS) and down (nothing
 *    listens where the URL points). The hook's 200 never waits for the
 *    database, so the four should read alike.
 *
 * Without PostgreSQL the section is skipped with the install line, as the
 * tests skip theirs; with CI_REQUIRE_POSTGRES=1 that is an error.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Agent, request } from 'undici';
import {
  decidePostgres,
  SERVER_NAMES,
  startCluster,
  startServer,
  type Cluster,
  type RunningServer,
} from '@hook-observatory/launcher';
import { requestMix, type BenchRequest } from './workload.js';

export interface StorePlan {
  /** Receivers forwarding to the one database at once. */
  readonly receivers: number;
  /** Hooks each receiver takes, for the intake figures. */
  readonly hooksPerReceiver: number;
  /** Hooks timed one after another, for each latency row (after WARM_UP_HOOKS). */
  readonly latencyHooks: number;
}

/** Four receivers on a 2-core machine: already more processes than cores, as fifty on one database would be. */
export const FULL_STORE_PLAN: StorePlan = {
  receivers: 4,
  hooksPerReceiver: 5_000,
  latencyHooks: 1_000,
};
/** Seconds, for CI: proves every part runs, its figures are not judged. */
export const QUICK_STORE_PLAN: StorePlan = {
  receivers: 2,
  hooksPerReceiver: 1_000,
  latencyHooks: 200,
};
/** Hooks sent before the timed ones: the server's and the connection's start are not the hook's path. */
const WARM_UP_HOOKS = 100;
/** Hooks in flight per receiver for the intake: Claude Code's parallel hooks, and a few sessions. */
const INTAKE_CONCURRENCY = 16;
/** What "slow" means: every packet to and from the database held this long, a far-away or overloaded one. */
export const SLOW_DELAY_MS = 200;
/** How long the intake may take before the bench gives up on the rows. */
const ROWS_TIMEOUT_MS = 600_000;
const ROWS_POLL_MS = 50;
const DATABASE = 'bench';

type Condition = 'off' | 'on' | 'slow' | 'down';
const CONDITIONS: readonly Condition[] = ['off', 'on', 'slow', 'down'];

interface LatencyRow {
  readonly condition: Condition;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface StoreResult {
  readonly plan: StorePlan;
  readonly postgres: string;
  /** Events a second from the database's start to the last row, the receivers draining their spools at once. */
  readonly drainEventsPerSecond: number;
  /** Events a second from the first hook to the last row, the database up all along. */
  readonly liveEventsPerSecond: number;
  readonly latency: readonly LatencyRow[];
}

/** Post `hooks` in order over `connections` keep-alive connections; each answer must be the hook's 200. */
async function sendHooks(
  server: RunningServer,
  hooks: readonly BenchRequest[],
  connections: number,
  onAnswer?: (ms: number) => void,
): Promise<void> {
  const dispatcher = new Agent({ connections, pipelining: 1 });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < hooks.length) {
      const hook = hooks[next++] as BenchRequest;
      const started = performance.now();
      const answer = await request(`${server.origin}${hook.path}`, {
        method: 'POST',
        headers: hook.headers,
        body: hook.body,
        dispatcher,
      });
      await answer.body.dump();
      onAnswer?.(performance.now() - started);
      if (answer.statusCode !== 200) throw new Error(`a hook was answered ${answer.statusCode}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    await dispatcher.close();
  }
}

/** The nearest-rank percentile of `sorted` (ascending). */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** `count` hooks from the recorded mix, round and round. */
function hooksOf(count: number): BenchRequest[] {
  const mix = requestMix('native');
  return Array.from({ length: count }, (_, index) => mix[index % mix.length] as BenchRequest);
}

async function rowCount(cluster: Cluster): Promise<number> {
  const client = new pg.Client({
    host: cluster.env['PGHOST'],
    port: Number(cluster.env['PGPORT']),
    user: cluster.env['PGUSER'],
    database: DATABASE,
  });
  try {
    await client.connect();
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM hook_events');
    return Number(rows[0]?.n ?? 0);
  } catch {
    return 0;
  } finally {
    await client.end().catch(() => {});
  }
}

async function waitForRows(cluster: Cluster, count: number): Promise<void> {
  const deadline = Date.now() + ROWS_TIMEOUT_MS;
  while ((await rowCount(cluster)) < count) {
    if (Date.now() > deadline) {
      throw new Error(`fewer than ${count} rows after ${ROWS_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, ROWS_POLL_MS));
  }
}

/** A receiver of each kind in turn, storing as `machine`, its events to /dev/null. */
async function storingReceiver(
  index: number,
  url: string,
  machine: string,
  spoolRoot: string,
): Promise<RunningServer> {
  const devNull = openSync('/dev/null', 'w');
  try {
    return await startServer(
      SERVER_NAMES[index % SERVER_NAMES.length] as (typeof SERVER_NAMES)[number],
      {
        fixedClock: false,
        stdout: devNull,
        args: [
          '--store',
          url,
          '--store-machine',
          machine,
          '--store-spool',
          join(spoolRoot, machine),
        ],
      },
    );
  } finally {
    closeSync(devNull);
  }
}

/** The intake, twice: spools drained into a database that starts, and hooks stored as they come. */
async function intake(
  cluster: Cluster,
  plan: StorePlan,
  spoolRoot: string,
  log: (line: string) => void,
): Promise<{ drain: number; live: number }> {
  const total = plan.receivers * plan.hooksPerReceiver;
  const hooks = hooksOf(plan.hooksPerReceiver);
  const url = `postgres:///${DATABASE}`;
  const run = async (label: string, databaseDown: boolean): Promise<number> => {
    const before = await rowCount(cluster);
    if (databaseDown) cluster.stop();
    const receivers: RunningServer[] = [];
    try {
      for (let index = 0; index < plan.receivers; index++) {
        receivers.push(await storingReceiver(index, url, `${label}-${index}`, spoolRoot));
      }
      let started = performance.now();
      await Promise.all(receivers.map((each) => sendHooks(each, hooks, INTAKE_CONCURRENCY)));
      if (databaseDown) {
        cluster.start();
        started = performance.now();
      }
      await waitForRows(cluster, before + total);
      const seconds = (performance.now() - started) / 1000;
      log(`store: ${label}: ${total} events in ${seconds.toFixed(2)} s`);
      return total / seconds;
    } finally {
      cluster.start();
      for (const each of receivers) await each.stop();
    }
  };
  return { drain: await run('drain', true), live: await run('live', false) };
}

/**
 * A TCP proxy to the cluster's Unix socket that holds every chunk, each way,
 * `delayMs` before passing it on, in order: a database far away or overloaded.
 */
async function slowProxy(cluster: Cluster, delayMs: number): Promise<Server> {
  const target = join(cluster.env['PGHOST'] as string, `.s.PGSQL.${cluster.env['PGPORT']}`);
  const delayed = (from: Socket, to: Socket): void => {
    from.on('data', (chunk: Buffer) => setTimeout(() => to.write(chunk), delayMs));
    from.on('close', () => setTimeout(() => to.destroy(), delayMs));
    from.on('error', () => {});
  };
  const proxy = createServer((client) => {
    const upstream = connect(target);
    delayed(client, upstream);
    delayed(upstream, client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return proxy;
}

/** A TCP port on loopback where nothing listens: a database that is down. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function latency(
  cluster: Cluster,
  plan: StorePlan,
  spoolRoot: string,
  log: (line: string) => void,
): Promise<LatencyRow[]> {
  const proxy = await slowProxy(cluster, SLOW_DELAY_MS);
  const proxyPort = (proxy.address() as { port: number }).port;
  const downPort = await closedPort();
  const urls: Record<Condition, string | undefined> = {
    off: undefined,
    on: `postgres:///${DATABASE}`,
    slow: `postgres://127.0.0.1:${proxyPort}/${DATABASE}`,
    down: `postgres://127.0.0.1:${downPort}/${DATABASE}`,
  };
  const rows: LatencyRow[] = [];
  try {
    for (const condition of CONDITIONS) {
      const url = urls[condition];
      const devNull = openSync('/dev/null', 'w');
      const server = await startServer('net', {
        fixedClock: false,
        stdout: devNull,
        args:
          url === undefined
            ? []
            : ['--store', url, '--store-spool', join(spoolRoot, `latency-${condition}`)],
      }).finally(() => closeSync(devNull));
      try {
        await sendHooks(server, hooksOf(WARM_UP_HOOKS), 1);
        const times: number[] = [];
        await sendHooks(server, hooksOf(plan.latencyHooks), 1, (ms) => times.push(ms));
        times.sort((a, b) => a - b);
        const row = {
          condition,
          p50Ms: percentile(times, 50),
          p99Ms: percentile(times, 99),
          maxMs: times.at(-1) ?? 0,
        };
        log(`store: hook latency, store ${condition}: p50 ${row.p50Ms.toFixed(3)} ms`);
        rows.push(row);
      } finally {
        await server.stop();
      }
    }
  } finally {
    proxy.close();
  }
  return rows;
}

/** The whole section, or why it was skipped (a line); undefined result and an error when CI requires PostgreSQL. */
export async function benchStore(
  quick: boolean,
  log: (line: string) => void,
): Promise<{ result: StoreResult | undefined; skipped: string | undefined; failed: boolean }> {
  const decision = decidePostgres();
  if (decision.kind !== 'run') {
    return { result: undefined, skipped: decision.message, failed: decision.kind === 'fail' };
  }
  const plan = quick ? QUICK_STORE_PLAN : FULL_STORE_PLAN;
  const cluster = await startCluster(decision.bin);
  const spoolRoot = mkdtempSync(join(tmpdir(), 'hook-observatory-bench-spool-'));
  try {
    execFileSync(join(decision.bin, 'createdb'), [DATABASE], {
      env: { ...process.env, ...cluster.env },
    });
    // The receivers find the cluster as a user's would: PGHOST, PGPORT and PGUSER.
    Object.assign(process.env, cluster.env, { PGDATABASE: DATABASE });
    const { drain, live } = await intake(cluster, plan, spoolRoot, log);
    const rows = await latency(cluster, plan, spoolRoot, log);
    const version = execFileSync(join(decision.bin, 'postgres'), ['--version'], {
      encoding: 'utf8',
    }).trim();
    return {
      result: {
        plan,
        postgres: version,
        drainEventsPerSecond: drain,
        liveEventsPerSecond: live,
        latency: rows,
      },
      skipped: undefined,
      failed: false,
    };
  } finally {
    cluster.remove();
    rmSync(spoolRoot, { recursive: true, force: true });
  }
}

const figure = (value: number): string => Math.round(value).toLocaleString('en-US');
const ms = (value: number): string => value.toFixed(2);

export function storeMarkdown(result: StoreResult): string {
  const { plan } = result;
  const off = result.latency.find((row) => row.condition === 'off');
  const lines = [
    `## The team store (${result.postgres}, one cluster on this machine)`,
    '',
    `${plan.receivers} receivers at once, ${figure(plan.hooksPerReceiver)} hooks each:`,
    '',
    '| into one PostgreSQL | events/s |',
    '| --- | ---: |',
    `| spools drained at once (the database started after the hooks) | ${figure(result.drainEventsPerSecond)} |`,
    `| stored as the hooks come (from the first hook to the last row) | ${figure(result.liveEventsPerSecond)} |`,
    '',
    `The hook's path, ${figure(plan.latencyHooks)} hooks one after another on one connection (net server):`,
    '',
    '| store | p50 ms | p99 ms | max ms | p99 against off |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...result.latency.map(
      (row) =>
        `| ${row.condition} | ${ms(row.p50Ms)} | ${ms(row.p99Ms)} | ${ms(row.maxMs)} | ${off === undefined || off.p99Ms === 0 ? '' : `${(row.p99Ms / off.p99Ms).toFixed(2)}×`} |`,
    ),
    '',
    `slow: every packet to and from the database held ${SLOW_DELAY_MS} ms by a proxy; down: nothing listens at the URL's port.`,
    '',
  ];
  return lines.join('\n');
}
