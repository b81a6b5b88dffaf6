/**
 * Nothing lost under load: 100,000 hook events from 64 concurrent clients, half
 * on keep-alive connections and half with a connection per request, over TCP
 * and a Unix socket. Every one is answered 200 and is in the stream exactly
 * once, whole. Minutes of load: the slow tier (vitest.config.ts), with the
 * viewers' and the output's loads.
 *
 * @module-tag slow
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sendLoad } from '../helpers/load.js';
import {
  SERVER_NAMES,
  TRANSPORTS,
  startServer,
  type RunningServer,
} from '@hook-observatory/launcher';

const TOTAL = 100_000;
const CLIENTS = 64;
/** A realistic small PreToolUse-sized body, padded so that lines differ in length. */
const body = (id: number): string =>
  JSON.stringify({
    id,
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command: `echo ${'x'.repeat(id % 512)}` },
  });

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe.each(TRANSPORTS)('over %s', (transport) => {
  it.each(SERVER_NAMES)(
    'the %s server records 100,000 events exactly once',
    async (name) => {
      server = await startServer(name, { transport });
      const result = await sendLoad(server, {
        total: TOTAL,
        keepAliveClients: CLIENTS / 2,
        perRequestClients: CLIENTS / 2,
        body,
      });
      expect(result.failed).toBe(0);
      expect(result.otherStatus).toBe(0);
      expect(result.ok).toHaveLength(TOTAL);

      const lines = await server.waitForLines(TOTAL, 60_000);
      expect(lines).toHaveLength(TOTAL);
      const seen = new Uint8Array(TOTAL);
      for (const line of lines) {
        const record = JSON.parse(line) as { id: number; _event: string };
        expect(record._event).toBe('Load');
        seen[record.id]! += 1;
      }
      expect(seen.every((count) => count === 1)).toBe(true);
      // Nothing after the last line: no torn half-line at the end either.
      expect(server.stdout().at(-1)).toBe(0x0a);
    },
    180_000,
  );
});
