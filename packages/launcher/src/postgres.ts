/**
 * The one rule for PostgreSQL tests and benchmarks, as for the browser tests (test/helpers/chromium.ts):
 * find Debian's PostgreSQL, and where it is missing, skip with the install
 * line, unless CI_REQUIRE_POSTGRES=1 (set by .ci/run) makes that a failure.
 *
 * A test gets a throwaway cluster: initdb in a fresh temporary directory, a
 * Unix socket in it and a free TCP port, no TCP listener at all
 * (listen_addresses ''), removed after. With `tls`, it also listens on
 * 127.0.0.1 with TLS on, and takes TCP connections over TLS only (hostssl). PostgreSQL refuses to run as root, so
 * as root the cluster belongs to the `postgres` user and runs through runuser.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** The line that installs Debian's PostgreSQL; .ci/run runs the same. */
export const POSTGRES_INSTALL_LINE = 'apt-get update && apt-get install -y postgresql';
/** Set to 1 to make a missing PostgreSQL a failure instead of a skip. */
export const REQUIRE_POSTGRES_ENV = 'CI_REQUIRE_POSTGRES';
/** Where Debian puts each major's programs (postgresql-common). */
export const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';
/** initdb and pg_ctl -w on a loaded 2-core machine: seconds, rarely more. */
const CLUSTER_COMMAND_TIMEOUT_MS = 120_000;

export type PostgresDecision =
  | { readonly kind: 'run'; readonly bin: string }
  | { readonly kind: 'skip' | 'fail'; readonly message: string };

/** The newest major's bin directory under `root`, if any has initdb. */
function newestBin(root: string): string | undefined {
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], 'bin');
}

/** What a PostgreSQL test does here: run with the programs' directory, skip, or fail. */
export function decidePostgres(
  env: NodeJS.ProcessEnv = process.env,
  root = DEBIAN_POSTGRES_ROOT,
): PostgresDecision {
  const bin = newestBin(root);
  if (bin !== undefined) return { kind: 'run', bin };
  const message = `PostgreSQL is missing (no ${root}/*/bin/initdb): install it with \`${POSTGRES_INSTALL_LINE}\``;
  return env[REQUIRE_POSTGRES_ENV] === '1'
    ? { kind: 'fail', message: `${message} (${REQUIRE_POSTGRES_ENV}=1 makes this a failure)` }
    : { kind: 'skip', message };
}

/**
 * For a whole file: the programs' directory, or undefined (said, with the
 * install line) when the file's suite is to be skipped; throws when CI requires PostgreSQL.
 */
export function postgresForSuite(): string | undefined {
  const decision = decidePostgres();
  if (decision.kind === 'run') return decision.bin;
  if (decision.kind === 'fail') throw new Error(decision.message);
  console.warn(`skipped: ${decision.message}`);
  return undefined;
}

export interface Cluster {
  /** PGHOST (the socket directory), PGPORT, PGUSER, PGDATABASE: what a client needs, libpq's way. */
  readonly env: Readonly<Record<string, string>>;
  /** The store URL the servers take; host, port and user come from `env`. */
  readonly url: string;
  /** Stop: `fast` as an operator does, `immediate` as a crash does (no shutdown checkpoint). */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /** Stop if running and remove every file. */
  remove(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ClusterOptions {
  /** The server's certificate and key (PEM): listen on 127.0.0.1 too, TLS on, and only TLS over TCP. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** The server's certificate and key in the data directory, and TCP connections taken over TLS only. */
function configureTls(
  data: string,
  tls: NonNullable<ClusterOptions['tls']>,
  owner?: number[],
): void {
  const files = { 'server.crt': tls.cert, 'server.key': tls.key };
  for (const [name, pem] of Object.entries(files)) {
    const path = join(data, name);
    // PostgreSQL refuses a key others can read.
    writeFileSync(path, pem, { mode: 0o600 });
    if (owner !== undefined) chownSync(path, owner[0] as number, owner[1] as number);
  }
  // The socket as initdb leaves it; over TCP, TLS only (no `host` line takes a plain connection).
  writeFileSync(
    join(data, 'pg_hba.conf'),
    'local all all trust\nhostssl all all 127.0.0.1/32 trust\n',
  );
}

/** initdb a cluster in a fresh temporary directory and start it; `bin` from postgresOrSkip. */
export async function startCluster(bin: string, options: ClusterOptions = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-'));
  const asRoot = userInfo().uid === 0;
  let owner: number[] | undefined;
  if (asRoot) {
    const id = (flag: string): number =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    owner = [id('-u'), id('-g')];
    chownSync(dir, owner[0] as number, owner[1] as number);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const port = await freePort();
  const superuser = asRoot ? 'postgres' : userInfo().username;
  const run = (program: string, args: readonly string[]): void => {
    const argv = [join(bin, program), ...args];
    const [file, ...rest] = asRoot ? ['runuser', '-u', 'postgres', '--', ...argv] : argv;
    execFileSync(file as string, rest, {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: CLUSTER_COMMAND_TIMEOUT_MS,
      cwd: dir,
    });
  };
  run('initdb', ['-D', data, '-U', superuser, '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  if (options.tls !== undefined) configureTls(data, options.tls, owner);
  const listen =
    options.tls === undefined
      ? `-c listen_addresses=''`
      : `-c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key`;
  // fsync off: a test cluster is thrown away, and the machine is shared.
  const serverOptions = `-k ${dir} -p ${port} ${listen} -c fsync=off -c full_page_writes=off`;
  let running = false;
  const cluster: Cluster = {
    env: { PGHOST: dir, PGPORT: String(port), PGUSER: superuser, PGDATABASE: 'postgres' },
    url: 'postgres:///postgres',
    start() {
      if (running) return;
      run('pg_ctl', [
        'start',
        '-w',
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-o',
        serverOptions,
      ]);
      running = true;
    },
    stop(mode = 'fast') {
      if (!running) return;
      run('pg_ctl', ['stop', '-w', '-m', mode, '-D', data]);
      running = false;
    },
    remove() {
      try {
        cluster.stop('immediate');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  cluster.start();
  return cluster;
}
