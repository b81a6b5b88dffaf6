/**
 * --store postgres://… against a real PostgreSQL (a throwaway cluster,
 * test/helpers/postgres.ts): both servers forward the same traffic and their
 * rows differ only in the machine and the run; a hook is answered whether the
 * database is up or not; a database stopped in the middle of a stream and
 * started again ends up with every event exactly once.
 */
import { spawn, spawnSync } from 'node:child_process';
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
import { sendHooks, TCP_TRAFFIC, storeArgs, trafficOf } from '../helpers/team-traffic.js';

const QUERY = join(ROOT, 'packages/query/bin/hook-observatory-query.js');

/** Rows reach the database off the hook's path: a test waits for them up to this long. */
const ROWS_WAIT_MS = 30_000;
const POLL_MS = 100;

/** Real Claude Code hooks, as recorded over TCP (the conformance traffic). */
const traffic = TCP_TRAFFIC;

let cluster: Cluster | undefined;
let spoolRoot: string;

const bin = postgresForSuite();

interface StoredRow {
  machine: string;
  server_start: string;
  seq: string;
  ts: Date;
  event: string;
  session: string | null;
  tool: string | null;
  record: unknown;
}

async function rowsOf(database: string, machine: string): Promise<StoredRow[]> {
  return withClient(cluster as Cluster, database, async (client) => {
    const { rows } = await client.query<StoredRow>(
      `SELECT machine, server_start, seq, ts, event, session, tool, record
       FROM ${STORE_TABLE} WHERE machine = $1 ORDER BY seq`,
      [machine],
    );
    return rows;
  });
}

async function waitForRows(database: string, machine: string, count: number): Promise<StoredRow[]> {
  const deadline = Date.now() + ROWS_WAIT_MS;
  for (;;) {
    const rows = await rowsOf(database, machine).catch(() => []);
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function startStoring(
  name: (typeof SERVER_NAMES)[number],
  database: string,
  machine: string,
  extra: readonly string[] = [],
): Promise<RunningServer> {
  const live = cluster as Cluster;
  return startServer(name, {
    args: [...storeArgs(database, machine, spoolRoot), ...extra],
    env: { ...live.env, PGDATABASE: database },
  });
}

/** Post the recorded requests (all of them by default) to `server`. */
const sendTraffic = (server: RunningServer, requests = traffic): Promise<void> =>
  sendHooks(server, requests);

/** A row without what names its receiver: what two receivers of the same traffic must share. */
function withoutReceiver({ machine: _m, server_start: _s, ...rest }: StoredRow): object {
  return rest;
}

describe.skipIf(bin === undefined)('--store postgres://', { tags: ['slow'] }, () => {
  beforeAll(async () => {
    cluster = await startCluster(bin as string);
    spoolRoot = mkdtempSync(join(tmpdir(), 'store-spool-'));
  });
  afterAll(() => {
    cluster?.remove();
    if (spoolRoot !== undefined) rmSync(spoolRoot, { recursive: true, force: true });
  });

  it('both servers store the same traffic as the same rows, apart from machine and run', async () => {
    const database = await freshDatabase(cluster as Cluster, 'store');
    const stored = new Map<string, StoredRow[]>();
    for (const name of SERVER_NAMES) {
      const server = await startStoring(name, database, `${name}-box`);
      try {
        await sendTraffic(server);
        stored.set(name, await waitForRows(database, `${name}-box`, traffic.length));
      } finally {
        await server.stop();
      }
    }
    const [http, net] = SERVER_NAMES.map((name) => stored.get(name) as StoredRow[]);
    expect(http).toHaveLength(traffic.length);
    expect((http as StoredRow[]).map((row) => row.event)).toEqual(traffic.map((r) => r.event));
    expect((net as StoredRow[]).map(withoutReceiver)).toEqual(
      (http as StoredRow[]).map(withoutReceiver),
    );
  });

  it('answers every hook while the database is down, and stores them once it is back', async () => {
    const database = await freshDatabase(cluster as Cluster, 'store');
    const live = cluster as Cluster;
    live.stop();
    let server: RunningServer | undefined;
    try {
      server = await startStoring('net', database, 'down-box');
      await sendTraffic(server);
      await server.waitForStderr(/store: the database failed/);
      live.start();
      const rows = await waitForRows(database, 'down-box', traffic.length);
      expect(rows.map((row) => Number(row.seq))).toEqual(traffic.map((_, i) => i + 1));
      await server.waitForStderr(/store: the database answers again/);
    } finally {
      live.start();
      await server?.stop();
    }
  });

  it('loses nothing and doubles nothing when the database is killed mid-stream', async () => {
    const database = await freshDatabase(cluster as Cluster, 'store');
    const live = cluster as Cluster;
    const server = await startStoring('http', database, 'crash-box');
    const half = Math.floor(traffic.length / 2);
    try {
      await sendTraffic(server, traffic.slice(0, half));
      await waitForRows(database, 'crash-box', 1);
      live.stop('immediate');
      await sendTraffic(server, traffic.slice(half));
      await server.waitForStderr(/store: the database failed/);
      live.start();
      const rows = await waitForRows(database, 'crash-box', traffic.length);
      expect(rows.map((row) => Number(row.seq))).toEqual(traffic.map((_, i) => i + 1));
      expect(rows.map((row) => row.event)).toEqual(traffic.map((r) => r.event));
    } finally {
      live.start();
      await server.stop();
    }
  });

  it('a receiver stopped while the database is down leaves its spool to the next run', async () => {
    const database = await freshDatabase(cluster as Cluster, 'store');
    const live = cluster as Cluster;
    live.stop();
    try {
      const first = await startStoring('http', database, 'restart-box');
      await sendTraffic(first);
      await first.waitForStderr(/store: the database failed/);
      await first.stop();
      expect(first.stderr()).toMatch(/bytes of events wait in .* for the next start/);
      live.start();
      const second = await startStoring('http', database, 'restart-box');
      try {
        await sendTraffic(second);
        const rows = await waitForRows(database, 'restart-box', 2 * traffic.length);
        expect(second.stderr()).toMatch(/events left in .* by an earlier run are sent first/);
        expect(rows).toHaveLength(2 * traffic.length);
        expect(new Set(rows.map((row) => row.server_start)).size).toBe(2);
      } finally {
        await second.stop();
      }
    } finally {
      live.start();
    }
  });

  describe('query --store: every machine in one view, the same answers as a log file', () => {
    /** Three receivers on one machine stand in for three developers' machines. */
    const machines = ['ann', 'bob', 'cyd'] as const;
    let database: string;
    let logFile: string;

    /** `pnpm query` as a user runs it, on the store or on ann's log file. */
    function query(args: readonly string[]): { status: number | null; stdout: string } {
      const result = spawnSync(process.execPath, [QUERY, ...args], {
        env: { ...process.env, ...(cluster as Cluster).env, NO_COLOR: '' },
        encoding: 'utf8',
      });
      expect(result.stderr).toBe('');
      return { status: result.status, stdout: result.stdout };
    }
    const lines = (stdout: string): string[] => stdout.split('\n').filter((line) => line !== '');
    const store = (): string[] => ['--store', `postgres:///${database}`];

    beforeAll(async () => {
      database = await freshDatabase(cluster as Cluster, 'store');
      logFile = join(spoolRoot, 'ann.jsonl');
      for (const [index, machine] of machines.entries()) {
        const name = SERVER_NAMES[index % SERVER_NAMES.length] as (typeof SERVER_NAMES)[number];
        const server = await startStoring(
          name,
          database,
          machine,
          machine === 'ann' ? ['--log', logFile] : [],
        );
        try {
          await sendTraffic(server, trafficOf(machine));
          await waitForRows(database, machine, traffic.length);
        } finally {
          await server.stop();
        }
      }
    });

    it("--json gives every machine's events, each naming its machine", () => {
      const { status, stdout } = query([...store(), '--json']);
      expect(status).toBe(0);
      const events = lines(stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(events).toHaveLength(machines.length * traffic.length);
      for (const machine of machines) {
        expect(events.filter((event) => event['_machine'] === machine)).toHaveLength(
          traffic.length,
        );
      }
    });

    it.each([
      {
        name: 'an event filter',
        args: ['--event', 'PreToolUse,PostToolUse', '--columns', 'time,event,tool,session'],
      },
      { name: 'a tool filter', args: ['--tool', 'Bash', '--csv'] },
      { name: 'the sessions with their states', args: ['--sessions', '--csv'] },
      { name: 'the last three events', args: ['-n', '3', '--columns', 'event,tool,detail'] },
    ])("$name: ann's rows in the store are her log file's", ({ args }) => {
      const onFile = lines(query([...args, '--session', 'ann', logFile]).stdout);
      const onStore = lines(query([...store(), ...args, '--session', 'ann']).stdout);
      expect(onFile.length).toBeGreaterThan(1);
      const withMachine = onStore[0]?.startsWith('machine') === true;
      const strip = (row: string): string => (withMachine ? row.slice(row.indexOf(',') + 1) : row);
      expect(onStore.map(strip)).toEqual(onFile);
      // No other machine's row (a CSV field may go on over lines, so rows are not all ann's first cells).
      expect(onStore.filter((row) => /^(bob|cyd),/.test(row))).toEqual([]);
    });

    it('--sessions has a machine column naming every machine', () => {
      const { stdout } = query([...store(), '--sessions', '--csv']);
      const [header, ...rows] = lines(stdout);
      expect(header?.split(',')[0]).toBe('machine');
      expect(new Set(rows.map((row) => row.split(',')[0]))).toEqual(new Set(machines));
    });

    it('--watch shows events as they are stored, each once', async () => {
      const child = spawn(process.execPath, [QUERY, ...store(), '--watch', '--json'], {
        env: { ...process.env, ...(cluster as Cluster).env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      const count = (): number => lines(out).length;
      try {
        await expect.poll(count, { timeout: ROWS_WAIT_MS }).toBe(machines.length * traffic.length);
        const server = await startStoring('net', database, 'dee');
        try {
          await sendTraffic(server, trafficOf('dee'));
        } finally {
          await server.stop();
        }
        await expect
          .poll(count, { timeout: ROWS_WAIT_MS })
          .toBe((machines.length + 1) * traffic.length);
        expect(lines(out).filter((line) => line.includes('"_machine":"dee"'))).toHaveLength(
          traffic.length,
        );
      } finally {
        child.kill();
      }
    });
  });
});
