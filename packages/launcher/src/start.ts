/**
 * Start a server as a user does (its entry, then `--port 0` or `--socket
 * PATH`, then flags) and watch what it writes: events on standard output,
 * lines for people on standard error. It is ready when a line of standard
 * error begins with `ready` (core/serve.ts); the port is read from the
 * `listening on http://HOST:PORT` line before it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXED_TIMESTAMP_ENV, TEST_NODE_ENV } from '@hook-observatory/core/vocabulary';
import { commandLine, SERVERS, type ServerEntry } from './servers.js';

/** The test clock: every `_ts` is this, so that two servers' streams compare byte for byte. */
export const FIXED_TS = '2026-01-01T00:00:00.000Z';
export { FIXED_TIMESTAMP_ENV };

/** The node binary servers run on: $HOOK_OBSERVATORY_TEST_NODE (TEST_NODE_ENV) when set, else this one. */
export const SERVER_NODE = process.env[TEST_NODE_ENV] || process.execPath;

export type Transport = 'tcp' | 'unix';
export const TRANSPORTS: readonly Transport[] = ['tcp', 'unix'];

/** A server that has not said `ready` by then failed to start (a busy 2-core machine, tsx compiling). */
export const STARTUP_TIMEOUT_MS = 20_000;
/** Waits for events or a log line fail after this long: events are written before the answer. */
export const OUTPUT_WAIT_TIMEOUT_MS = 20_000;
/** After SIGTERM a server waits up to SHUTDOWN_GRACE_MS (5 s, core/protocol.ts) for requests in flight. */
const STOP_TIMEOUT_MS = 7_000;

const READY_LINE = /^ready\b/m;
const LISTENING_PORT = /listening on http:\/\/\S+:(\d+)/;

export interface StartOptions {
  readonly transport?: Transport;
  /** Flags after the listen flags. */
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** The node binary for 'node' and 'tsx' entries (default: SERVER_NODE). */
  readonly node?: string;
  readonly nodeArgs?: readonly string[];
  /** Use the test clock (default true). */
  readonly fixedClock?: boolean;
  /** Where standard output goes: kept in memory (default), or an open file descriptor (the benchmark's events file). */
  readonly stdout?: 'keep' | number;
  /** A prefix for the command line, such as `taskset --cpu-list 1`. */
  readonly wrapper?: readonly string[];
  /** The directory for the server's socket (default: a fresh one, removed at stop). */
  readonly dir?: string;
}

export interface RunningServer {
  readonly name: string;
  readonly transport: Transport;
  readonly process: ChildProcess;
  readonly pid: number;
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

/** Start `server`: a name from SERVERS, or an entry of the caller's own. */
export async function startServer(
  server: keyof typeof SERVERS | { readonly name: string; readonly entry: ServerEntry },
  options: StartOptions = {},
): Promise<RunningServer> {
  const { name, entry } =
    typeof server === 'string' ? { name: server, entry: SERVERS[server] as ServerEntry } : server;
  const transport = options.transport ?? 'tcp';
  const ownDir = options.dir === undefined;
  const dir =
    options.dir ?? mkdtempSync(join(tmpdir(), `hook-observatory-${name.replace(/\W/g, '-')}-`));
  const socketPath = join(dir, 'hooks.sock');
  // A foreign program says nothing we could read: it gets a free port, and is ready once that port accepts.
  const foreign = entry.kind === 'command';
  if (foreign && transport !== 'tcp') throw new Error(`${name}: a command is graded over TCP only`);
  const chosenPort = foreign ? await freePort() : 0;
  const listenArgs =
    transport === 'tcp' ? ['--port', String(chosenPort)] : ['--socket', socketPath];
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...options.env,
  };
  if (options.fixedClock === false) delete env[FIXED_TIMESTAMP_ENV];
  else env[FIXED_TIMESTAMP_ENV] = FIXED_TS;
  const [program, ...args] = [
    ...(options.wrapper ?? []),
    ...commandLine(entry, options.node ?? SERVER_NODE, options.nodeArgs),
    ...listenArgs,
    ...(options.args ?? []),
  ];
  const keepStdout = options.stdout === undefined || options.stdout === 'keep';
  const child = spawn(program as string, args, {
    env,
    stdio: ['ignore', keepStdout ? 'pipe' : options.stdout, 'pipe'],
  });
  const watched = watch(name, child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );

  if (foreign) await waitForPort(name, chosenPort, child, watched.err);
  else {
    await watched.waitFor(
      () => READY_LINE.test(watched.err()),
      STARTUP_TIMEOUT_MS,
      'never said ready',
    );
  }
  const port = foreign ? chosenPort : Number(LISTENING_PORT.exec(watched.err())?.[1] ?? 0);
  const lines = (): string[] => watched.out().toString('utf8').split('\n').slice(0, -1);
  return {
    name,
    transport,
    process: child,
    pid: child.pid as number,
    port,
    socketPath,
    origin: transport === 'tcp' ? `http://127.0.0.1:${port}` : 'http://localhost',
    dir,
    stdout: watched.out,
    stderr: watched.err,
    waitForStderr: (pattern, timeoutMs = OUTPUT_WAIT_TIMEOUT_MS) =>
      watched.waitFor(
        () => pattern.test(watched.err()),
        timeoutMs,
        `stderr never matched ${pattern}`,
      ),
    async waitForLines(count, timeoutMs = OUTPUT_WAIT_TIMEOUT_MS) {
      await watched.waitFor(
        () => lines().length >= count,
        timeoutMs,
        `expected ${count} lines, have ${lines().length}`,
      );
      return lines();
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(force);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
}

/** A port free now on loopback, asked of the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** How often a foreign program's port is tried while it starts. */
const PORT_POLL_MS = 50;

/** Resolves once `port` accepts a connection (closed at once); fails if the program exits first or never listens. */
function waitForPort(
  name: string,
  port: number,
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const attempt = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return reject(new Error(`${name} exited before listening\n${stderr()}`));
      }
      if (Date.now() - started > STARTUP_TIMEOUT_MS) {
        return reject(new Error(`${name}: port ${port} never accepted\n${stderr()}`));
      }
      const probe = connect(port, '127.0.0.1', () => {
        probe.destroy();
        resolve();
      }).once('error', () => {
        probe.destroy();
        setTimeout(attempt, PORT_POLL_MS);
      });
    };
    attempt();
  });
}

/** A child's two output streams, kept, with a way to wait for a condition on them. */
function watch(name: string, child: ChildProcess) {
  const out: Buffer[] = [];
  let err = '';
  const wakers = new Set<() => void>();
  const wakeAll = (): void => {
    for (const wake of wakers) wake();
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    out.push(chunk);
    wakeAll();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    wakeAll();
  });
  child.once('exit', wakeAll);
  const outBytes = (): Buffer => {
    if (out.length > 1) out.splice(0, out.length, Buffer.concat(out));
    return out[0] ?? Buffer.alloc(0);
  };
  const waitFor = (done: () => boolean, timeoutMs: number, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const finish = (error?: Error): void => {
        wakers.delete(check);
        clearTimeout(timer);
        if (error === undefined) resolve();
        else reject(error);
      };
      const check = (): void => {
        if (done()) finish();
        else if (child.exitCode !== null || child.signalCode !== null) {
          finish(new Error(`${name} exited: ${what}\n${err}`));
        }
      };
      const timer = setTimeout(
        () => finish(new Error(`${name}: ${what} within ${timeoutMs} ms\n${err}`)),
        timeoutMs,
      );
      wakers.add(check);
      check();
    });
  return { out: outBytes, err: () => err, waitFor };
}
