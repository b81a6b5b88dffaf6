/**
 * The one rule for PostgreSQL tests and the throwaway cluster, kept in the
 * launcher (packages/launcher/src/postgres.ts) so that `pnpm bench --store`
 * starts its cluster the same way.
 */
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
