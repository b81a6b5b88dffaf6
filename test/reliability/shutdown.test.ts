/**
 * Shutdown under load: SIGTERM while hooks are in flight. Every hook that got
 * its 200 is in the stream, the server exits 0, and its socket files are gone.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendLoad } from '../helpers/load.js';
import { SERVER_NAMES, TRANSPORTS, startServer } from '@hook-observatory/launcher';

describe.each(TRANSPORTS)('over %s', (transport) => {
  it.each(SERVER_NAMES)(
    'the %s server loses no answered event when stopped under load',
    async (name) => {
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
    },
    120_000,
  );
});
