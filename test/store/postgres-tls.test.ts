/**
 * --store postgres://… over TLS as libpq's sslmode says, against a real
 * PostgreSQL that takes TCP connections over TLS only (hostssl), with a
 * throwaway certificate authority made by openssl: require encrypts without
 * checking the certificate, verify-full checks it against the CA named in the
 * URL or in PGSSLROOTCERT, and a refused connection leaves the events in the
 * spool while every hook is still answered.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';
import { STORE_TABLE } from '@hook-observatory/core/internal/store-schema';
import {
  freshDatabase,
  postgresForSuite,
  startCluster,
  withClient,
  type Cluster,
} from '../helpers/postgres.js';
import { sendHooks, TCP_TRAFFIC, TEST_RETENTION_DAYS } from '../helpers/team-traffic.js';

/** A few hooks are enough to see whether they reach the database. */
const traffic = TCP_TRAFFIC.slice(0, 5);
/** Rows reach the database off the hook's path: a test waits for them up to this long. */
const ROWS_WAIT_MS = 30_000;

let cluster: Cluster | undefined;
let dir: string;

const bin = postgresForSuite();

/** A CA and a certificate it signs for 127.0.0.1, and a second CA that signed nothing here. */
function makeCertificates(into: string): { cert: string; key: string } {
  const openssl = (args: readonly string[]): void => {
    execFileSync('openssl', args, { cwd: into, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    openssl(
      ['req', '-x509', ...newKey, '-keyout', `${ca}.key`, '-out', `${ca}.crt`].concat([
        '-days',
        '2',
        '-subj',
        `/CN=${ca}`,
      ]),
    );
  }
  openssl([
    'req',
    ...newKey,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(join(into, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key'].concat([
      '-set_serial',
      '1',
      '-days',
      '2',
      '-extfile',
      'server.ext',
      '-out',
      'server.crt',
    ]),
  );
  const read = (name: string): string => readFileSync(join(into, name), 'utf8');
  return { cert: read('server.crt'), key: read('server.key') };
}

/** The events stored, none while the table is not there yet. */
async function storedCount(database: string): Promise<number> {
  return withClient(cluster as Cluster, database, async (client) => {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${STORE_TABLE}`);
    return Number(rows[0]?.n);
  }).catch(() => 0);
}

/** Whether each of the store's connections to `database` is encrypted, as the server sees them. */
async function storeConnectionsTls(database: string): Promise<boolean[]> {
  return withClient(cluster as Cluster, 'postgres', async (client) => {
    const { rows } = await client.query<{ ssl: boolean }>(
      `SELECT ssl FROM pg_stat_ssl JOIN pg_stat_activity USING (pid)
       WHERE datname = $1 AND application_name = 'hook-observatory'`,
      [database],
    );
    return rows.map((row) => row.ssl);
  });
}

const sendTraffic = (server: RunningServer): Promise<void> => sendHooks(server, traffic);

interface TlsCase {
  readonly name: string;
  /** After the database's name in the URL. */
  readonly query: (dir: string) => string;
  readonly env?: (dir: string) => Record<string, string>;
  /** Stored over TLS, or refused with this line on stderr. */
  readonly refused?: RegExp;
}

const cases: readonly TlsCase[] = [
  {
    name: 'sslmode=require encrypts without checking the certificate',
    query: () => 'sslmode=require',
  },
  {
    name: 'sslmode=verify-full with the CA in sslrootcert',
    query: (at) => `sslmode=verify-full&sslrootcert=${join(at, 'ca.crt')}`,
  },
  {
    name: 'PGSSLMODE=verify-full with the CA in PGSSLROOTCERT',
    query: () => '',
    env: (at) => ({ PGSSLMODE: 'verify-full', PGSSLROOTCERT: join(at, 'ca.crt') }),
  },
  {
    name: 'sslmode=verify-ca with the CA in sslrootcert',
    query: (at) => `sslmode=verify-ca&sslrootcert=${join(at, 'ca.crt')}`,
  },
  {
    name: 'sslmode=verify-full against another CA is refused',
    query: (at) => `sslmode=verify-full&sslrootcert=${join(at, 'other-ca.crt')}`,
    refused: /store: the database failed \(unable to verify the first certificate\)/,
  },
  {
    name: 'sslmode=require with another CA named is verify-ca, and refused',
    query: (at) => `sslmode=require&sslrootcert=${join(at, 'other-ca.crt')}`,
    refused: /store: the database failed \(unable to verify the first certificate\)/,
  },
  {
    name: 'sslmode=disable where the server takes TLS only is refused',
    query: () => 'sslmode=disable',
    refused: /store: the database failed \(no pg_hba\.conf entry .*no encryption\)/,
  },
];

describe.skipIf(bin === undefined)('--store postgres:// over TLS', { tags: ['slow'] }, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'store-tls-'));
    cluster = await startCluster(bin as string, { tls: makeCertificates(dir) });
  });
  afterAll(() => {
    cluster?.remove();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it.each(cases.flatMap((tls) => SERVER_NAMES.map((server) => ({ ...tls, server }))))(
    '$server: $name',
    async ({ server: name, query, env, refused }) => {
      const live = cluster as Cluster;
      const database = await freshDatabase(cluster as Cluster, 'tls');
      const url = `postgres://127.0.0.1:${live.env['PGPORT']}/${database}?${query(dir)}`;
      const server = await startServer(name, {
        args: [
          '--store',
          url,
          '--store-machine',
          name,
          '--store-spool',
          join(dir, database),
        ].concat(['--store-retention-days', String(TEST_RETENTION_DAYS)]),
        env: { ...live.env, ...env?.(dir) },
      });
      try {
        await sendTraffic(server);
        if (refused === undefined) {
          await expect
            .poll(() => storedCount(database), { timeout: ROWS_WAIT_MS })
            .toBe(traffic.length);
          // The proof is pg_hba: TCP over TLS only (the disable case shows a plain one refused).
          // The server's view of the pool's connections, while they are open, says the same.
          expect((await storeConnectionsTls(database)).filter((ssl) => !ssl)).toEqual([]);
        } else {
          await server.waitForStderr(refused);
          expect(await storedCount(database)).toBe(0);
        }
      } finally {
        await server.stop();
      }
      if (refused !== undefined) {
        expect(server.stderr()).toMatch(/bytes of events wait in .* for the next start/);
      }
    },
  );
});
