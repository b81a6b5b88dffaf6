import { createServer, type Server } from 'node:net';
import { lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  claimSocketPath,
  listenUnix,
  removeSocketFile,
  SocketPathError,
} from '@hook-observatory/core/internal/unix-socket';

let servers: Server[] = [];
let dir = '';
afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  servers = [];
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function fresh(): string {
  dir = mkdtempSync(join(tmpdir(), 'unix-socket-'));
  return join(dir, 's.sock');
}

describe('unix socket files', () => {
  it.each([0o600, 0o660, 0o666])('mode-%o-is-in-force-when-listen-returns', async (mode) => {
    const path = fresh();
    const server = createServer();
    servers.push(server);
    const listening = listenUnix(server, path, mode);
    // bind(2) ran inside listen(): the file exists now, before 'listening', already with its mode.
    expect(lstatSync(path).mode & 0o777).toBe(mode);
    const inode = await listening;
    expect(inode).toBe(lstatSync(path).ino);
  });

  it('umask-is-restored-after-listen', async () => {
    const before = process.umask();
    const server = createServer();
    servers.push(server);
    await listenUnix(server, fresh(), 0o600);
    expect(process.umask()).toBe(before);
  });

  it('claim-refuses-a-live-socket', async () => {
    const path = fresh();
    const server = createServer();
    servers.push(server);
    await listenUnix(server, path, 0o600);
    await expect(claimSocketPath(path)).rejects.toThrow(SocketPathError);
    expect(lstatSync(path).isSocket()).toBe(true);
  });

  it('claim-refuses-a-regular-file', async () => {
    const path = fresh();
    writeFileSync(path, 'x');
    await expect(claimSocketPath(path)).rejects.toThrow(/not a socket/);
  });

  it('claim-of-a-missing-path-is-fine', async () => {
    await expect(claimSocketPath(fresh())).resolves.toBeUndefined();
  });

  it('remove-only-our-own-file', async () => {
    const path = fresh();
    writeFileSync(path, 'someone else put this here');
    removeSocketFile(path, lstatSync(path).ino + 1);
    expect(lstatSync(path).isFile()).toBe(true);
    removeSocketFile(path, lstatSync(path).ino);
    expect(() => lstatSync(path)).toThrow();
  });
});
