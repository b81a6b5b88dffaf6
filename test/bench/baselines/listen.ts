/**
 * What both baseline servers share with the real ones from outside: the
 * `--port N` or `--socket PATH` flag, the `listening on ...` and `ready` lines
 * on standard error, and a clean exit on SIGTERM. So the benchmark starts and
 * stops all four servers alike.
 */
import { rmSync } from 'node:fs';
import type { Server } from 'node:net';
import { parseArgs } from 'node:util';

function argsValues(): { port?: string; socket?: string } {
  return parseArgs({
    args: process.argv.slice(2),
    options: { port: { type: 'string' }, socket: { type: 'string' } },
    strict: true,
  }).values;
}

/** TCP, or a Unix socket with --socket: the real servers ask who connected differently over each. */
export function transportFromArgs(): 'tcp' | 'unix' {
  return argsValues().socket === undefined ? 'tcp' : 'unix';
}

export function listenFromArgs(server: Server, title: string): void {
  const values = argsValues();
  const socketPath = values.socket;
  const announce = (): void => {
    const address = server.address();
    const where =
      socketPath !== undefined
        ? `unix:${socketPath}`
        : `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : '?'}`;
    process.stderr.write(`${title} listening on ${where}\nready\n`);
  };
  if (socketPath !== undefined) {
    rmSync(socketPath, { force: true });
    server.listen(socketPath, announce);
  } else {
    server.listen(Number(values.port ?? '0'), '127.0.0.1', announce);
  }
  process.once('SIGTERM', () => {
    if (socketPath !== undefined) rmSync(socketPath, { force: true });
    process.exit(0);
  });
}
