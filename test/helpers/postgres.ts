/**
 * The one rule for PostgreSQL tests and the throwaway cluster, kept in the
 * launcher (packages/launcher/src/postgres.ts) so that `pnpm bench --store`
 * starts its cluster the same way; and a test's client and databases.
 */
import pg from 'pg';
import type { Cluster } from '@hook-observatory/launcher';

export {
  DEBIAN_POSTGRES_ROOT,
  decidePostgres,
  POSTGRES_INSTALL_LINE,
  postgresForSuite,
  REQUIRE_POSTGRES_ENV,
  startCluster,
  type Cluster,
  type PostgresDecision,
} from '@hook-observatory/launcher';

/** A client of `cluster`'s database `database` for the length of `use`. */
export async function withClient<T>(
  cluster: Cluster,
  database: string,
  use: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    host: cluster.env['PGHOST'],
    port: Number(cluster.env['PGPORT']),
    user: cluster.env['PGUSER'],
    database,
  });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

let databasesMade = 0;

/** A database of its own for one test, named `prefix` and a number. */
export async function freshDatabase(cluster: Cluster, prefix: string): Promise<string> {
  const name = `${prefix}_${++databasesMade}`;
  await withClient(cluster, 'postgres', (client) => client.query(`CREATE DATABASE ${name}`));
  return name;
}
