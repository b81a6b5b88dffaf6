/**
 * The processes a measurement needs: the server measured and the load client,
 * both pinned to one core when `taskset` (util-linux) is there, each started
 * the way a user would start it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Envelope, Order, Reply, Target } from './load-protocol.js';
import { startServer as launch, type ServerEntry } from '@hook-observatory/launcher';
import { BENCH_DIST, BENCH_SERVERS, type BeforeName, type ServerName } from './paths.js';

export const HAS_TASKSET = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;

/** The prefix that runs a command on `cpu` only (all its threads), or none without taskset. */
export function pinned(cpu: number | undefined): string[] {
  return cpu === undefined || !HAS_TASKSET ? [] : ['taskset', '--cpu-list', String(cpu)];
}

/** Pin this process (all its threads) to `cpu`, so that it stays off the measured core. */
export function pinSelf(cpu: number): void {
  if (HAS_TASKSET) {
    spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', String(cpu), String(process.pid)], {
      stdio: 'ignore',
    });
  }
}

export type Transport = 'tcp' | 'unix';
/** Where events go: a JSONL file (standard output redirected), or an output socket with readers. */
export type Output = 'file' | 'socket';

export interface ServerOptions {
  readonly transport: Transport;
  readonly output: Output;
  /** A fresh directory for sockets and the events file. */
  readonly dir: string;
  readonly cpu: number | undefined;
  readonly nodeArgs?: readonly string[];
  /** The before servers' entries (paths.ts, beforeEntries): needed when `name` is one of them. */
  readonly before?: Readonly<Record<BeforeName, ServerEntry>> | undefined;
  /** Flags after the listen flags and the output socket's (the adversity run's `--log`, `--pretty-yaml`). */
  readonly args?: readonly string[];
  /** Standard output goes to this path (e.g. /dev/full; with output 'socket' and --tee, a file) instead of `dir`/events.jsonl. */
  readonly stdoutPath?: string;
  /** A prefix for the server's command line after the pinning (e.g. `prlimit --nofile=256:256`). */
  readonly wrapper?: readonly string[];
}

function entryOf(name: ServerName, before: ServerOptions['before']): ServerEntry {
  if (name === 'http-before' || name === 'net-before') {
    if (before === undefined) throw new Error(`${name}: no --before checkout was given`);
    return before[name];
  }
  return BENCH_SERVERS[name];
}

export interface RunningServer {
  readonly name: ServerName;
  readonly pid: number;
  readonly target: Target;
  readonly outputSocketPath: string | undefined;
  readonly eventsFile: string | undefined;
  /** Bytes in the events file so far. */
  eventBytes(): number;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** How the server exited, or undefined while it runs. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Everything it wrote on standard error so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Servers started and not yet stopped: an interrupted benchmark must not leave one running. */
const RUNNING = new Set<number>();

/** Kill every server still running, at once (Ctrl+C). */
export function killRunningServers(): void {
  for (const pid of RUNNING) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  RUNNING.clear();
}

export async function startServer(
  name: ServerName,
  options: ServerOptions,
): Promise<RunningServer> {
  if (
    options.output === 'socket' &&
    (name === 'limit' || name === 'event-limit' || name === 'bare')
  ) {
    throw new Error(`the ${name} baseline writes no output socket`);
  }
  const outputSocketPath =
    options.output === 'socket' ? join(options.dir, 'events.sock') : undefined;
  const eventsFile =
    options.stdoutPath ??
    (options.output === 'file' ? join(options.dir, 'events.jsonl') : undefined);
  // Appending: a reader of the file may truncate it without leaving a hole.
  const eventsFd = eventsFile !== undefined ? openSync(eventsFile, 'a') : undefined;
  const server = await launch(
    { name, entry: entryOf(name, options.before) },
    {
      transport: options.transport,
      dir: options.dir,
      node: process.execPath,
      fixedClock: false,
      args: [
        ...(outputSocketPath !== undefined ? ['--output-socket', outputSocketPath] : []),
        ...(options.args ?? []),
      ],
      stdout: eventsFd ?? 'keep',
      ...(options.nodeArgs === undefined ? {} : { nodeArgs: options.nodeArgs }),
      wrapper: [...pinned(options.cpu), ...(options.wrapper ?? [])],
    },
  ).finally(() => {
    if (eventsFd !== undefined) closeSync(eventsFd);
  });
  RUNNING.add(server.pid);
  const target: Target =
    options.transport === 'tcp'
      ? { transport: 'tcp', port: server.port }
      : { transport: 'unix', path: server.socketPath };
  return {
    name,
    pid: server.pid,
    target,
    outputSocketPath,
    eventsFile,
    eventBytes: () =>
      eventsFile !== undefined && existsSync(eventsFile) ? statSync(eventsFile).size : 0,
    waitForLog: (pattern, timeoutMs) => server.waitForStderr(pattern, timeoutMs),
    exitStatus: () =>
      server.process.exitCode === null && server.process.signalCode === null
        ? undefined
        : { code: server.process.exitCode, signal: server.process.signalCode },
    stderr: () => server.stderr(),
    stop: async () => {
      await server.stop();
      RUNNING.delete(server.pid);
    },
  };
}

/** The load client process (load-client.ts) and a way to give it orders. */
export class LoadClient {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: Envelope<Reply>) => {
      const resolve = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      resolve?.(message.body);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => {
      for (const resolve of this.waiting.values()) {
        resolve({ kind: 'error', message: 'the load client exited' });
      }
      this.waiting.clear();
    });
  }

  static start(cpu: number | undefined): LoadClient {
    const [command, ...args] = [
      ...pinned(cpu),
      process.execPath,
      join(BENCH_DIST, 'load-client.js'),
    ];
    return new LoadClient(
      spawn(command as string, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
  }

  get pid(): number {
    return this.child.pid as number;
  }

  async order<K extends Order['kind']>(
    order: Extract<Order, { kind: K }>,
  ): Promise<Extract<Reply, { kind: K }>> {
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ id, body: order } satisfies Envelope<Order>);
    });
    if (reply.kind === 'error') throw new Error(`load client: ${reply.message}`);
    if (reply.kind !== order.kind) {
      throw new Error(`load client answered ${reply.kind} to ${order.kind}`);
    }
    return reply as Extract<Reply, { kind: K }>;
  }

  async close(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await this.exited;
  }
}
