/**
 * The store's connection string carries libpq's sslmode to pg: from the URL,
 * else PGSSLMODE and PGSSLROOTCERT, with uselibpqcompat=true so that require
 * and verify-ca mean what they mean in libpq (test/store/postgres-tls.test.ts
 * shows it against a real server).
 */
import { describe, expect, it } from 'vitest';
import { storeConnectionString } from '@hook-observatory/core/vocabulary';

describe("storeConnectionString: libpq's sslmode for pg", () => {
  it.each([
    {
      name: 'no-sslmode-unchanged',
      url: 'postgres://db/hooks',
      env: {},
      expected: 'postgres://db/hooks',
    },
    {
      name: 'url-sslmode-kept-libpq-compat-added',
      url: 'postgres://db/hooks?sslmode=require',
      env: { PGSSLMODE: 'disable' },
      expected: 'postgres://db/hooks?sslmode=require&uselibpqcompat=true',
    },
    {
      name: 'pgsslmode-and-pgsslrootcert',
      url: 'postgres:///hooks',
      env: { PGSSLMODE: 'verify-full', PGSSLROOTCERT: '/ca.crt' },
      expected: 'postgres:///hooks?sslmode=verify-full&sslrootcert=%2Fca.crt&uselibpqcompat=true',
    },
    {
      name: 'url-sslrootcert-over-pgsslrootcert',
      url: 'postgres://db/hooks?sslmode=verify-ca&sslrootcert=/mine.crt',
      env: { PGSSLROOTCERT: '/other.crt' },
      expected: 'postgres://db/hooks?sslmode=verify-ca&sslrootcert=/mine.crt&uselibpqcompat=true',
    },
    {
      name: 'disable-needs-no-root-cert',
      url: 'postgres://db/hooks',
      env: { PGSSLMODE: 'disable', PGSSLROOTCERT: '/ca.crt' },
      expected: 'postgres://db/hooks?sslmode=disable&uselibpqcompat=true',
    },
  ])('$name', ({ url, env, expected }) => {
    expect(storeConnectionString(url, env)).toBe(expected);
  });

  it.each([
    {
      name: 'prefer-refused',
      url: 'postgres://db/hooks?sslmode=prefer',
      env: {},
      message: /cannot fall back from TLS to none/,
    },
    {
      name: 'allow-refused',
      url: 'postgres://db/hooks',
      env: { PGSSLMODE: 'allow' },
      message: /cannot fall back from TLS to none/,
    },
    {
      name: 'unknown-refused',
      url: 'postgres://db/hooks?sslmode=verify',
      env: {},
      message: /sslmode=verify is none of libpq's/,
    },
  ])('$name', ({ url, env, message }) => {
    expect(() => storeConnectionString(url, env)).toThrow(message);
  });
});
