/**
 * TLS to the team's store as libpq's sslmode says, which pg 8 does not do by
 * itself: it takes sslmode=require, prefer and verify-ca as verify-full unless
 * the URL also says uselibpqcompat=true, reads PGSSLMODE only when the URL has
 * no sslmode, and never reads PGSSLROOTCERT (pg-connection-string 2.x; libpq's
 * way becomes pg 9's default). So every store connection (write, view, query)
 * goes through storeConnectionString: sslmode and sslrootcert from the URL,
 * else from PGSSLMODE and PGSSLROOTCERT, else libpq's ~/.postgresql/root.crt,
 * and uselibpqcompat=true.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { nonEmpty } from './cli-args.js';

/** What libpq's sslmode values do and pg can do the same: no TLS, TLS, TLS with the CA checked, and the host name too. */
const LIBPQ_MODES = new Set(['disable', 'require', 'verify-ca', 'verify-full']);

/**
 * `url` with libpq's TLS settings spelled out for pg. libpq's allow and
 * prefer fall back to a connection without TLS when TLS fails; pg cannot fall
 * back, so they are refused (an Error saying so) rather than taken as something else.
 */
export function storeConnectionString(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const params = new URL(url).searchParams;
  const mode = params.get('sslmode') ?? nonEmpty(env['PGSSLMODE']);
  // No sslmode anywhere: no TLS, as pg does (libpq would try TLS first, as prefer).
  if (mode === undefined) return url;
  if (mode === 'allow' || mode === 'prefer') {
    throw new Error(
      `sslmode=${mode}: the store's client (pg) cannot fall back from TLS to none as libpq's allow and prefer do; ` +
        'say sslmode=require (TLS or nothing) or sslmode=disable',
    );
  }
  if (!LIBPQ_MODES.has(mode)) {
    throw new Error(`sslmode=${mode} is none of libpq's: disable, require, verify-ca, verify-full`);
  }
  const added = new URLSearchParams();
  if (!params.has('sslmode')) added.set('sslmode', mode);
  if (!params.has('sslrootcert')) {
    const rootCert = nonEmpty(env['PGSSLROOTCERT']) ?? defaultRootCert(mode);
    if (rootCert !== undefined && mode !== 'disable') added.set('sslrootcert', rootCert);
  }
  if (!params.has('uselibpqcompat')) added.set('uselibpqcompat', 'true');
  const extra = added.toString();
  if (extra === '') return url;
  const hash = url.indexOf('#');
  const [base, fragment] = hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}${extra}${fragment}`;
}

/** libpq reads ~/.postgresql/root.crt when no root certificate is named, if it is there. */
function defaultRootCert(mode: string): string | undefined {
  if (mode === 'disable') return undefined;
  const path = join(homedir(), '.postgresql', 'root.crt');
  return existsSync(path) ? path : undefined;
}
