/**
 * Hostile bodies, as any local process could send them (issue 25): about 4,100
 * nested arrays, an object 5,000 deep with a newline or a `_ts` key, the same
 * with --pretty-json, 630 deep with --pretty-yaml. Each made core's format
 * throw RangeError (stack overflow), nothing caught it, and the server exited:
 * every later hook was refused. And an 11 MB body of a million keys, which
 * held every other hook for seconds while it was parsed, as does a body of
 * millions of array elements. Now each is recorded
 * (kept unparsed in `_raw`, with `_error`) in every format, and the next hook
 * is served. Parsing is the same whatever the transport: `pnpm test` sends
 * each server its bodies over one (the http server over TCP, the net server
 * over a Unix socket), the slow tier over the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'undici';
import { hookStatus } from '../helpers/clients.js';
import {
  TOO_DEEP_ERROR,
  TOO_MANY_ELEMENTS_ERROR,
  TOO_MANY_MEMBERS_ERROR,
} from '@hook-observatory/core/internal/json-shape';
import {
  OUTPUT_WAIT_TIMEOUT_MS,
  SERVER_NAMES,
  TRANSPORTS,
  startServer,
  type RunningServer,
} from '@hook-observatory/launcher';

const arrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

const keys = (count: number): string =>
  `{${Array.from({ length: count }, (_, key) => `"k${key}":${key % 10}`).join(',')}}`;
/** The big body, with a key that needs renaming (`_ts`), which made it slower still. */
const MILLION_KEYS = keys(1_000_000).replace('{', '{"_ts":1,');
/** A million array elements (2 MB): the 32 MiB body limit holds sixteen times as many. */
const MILLION_ZEROS = `{"_ts":1,"a":[${'0,'.repeat(999_999)}0]}`;

/** The bodies that ended both servers or held them, and the format each did it in. */
const FORMATS = [
  {
    name: 'jsonl',
    args: [],
    deep: [arrays(4_100), arrays(5_000), `${objects(5_000)}\n`, `{"_ts":1,"a":${objects(4_999)}}`],
    many: [MILLION_KEYS],
    long: [MILLION_ZEROS],
  },
  {
    name: 'pretty-json',
    args: ['--pretty-json'],
    deep: [arrays(5_000), objects(5_000)],
    many: [],
    long: [],
  },
  {
    name: 'pretty-yaml',
    args: ['--pretty-yaml'],
    deep: [objects(630), arrays(700)],
    many: [MILLION_KEYS],
    long: [],
  },
] as const;

function clientFor(server: RunningServer): Client {
  return server.transport === 'unix'
    ? new Client('http://localhost', { socketPath: server.socketPath })
    : new Client(server.origin);
}

/** The transport each server is sent the bodies over in `pnpm test`. */
const EVERY_RUN = { http: 'tcp', net: 'unix' } as const;

describe.each(TRANSPORTS)('over %s', (transport) => {
  describe.each(SERVER_NAMES)('the %s server', (name) => {
    const tags = EVERY_RUN[name] === transport ? [] : ['slow'];
    describe.each(FORMATS)('with $name', ({ args, deep, many, long }) => {
      let server: RunningServer;
      let client: Client;
      beforeAll(async () => {
        server = await startServer(name, { transport, args });
        client = clientFor(server);
      });
      afterAll(async () => {
        await client.close();
        await server.stop();
      });

      it('each-body-is-recorded-with-error-and-the-next-hook-is-served', { tags }, async () => {
        const bodies = [...deep, ...many, ...long];
        for (const [index, body] of bodies.entries()) {
          expect(await hookStatus(client, `Deep${index}`, body)).toBe(200);
          expect(await hookStatus(client, `After${index}`, '{"ordinary":true}')).toBe(200);
        }
        const written = (): string => server.stdout().toString('utf8');
        await expect
          .poll(() => written().includes(`After${bodies.length - 1}`), {
            timeout: OUTPUT_WAIT_TIMEOUT_MS,
          })
          .toBe(true);
        expect(written().split(TOO_DEEP_ERROR)).toHaveLength(deep.length + 1);
        expect(written().split(TOO_MANY_MEMBERS_ERROR)).toHaveLength(many.length + 1);
        expect(written().split(TOO_MANY_ELEMENTS_ERROR)).toHaveLength(long.length + 1);
        expect(server.process.exitCode).toBeNull();
        expect(server.stderr()).not.toContain('RangeError');
      });
    });
  });
});
