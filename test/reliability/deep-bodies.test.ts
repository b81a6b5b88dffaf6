/**
 * Deeply nested bodies, as any local process could send them (issue 25): about
 * 4,100 nested arrays, an object 5,000 deep with a newline or a `_ts` key, the
 * same with --pretty-json, 630 deep with --pretty-yaml. Each made core's format
 * throw RangeError (stack overflow), nothing caught it, and the server exited:
 * every later hook was refused. Now each is recorded (kept unparsed in `_raw`,
 * with `_error`) in every format, and the next hook is served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'undici';
import { TOO_DEEP_ERROR } from '@hook-observatory/core';
import { SERVER_NAMES, TRANSPORTS, startServer, type RunningServer } from '@hook-observatory/launcher';

const arrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** The bodies that ended both servers, and the format each did it in. */
const FORMATS = [
  { name: 'jsonl', args: [], bodies: [arrays(4_100), arrays(5_000), `${objects(5_000)}\n`, `{"_ts":1,"a":${objects(4_999)}}`] },
  { name: 'pretty-json', args: ['--pretty-json'], bodies: [arrays(5_000), objects(5_000)] },
  { name: 'pretty-yaml', args: ['--pretty-yaml'], bodies: [objects(630), arrays(700)] },
] as const;

function clientFor(server: RunningServer): Client {
  return server.transport === 'unix' ? new Client('http://localhost', { socketPath: server.socketPath }) : new Client(server.origin);
}

async function hook(client: Client, event: string, body: string): Promise<number> {
  const { statusCode, body: answer } = await client.request({
    method: 'POST',
    path: `/hook?event=${event}`,
    headers: { 'content-type': 'application/json' },
    body,
  });
  await answer.dump();
  return statusCode;
}

describe.each(TRANSPORTS)('over %s', (transport) => {
  describe.each(SERVER_NAMES)('the %s server', (name) => {
    describe.each(FORMATS)('with $name', ({ args, bodies }) => {
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

      it('each-deep-body-is-recorded-with-error-and-the-next-hook-is-served', async () => {
        for (const [index, body] of bodies.entries()) {
          expect(await hook(client, `Deep${index}`, body)).toBe(200);
          expect(await hook(client, `After${index}`, '{"ordinary":true}')).toBe(200);
        }
        const written = (): string => server.stdout().toString('utf8');
        await expect.poll(() => written().includes(`After${bodies.length - 1}`)).toBe(true);
        expect(written().split(TOO_DEEP_ERROR)).toHaveLength(bodies.length + 1);
        expect(server.process.exitCode).toBeNull();
        expect(server.stderr()).not.toContain('RangeError');
      });
    });
  });
});
