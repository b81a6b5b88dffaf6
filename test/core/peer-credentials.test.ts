import { createServer, connect, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPeerCredentials } from '@hook-observatory/core/internal/peer-credentials';
import { type PeerCredentials } from '@hook-observatory/core/internal/enrich';

let server: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Accept one connection on `listenOn` and read the peer's credentials from the server side. */
async function credentialsOfOneConnection(
  listen: (server: Server) => void,
  dial: () => Socket,
): Promise<PeerCredentials | undefined> {
  const support = await loadPeerCredentials();
  expect(support.unavailable).toBeUndefined();
  const accepted = new Promise<PeerCredentials | undefined>((done) => {
    server = createServer((socket) => {
      done(support.read(socket));
      socket.destroy();
    });
  });
  await new Promise<void>((ready) => {
    server!.once('listening', ready);
    listen(server!);
  });
  const client = dial();
  client.on('error', () => {});
  const credentials = await accepted;
  client.destroy();
  return credentials;
}

describe('peer credentials', () => {
  it.runIf(process.platform === 'linux')('unix-socket-peer-is-this-process', async () => {
    dir = mkdtempSync(join(tmpdir(), 'peercred-'));
    const path = join(dir, 's.sock');
    const credentials = await credentialsOfOneConnection(
      (s) => s.listen(path),
      () => connect(path),
    );
    expect(credentials).toEqual({
      pid: process.pid,
      uid: process.getuid!(),
      gid: process.getgid!(),
    });
  });

  it('tcp-has-no-peer-credentials', async () => {
    let port = 0;
    const credentials = await credentialsOfOneConnection(
      (s) => s.listen(0, '127.0.0.1', () => (port = (s.address() as { port: number }).port)),
      () => connect(port, '127.0.0.1'),
    );
    expect(credentials).toBeUndefined();
  });

  it('unsupported-platform-says-why', async () => {
    const support = await loadPeerCredentials('win32');
    expect(support.unavailable).toMatch(/not supported on win32/);
    expect(support.read({} as Socket)).toBeUndefined();
  });
});
