/**
 * Unix socket files, created safely: the right permissions from the first
 * instant, never stealing a live server's path, replacing a stale one.
 */
import { lstatSync, unlinkSync, type Stats } from 'node:fs';
import { connect, type Server } from 'node:net';
import { LISTEN_BACKLOG } from './protocol.js';

/** How long to wait for a live server to accept before calling a socket file stale. */
export const STALE_SOCKET_PROBE_TIMEOUT_MS = 500;

export class SocketPathError extends Error {
  override readonly name = 'SocketPathError';
}

/**
 * Make `path` free to bind. A socket file that a server still accepts on is
 * refused (two receivers on one path would split the events between them); one
 * that nobody listens on (ECONNREFUSED: a crashed server left it) is removed;
 * anything that is not a socket is never touched.
 */
// #region claim-socket-path
export async function claimSocketPath(path: string): Promise<void> {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!stats.isSocket()) {
    throw new SocketPathError(`${path} exists and is not a socket; refusing to replace it`);
  }
  if (await isAccepting(path)) {
    throw new SocketPathError(
      `another server is listening on ${path}; stop it or choose another --socket path`,
    );
  }
  unlinkSync(path);
}
// #endregion claim-socket-path

function isAccepting(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    const done = (live: boolean): void => {
      clearTimeout(timer);
      probe.destroy();
      resolve(live);
    };
    // A server so busy that it does not accept in time is still alive: keep its path.
    const timer = setTimeout(() => done(true), STALE_SOCKET_PROBE_TIMEOUT_MS);
    probe.once('connect', () => done(true));
    probe.once('error', (error: NodeJS.ErrnoException) =>
      done(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'),
    );
  });
}

/**
 * Listen on `path` with permissions `mode` in force from the moment the file
 * exists. node's `readableAll`/`writableAll` would chmod after bind(2), leaving
 * a window; instead the umask is narrowed around the bind, which node performs
 * synchronously inside listen() (lib/net.js, setupListenHandle) in a process
 * that is not a cluster worker. Resolves with the file's inode, so that only
 * this file is removed at shutdown.
 */
// #region listen-unix
export function listenUnix(server: Server, path: string, mode: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    const previousUmask = process.umask(~mode & 0o777);
    try {
      server.listen({ path, backlog: LISTEN_BACKLOG });
    } finally {
      process.umask(previousUmask);
    }
    server.once('listening', () => {
      server.off('error', onError);
      resolve(lstatSync(path).ino);
    });
  });
}
// #endregion listen-unix

/** Remove the socket file at `path` if it is still the one this process created. */
export function removeSocketFile(path: string, inode: number): void {
  try {
    if (lstatSync(path).ino === inode) unlinkSync(path);
  } catch {
    // Already gone (node removes a pipe's file when the server closes): nothing to do.
  }
}
