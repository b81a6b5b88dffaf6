/**
 * Shutdown under load: SIGTERM while hooks are in flight. Every hook that got
 * its 200 is in the stream, the server exits 0, and its socket files are gone.
 * `pnpm test` stops each server under load over one transport (the http server
 * over TCP, the net server over a Unix socket), the slow tier over the other:
 * thousands of hooks each time, and the conformance suite's shutdown family
 * already holds both servers to the same stop over both transports.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendLoad } from '../helpers/load.js';
import { SERVER_NAMES, TRANSPORTS, startServer } from '@hook-observatory/launcher';

/** The transport each server is stopped over in `pnpm test`. */
const EVERY_RUN = { http: 'tcp', net: 'unix' } as const;

describe.each(TRANSPORTS)('over %s', (transport) => {
  describe.each(SERVER_NAMES)('the %s server', (name) => {
    const tags = EVERY_RUN[name] === transport ? [] : ['slow'];
    it('loses no answered event when stopped under load', { tags, timeout: 120_000 }, async () => {
      const outputPath = join(tmpdir(), `shutdown-${name}-${transport}-${process.pid}.sock`);
      const server = await startServer(name, {
        transport,
        args: ['--output-socket', outputPath, '--tee'],
      });
      let started = 0;
      let signalled = false;
      let exited = false;
      server.process.once('exit', () => (exited = true));
      const load = sendLoad(server, {
        total: 50_000,
        keepAliveClients: 8,
        perRequestClients: 8,
        body: (id) => `{"id":${id}}`,
        stop: () => {
          if (!signalled && ++started > 2_000) {
            signalled = true;
            server.process.kill('SIGTERM');
          }
          // Once the server is gone every request fails: the rest of the 50,000 would prove nothing, slowly.
          return exited;
        },
      });
      const [result, exit] = await Promise.all([
        load,
        new Promise((done) => server.process.once('exit', (code) => done(code))),
      ]);
      expect(exit).toBe(0);
      expect(result.ok.length).toBeGreaterThan(1_000);
      const recorded = new Set(
        server
          .stdout()
          .toString('utf8')
          .split('\n')
          .slice(0, -1)
          .map((line) => (JSON.parse(line) as { id: number }).id),
      );
      const answeredButLost = result.ok.filter((id) => !recorded.has(id));
      expect(answeredButLost).toEqual([]);
      if (transport === 'unix') expect(existsSync(server.socketPath)).toBe(false);
      expect(existsSync(outputPath)).toBe(false);
      await server.stop();
    });
  });
});
