/**
 * --token: every hook, curl or native, on every transport, sends
 * `Authorization: Bearer <secret>`: a curl hook reads the header from the
 * token file, a native hook from HOOK_OBSERVATORY_TOKEN when it runs. The
 * settings file names only the file and the variable, and while each request
 * is in flight no command line on the machine holds the secret (what `ps`
 * shows every user). A plain node:http receiver stands in for the server, so
 * the header itself can be seen.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_EVENT_NAMES } from '@hook-observatory/core';
import { TOKEN_ENV } from '@hook-observatory/core/vocabulary';
import {
  EMPTY_SETTINGS,
  HOOK_TRANSPORTS,
  installHooks,
  planHooks,
  writeTokenFile,
} from '@hook-observatory/installer';
import { ClaudeCode, type SettingsHooks } from './claude-code.js';

const SECRET = 'b4c1e0f2-secret-from-the-environment';

interface Received {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The command lines that held the secret while this request's hook was still running. */
  readonly exposedIn: string[];
}

/** Every process's command line, as `ps -ef` reads it from /proc; a process gone meanwhile is skipped. */
function commandLines(): string[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        return [readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')];
      } catch {
        return [];
      }
    });
}

function receiver(received: Received[]): Server {
  return createServer((request, response) => {
    // Before the answer: the hook's curl is still waiting for it.
    received.push({
      url: request.url ?? '',
      headers: request.headers,
      exposedIn: commandLines().filter((line) => line.includes(SECRET)),
    });
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-length': '0' }).end());
  });
}

function listen(server: Server, where: number | string): Promise<void> {
  return new Promise((ready) => server.listen(where, ready));
}

let dir: string;
let port: number;
let socketPath: string;
const received: Received[] = [];
const tcpServer = receiver(received);
const unixServer = receiver(received);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'installer-token-'));
  socketPath = join(dir, 'receiver.sock');
  await listen(tcpServer, 0);
  port = (tcpServer.address() as AddressInfo).port;
  await listen(unixServer, socketPath);
});
afterAll(async () => {
  await Promise.all(
    [tcpServer, unixServer].map((server) => new Promise((done) => server.close(done))),
  );
  rmSync(dir, { recursive: true, force: true });
});

describe.each(HOOK_TRANSPORTS)('--transport %s --token', (transport) => {
  it('every hook sends the bearer token, no command line shows it, the settings hold no secret', async () => {
    const tokenFile = join(dir, 'token.header');
    await writeTokenFile(tokenFile, SECRET);
    const text = installHooks(
      EMPTY_SETTINGS,
      planHooks({ transport, port, socketPath, tokenFile }, HOOK_EVENT_NAMES),
    );
    expect(text).not.toContain(SECRET);
    expect(text).toContain(transport === 'http' ? `$${TOKEN_ENV}` : tokenFile);
    const hooks = (JSON.parse(text) as { hooks: SettingsHooks }).hooks;

    received.length = 0;
    const claude = new ClaudeCode({ PATH: process.env['PATH'] ?? '', [TOKEN_ENV]: SECRET });
    try {
      for (const event of Object.keys(hooks)) {
        const fired = await claude.fire(
          hooks,
          event,
          Buffer.from(JSON.stringify({ hook_event_name: event })),
        );
        expect(fired.map((hook) => hook.result)).toEqual([fired[0]!.type === 'http' ? 200 : 0]);
      }
    } finally {
      await claude.close();
    }
    expect(received).toHaveLength(Object.keys(hooks).length);
    for (const request of received) {
      expect(request.headers.authorization, request.url).toBe(`Bearer ${SECRET}`);
      expect(request.exposedIn, request.url).toEqual([]);
    }
  });
});
