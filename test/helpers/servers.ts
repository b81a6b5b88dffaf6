/**
 * Start a server the way a user does (`node packages/<name>/dist/main.js FLAGS`)
 * and watch what it writes: events on standard output, lines for humans on
 * standard error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Where the repository and the two servers are: one table, shared with the docs tools.
import { ROOT, SERVER_ENTRIES, SERVER_NAMES, type ServerName } from '../../scripts/docs/paths.js';

export { ROOT, SERVER_ENTRIES, SERVER_NAMES, type ServerName };
export type Transport = 'tcp' | 'unix';
export const TRANSPORTS: readonly Transport[] = ['tcp', 'unix'];

/**
 * The node binary servers run on: $HOOK_OBSERVATORY_TEST_NODE when set (CI
 * runs the suites on each supported Node major this way), else the one
 * running the tests.
 */
export const SERVER_NODE = process.env['HOOK_OBSERVATORY_TEST_NODE'] || process.execPath;

/** The test clock: every `_ts` is this, so that streams compare byte for byte. */
export const FIXED_TS = '2026-01-01T00:00:00.000Z';

/** Wait this long for a server to say it is ready before failing the test. */
const STARTUP_TIMEOUT_MS = 15_000;

export interface RunningServer {
  readonly name: ServerName;
  readonly transport: Transport;
  readonly process: ChildProcess;
  /** The TCP port, for transport 'tcp'. */
  readonly port: number;
  /** The Unix socket path, for transport 'unix'. */
  readonly socketPath: string;
  /** The base URL a client uses (for a Unix socket, with the socket as dispatcher). */
  readonly origin: string;
  readonly dir: string;
  stdout(): Buffer;
  stderr(): string;
  /** Resolves once standard error matches `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves once standard output holds `count` newline-terminated lines. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  readonly transport?: Transport;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** The node binary to run the server with (default: SERVER_NODE). */
  readonly node?: string;
  readonly fixedClock?: boolean;
}

export async function startServer(name: ServerName, options: StartOptions = {}): Promise<RunningServer> {
  const transport = options.transport ?? 'tcp';
  const dir = mkdtempSync(join(tmpdir(), `hook-observatory-${name}-`));
  const socketPath = join(dir, 'hooks.sock');
  const listenArgs = transport === 'tcp' ? ['--port', '0'] : ['--socket', socketPath];
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...options.env };
  if (options.fixedClock !== false) env['HOOK_OBSERVATORY_FIXED_TS'] = FIXED_TS;
  const child = spawn(options.node ?? SERVER_NODE, [SERVER_ENTRIES[name], ...listenArgs, ...(options.args ?? [])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  let err = '';
  const lineWaiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    out.push(chunk);
    for (const wake of lineWaiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );

  const port = await new Promise<number>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start:\n${err}`)), STARTUP_TIMEOUT_MS);
    const check = (): void => {
      if (!err.includes('\nready')) return;
      clearTimeout(timer);
      const match = /listening on http:\/\/[^:\s]+:(\d+)/.exec(err);
      ready(match ? Number(match[1]) : 0);
    };
    child.stderr!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`${name} exited before it was ready:\n${err}`));
    });
  });

  const stdout = (): Buffer => Buffer.concat(out);
  return {
    name,
    transport,
    process: child,
    port,
    socketPath,
    origin: transport === 'tcp' ? `http://127.0.0.1:${port}` : 'http://localhost',
    dir,
    stdout,
    stderr: () => err,
    waitForStderr(pattern, timeoutMs = 20_000) {
      return new Promise((done, fail) => {
        const check = (): void => {
          if (!pattern.test(err)) return;
          clearTimeout(timer);
          child.stderr!.off('data', check);
          done();
        };
        const timer = setTimeout(() => {
          child.stderr!.off('data', check);
          fail(new Error(`stderr never matched ${pattern}:\n${err}`));
        }, timeoutMs);
        child.stderr!.on('data', check);
        check();
      });
    },
    waitForLines(count, timeoutMs = 20_000) {
      return new Promise((done, fail) => {
        const check = (): boolean => {
          const text = stdout().toString('utf8');
          const lines = text.split('\n').slice(0, -1);
          if (lines.length < count) return false;
          lineWaiters.delete(wake);
          clearTimeout(timer);
          done(lines);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          lineWaiters.delete(wake);
          fail(new Error(`expected ${count} lines, have ${stdout().toString().split('\n').length - 1}`));
        }, timeoutMs);
        lineWaiters.add(wake);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
}
